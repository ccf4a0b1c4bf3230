/**
 * Webhook destinations of an instance: those added here, and the one its configuration keys
 * define (id "configuration"), which is shown with them but changed through the configuration
 * — here only turned on or off.
 */
import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../errors';
import type { DomainEvents } from '../events';
import type { DestinationCreate, DestinationResource, DestinationUpdate } from '../forward/contract';
import {
  CONFIG_KEYS,
  CONFIGURATION_ID,
  type Destination,
  type DestinationDefinition,
  configurationDestination,
  destinationLabel,
  displayUrl,
  incompleteBecause,
  maskSecrets,
  SECRET_MASK,
  targetOf,
} from '../forward/destination';
import { destinationsOf } from '../forward/destinations';
import type { Store } from '../store';
import type { DestinationActivity } from '../store/deliveries';
import type { Instance } from '../store/types';
import type { InstanceService } from './instances';

const DAY = 24 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export class DestinationService {
  constructor(private readonly deps: { store: Store; events: DomainEvents; instances: InstanceService; now: () => number }) {}

  list(instanceId: string): { data: DestinationResource[] } {
    const instance = this.deps.instances.require(instanceId);
    return { data: destinationsOf(this.deps.store, instance).map((d) => this.toResource(d)) };
  }

  get(instanceId: string, destinationId: string): DestinationResource {
    return this.toResource(this.require(this.deps.instances.require(instanceId), destinationId));
  }

  create(instanceId: string, input: DestinationCreate): DestinationResource {
    const { store, now } = this.deps;
    const created = store.transaction(() => {
      const instance = this.deps.instances.require(instanceId);
      const d: DestinationDefinition = { id: randomUUID(), instanceId: instance.id, ...input, createdAt: now(), updatedAt: now() };
      store.destinations.insert(d);
      this.log(instance.id, 'destination.created', `The ${destinationLabel(d)} was added: ${d.format} events to ${displayUrl(d.url)}${d.enabled ? '' : ' (turned off)'}.`);
      return d;
    });
    this.deps.events.emit('destination.changed', { instanceId, destinationId: created.id, change: 'created' });
    return this.toResource(created);
  }

  /** The configuration's destination takes only `enabled` (written to its configuration key); the rest is changed there. */
  async update(instanceId: string, destinationId: string, input: DestinationUpdate): Promise<DestinationResource> {
    if (destinationId === CONFIGURATION_ID) return this.updateConfigured(instanceId, input);
    const { store, now } = this.deps;
    const updated = store.transaction(() => {
      const current = this.require(this.deps.instances.require(instanceId), destinationId);
      const patch = { ...input, ...(input.verifierToken === SECRET_MASK ? { verifierToken: current.verifierToken } : {}), updatedAt: now() };
      store.destinations.update(instanceId, destinationId, patch);
      this.log(instanceId, 'destination.updated', `The ${destinationLabel(current)} was changed: ${Object.keys(input).join(', ')}.`);
      return { ...current, ...patch };
    });
    this.deps.events.emit('destination.changed', { instanceId, destinationId, change: 'updated' });
    return this.toResource(updated);
  }

  /**
   * Deletes a destination with what it has not delivered (pending and dead rows): they could
   * go nowhere, and a dead letter offered for replay would wait forever. What it delivered stays.
   */
  delete(instanceId: string, destinationId: string): void {
    const { store } = this.deps;
    store.transaction(() => {
      const d = this.require(this.deps.instances.require(instanceId), destinationId);
      if (d.id === CONFIGURATION_ID) {
        throw conflict('from_configuration', `This destination is the connection's configuration: clear "${CONFIG_KEYS.url}" there to remove it.`, 'destinationId');
      }
      const dropped = store.deliveries.dropUnsent(instanceId, destinationId);
      store.destinations.delete(instanceId, destinationId);
      this.log(instanceId, 'destination.deleted', `The ${destinationLabel(d)} was deleted${dropped > 0 ? `, with the ${dropped} events not delivered to it` : ''}.`);
    });
    this.deps.events.emit('destination.changed', { instanceId, destinationId, change: 'deleted' });
  }

  /** Where to send a test event: 404 without the destination, 409 (saying why) when it sends nothing now. */
  target(instance: Instance, destinationId: string): Destination {
    const d = this.require(instance, destinationId);
    const target = targetOf(d);
    if (!target) throw conflict('destination_off', `The ${destinationLabel(d)} sends nothing now. ${this.disabledReason(d, this.activity(d))}`, 'destinationId');
    return target;
  }

  private toResource(d: DestinationDefinition): DestinationResource {
    const activity = this.activity(d);
    return {
      destinationId: d.id,
      instanceId: d.instanceId,
      name: d.name,
      url: d.url,
      verifierToken: d.verifierToken === '' ? '' : SECRET_MASK,
      format: d.format,
      objects: d.objects,
      enabled: d.enabled,
      disabledReason: this.disabledReason(d, activity),
      fromConfiguration: d.id === CONFIGURATION_ID,
      createdAt: iso(d.createdAt),
      updatedAt: iso(d.updatedAt),
      lastDelivery: activity.last && { ...activity.last, at: iso(activity.last.at) },
      counts: { pending: activity.pending, dead: activity.dead, delivered24h: activity.deliveredSince },
    };
  }

  private async updateConfigured(instanceId: string, input: DestinationUpdate): Promise<DestinationResource> {
    const others = Object.keys(input).filter((k) => k !== 'enabled');
    if (others.length > 0) {
      throw conflict(
        'from_configuration',
        `This destination is the connection's configuration: change ${others.join(', ')} there (the event.notification.* and event.objects keys); here only "enabled".`,
        others[0],
      );
    }
    this.require(this.deps.instances.require(instanceId), CONFIGURATION_ID);
    if (input.enabled !== undefined) {
      // Through the instance, as a PATCH of its configuration would: logged, and the masked secrets kept.
      const { configuration } = this.deps.instances.require(instanceId);
      await this.deps.instances.update(instanceId, { configuration: { ...maskSecrets(configuration), [CONFIG_KEYS.enabled]: String(input.enabled) } });
      this.deps.events.emit('destination.changed', { instanceId, destinationId: CONFIGURATION_ID, change: 'updated' });
    }
    return this.get(instanceId, CONFIGURATION_ID);
  }

  private require(instance: Instance, destinationId: string): DestinationDefinition {
    const d = destinationId === CONFIGURATION_ID ? configurationDestination(instance) : this.deps.store.destinations.get(instance.id, destinationId);
    if (!d) throw notFound('destination', destinationId, 'destinationId');
    return d;
  }

  private activity(d: DestinationDefinition): DestinationActivity {
    return this.deps.store.deliveries.activity(d.instanceId, d.id, this.deps.now() - DAY);
  }

  /** Why nothing goes to it, in plain words; null while it sends. A 410 is told by its last attempt. */
  private disabledReason(d: DestinationDefinition, activity: DestinationActivity): string | null {
    if (d.enabled) return incompleteBecause(d);
    if (activity.last?.result === 'gone') {
      return `The receiver said this address is gone (410) at ${iso(activity.last.at)}. Check it with whoever runs the receiver, then turn the destination back on: the events waiting for it go then.`;
    }
    return d.id === CONFIGURATION_ID ? `Turned off: "${CONFIG_KEYS.enabled}" is not "true" in the connection's configuration.` : 'Turned off.';
  }

  private log(instanceId: string, action: string, detail: string): void {
    this.deps.store.events.append({ clientId: instanceId, timestamp: this.deps.now(), user: 'api', action, detail, result: 'ok', sessionId: null, requestId: null });
  }
}
