/**
 * What a domain event changes in the UI's caches: which queries went stale, and (for
 * progress) the overview as it is now. Pure, so it is unit tested without a browser.
 */
import type { QueryKey } from '@tanstack/react-query';
import type { CallOutput, DomainEvent } from '../client/types';
import { keys, prefixes } from './keys';

/** The queries a domain event makes stale, as key prefixes. */
export function keysFor(event: DomainEvent): QueryKey[] {
  switch (event.type) {
    case 'request.queued':
    case 'request.completed':
    case 'request.cancelled': {
      const { instanceId, requestId } = event.data;
      // Change detection's progress moves as its queries are queued and answered.
      return [
        keys.overview,
        prefixes.requests(instanceId),
        keys.request(requestId),
        prefixes.metrics(instanceId),
        prefixes.sessionCalls(instanceId),
        keys.changeDetection(instanceId),
        prefixes.events,
      ];
    }
    case 'session.started':
    case 'session.ended': {
      const { instanceId } = event.data;
      // A login with an unknown user name belongs to no connection; it still shows in the event log.
      if (!instanceId) return [keys.overview, prefixes.events];
      return [keys.overview, keys.sessions(instanceId), keys.instance(instanceId), prefixes.metrics(instanceId), prefixes.sessionCalls(instanceId), prefixes.events];
    }
    case 'session.progress':
      return [];
    case 'instance.changed': {
      const { instanceId } = event.data;
      // Its configuration keys define one of its cloud apps.
      return [keys.overview, keys.instance(instanceId), keys.destinations(instanceId), prefixes.events];
    }
    case 'settings.changed':
      return [keys.settings, keys.overview];
    case 'delivery.queued':
      // Waiting counts rise, and dead letters sent again leave their list.
      return [keys.destinations(event.data.instanceId), prefixes.deliveries(event.data.instanceId)];
    case 'destination.changed': {
      // Added, changed, deleted or turned off by a 410: the event log says so too.
      const { instanceId } = event.data;
      return [keys.destinations(instanceId), prefixes.deliveries(instanceId), prefixes.events];
    }
    case 'delivery.attempted':
      // Its last delivery, counts and dead letters moved; every attempt is in the event log.
      return [keys.destinations(event.data.instanceId), prefixes.deliveries(event.data.instanceId), prefixes.events];
    case 'detection.changed':
      return [keys.changeDetection(event.data.instanceId), prefixes.events];
    case 'cloud.changed':
      return [keys.cloudLink, prefixes.events];
  }
}

export type Overview = CallOutput<'getOverview'>;

/** The overview with one connection's running session at `percent`. */
export function withProgress(overview: Overview, instanceId: string, percent: number): Overview {
  return {
    ...overview,
    connections: overview.connections.map((c) => (c.instanceId === instanceId ? { ...c, state: 'syncing', progress: { percent } } : c)),
  };
}
