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
  environment: ['environment'] as const,
  instance: (instanceId: string) => ['instance', instanceId] as const,
  sessions: (instanceId: string) => ['sessions', instanceId] as const,
  /** One session's calls and the requests it sent, merged (see session-timeline.ts). */
  sessionCalls: (instanceId: string, sessionId: string) => ['sessionCalls', instanceId, sessionId] as const,
  requests: (instanceId: string, status: RequestStatus | 'all') => ['requests', instanceId, status] as const,
  request: (requestId: string) => ['request', requestId] as const,
  metric: (instanceId: string, metricId: string, hours: number) => ['metric', instanceId, metricId, hours] as const,
  destinations: (instanceId: string) => ['destinations', instanceId] as const,
  /**
   * A destination's dead letters. The count is part of the key: a delivery dying raises no
   * event, but the destination (polled while anything waits) shows the count change, and a
   * new key fetches the list again.
   */
  deadLetters: (instanceId: string, destinationId: string, count: number) => ['deliveries', instanceId, destinationId, 'dead', count] as const,
  changeDetection: (instanceId: string) => ['changeDetection', instanceId] as const,
  cloudLink: ['cloudLink'] as const,
  /** The event log (every connection); one infinite query per set of filters. */
  events: (filters: EventFilters) => ['events', filters] as const,
};

/** Prefixes: every query of one kind, for invalidating them together. */
export const prefixes = {
  requests: (instanceId: string) => ['requests', instanceId] as const,
  metrics: (instanceId: string) => ['metric', instanceId] as const,
  sessionCalls: (instanceId: string) => ['sessionCalls', instanceId] as const,
  deliveries: (instanceId: string) => ['deliveries', instanceId] as const,
  events: ['events'] as const,
};
