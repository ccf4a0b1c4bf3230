/**
 * The delivery worker: sends the outbox's pending rows to their destinations, one record's
 * rows in order (a row waits while an older row of the same record for the same destination
 * is pending), destinations in parallel and a few rows of each at once (each of another
 * record) once the first of the pass is answered. A destination whose receiver gave no
 * answer is left alone for that row's wait (at most 30 s): one try, not one per row waiting.
 * Each attempt is one POST with a 15 s timeout and redirects not followed:
 *
 * - 2xx: delivered.
 * - 410 Gone: that destination is turned off (for the configuration's, event.notification.enabled
 *   set to "false"), which the event log and its disabledReason say; its rows stay pending and
 *   go once it is on again. The instance's other destinations go on.
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
 * Every attempt is a row of delivery_attempts and a line of the instance's event log
 * (`delivery.attempt`: the event, the destination, the answer or error), without secrets.
 */
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';
import type { Store } from '../store';
import type { AttemptResult } from '../store/tables';
import type { Delivery } from '../store/types';
import { CONFIG_KEYS, CONFIGURATION_ID, type Destination, destinationLabel, displayUrl, onThisComputer } from './destination';
import { allTargets } from './destinations';
import { Alarm } from '../alarm';
import { GroupCommit } from './group-commit';
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
  /** Rows of one destination taken in a pass (one busy destination can't crowd the others out); default 50. */
  rowsPerPass?: number;
  /** Requests to one destination at once; default 4. */
  concurrency?: number;
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
  private stopped = false;
  /** One per attempt in flight: its timeout, and `stop` cutting it short. (Cheaper than AbortSignal.timeout and .any, which cost more than the rest of an attempt.) */
  private readonly inFlight = new Set<AbortController>();
  private lastAnswerAt = Number.NEGATIVE_INFINITY;
  /**
   * Destinations whose receiver gave no answer, left alone until then (the row's wait, at
   * most the offline retry): a receiver that is down, or this PC offline, costs one try per
   * destination, not one per row waiting. Forgotten when instances or destinations change.
   */
  private readonly resting = new Map<string, number>();
  /** The last pass: when it started and the destinations it sent to (see nextDueAt). */
  private lastPass: { at: number; targets: readonly Destination[] } = { at: 0, targets: [] };
  private running: Promise<void> | null = null;
  private readonly alarm = new Alarm();
  private readonly unsubscribe: (() => void)[] = [];
  /** Outcomes of attempts that finish together are recorded in one transaction. */
  private readonly commits: GroupCommit;

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.commits = new GroupCommit(o.store);
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.schedule = o.schedule ?? RETRY_SCHEDULE_MS;
  }

  /** Runs in the background until `stop`; new rows and changed instances or destinations wake it. */
  start(): void {
    if (this.running) return;
    this.unsubscribe.push(
      this.o.events.on('delivery.queued', () => this.wake()),
      this.o.events.on('instance.changed', () => this.wake(true)),
      this.o.events.on('destination.changed', () => this.wake(true)),
    );
    this.running = this.loop();
  }

  /** `changed`: a destination may have been fixed; try them all again. */
  wake(changed = false): void {
    if (changed) this.resting.clear();
    this.alarm.wake();
  }

  /** Cuts attempts in flight short (their rows stay as they were, to be sent again) and waits for the loop to end. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.stopped = true;
    for (const attempt of this.inFlight) attempt.abort();
    this.wake();
    await this.running;
    this.running = null;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.alarm.reset();
      let wait: number;
      try {
        if ((await this.runOnce()) > 0) continue;
        const next = this.nextDueAt();
        // At least a second: a row due but not attempted (its destination turned invalid) must not spin the loop.
        wait = Math.min(Math.max(next === null ? MINUTE : next - this.now(), SECOND), MINUTE);
      } catch (err) {
        // e.g. the disk is full: try again a little later.
        this.o.logger.error('Webhook delivery failed', { error: err instanceof Error ? err.message : String(err) });
        wait = 5 * SECOND;
      }
      if (!this.stopped) await this.alarm.sleep(wait);
    }
  }

  /**
   * After a pass that sent nothing: when the next row of the destinations it sent to becomes
   * due; null when none waits. Each destination's answer is one step into deliveries_due.
   */
  nextDueAt(): number | null {
    const { at, targets } = this.lastPass;
    const times = targets.flatMap((d) => {
      const rest = this.resting.get(restKey(d)) ?? 0;
      return rest > at ? rest : (this.o.store.deliveries.nextDueAfter(d.instanceId, d.id, at) ?? []);
    });
    return times.length > 0 ? Math.min(...times) : null;
  }

  /**
   * Makes one attempt at every row due now, up to rowsPerPass of each destination, and
   * returns how many. A destination's rows go a few at once, and it starts no more once
   * one got no answer (its receiver is down or slow: no reason to wait up to 15 s on each
   * of the rest) or a 410; destinations go in parallel. The pass ends when every attempt
   * has, so no row is ever in flight twice.
   */
  async runOnce(): Promise<number> {
    const at = this.now();
    const targets = allTargets(this.o.store);
    this.lastPass = { at, targets };
    const limit = this.o.rowsPerPass ?? 50;
    const awake = targets.filter((d) => (this.resting.get(restKey(d)) ?? 0) <= at);
    const sent = await settleAll(awake.map((d) => this.send(d, this.o.store.deliveries.due(d.instanceId, d.id, at, limit))));
    return sent.reduce((sum, n) => sum + n, 0);
  }

  /** A destination's rows of a pass: the first alone, then the rest a few at once, until one gets no answer or a 410. */
  private async send(destination: Destination, rows: readonly Delivery[]): Promise<number> {
    let next = 0;
    let sent = 0;
    let halted = false;
    const more = () => !halted && !this.stopped && next < rows.length;
    const step = async () => {
      const tried = await this.attempt(destination, rows[next++] as Delivery);
      if (tried !== null) sent++;
      if (tried === 'gone' || tried === 'no answer') halted = true;
    };
    const lane = async () => {
      while (more()) await step();
    };
    // Alone, so that a receiver that is down (or this PC offline) gets one request, not several.
    if (more()) await step();
    await settleAll(Array.from({ length: Math.min(this.o.concurrency ?? 4, rows.length - next) }, lane));
    return sent;
  }

  /** One attempt at a row: whether the receiver answered (and not with 410); null when it was not made (stopping). */
  private async attempt(destination: Destination, row: Delivery): Promise<'answered' | 'gone' | 'no answer' | null> {
    const startedAt = this.now();
    let outcome: Outcome;
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), this.o.timeoutMs ?? 15 * SECOND);
    this.inFlight.add(controller);
    try {
      const res = await (this.o.fetch ?? fetch)(destination.url, {
        method: 'POST',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'qbwc-companion',
          ...signatureHeaders(destination.verifierToken, row.eventId, Math.floor(startedAt / SECOND), row.payload),
        },
        body: row.payload,
      });
      outcome = { status: res.status, retryAfter: res.headers.get('retry-after') };
      // The body is not read; failing to discard it changes nothing about the answer.
      res.body?.cancel().catch(() => {});
    } catch (err) {
      if (this.stopped) return null; // stopping: the row stays as it was
      outcome = describeError(err);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    const now = this.now();
    const attempts = row.attempts + 1;
    const base = { attempts, lastAttemptAt: now };
    let result: AttemptResult;
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
        detail += '; the destination is turned off';
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
        const wait = Math.min(this.delay(row.failures), this.offlineRetryMs);
        patch = { ...base, lastStatusCode: null, lastError: outcome.error, nextAttemptAt: now + wait };
      }
      this.resting.set(restKey(destination), Math.min(patch.nextAttemptAt ?? Number.POSITIVE_INFINITY, now + this.offlineRetryMs));
    }
    if (result === 'failed' || result === 'offline') {
      detail += ` (attempt ${attempts}, next in ${Math.round(((patch.nextAttemptAt as number) - now) / SECOND)} s${result === 'offline' ? ', offline: not counted' : ''})`;
    }
    const turnedOff = await this.commits.write(() => {
      this.o.store.deliveries.update(row.eventId, patch);
      this.o.store.deliveries.recordAttempt({ instanceId: row.instanceId, destinationId: destination.id, deliverySeq: row.seq, at: now, result });
      this.log(destination, now, 'delivery.attempt', `${row.eventType} ${row.eventId} to ${destinationLabel(destination)}: ${detail}`, result);
      this.o.events.emit('delivery.attempted', { instanceId: row.instanceId, destinationId: destination.id, result });
      return result === 'gone' && this.turnOff(destination, now);
    });
    if (turnedOff) {
      this.o.logger.warn('Webhook destination turned off: it answered 410 Gone', { instanceId: row.instanceId, destinationId: destination.id, url: displayUrl(destination.url) });
      this.o.events.emit('destination.changed', { instanceId: destination.instanceId, destinationId: destination.id, change: 'updated' });
      if (destination.id === CONFIGURATION_ID) this.o.events.emit('instance.changed', { instanceId: destination.instanceId, change: 'updated' });
    }
    return result === 'gone' ? 'gone' : 'status' in outcome ? 'answered' : 'no answer';
  }

  /**
   * After a 410: turns the destination off, unless its URL changed meanwhile (a new
   * address is a new destination), and says so in the event log. Whether it did.
   */
  private turnOff(destination: Destination, now: number): boolean {
    const { store } = this.o;
    let done = false;
    if (destination.id === CONFIGURATION_ID) {
      const current = store.instances.get(destination.instanceId);
      if (current && current.configuration[CONFIG_KEYS.url] === destination.url && current.configuration[CONFIG_KEYS.enabled] === 'true') {
        done = store.instances.update({ ...current, configuration: { ...current.configuration, [CONFIG_KEYS.enabled]: 'false' }, updatedAt: now });
      }
    } else {
      const current = store.destinations.get(destination.instanceId, destination.id);
      if (current?.enabled && current.url === destination.url) done = store.destinations.update(destination.instanceId, destination.id, { enabled: false, updatedAt: now });
    }
    if (done) {
      const resume = destination.id === CONFIGURATION_ID ? `set "${CONFIG_KEYS.enabled}" to "true" in the connection's configuration` : 'turn it back on';
      this.log(
        destination,
        now,
        'destination.disabled',
        `The ${destinationLabel(destination)} was turned off: the receiver said ${displayUrl(destination.url)} is gone (410). Check the address with whoever runs it, then ${resume}; the events waiting for it go then.`,
        'gone',
      );
    }
    return done;
  }

  private log(destination: Destination, now: number, action: string, detail: string, result: string): void {
    this.o.store.events.append({ clientId: destination.instanceId, timestamp: now, user: 'companion', action, detail, result, sessionId: null, requestId: null });
  }

  /** A counted failure: the next step of the schedule, or the dead letter past its end. */
  private failure(row: Delivery, base: Partial<Delivery>, now: number, retryAfterMs: number | null): { result: AttemptResult; patch: Partial<Delivery> } {
    const failures = row.failures + 1;
    if (failures > this.schedule.length) return { result: 'dead', patch: { ...base, failures, status: 'dead' } };
    // A Retry-After lengthens the wait, never shortens it: the schedule still bounds the attempts.
    const wait = Math.max(retryAfterMs ?? 0, this.delay(failures - 1));
    return { result: 'failed', patch: { ...base, failures, status: 'pending', nextAttemptAt: now + wait } };
  }

  private get offlineRetryMs(): number {
    return this.o.offlineRetryMs ?? 30 * SECOND;
  }

  private delay(step: number): number {
    return scheduleDelay(this.schedule, step, this.random);
  }

  private retryAfterMs(header: string | null, now: number): number | null {
    return parseRetryAfter(header, now, this.o.maxRetryAfterMs ?? 24 * HOUR);
  }
}

const restKey = (d: Destination) => `${d.instanceId}/${d.id}`;

/** Waits for every promise, then throws the first failure: nothing is left running when this returns. */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((p) => (p as PromiseFulfilledResult<T>).value);
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
