/**
 * The delivery worker: sends the outbox's pending rows, oldest first, one record's rows in
 * order (a row waits while an older row of the same record is pending), destinations in
 * parallel. Each attempt is one POST with a 15 s timeout and redirects not followed:
 *
 * - 2xx: delivered.
 * - 410 Gone: the destination is disabled (event.notification.enabled set to "false",
 *   logged); its rows stay pending and go once it is enabled again.
 * - any other answer (3xx included): a failure; 429 and 503 wait what Retry-After says,
 *   others follow the schedule (Standard Webhooks': 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 *   14 h, 20 h, 24 h — about three days — each ±20 % jitter), after which the row is dead
 *   (replayable).
 * - no answer (connection refused, DNS, timeout): counted against the schedule only when
 *   the network is known to be up — some destination answered (any HTTP status) within the
 *   last 5 minutes. Otherwise the companion is taken to be offline: the row is retried
 *   after the schedule's next delay, at most 30 s, and its schedule is not used up.
 *
 * Every attempt goes into the instance's event log (`delivery.attempt`), without secrets.
 */
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';
import type { Store } from '../store';
import type { Delivery } from '../store/types';
import { CONFIG_KEYS, destinationOf, displayUrl } from './destination';
import { signatureHeaders } from './sign';

const SECOND = 1000;
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
}

type Outcome = { status: number; retryAfter: string | null } | { error: string };

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
        wait = Math.min(Math.max(next === null ? MINUTE : next - this.now(), 0), MINUTE);
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

  /** Makes one attempt at every row due now; returns how many. */
  async runOnce(): Promise<number> {
    const due = this.o.store.deliveries.due(this.now(), 100);
    const byInstance = new Map<string, Delivery[]>();
    for (const row of due) byInstance.set(row.instanceId, [...(byInstance.get(row.instanceId) ?? []), row]);
    const counts = await Promise.all(
      [...byInstance.values()].map(async (rows) => {
        let n = 0;
        for (const row of rows) {
          if (this.stopped) break;
          if (await this.attempt(row)) n++;
        }
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  private async attempt(row: Delivery): Promise<boolean> {
    const instance = this.o.store.instances.get(row.instanceId);
    const destination = instance && destinationOf(instance.configuration);
    if (!instance || !destination) return false; // disabled meanwhile (a 410 to an earlier row)
    const startedAt = this.now();
    let outcome: Outcome;
    try {
      const res = await fetch(destination.url, {
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
      if (this.stopped) return false; // stopping: the row stays as it was
      outcome = { error: describeError(err) };
    }
    const now = this.now();
    const attempts = row.attempts + 1;
    const base = { attempts, lastAttemptAt: now };
    let result: string;
    let detail = `POST ${displayUrl(destination.url)}`;
    let patch: Partial<Delivery>;
    if ('status' in outcome) {
      this.lastAnswerAt = now;
      detail += ` → ${outcome.status}`;
      if (outcome.status >= 200 && outcome.status < 300) {
        result = 'delivered';
        patch = { ...base, status: 'delivered', deliveredAt: now, lastStatusCode: outcome.status, lastError: null };
      } else if (outcome.status === 410) {
        result = 'gone';
        detail += '; the destination is disabled (set event.notification.enabled to "true" to resume)';
        patch = { ...base, lastStatusCode: 410, lastError: 'HTTP 410 Gone', nextAttemptAt: now };
      } else {
        const retryAfter = outcome.status === 429 || outcome.status === 503 ? this.retryAfterMs(outcome.retryAfter, now) : null;
        ({ result, patch } = this.failure(row, { ...base, lastStatusCode: outcome.status, lastError: `HTTP ${outcome.status}` }, now, retryAfter));
      }
    } else {
      detail += ` → ${outcome.error}`;
      if (now - this.lastAnswerAt <= (this.o.networkEvidenceMs ?? 5 * MINUTE)) {
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
        if (current) this.o.store.instances.update({ ...current, configuration: { ...current.configuration, [CONFIG_KEYS.enabled]: 'false' }, updatedAt: now });
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
    return true;
  }

  /** A counted failure: the next step of the schedule, or the dead letter past its end. */
  private failure(row: Delivery, base: Partial<Delivery>, now: number, retryAfterMs: number | null): { result: string; patch: Partial<Delivery> } {
    const failures = row.failures + 1;
    if (failures > this.schedule.length) return { result: 'dead', patch: { ...base, failures, status: 'dead' } };
    return { result: 'failed', patch: { ...base, failures, status: 'pending', nextAttemptAt: now + (retryAfterMs ?? this.delay(failures - 1)) } };
  }

  /** The schedule's delay at `step` (its last one past the end), ±20 % jitter. */
  private delay(step: number): number {
    const base = this.schedule[Math.min(step, this.schedule.length - 1)] ?? 0;
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  /** Retry-After as seconds or an HTTP date, within [0, maxRetryAfterMs]; null when absent or unreadable. */
  private retryAfterMs(header: string | null, now: number): number | null {
    if (header === null) return null;
    const ms = /^\d+$/.test(header.trim()) ? Number(header.trim()) * SECOND : Date.parse(header) - now;
    if (Number.isNaN(ms)) return null;
    return Math.min(Math.max(ms, 0), this.o.maxRetryAfterMs ?? 24 * HOUR);
  }
}

/** Why a request got no answer, in a few words (fetch hides it in `cause`). */
function describeError(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
