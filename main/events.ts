/**
 * Domain events out of the core: the tray, notifications, live UI updates and the
 * outbox subscribe here instead of polling. Emitted after the change is committed, and
 * never for a change that was rolled back.
 */
import { EventEmitter } from 'node:events';

export interface DomainEventMap {
  'request.queued': { requestId: string; instanceId: string };
  'request.completed': { requestId: string; instanceId: string; status: string };
  'request.cancelled': { requestId: string; instanceId: string };
  'session.started': { sessionId: string; instanceId: string };
  'session.ended': { sessionId: string; instanceId: string | null; status: string };
  'instance.changed': { instanceId: string; change: 'created' | 'updated' | 'deleted' };
  /** Outbox rows were added or made pending again (the delivery worker wakes up). */
  'delivery.queued': { instanceId: string; count: number };
}

export type DomainEventName = keyof DomainEventMap;

export class DomainEvents {
  private readonly emitter = new EventEmitter();

  /** `afterCommit` runs what it is given once the current unit of work has committed (Store.afterCommit). */
  constructor(private readonly afterCommit: (emit: () => void) => void = (emit) => emit()) {}

  emit<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    this.afterCommit(() => this.emitter.emit(name, payload));
  }

  on<K extends DomainEventName>(name: K, listener: (payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
