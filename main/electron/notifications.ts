/**
 * Which native notifications to show, decided from domain events and overviews — and
 * coalesced, because a bookkeeper who gets fifty toasts for one bad batch turns them all
 * off. Pure: the glue shows what `event`, `overview` and `tick` return, and calls `tick`
 * every few seconds so held-back summaries go out.
 *
 * - The first sync of a connection that went well: once, with its counts.
 * - Failed requests: a burst becomes one notification ("3 requests failed in Acme Ltd");
 *   after one, further failures of that connection are summed up at most every
 *   `failureQuietMs`.
 * - A wrong company file refused: at most once per connection every `repeatMs`.
 * - Web Connector overdue (the watchdog): once per episode.
 * - Above `maxPerMinute` in all, the rest are counted and told as one line.
 */
import type { DomainEvent, Overview } from './status-types';
import { duration, Watchdog } from './watchdog';

export type NotificationKind = 'first_sync' | 'requests_failed' | 'wrong_company' | 'overdue' | 'held_back';

export interface PlannedNotification {
  kind: NotificationKind;
  title: string;
  body: string;
  /** The connection it is about (null: the companion as a whole). */
  instanceId: string | null;
}

export interface NotificationPolicy {
  /** A failure waits this long for the rest of its burst, so the burst is one notification. */
  settleMs: number;
  /** After telling a connection's failures, the next ones wait at least this long. */
  failureQuietMs: number;
  /** The same news about the same connection (a wrong company file) at most this often. */
  repeatMs: number;
  maxPerMinute: number;
}

export const DEFAULT_NOTIFICATION_POLICY: NotificationPolicy = {
  settleMs: 10_000,
  failureQuietMs: 15 * 60_000,
  repeatMs: 60 * 60_000,
  maxPerMinute: 4,
};

interface FailureBurst {
  count: number;
  lastMessage: string | null;
  /** When to tell the failures counted so far; null when none wait. */
  dueAt: number | null;
  /** No failure notification for this connection before this time. */
  quietUntil: number;
}

const DEFAULT_NAME = 'a connection';

export class NotificationPlanner {
  private readonly connections = new Map<string, { name: string; frequencyInMinutes: number }>();
  private readonly firstSyncTold = new Set<string>();
  private readonly lastTold = new Map<string, number>();
  private readonly failures = new Map<string, FailureBurst>();
  private readonly watchdog = new Watchdog();
  private readonly shownAt: number[] = [];
  private heldBack = 0;

  constructor(private readonly policy: NotificationPolicy = DEFAULT_NOTIFICATION_POLICY) {}

  event(e: DomainEvent, now: number): PlannedNotification[] {
    if (e.type === 'request.completed' && e.data.status === 'error') {
      this.countFailure(e.data.instanceId, e.data.userFacingMessage, now);
      return [];
    }
    if (e.type !== 'session.ended' || e.data.instanceId === null) return [];
    const id = e.data.instanceId;
    const name = this.nameOf(id);
    if (e.data.firstSuccess && !this.firstSyncTold.has(id)) {
      this.firstSyncTold.add(id);
      return this.gate(now, [{ kind: 'first_sync', title: `${name}: first sync finished`, body: this.firstSyncBody(id, e.data), instanceId: id }]);
    }
    if (e.data.status === 'wrong_company' && this.dueAgain(`wrong_company:${id}`, now)) {
      const body = e.data.lastError ?? "QuickBooks has another company file open than this connection's. Nothing was sent: open the right company file, then run Web Connector again.";
      return this.gate(now, [{ kind: 'wrong_company', title: `${name}: wrong company file open`, body, instanceId: id }]);
    }
    return [];
  }

  overview(overview: Overview, now: number): PlannedNotification[] {
    for (const c of overview.connections) this.connections.set(c.instanceId, { name: c.name, frequencyInMinutes: c.frequencyInMinutes });
    const overdue = this.watchdog.check(overview, now).map<PlannedNotification>((a) => ({
      kind: 'overdue',
      title: `${a.name}: Web Connector has stopped syncing`,
      body: a.message,
      instanceId: a.instanceId,
    }));
    return this.gate(now, overdue);
  }

