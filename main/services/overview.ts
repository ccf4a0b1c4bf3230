/**
 * How each company connection is doing, in the words a bookkeeper needs: a status
 * light, what happened last, when the Web Connector should come next, and the one thing
 * to do when something is wrong. The desktop UI's connections page, the tray and its
 * notifications all read this one view.
 */
import type { z } from 'zod';
import type { connectionStatusSchema, overviewSchema } from '../contract/schemas';
import { messages } from '../qbwc/messages';
import { inSyncWindow } from '../qbwc/sync-window';
import { progressPercent } from '../queue/policy';
import type { Settings } from '../settings';
import type { Store } from '../store';
import type { Instance, Session } from '../store/types';

export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;
export type Overview = z.infer<typeof overviewSchema>;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Late by more than two runs, and by at least half an hour, before the Web Connector counts as overdue. */
export function overdueMinutes(lastContactAt: number | null, frequencyInMinutes: number, now: number): number | null {
  if (lastContactAt === null) return null;
  const silent = Math.floor((now - lastContactAt) / MINUTE);
  return silent > Math.max(3 * frequencyInMinutes, frequencyInMinutes + 30) ? silent : null;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function describeDuration(minutes: number): string {
  if (minutes < 120) return plural(minutes, 'minute', 'minutes');
  if (minutes < 2 * 24 * 60) return plural(Math.floor(minutes / 60), 'hour', 'hours');
  return plural(Math.floor(minutes / (24 * 60)), 'day', 'days');
}

export interface ConnectionFacts {
  instance: Instance;
  paused: boolean;
  inWindow: boolean;
  latest: Session | undefined;
  exchange: Session | undefined;
  lastGoodAt: number | null;
  counts: { queued: number; sent: number; unknown: number; failed: number };
  now: number;
}

/** The state, headline and action of one connection: a pure function of what the store knows. */
export function connectionStatus(f: ConnectionFacts): ConnectionStatus {
  const { instance, latest, counts, now } = f;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const running = latest?.status === 'active' ? latest : undefined;
  const overdue = running || f.paused ? null : overdueMinutes(latest?.createdAt ?? null, instance.frequencyMinutes, now);
  const problem = latest && latest.lastError !== null && latest.lastErrorCode !== 'DONE' && latest.lastErrorCode !== 'NOOP' ? latest.lastError : null;
  const waiting = counts.queued > 0 ? `${plural(counts.queued, 'request', 'requests')} waiting for the next sync` : 'Up to date';

  let state: ConnectionStatus['state'];
  let headline: string;
  let action: string | null = null;
  if (running) {
    state = 'syncing';
    headline = `Syncing… ${progressPercent(running.requestsDone + running.requestsFailed, running.expectedTotal)}%`;
  } else if (f.paused) {
    state = 'paused';
    headline = 'Syncing is paused';
    action = 'Resume syncing when you are ready. Nothing waiting is lost.';
  } else if (latest?.status === 'rejected') {
    state = 'attention';
    headline = 'Web Connector\'s password was refused';
    action = latest.lastError ?? messages.forStatus('rejected');
  } else if (latest?.status === 'wrong_company') {
    state = 'attention';
    headline = 'The wrong company file was open in QuickBooks';
    action = latest.lastError ?? messages.forStatus('wrong_company');
  } else if (counts.unknown > 0) {
    state = 'attention';
    headline = `${plural(counts.unknown, 'change', 'changes')} may or may not have reached QuickBooks`;
    action = 'Open this connection and choose "Check in QuickBooks" for each, so nothing is entered twice.';
  } else if (overdue !== null) {
    state = 'attention';
    headline = `Web Connector hasn't connected for ${describeDuration(overdue)}`;
    action = `It should connect every ${plural(instance.frequencyMinutes, 'minute', 'minutes')}. Make sure QuickBooks Web Connector is running on this PC and Auto-Run is ticked for this connection.`;
  } else if (!latest) {
    state = 'new';
    headline = 'Waiting for Web Connector\'s first connection';
    action = 'Add the QWC file to QuickBooks Web Connector, enter the password, and tick Auto-Run.';
  } else if (problem !== null || counts.failed > 0) {
    state = 'error';
    headline = problem !== null ? 'The last sync had a problem' : `${plural(counts.failed, 'request', 'requests')} failed in the last 24 hours`;
    action = problem ?? 'See what QuickBooks said about each in this connection\'s Requests.';
  } else if (!f.inWindow) {
    state = 'paused';
    headline = `Outside its sync window. ${waiting}`;
  } else {
    state = 'idle';
    headline = waiting;
  }

  const company = instance.company;
  return {
    instanceId: instance.id,
    name: instance.name,
    state,
    headline,
    action,
    company:
      company || f.exchange
        ? {
            name: company?.name ?? null,
            path: company?.path ?? f.exchange?.companyFile ?? null,
            productName: company?.productName ?? f.exchange?.host?.productName ?? null,
            qbxmlVersion: f.exchange?.qbxmlVersion ?? null,
          }
        : null,
    lastSession: latest
      ? {
          sessionId: latest.id,
          startedAt: iso(latest.createdAt) as string,
          endedAt: iso(latest.endedAt),
          status: latest.status,
          requestsDone: latest.requestsDone,
          requestsFailed: latest.requestsFailed,
          lastError: problem,
        }
      : null,
    lastSuccessAt: iso(f.lastGoodAt),
    nextExpectedAt: latest ? iso(latest.createdAt + instance.frequencyMinutes * MINUTE) : null,
    overdueMinutes: overdue,
    progress: running ? { percent: progressPercent(running.requestsDone + running.requestsFailed, running.expectedTotal) } : null,
    queue: { queued: counts.queued, sent: counts.sent, error: counts.failed, unknown_outcome: counts.unknown },
    frequencyInMinutes: instance.frequencyMinutes,
    syncWindow: instance.syncWindow,
    inSyncWindow: f.inWindow,
  };
}

export class OverviewService {
  constructor(private readonly deps: { store: Store; settings: Settings; now: () => number; timeZone: string }) {}

  overview(): Overview {
    const { store, now: clock, timeZone } = this.deps;
    const now = clock();
    const paused = this.deps.settings.get().paused;
    // One read transaction: every connection as of the same moment.
    const connections = store.db.transaction(() =>
      store.instances.list().map((instance) =>
        connectionStatus({
          instance,
          paused,
          inWindow: inSyncWindow(instance.syncWindow, now, timeZone),
          latest: store.sessions.latestFor(instance.id),
          exchange: store.sessions.latestExchangeFor(instance.id),
          lastGoodAt: store.sessions.lastGoodAt(instance.id),
          counts: store.requests.counts(instance.id, now - DAY),
          now,
        }),
      ),
    )();
    return { paused, generatedAt: new Date(now).toISOString(), connections };
  }
}
