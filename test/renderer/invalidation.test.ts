/** Which of the UI's cached data a domain event makes stale (renderer/src/data/invalidation.ts). */
import { describe, expect, it } from 'vitest';
import type { CallOutput } from '../../renderer/src/client/types';
import { keysFor, withProgress } from '../../renderer/src/data/invalidation';

const overview = (): CallOutput<'getOverview'> => {
  const connection = (instanceId: string) => ({
    instanceId,
    name: instanceId,
    state: 'idle' as const,
    headline: 'Up to date',
    action: null,
    company: null,
    lastSession: null,
    lastSuccessAt: null,
    nextExpectedAt: null,
    overdueMinutes: null,
    progress: null,
    queue: { queued: 2, sent: 0, error: 0, unknown_outcome: 0 },
    frequencyInMinutes: 60,
    syncWindow: null,
    inSyncWindow: true,
  });
  return { paused: false, generatedAt: '2026-11-23T10:00:00Z', connections: [connection('a'), connection('b')] };
};

describe('keysFor', () => {
  it('a finished request: the overview, its queue, itself, the charts, the session calls, change detection and the event log', () => {
    expect(keysFor({ type: 'request.completed', data: { requestId: 'r1', instanceId: 'a', status: 'error', userFacingMessage: 'x' } })).toEqual([
      ['overview'],
      ['requests', 'a'],
      ['request', 'r1'],
      ['metric', 'a'],
      ['sessionCalls', 'a'],
      ['changeDetection', 'a'],
      ['events'],
    ]);
  });

  it('a session: its connection\'s sessions and company too; one without a connection only the overview and log', () => {
    const ended = { sessionId: 's1', status: 'closed', requestsDone: 1, requestsFailed: 0, firstSuccess: true, lastError: null };
    expect(keysFor({ type: 'session.ended', data: { ...ended, instanceId: 'a' } })).toContainEqual(['sessions', 'a']);
    expect(keysFor({ type: 'session.ended', data: { ...ended, instanceId: 'a' } })).toContainEqual(['instance', 'a']);
    expect(keysFor({ type: 'session.ended', data: { ...ended, instanceId: null } })).toEqual([['overview'], ['events']]);
  });

  it('settings and connections', () => {
    expect(keysFor({ type: 'settings.changed', data: { paused: true } })).toEqual([['settings'], ['overview']]);
    // Its configuration keys define a cloud app.
    expect(keysFor({ type: 'instance.changed', data: { instanceId: 'b', change: 'deleted' } })).toEqual([['overview'], ['instance', 'b'], ['destinations', 'b'], ['events']]);
  });

  it('cloud apps: a destination changed (a 410 included) refreshes it, its deliveries and the log; deliveries queued, its counts and lists', () => {
    expect(keysFor({ type: 'destination.changed', data: { instanceId: 'a', destinationId: 'd1', change: 'updated' } })).toEqual([
      ['destinations', 'a'],
      ['deliveries', 'a'],
      ['events'],
    ]);
    expect(keysFor({ type: 'delivery.queued', data: { instanceId: 'a', count: 3 } })).toEqual([['destinations', 'a'], ['deliveries', 'a']]);
  });

  it('progress refetches nothing: it is written into the overview instead', () => {
    expect(keysFor({ type: 'session.progress', data: { sessionId: 's1', instanceId: 'a', percent: 40 } })).toEqual([]);
    const before = overview();
    const after = withProgress(before, 'b', 40);
    expect(after.connections[1]).toMatchObject({ state: 'syncing', progress: { percent: 40 }, queue: { queued: 2 } });
    expect(after.connections[0]).toBe(before.connections[0]);
    expect(before.connections[1]?.progress).toBeNull();
  });
});