  /** What has become due: failure summaries, and the count of notifications held back. */
  tick(now: number): PlannedNotification[] {
    const due: PlannedNotification[] = [];
    for (const [id, burst] of this.failures) {
      if (burst.dueAt !== null && now >= burst.dueAt) {
        due.push(this.failureNotification(id, burst));
        burst.count = 0;
        burst.dueAt = null;
        burst.quietUntil = now + this.policy.failureQuietMs;
      } else if (burst.dueAt === null && now >= burst.quietUntil) {
        this.failures.delete(id);
      }
    }
    const shown = this.gate(now, due);
    if (this.heldBack > 0 && this.roomAt(now)) {
      const count = this.heldBack;
      this.heldBack = 0;
      shown.push(
        ...this.gate(now, [
          {
            kind: 'held_back',
            title: `${count} more notification${count === 1 ? ' was' : 's were'} held back`,
            body: 'A lot happened at once. Open QBWC Companion to see every connection and what it needs.',
            instanceId: null,
          },
        ]),
      );
    }
    return shown;
  }

  private countFailure(instanceId: string, message: string | null, now: number): void {
    const burst = this.failures.get(instanceId) ?? { count: 0, lastMessage: null, dueAt: null, quietUntil: 0 };
    burst.count++;
    burst.lastMessage = message ?? burst.lastMessage;
    burst.dueAt ??= Math.max(now + this.policy.settleMs, burst.quietUntil);
    this.failures.set(instanceId, burst);
  }

  private failureNotification(instanceId: string, burst: FailureBurst): PlannedNotification {
    const name = this.nameOf(instanceId);
    const seeAll = 'Open QBWC Companion to see what failed and what to do.';
    if (burst.count === 1) {
      return { kind: 'requests_failed', title: `A request failed in ${name}`, body: burst.lastMessage ?? seeAll, instanceId };
    }
    const body = burst.lastMessage ? `The last one: ${burst.lastMessage}` : seeAll;
    return { kind: 'requests_failed', title: `${burst.count} requests failed in ${name}`, body, instanceId };
  }

  private firstSyncBody(instanceId: string, data: { requestsDone: number; requestsFailed: number }): string {
    const counted =
      data.requestsDone === 0 && data.requestsFailed === 0
        ? 'Web Connector connected and QuickBooks answered; nothing was waiting.'
        : `${plural(data.requestsDone, 'request')} done${data.requestsFailed > 0 ? `, ${data.requestsFailed} failed` : ''}.`;
    const frequency = this.connections.get(instanceId)?.frequencyInMinutes;
    return frequency ? `${counted} It will sync every ${duration(frequency)} from now on.` : counted;
  }

  /** Whether news under `key` may be told again, and if so notes that it is. */
  private dueAgain(key: string, now: number): boolean {
    const last = this.lastTold.get(key);
    if (last !== undefined && now - last < this.policy.repeatMs) return false;
    this.lastTold.set(key, now);
    return true;
  }

  /** The global cap: what fits in this minute is shown, the rest counted. */
  private gate(now: number, planned: PlannedNotification[]): PlannedNotification[] {
    const shown: PlannedNotification[] = [];
    for (const n of planned) {
      if (this.roomAt(now)) {
        this.shownAt.push(now);
        // A title may start with DEFAULT_NAME.
        shown.push({ ...n, title: n.title.charAt(0).toUpperCase() + n.title.slice(1) });
      } else this.heldBack++;
    }
    return shown;
  }

  private roomAt(now: number): boolean {
    while (this.shownAt.length > 0 && now - (this.shownAt[0] as number) >= 60_000) this.shownAt.shift();
    return this.shownAt.length < this.policy.maxPerMinute;
  }

  private nameOf(instanceId: string): string {
    return this.connections.get(instanceId)?.name ?? DEFAULT_NAME;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
