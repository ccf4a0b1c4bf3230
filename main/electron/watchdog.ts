/**
 * Notices when Web Connector has silently stopped coming: the complaint bookkeepers have
 * most about every connector, since Web Connector itself says nothing when it is closed,
 * crashed, or its Auto-Run box got unticked. Pure: it reads overviews and says when to
 * tell the bookkeeper, once per overdue episode (until the next session).
 */
import type { ConnectionOverview, Overview } from './status-types';

export interface OverdueAlert {
  instanceId: string;
  name: string;
  /** Minutes since Web Connector last connected for this connection. */
  silentMinutes: number;
  frequencyInMinutes: number;
  message: string;
}

/** As the core judges it: more than two runs late, and at least half an hour. */
const MIN_LATE_MINUTES = 30;
const RUNS_LATE = 2;

/**
 * Minutes late, when late enough to say so; null otherwise. The overview's own judgement
 * (`overdueMinutes`) wins; this only stands in when an overview has none.
 */
export function overdueMinutes(c: ConnectionOverview, now: number): number | null {
  if (c.overdueMinutes !== undefined) return c.overdueMinutes !== null && c.overdueMinutes > 0 ? c.overdueMinutes : null;
  if (!c.lastSession || c.frequencyInMinutes <= 0) return null;
  const lateMinutes = (now - Date.parse(c.lastSession.startedAt)) / 60_000 - c.frequencyInMinutes;
  return lateMinutes > Math.max(RUNS_LATE * c.frequencyInMinutes, MIN_LATE_MINUTES) ? Math.floor(lateMinutes) : null;
}

export class Watchdog {
  /** instanceId → the last session of the episode already announced. */
  private readonly announced = new Map<string, string>();

  /** The alerts to announce now: each overdue episode once. */
  check(overview: Overview, now: number): OverdueAlert[] {
    const alerts: OverdueAlert[] = [];
    const seen = new Set<string>();
    for (const c of overview.connections) {
      seen.add(c.instanceId);
      const episode = c.lastSession?.sessionId;
      // Paused, or outside its sync window: not coming is what it was told to do.
      const expected = !overview.paused && c.state !== 'paused' && c.inSyncWindow;
      if (!episode || !expected || overdueMinutes(c, now) === null) {
        this.announced.delete(c.instanceId);
        continue;
      }
      if (this.announced.get(c.instanceId) === episode) continue;
      this.announced.set(c.instanceId, episode);
      alerts.push(alertFor(c, now));
    }
    for (const id of this.announced.keys()) if (!seen.has(id)) this.announced.delete(id); // deleted connections
    return alerts;
  }
}

function alertFor(c: ConnectionOverview, now: number): OverdueAlert {
  const last = c.lastSession as NonNullable<ConnectionOverview['lastSession']>;
  const silentMinutes = Math.max(0, Math.floor((now - Date.parse(last.endedAt ?? last.startedAt)) / 60_000));
  return {
    instanceId: c.instanceId,
    name: c.name,
    silentMinutes,
    frequencyInMinutes: c.frequencyInMinutes,
    message:
      `Web Connector hasn't connected for ${duration(silentMinutes)} although this connection runs every ${duration(c.frequencyInMinutes)}. ` +
      'Check that QuickBooks Web Connector is running on this PC and that Auto-Run is ticked for this connection.',
  };
}

/** "1 minute", "45 minutes", "3 hours", "2 days": whole units, the way a person says it. */
export function duration(minutes: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes < 120) return unit(minutes, 'minute');
  if (minutes < 48 * 60) return unit(Math.floor(minutes / 60), 'hour');
  return unit(Math.floor(minutes / (24 * 60)), 'day');
}
