/**
 * The delivery worker: sends the outbox's pending rows, oldest first, one record's rows in
 * order (a row waits while an older row of the same record is pending), destinations in
 * parallel. Each attempt is one POST with a 15 s timeout and redirects not followed:
 *
 * - 2xx: delivered.
 * - 410 Gone: the destination is disabled (event.notification.enabled set to "false",
 *   logged); its rows stay pending and go once it is enabled again.
 * - any other answer (3xx included): a failure, retried on the schedule (Standard
 *   Webhooks': 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h — about three days —
 *   each ±20 % jitter), after which the row is dead (replayable); 429, 502, 503 and 504
 *   wait at least what their Retry-After says.
 * - no answer because the receiver's host refused, reset, timed out or failed TLS: a
 *   failure like any other (the network reached it).
 * - no answer because this PC has no network (the name does not resolve, no route):
 *   counted only when the network is known to be up — a destination not on this machine
 *   answered within the last 5 minutes. Otherwise the row is retried after the schedule's
 *   next delay, at most 30 s, and its schedule is not used up.
 *
 * Every attempt goes into the instance's event log (`delivery.attempt`), without secrets.
 */
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';
import type { Store } from '../store';
import type { Delivery } from '../store/types';
import { CONFIG_KEYS, destinationOf, displayUrl, onThisComputer } from './destination';
import { signatureHeaders } from './sign';

const SECOND = 1000;
/** Rows of one instance taken in one pass: one busy instance can't crowd the others out. */
const ROWS_PER_INSTANCE = 20;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delay after the 1st, 2nd, … counted failure; one more failure is the dead letter. */
export const RETRY_SCHEDULE_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];

export interface DeliveryWorkerOptions {
  store: Store;
  events: DomainEvents;
  logger: Logger;
  now?: () => number;
  /** In [0, 1): the jitter; default Math.random. */
  random?: () => number;
  schedule?: readonly number[];
  /** Per attempt; default 15 s. */
  timeoutMs?: number;
  /** How recent an answer from any destination must be to take the network as up; default 5 min. */
  networkEvidenceMs?: number;
  /** The longest wait between attempts while offline; default 30 s. */
  offlineRetryMs?: number;
  /** Longest a Retry-After is honoured; default 24 h. */
  maxRetryAfterMs?: number;
  /** For tests that need an answer no local receiver can give (a name that doesn't resolve); default fetch. */
  fetch?: typeof fetch;
}

type Outcome = { status: number; retryAfter: string | null } | { error: string; offline: boolean };

/** Errors that mean this PC has no network (rather than the receiver failing): name resolution and routing. */
const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ENONET']);

/** Statuses whose Retry-After is honoured. */
export const THROTTLED = new Set([429, 502, 503, 504]);

