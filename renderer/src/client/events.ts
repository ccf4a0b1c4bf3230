import type { DomainEventName } from '../../../main/events';

/** A Record, so the type check fails when main/events.ts gains an event this list does not name. */
const LISTENED: Record<DomainEventName, true> = {
  'request.queued': true,
  'request.completed': true,
  'request.cancelled': true,
  'session.started': true,
  'session.progress': true,
  'session.ended': true,
  'instance.changed': true,
  'delivery.queued': true,
  'destination.changed': true,
  'settings.changed': true,
};

/** Every domain event the UI listens for (the browser's event stream names each one). */
export const DOMAIN_EVENT_NAMES = Object.keys(LISTENED) as DomainEventName[];
