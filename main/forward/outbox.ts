/**
 * The durable outbox: producers of entity changes call `enqueue` — inside their own unit
 * of work when they have one, so the rows commit (or roll back) with whatever produced the
 * events — and the delivery worker (worker.ts) sends the rows.
 */
import { randomUUID } from 'node:crypto';
import { conflict } from '../errors';
import type { DomainEvents } from '../events';
import type { Store } from '../store';
import type { Delivery, Instance } from '../store/types';
import { CONFIG_KEYS, type Destination, destinationOf } from './destination';
import { buildPayload, type ChangeEvent } from './payload';

/** The entity name of the test event (`POST /instances/{id}/destinations/test`); never filtered by event.objects. */
export const TEST_ENTITY = 'CompanionTest';

export class Outbox {
  constructor(private readonly deps: { store: Store; events: DomainEvents; now: () => number }) {}

  /**
   * Queues one delivery per change for the instance's destination, keeping only the
   * entities its event.objects names. Nothing is queued while it has no destination
   * (off, or missing its URL or token), or for a deleted instance.
   */
  enqueue(instanceId: string, changes: readonly ChangeEvent[]): Delivery[] {
    return this.deps.store.transaction(() => {
      const instance = this.deps.store.instances.get(instanceId);
      const destination = instance && destinationOf(instance.configuration);
      if (!instance || !destination) return [];
      return this.insert(instance, destination, changes.filter((c) => destination.objects?.has(c.name.toLowerCase()) ?? true));
    });
  }

  /** Queues a test event; a 409 naming the missing key when the instance has no destination. */
  enqueueTest(instance: Instance): Delivery {
    const destination = destinationOf(instance.configuration);
    if (!destination) {
      throw conflict(
        'no_destination',
        `The instance has no webhook destination: set configuration "${CONFIG_KEYS.enabled}" to "true", "${CONFIG_KEYS.url}" and "${CONFIG_KEYS.token}".`,
        `configuration["${CONFIG_KEYS.enabled}"]`,
      );
    }
    const test: ChangeEvent = { name: TEST_ENTITY, id: randomUUID(), operation: 'Create', lastUpdated: new Date(this.deps.now()).toISOString() };
    return this.deps.store.transaction(() => this.insert(instance, destination, [test]))[0] as Delivery;
  }

  private insert(instance: Instance, destination: Destination, changes: readonly ChangeEvent[]): Delivery[] {
    const now = this.deps.now();
    const rows = changes.map((change) => {
      const eventId = randomUUID();
      return this.deps.store.deliveries.insert({
        eventId,
        instanceId: instance.id,
        recordKey: `${change.name}:${change.id}`,
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
    });
    if (rows.length > 0) this.deps.events.emit('delivery.queued', { instanceId: instance.id, count: rows.length });
    return rows;
  }
}