export class DeliveryWorker {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly schedule: readonly number[];
  private readonly abort = new AbortController();
  private lastAnswerAt = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | null = null;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.schedule = o.schedule ?? RETRY_SCHEDULE_MS;
  }

  /** Runs in the background until `stop`; new rows and changed instances wake it. */
  start(): void {
    if (this.running) return;
    this.unsubscribe.push(
      this.o.events.on('delivery.queued', () => this.wake()),
      this.o.events.on('instance.changed', () => this.wake()),
    );
    this.running = this.loop();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Cuts attempts in flight short (their rows stay as they were, to be sent again) and waits for the loop to end. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.abort.abort();
    this.wake();
    await this.running;
    this.running = null;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      let wait: number;
      try {
        if ((await this.runOnce()) > 0) continue;
        const next = this.o.store.deliveries.nextDueAt();
        // At least a second: a row due but not attempted (its destination turned invalid) must not spin the loop.
        wait = Math.min(Math.max(next === null ? MINUTE : next - this.now(), SECOND), MINUTE);
      } catch (err) {
        // e.g. the disk is full: try again a little later.
        this.o.logger.error('Webhook delivery failed', { error: err instanceof Error ? err.message : String(err) });
        wait = 5 * SECOND;
      }
      if (this.stopped || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  /**
   * Makes one attempt at every row due now, a few per instance, and returns how many. An
   * instance's batch stops at its first row that got no answer (its receiver is down or
   * slow: no reason to wait up to 15 s on each of the rest), and instances go in parallel;
   * the pass ends when every attempt has, so no row is ever in flight twice.
   */
  async runOnce(): Promise<number> {
    const due = this.o.store.deliveries.due(this.now(), ROWS_PER_INSTANCE);
    const byInstance = new Map<string, Delivery[]>();
    for (const row of due) byInstance.set(row.instanceId, [...(byInstance.get(row.instanceId) ?? []), row]);
    const passes = await Promise.allSettled(
      [...byInstance.values()].map(async (rows) => {
        let n = 0;
        for (const row of rows) {
          if (this.stopped) break;
          const tried = await this.attempt(row);
          if (tried === null) continue;
          n++;
          if (!tried.answered) break;
        }
        return n;
      }),
    );
    const failed = passes.find((p): p is PromiseRejectedResult => p.status === 'rejected');
    if (failed) throw failed.reason;
    return passes.reduce((sum, p) => sum + (p.status === 'fulfilled' ? p.value : 0), 0);
  }

  /** One attempt at a row: whether the receiver answered; null when it was not attempted. */
  private async attempt(row: Delivery): Promise<{ answered: boolean } | null> {
    const instance = this.o.store.instances.get(row.instanceId);
    const destination = instance && destinationOf(instance.configuration);
    if (!instance || !destination) return null; // disabled meanwhile (a 410 to an earlier row)
    const startedAt = this.now();
    let outcome: Outcome;
    try {
      const res = await (this.o.fetch ?? fetch)(destination.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs ?? 15 * SECOND)]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'qbwc-companion',
          ...signatureHeaders(destination.verifierToken, row.eventId, Math.floor(startedAt / SECOND), row.payload),
        },
        body: row.payload,
      });
      outcome = { status: res.status, retryAfter: res.headers.get('retry-after') };
      await res.body?.cancel();
    } catch (err) {
      if (this.stopped) return null; // stopping: the row stays as it was
      outcome = describeError(err);
    }
    const now = this.now();
    const attempts = row.attempts + 1;
    const base = { attempts, lastAttemptAt: now };
    let result: string;
    let detail = `POST ${displayUrl(destination.url)}`;
    let patch: Partial<Delivery>;
    if ('status' in outcome) {
      if (!onThisComputer(destination.url)) this.lastAnswerAt = now;
      detail += ` → ${outcome.status}`;
      if (outcome.status >= 200 && outcome.status < 300) {
        result = 'delivered';
        patch = { ...base, status: 'delivered', deliveredAt: now, lastStatusCode: outcome.status, lastError: null };
      } else if (outcome.status === 410) {
        result = 'gone';
        detail += '; the destination is disabled (set event.notification.enabled to "true" to resume)';
        patch = { ...base, lastStatusCode: 410, lastError: 'HTTP 410 Gone', nextAttemptAt: now };
      } else {
        const retryAfter = THROTTLED.has(outcome.status) ? this.retryAfterMs(outcome.retryAfter, now) : null;
        ({ result, patch } = this.failure(row, { ...base, lastStatusCode: outcome.status, lastError: `HTTP ${outcome.status}` }, now, retryAfter));
      }
    } else {
      detail += ` → ${outcome.error}`;
      if (!outcome.offline || now - this.lastAnswerAt <= (this.o.networkEvidenceMs ?? 5 * MINUTE)) {
        ({ result, patch } = this.failure(row, { ...base, lastStatusCode: null, lastError: outcome.error }, now, null));
      } else {
        result = 'offline';
        const wait = Math.min(this.delay(row.failures), this.o.offlineRetryMs ?? 30 * SECOND);
        patch = { ...base, lastStatusCode: null, lastError: outcome.error, nextAttemptAt: now + wait };
      }
    }
    if (result === 'failed' || result === 'offline') {
      detail += ` (attempt ${attempts}, next in ${Math.round(((patch.nextAttemptAt as number) - now) / SECOND)} s${result === 'offline' ? ', offline: not counted' : ''})`;
    }
    this.o.store.transaction(() => {
      this.o.store.deliveries.update(row.eventId, patch);
      if (result === 'gone') {
        const current = this.o.store.instances.get(row.instanceId);
        // Only the URL that answered 410: one changed meanwhile is a new destination.
        if (current && current.configuration[CONFIG_KEYS.url] === destination.url) this.o.store.instances.update({ ...current, configuration: { ...current.configuration, [CONFIG_KEYS.enabled]: 'false' }, updatedAt: now });
      }
      this.o.store.events.append({
        clientId: row.instanceId,
        timestamp: now,
        user: 'companion',
        action: 'delivery.attempt',
        detail: `${row.eventType} ${row.eventId}: ${detail}`,
        result,
        sessionId: null,
        requestId: null,
      });
    });
    if (result === 'gone') {
      this.o.logger.warn('Webhook destination disabled: it answered 410 Gone', { instanceId: row.instanceId, url: displayUrl(destination.url) });
      this.o.events.emit('instance.changed', { instanceId: row.instanceId, change: 'updated' });
    }
    return { answered: 'status' in outcome };
  }

  /** A counted failure: the next step of the schedule, or the dead letter past its end. */
  private failure(row: Delivery, base: Partial<Delivery>, now: number, retryAfterMs: number | null): { result: string; patch: Partial<Delivery> } {
    const failures = row.failures + 1;
    if (failures > this.schedule.length) return { result: 'dead', patch: { ...base, failures, status: 'dead' } };
    // A Retry-After lengthens the wait, never shortens it: the schedule still bounds the attempts.
    const wait = Math.max(retryAfterMs ?? 0, this.delay(failures - 1));
    return { result: 'failed', patch: { ...base, failures, status: 'pending', nextAttemptAt: now + wait } };
  }

  private delay(step: number): number {
    return scheduleDelay(this.schedule, step, this.random);
  }

  private retryAfterMs(header: string | null, now: number): number | null {
    return parseRetryAfter(header, now, this.o.maxRetryAfterMs ?? 24 * HOUR);
  }
}

/** A schedule's delay at `step` (its last one past the end), ±20 % jitter; `random` in [0, 1). Also the cloud link's (main/cloud). */
export function scheduleDelay(schedule: readonly number[], step: number, random: () => number): number {
  const base = schedule[Math.min(step, schedule.length - 1)] ?? 0;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Retry-After as whole seconds or an HTTP date (…GMT), within [0, maxMs]; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number, maxMs: number): number | null {
  const value = header?.trim() ?? '';
  const ms = /^\d+$/.test(value) ? Number(value) * SECOND : /GMT$/.test(value) ? Date.parse(value) - now : Number.NaN;
  if (Number.isNaN(ms)) return null;
  return Math.min(Math.max(ms, 0), maxMs);
}

/** Why a request got no answer, in a few words (fetch hides it in `cause`), and whether it means this PC is offline. */
export function describeError(err: unknown): { error: string; offline: boolean } {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return { error: 'timed out', offline: false };
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = cause?.code;
  return { error: code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)), offline: code !== undefined && OFFLINE_CODES.has(code) };
}
