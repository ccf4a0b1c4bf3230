/** Overviews as getOverview returns them, for the tray, notification and watchdog tests. */
import type { ConnectionOverview, Overview } from '../../main/electron/status-types';

export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString();
export const minutes = (n: number) => n * 60_000;

export function connection(overrides: Partial<ConnectionOverview> = {}): ConnectionOverview {
  return {
    instanceId: 'inst-acme',
    name: 'Acme Ltd',
    state: 'idle',
    headline: 'Synced 5 minutes ago',
    action: null,
    company: { name: 'Acme Ltd', path: 'C:\\Company\\acme.qbw', productName: 'QuickBooks Pro 2024', qbxmlVersion: '16.0' },
    lastSession: {
      sessionId: 'sess-1',
      startedAt: iso(T0 - minutes(5)),
      endedAt: iso(T0 - minutes(4)),
      status: 'closed',
      requestsDone: 3,
      requestsFailed: 0,
      lastError: null,
    },
    lastSuccessAt: iso(T0 - minutes(4)),
    nextExpectedAt: iso(T0 + minutes(10)),
    overdueMinutes: null,
    progress: null,
    queue: { queued: 0, sent: 0, error: 0, unknown_outcome: 0 },
    frequencyInMinutes: 15,
    syncWindow: null,
    inSyncWindow: true,
    ...overrides,
  };
}

export function overview(connections: ConnectionOverview[], paused = false): Overview {
  return { paused, generatedAt: iso(T0), connections };
}
