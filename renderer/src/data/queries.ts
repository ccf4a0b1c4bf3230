/** The UI's server state: one hook per thing a page shows, keyed by keys.ts. */
import { keepPreviousData, type MutateOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';
import type { CallInput, CallOutput, OperationName } from '../client/types';
import { useClient } from './client-context';
import { type EventFilters, keys, type RequestStatus } from './keys';
import { sessionTimeline } from './session-timeline';

/** Rows per page of the event log: big enough that scrolling rarely waits, small enough to answer fast. */
export const EVENT_PAGE_SIZE = 200;

/** Refetched now and then as well: "Synced 5 minutes ago" ages without any event. */
export function useOverview() {
  const client = useClient();
  return useQuery({ queryKey: keys.overview, queryFn: () => client.call('getOverview', {}), refetchInterval: 30_000 });
}

export function useConnection(instanceId: string) {
  const overview = useOverview();
  return { ...overview, data: overview.data?.connections.find((c) => c.instanceId === instanceId) };
}

export function useInstance(instanceId: string) {
  const client = useClient();
  return useQuery({ queryKey: keys.instance(instanceId), queryFn: () => client.call('getInstance', { params: { instanceId } }) });
}

export function useSettings() {
  const client = useClient();
  return useQuery({ queryKey: keys.settings, queryFn: () => client.call('getSettings', {}) });
}

/** How this companion runs: version, data folder, port, the Web Connector's address, durability. */
export function useEnvironment() {
  const client = useClient();
  return useQuery({ queryKey: keys.environment, queryFn: () => client.call('getEnvironment', {}) });
}

export function useHealth() {
  const client = useClient();
  return useQuery({ queryKey: keys.health, queryFn: () => client.call('getHealth', {}) });
}

export function useSessions(instanceId: string) {
  const client = useClient();
  return useQuery({
    queryKey: keys.sessions(instanceId),
    queryFn: () => client.call('listSessions', { params: { instanceId }, query: { limit: 50 } }),
  });
}

/** One session: each Web Connector call, oldest first, with the requests it sent merged in. */
export function useSessionCalls(instanceId: string, sessionId: string) {
  const client = useClient();
  return useQuery({
    queryKey: keys.sessionCalls(instanceId, sessionId),
    queryFn: async () => {
      const [events, requests] = await Promise.all([
        client.call('listEvents', { params: { instanceId }, query: { sessionId, limit: 500 } }),
        client.call('listRequests', { params: { instanceId }, query: { sessionId, limit: 500 } }),
      ]);
      return {
        rows: sessionTimeline([...events.data].reverse(), requests.data),
        // A session longer than a page: the newest calls are shown, and the page says so.
        cut: events.nextCursor !== null || requests.nextCursor !== null,
      };
    },
  });
}

export function useRequests(instanceId: string, status: RequestStatus | 'all') {
  const client = useClient();
  return useQuery({
    queryKey: keys.requests(instanceId, status),
    queryFn: () => client.call('listRequests', { params: { instanceId }, query: { status: status === 'all' ? undefined : status, limit: 100 } }),
    placeholderData: keepPreviousData,
  });
}

export function useRequest(requestId: string | null) {
  const client = useClient();
  return useQuery({
    queryKey: keys.request(requestId ?? ''),
    queryFn: () => client.call('getRequest', { params: { requestId: requestId ?? '' } }),
    enabled: requestId !== null,
  });
}

export function useMetric(instanceId: string, metricId: 'requests_completed' | 'requests_failed', hours: number) {
  const client = useClient();
  return useQuery({
    queryKey: keys.metric(instanceId, metricId, hours),
    queryFn: () => {
      const now = Date.now();
      return client.call('getMetric', {
        params: { instanceId, metricId },
        query: { fromTime: new Date(now - hours * 3_600_000).toISOString(), toTime: new Date(now).toISOString() },
      });
    },
  });
}

/** The connection's cloud apps (webhook destinations), each with its last delivery and counts. */
export function useDestinations(instanceId: string) {
  const client = useClient();
  return useQuery({
    queryKey: keys.destinations(instanceId),
    queryFn: () => client.call('listDestinations', { params: { instanceId } }),
  });
}

/** Dead letters listed per cloud app; "Send all again" sends every one, listed or not. */
export const DEAD_LETTERS_SHOWN = 100;

/** Deliveries to one cloud app that failed for good, newest first (fetched again whenever their count changes). */
export function useDeadLetters(instanceId: string, destinationId: string, count: number) {
  const client = useClient();
  return useQuery({
    queryKey: keys.deadLetters(instanceId, destinationId, count),
    queryFn: () => client.call('listDeliveries', { params: { instanceId }, query: { status: 'dead', destinationId, limit: DEAD_LETTERS_SHOWN } }),
    enabled: count > 0,
    placeholderData: keepPreviousData,
  });
}

export function useChangeDetection(instanceId: string) {
  const client = useClient();
  return useQuery({ queryKey: keys.changeDetection(instanceId), queryFn: () => client.call('getChangeDetection', { params: { instanceId } }) });
}

export function useCloudLink() {
  const client = useClient();
  return useQuery({
    queryKey: keys.cloudLink,
    queryFn: () => client.call('getCloudLink', {}),
  });
}

/** The event log, newest first, a page at a time as the list nears its end. */
export function useEventLog(filters: EventFilters) {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: keys.events(filters),
    queryFn: ({ pageParam }) => client.call('listAllEvents', { query: { ...filters, limit: EVENT_PAGE_SIZE, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    // Fresh until an event says otherwise (live.ts); a focus change must not refetch every page.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    // Comparing every loaded row with its old copy on each new page costs more the further one scrolls.
    structuralSharing: false,
  });
}

/**
 * A call that changes something, then refetches what it changed (live events would too,
 * but the bookkeeper who clicked should not wait for them). `run` ignores a second click
 * while the first is under way; buttons stay enabled, since disabling the focused button
 * would throw keyboard focus out of a dialog or drawer.
 */
export function useCallMutation<K extends OperationName>(name: K, invalidates: (input: CallInput<K>) => QueryKey[] = () => []) {
  const client = useClient();
  const queryClient = useQueryClient();
  const mutation = useMutation<CallOutput<K>, Error, CallInput<K>>({
    mutationFn: (input) => client.call(name, input),
    onSuccess: async (_output, input) => {
      await Promise.all(invalidates(input).map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
  const inFlight = useRef(false);
  const { mutate } = mutation;
  const run = useCallback(
    (input: CallInput<K>, options: MutateOptions<CallOutput<K>, Error, CallInput<K>> = {}) => {
      if (inFlight.current) return;
      inFlight.current = true;
      mutate(input, {
        ...options,
        onSettled: (...settled) => {
          inFlight.current = false;
          options.onSettled?.(...settled);
        },
      });
    },
    [mutate],
  );
  return { ...mutation, run };
}
