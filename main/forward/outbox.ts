/**
 * The durable outbox: producers of entity changes call `enqueue` — inside their own unit
 * of work when they have one, so the rows commit (or roll back) with whatever produced the
 * events — and the delivery worker (worker.ts) sends the rows.
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvents } from '../events';
import type { Store } from '../store';
import type { Delivery, Instance } from '../store/types';
import type { Destination } from './destination';
import { targetsOf } from './destinations';
import { buildPayload, type ChangeEvent } from './payload';

/** The entity name of the test event (testDestination); never filtered by a destination's objects. */
export const TEST_ENTITY = 'CompanionTest';

export class Outbox {
  constructor(private readonly deps: { store: Store; events: DomainEvents; now: () => number }) {}

  /**
   * Queues one delivery per change and destination the instance sends to now (on and
   * complete), keeping for each destination only the entities its objects name; one
   * destination's rows in the order of `changes`. Nothing is queued for a deleted instance.
   */
  enqueue(instanceId: string, changes: readonly ChangeEvent[]): Delivery[] {
    return this.deps.store.transaction(() => {
      const instance = this.deps.store.instances.get(instanceId);
      if (!instance) return [];
      return this.insert(
        instance,
        targetsOf(this.deps.store, instance).map((d) => [d, changes.filter((c) => d.objects?.has(c.name.toLowerCase()) ?? true)] as const),
      );
    });
  }

  /** Queues a signed test event to one destination (which the caller checked sends now). */
  enqueueTest(instance: Instance, destination: Destination): Delivery {
    const test: ChangeEvent = { name: TEST_ENTITY, id: randomUUID(), operation: 'Create', lastUpdated: new Date(this.deps.now()).toISOString() };
    return this.deps.store.transaction(() => this.insert(instance, [[destination, [test]]]))[0] as Delivery;
  }

  private insert(instance: Instance, batches: readonly (readonly [Destination, readonly ChangeEvent[]])[]): Delivery[] {
    const now = this.deps.now();
    const rows = batches.flatMap(([destination, changes]) =>
      changes.map((change) => {
        const eventId = randomUUID();
        return this.deps.store.deliveries.insert({
          eventId,
          instanceId: instance.id,
          destinationId: destination.id,
          recordKey: `${change.name}:${change.id}`,
          mergedKey: change.operation === 'Merge' && change.deletedId ? `${change.name}:${change.deletedId}` : null,
          eventType: `${change.name}.${change.operation}`,
          payload: buildPayload(destination.format, instance.fileId, eventId, change),
          status: 'pending',
          attempts: 0,
          failures: 0,
          nextAttemptAt: now,
          lastAttemptAt: null,
          lastStatusCode: null,
          lastError: null,
          createdAt: now,
          deliveredAt: null,
        });
      }),
    );
    if (rows.length > 0) this.deps.events.emit('delivery.queued', { instanceId: instance.id, count: rows.length });
    return rows;
  }
}
