/**
 * Domain events out of the core: the tray, notifications, live UI updates and the
 * outbox subscribe here instead of polling. Emitted after the change is committed, and
 * never for a change that was rolled back.
 */
import { EventEmitter } from 'node:events';

export interface DomainEventMap {
  'request.queued': { requestId: string; instanceId: string };
  'request.completed': { requestId: string; instanceId: string; status: string; /** For a failure: what to tell the bookkeeper. */ userFacingMessage: string | null };
  'request.cancelled': { requestId: string; instanceId: string };
  'session.started': { sessionId: string; instanceId: string };
  /** The running session's progress, as the Web Connector's bar shows it. */
  'session.progress': { sessionId: string; instanceId: string; percent: number };
  'session.ended': {
    sessionId: string;
    instanceId: string | null;
    status: string;
    requestsDone: number;
    requestsFailed: number;
    /** The connection's first session that ended well. */
    firstSuccess: boolean;
    lastError: string | null;
  };
  'settings.changed': { paused: boolean };
  'instance.changed': { instanceId: string; change: 'created' | 'updated' | 'deleted' };
  /** Outbox rows were added or made pending again (the delivery worker wakes up). */
  'delivery.queued': { instanceId: string; count: number };
  /** A delivery attempt was recorded (delivered, failed, offline, gone, dead). */
  'delivery.attempted': { instanceId: string; destinationId: string; result: string };
  /** Change detection's settings or progress changed (a query settled, a run was queued or failed). */
  'detection.changed': { instanceId: string };
  /** The cloud link's state, last push or pull, or backlog may have changed. */
  'cloud.changed': Record<string, never>;
  /** A webhook destination was added, changed (a 410 turning it off included) or deleted. */
  'destination.changed': { instanceId: string; destinationId: string; change: 'created' | 'updated' | 'deleted' };
}

export type DomainEventName = keyof DomainEventMap;

/** Every event's name, for documents that list them (the OpenAPI stream description); a Record, so none is left out. */
const EVENT_NAMES: Record<DomainEventName, true> = {
  'request.queued': true,
  'request.completed': true,
  'request.cancelled': true,
  'session.started': true,
  'session.progress': true,
  'session.ended': true,
  'instance.changed': true,
  'delivery.queued': true,
  'destination.changed': true,
  'delivery.attempted': true,
  'detection.changed': true,
  'cloud.changed': true,
  'settings.changed': true,
};
export const DOMAIN_EVENT_NAMES = Object.keys(EVENT_NAMES) as DomainEventName[];

const ALL = Symbol('all');

export class DomainEvents {
  private readonly emitter = new EventEmitter();

  /** `afterCommit` runs what it is given once the current unit of work has committed (Store.afterCommit). */
  constructor(private readonly afterCommit: (emit: () => void) => void = (emit) => emit()) {
    this.emitter.setMaxListeners(0); // one per open UI stream, besides the core's own
  }

  emit<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    this.afterCommit(() => {
      // What was done is done: a listener that fails is reported, never thrown at the caller,
      // and the others still hear of it.
      for (const [event, args] of [[name, [payload]], [ALL, [name, payload]]] as const) {
        try {
          this.emitter.emit(event, ...args);
        } catch (err) {
          process.emitWarning(`A listener of the domain event ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        }
      }
    });
  }

  /** Every event, as it happens: for transports that pass them all on (the UI's live updates). */
  onAll(listener: <K extends DomainEventName>(name: K, payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(ALL, listener);
    return () => this.emitter.off(ALL, listener);
  }

  on<K extends DomainEventName>(name: K, listener: (payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
