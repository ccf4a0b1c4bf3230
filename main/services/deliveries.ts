/** Webhook deliveries of an instance (the outbox): list, replay the dead, send a test event. */
import type { z } from 'zod';
import type { deliverySchema } from '../contract/schemas';
import { conflict, notFound } from '../errors';
import type { DomainEvents } from '../events';
import type { Outbox } from '../forward/outbox';
import type { Store } from '../store';
import type { Delivery, DeliveryStatus } from '../store/types';
import type { DestinationService } from './destinations';
import type { InstanceService } from './instances';

export type DeliveryResource = z.infer<typeof deliverySchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class DeliveryService {
  constructor(
    private readonly deps: { store: Store; events: DomainEvents; outbox: Outbox; instances: InstanceService; destinations: DestinationService; now: () => number },
  ) {}

  toResource(d: Delivery): DeliveryResource {
    return {
      eventId: d.eventId,
      instanceId: d.instanceId,
      destinationId: d.destinationId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts,
      failures: d.failures,
      timestamp: iso(d.createdAt) as string,
      nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
      lastAttemptAt: iso(d.lastAttemptAt),
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      deliveredAt: iso(d.deliveredAt),
      payload: JSON.parse(d.payload) as unknown,
    };
  }

  list(instanceId: string, filter: { status?: DeliveryStatus; destinationId?: string }, limit: number, cursor: string | undefined) {
    this.deps.instances.require(instanceId);
    const { rows, nextCursor } = this.deps.store.deliveries.list(instanceId, filter, limit, cursor);
    return { data: rows.map((d) => this.toResource(d)), nextCursor };
  }

  /** A signed test event to one destination; 409 when it sends nothing now (saying why). */
  test(instanceId: string, destinationId: string): DeliveryResource {
    const instance = this.deps.instances.require(instanceId);
    const target = this.deps.destinations.target(instance, destinationId);
    return this.toResource(this.deps.outbox.enqueueTest(instance, target));
  }

  /** A dead delivery back to pending, with a fresh schedule and the same event id. */
  replay(eventId: string): DeliveryResource {
    const { store, now } = this.deps;
    const replayed = store.transaction(() => {
      const d = store.deliveries.get(eventId);
      if (!d) throw notFound('delivery', eventId, 'eventId');
      if (d.status !== 'dead') throw conflict('not_dead', `Only a dead delivery is replayed; this one is ${d.status}.`, 'eventId');
      store.deliveries.update(eventId, { status: 'pending', failures: 0, nextAttemptAt: now() });
      return store.deliveries.get(eventId) as Delivery;
    });
    this.deps.events.emit('delivery.queued', { instanceId: replayed.instanceId, count: 1 });
    return this.toResource(replayed);
  }

  /** Every dead delivery of an instance, or of one of its destinations, back to pending. */
  replayDead(instanceId: string, destinationId: string | undefined): { replayed: number } {
    this.deps.instances.require(instanceId);
    const replayed = this.deps.store.transaction(() => this.deps.store.deliveries.replayDead(instanceId, destinationId, this.deps.now()));
    if (replayed > 0) this.deps.events.emit('delivery.queued', { instanceId, count: replayed });
    return { replayed };
  }
}
