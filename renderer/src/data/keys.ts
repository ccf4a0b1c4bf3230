/**
 * Query keys, one place: the live-update code (live.ts) invalidates by these prefixes,
 * so a page's query and the events that change it cannot drift apart.
 */
import type { CallInput } from '../client/types';

export type EventFilters = NonNullable<CallInput<'listAllEvents'>['query']>;
export type RequestStatus = NonNullable<NonNullable<CallInput<'listRequests'>['query']>['status']>;

export const keys = {
  overview: ['overview'] as const,
  settings: ['settings'] as const,
  health: ['health'] as const,
  instance: (instanceId: string) => ['instance', instanceId] as const,
  sessions: (instanceId: string) => ['sessions', instanceId] as const,
  sessionCalls: (instanceId: string, sessionId: string) => ['sessionCalls', instanceId, sessionId] as const,
  requests: (instanceId: string, status: RequestStatus | 'all') => ['requests', instanceId, status] as const,
  request: (requestId: string) => ['request', requestId] as const,
  metric: (instanceId: string, metricId: string, hours: number) => ['metric', instanceId, metricId, hours] as const,
  /** The event log (every connection); one infinite query per set of filters. */
  events: (filters: EventFilters) => ['events', filters] as const,
};

/** Prefixes: every query of one kind, for invalidating them together. */
export const prefixes = {
  requests: (instanceId: string) => ['requests', instanceId] as const,
  metrics: (instanceId: string) => ['metric', instanceId] as const,
  sessionCalls: (instanceId: string) => ['sessionCalls', instanceId] as const,
  events: ['events'] as const,
};
