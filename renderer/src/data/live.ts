/**
 * Live updates: domain events only tell the UI which of its data went stale; the data
 * itself is always fetched again (the server is the source of truth). Invalidations are
 * gathered for a moment so a burst of events — a session answering fifty requests — costs
 * one refetch per query, not fifty. Progress is the exception: it is written straight into
 * the overview so the bar moves without a round trip.
 */
import { type InfiniteData, type QueryClient, type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ClientEvent, CompanionClient } from '../client/types';
import { keysFor, type Overview, withProgress } from './invalidation';
import { keys, prefixes } from './keys';

/** Gathers for this long after the first event of a burst… */
const GATHER_MS = 150;

/**
 * The event log is an infinite list; refetching it means refetching every page loaded.
 * Scrolled past its first page, the bookkeeper is reading: it is only marked stale, and the
 * page offers "Show new events" (see EventLogPage) instead of moving under their eyes.
 */
function invalidateEventLog(queryClient: QueryClient): void {
  for (const query of queryClient.getQueryCache().findAll({ queryKey: prefixes.events })) {
    const pages = (query.state.data as InfiniteData<unknown> | undefined)?.pages.length ?? 0;
    void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true, refetchType: pages > 1 ? 'none' : 'active' });
  }
}

function applyLiveUpdates(client: CompanionClient, queryClient: QueryClient, onConnection: (connected: boolean) => void): () => void {
  const pending = new Map<string, QueryKey>();
  let timer: number | undefined;
  let lost = false;
  const flush = () => {
    timer = undefined;
    for (const key of pending.values()) {
      if (key[0] === prefixes.events[0]) invalidateEventLog(queryClient);
      else void queryClient.invalidateQueries({ queryKey: key });
    }
    pending.clear();
  };
  const unsubscribe = client.subscribe((event: ClientEvent) => {
    if (event.type === 'live.connected' || event.type === 'live.disconnected') {
      const connected = event.type === 'live.connected';
      onConnection(connected);
      // Back after a gap: whatever happened meanwhile is unknown, so everything is refetched.
      if (connected && lost) void queryClient.invalidateQueries();
      lost = !connected;
      return;
    }
    if (event.type === 'session.progress') {
      const { instanceId, percent } = event.data;
      queryClient.setQueryData<Overview>(keys.overview, (old) => (old ? withProgress(old, instanceId, percent) : old));
    }
    for (const key of keysFor(event)) pending.set(JSON.stringify(key), key);
    if (pending.size > 0 && timer === undefined) timer = window.setTimeout(flush, GATHER_MS);
  });
  return () => {
    unsubscribe();
    if (timer !== undefined) window.clearTimeout(timer);
  };
}

/** Keeps the caches fresh from the client's events; says whether the live feed is connected. */
export function useLiveUpdates(client: CompanionClient): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(true);
  useEffect(() => applyLiveUpdates(client, queryClient, setConnected), [client, queryClient]);
  return connected;
}
