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
      return [keys.overview, prefixes.requests(instanceId), keys.request(requestId), prefixes.metrics(instanceId), prefixes.sessionCalls(instanceId), prefixes.events];
    }
    case 'session.started':
    case 'session.ended': {
      const { instanceId } = event.data;
      // A session that belongs to no connection (a refused login) still shows in the event log.
      if (!instanceId) return [keys.overview, prefixes.events];
      return [keys.overview, keys.sessions(instanceId), keys.instance(instanceId), prefixes.metrics(instanceId), prefixes.sessionCalls(instanceId), prefixes.events];
    }
    case 'session.progress':
      return [];
    case 'instance.changed':
      return [keys.overview, keys.instance(event.data.instanceId), prefixes.events];
    case 'settings.changed':
      return [keys.settings, keys.overview];
    case 'delivery.queued':
    case 'destination.changed':
      // Webhook deliveries and destinations have no page yet.
      return [];
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
