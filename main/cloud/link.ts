/**
 * The cloud link: keeps a QBD Connect–style cloud service (seed 003) in step with this
 * companion, calling out only — nothing connects in to the PC. In the background, one pass
 * at a time (channels.ts): it registers instances (at start, and when one changes), pulls
 * the requests a cloud app queued (every pollSeconds, and as soon as a session ends) into
 * the queue, and pushes sessions, requests — results included — the event log and metrics.
 *
 * Failures, per channel, as the webhook worker takes them (main/forward/worker.ts):
 * - the cloud failed or did not answer: that channel tries again on a backoff schedule
 *   (5 s, 30 s, 2 min, 10 min, then every 30 min, ±20 %), longer when Retry-After says so;
 *   what it was sending stays where it was, and nothing is given up;
 * - this PC is offline: tried again every ≤30 s without lengthening the backoff;
 * - 401/403: the link stops, says the API key was refused (its state and the event log),
 *   and waits for new settings or "sync now".
 */
import { Alarm } from '../alarm';
import { conflict, invalid } from '../errors';
import type { DomainEvents } from '../events';
import { SECRET_MASK } from '../forward/destination';
import { scheduleDelay } from '../forward/worker';
import type { Logger } from '../logger';
import type { HistoryService } from '../services/history';
import type { InstanceService } from '../services/instances';
import type { RequestService } from '../services/requests';
import type { Store } from '../store';
import { CHANNELS, type ChannelName, hourStart, type SyncContext } from './channels';
import { CloudCallError, CloudClient } from './client';
import { type CloudLinkResource, type CloudLinkSettings, type CloudLinkState, type CloudLinkUpdate, cloudLinkUpdateSchema } from './contract';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Delay after the 1st, 2nd, … failure of a channel in a row; the last repeats (there is no giving up). */
const CLOUD_RETRY_MS: readonly number[] = [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE];

export interface CloudLinkTuning {
  retrySchedule: readonly number[];
  /** Per call; default 15 s. */
  timeoutMs: number;
  /** The longest wait between attempts while offline; default 30 s. */
  offlineRetryMs: number;
  /** How recent an answer from a host off this computer must be to take the network as up; default 5 min. */
  networkEvidenceMs: number;
  /** Longest a Retry-After is honoured; default 1 h. */
  maxRetryAfterMs: number;
  /** How often metrics are pushed; default 15 min. */
  metricsEveryMs: number;
  /** Most items in one push; default 100. */
  batchItems: number;
  /** Most bytes of JSON in one push (a request's response may be large); default 4 MiB. */
  batchBytes: number;
  /** In [0, 1): the jitter; default Math.random. */
  random: () => number;
  fetch: typeof fetch;
}

const DEFAULT_TUNING: CloudLinkTuning = {
  retrySchedule: CLOUD_RETRY_MS,
  timeoutMs: 15 * SECOND,
  offlineRetryMs: 30 * SECOND,
  networkEvidenceMs: 5 * MINUTE,
  maxRetryAfterMs: 60 * MINUTE,
  metricsEveryMs: 15 * MINUTE,
  batchItems: 100,
  batchBytes: 4 * 1024 * 1024,
  random: Math.random,
  fetch: (...args) => fetch(...args),
};

/** Before the settings are first written: the contract's defaults, off. */
const DEFAULT_CLOUD_LINK: CloudLinkSettings = { ...cloudLinkUpdateSchema.parse({}), apiKey: null };

export interface CloudLinkDeps {
  store: Store;
  events: DomainEvents;
  logger: Logger;
  now: () => number;
  requests: RequestService;
  instances: InstanceService;
  history: HistoryService;
  tuning?: Partial<CloudLinkTuning>;
}

/** The order of a pass: CHANNELS' own. */
const ORDER = Object.keys(CHANNELS) as ChannelName[];

const CHANNEL_WORDS: Record<ChannelName, string> = {
  instances: 'the instances',
  pull: 'the requests queued in the cloud',
  sessions: 'the sessions',
  requests: 'the requests',
  eventLogs: 'the event log',
  metrics: 'the metrics',
};

interface Backoff {
  /** Counted failures in a row (not those while offline). */
  failures: number;
  nextAttemptAt: number;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export class CloudLink {
  private readonly tuning: CloudLinkTuning;
  private readonly client: CloudClient;
  private readonly abort = new AbortController();
  private readonly backoff = new Map<ChannelName, Backoff>();
  /** Why the cloud refused the API key; nothing is sent until the settings change or a sync is asked for. */
  private refused: string | null = null;
  /** The last call found this computer offline (and none has been answered since). */
  private offline = false;
  private lastPushAt: number | null = null;
  private lastPullAt: number | null = null;
  private lastMetricsAt = Number.NEGATIVE_INFINITY;
  private lastError: { at: number; message: string } | null = null;
  /** Instances the cloud can't take, and why: until they change. */
  private readonly instanceProblems = new Map<string, string>();
  private cached: CloudLinkSettings | undefined;
  /** Counts the settings written: what a pass started with older ones found says nothing of the new ones. */
  private generation = 0;
  /** A session ended (or a sync was asked for): pull at once. */
  private pullSoon = false;
  private forceNext = false;
  private passWaiters: (() => void)[] = [];
  private running: Promise<void> | null = null;
  private readonly alarm = new Alarm();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: CloudLinkDeps) {
    this.tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    this.client = new CloudClient({
      fetch: this.tuning.fetch,
      now: deps.now,
      timeoutMs: this.tuning.timeoutMs,
      networkEvidenceMs: this.tuning.networkEvidenceMs,
      maxRetryAfterMs: this.tuning.maxRetryAfterMs,
      signal: this.abort.signal,
      onAnswer: () => {
        this.offline = false;
      },
    });
  }

  /** Read once: only `update` writes them (a one-shot command goes through the running server's API). */
  settings(): CloudLinkSettings {
    return (this.cached ??= { ...DEFAULT_CLOUD_LINK, ...this.deps.store.cloud.settings<CloudLinkSettings>() });
  }

  /** The settings (the key masked) and how the link is doing. */
  status(): CloudLinkResource {
    const s = this.settings();
    const { state, message } = this.describe(s);
    return {
      ...s,
      apiKey: s.apiKey === null ? null : SECRET_MASK,
      state,
      message,
      lastPushAt: iso(this.lastPushAt),
      lastPullAt: iso(this.lastPullAt),
      lastError: this.lastError && { at: new Date(this.lastError.at).toISOString(), message: this.lastError.message },
      // Off, nothing is recorded, so nothing waits.
      backlog: s.enabled ? this.deps.store.cloud.backlog() : { instances: 0, sessions: 0, requests: 0, eventLogs: 0 },
    };
  }

  /**
   * Replaces the settings (an API key left out or masked is kept). Turned on, the link
   * starts from now; any change registers the instances again (the customer, contact or
   * service may be new) and lifts a refusal, so the new settings are tried at once.
   */
  update(body: CloudLinkUpdate): CloudLinkResource {
    const current = this.settings();
    const keep = body.apiKey === undefined || body.apiKey === SECRET_MASK;
    // The stored key goes only where it went before: a new address needs the key given again.
    if (keep && current.apiKey !== null && body.baseUrl !== current.baseUrl) {
      throw invalid('apiKey', 'The base URL changed: enter the API key again, so it is sent only where you mean it to go.');
    }
    const next: CloudLinkSettings = { ...body, apiKey: body.apiKey === undefined || body.apiKey === SECRET_MASK ? current.apiKey : body.apiKey };
    if (next.enabled) {
      if (next.baseUrl === null) throw invalid('baseUrl', 'The cloud link needs the base URL of the QBD Connect API to be turned on.');
      if (next.apiKey === null) throw invalid('apiKey', 'The cloud link needs an API key to be turned on.');
      if (next.customerId === null) throw invalid('customerId', 'The cloud link needs a customer ID (the QBD Connect customer its instances belong to) to be turned on.');
    }
    const now = this.deps.now();
    this.deps.store.transaction(() => {
      this.deps.store.cloud.putSettings(next);
      if (next.enabled && !current.enabled) this.deps.store.cloud.startFromNow(hourStart(now), now);
      if (next.enabled) this.deps.store.cloud.journalAllInstances();
      this.logEvent('cloud.settings', next.enabled ? 'on' : 'off', next.enabled ? `${next.baseUrl} ${next.version}, customer ${next.customerId}` : null);
    });
    this.cached = next;
    this.generation++;
    this.refused = null;
    this.lastError = null;
    this.instanceProblems.clear();
    this.backoff.clear();
    this.wake();
    return this.status();
  }

  /** Tries every channel now (a refusal and any backoff lifted) and answers once that pass is done. */
  async syncNow(): Promise<CloudLinkResource> {
    if (!this.settings().enabled) throw conflict('cloud_link_off', 'The cloud link is off: turn it on, with its base URL, API key and customer ID, first.');
    this.refused = null;
    this.backoff.clear();
    if (this.running) {
      await new Promise<void>((resolve) => {
        this.passWaiters.push(resolve);
        this.forceNext = true;
        this.wake();
      });
    } else {
      // Not started (a one-shot command): one pass, here.
      await this.pass(true);
    }
    return this.status();
  }

  /** Runs in the background until `stop`; what happens in the companion wakes it. */
  start(): void {
    if (this.running) return;
    const { events } = this.deps;
    // Off, the link has nothing to do with what happens: the hot path does not wake it.
    const wakeIfOn = () => {
      if (this.settings().enabled) this.wake();
    };
    this.unsubscribe.push(
      events.on('request.queued', wakeIfOn),
      events.on('request.completed', wakeIfOn),
      events.on('instance.changed', wakeIfOn),
      events.on('session.ended', () => {
        // The session may have finished what was queued: there may be more in the cloud.
        this.pullSoon = true;
        wakeIfOn();
      }),
    );
    // Registered at every start: what the cloud knows (the appUrl, say) may have changed meanwhile.
    if (this.settings().enabled) this.deps.store.transaction(() => this.deps.store.cloud.journalAllInstances());
    this.running = this.loop();
  }

  wake(): void {
    this.alarm.wake();
  }

  /** Ends calls in flight (what they carried is sent again later) and waits for the loop to end. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.abort.abort();
    this.wake();
    await this.running;
    this.running = null;
    for (const resolve of this.passWaiters.splice(0)) resolve();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.alarm.reset();
      const force = this.forceNext;
      this.forceNext = false;
      const waiters = this.passWaiters.splice(0);
      let wait: number;
      try {
        wait = await this.pass(force);
      } catch (err) {
        // e.g. the disk is full: try again a little later.
        this.deps.logger.error('Cloud link failed', { error: err instanceof Error ? err.message : String(err) });
        wait = 5 * SECOND;
      } finally {
        for (const resolve of waiters) resolve();
      }
      if (!this.stopped) await this.alarm.sleep(wait);
    }
  }

  /** Runs each channel that is due (every one when forced); returns how long to wait for the next pass. */
  private async pass(force: boolean): Promise<number> {
    const settings = this.settings();
    // Off or refused: nothing until new settings or a sync wake the loop.
    if (!settings.enabled || this.refused !== null) return 10 * MINUTE;
    const pollMs = settings.pollSeconds * SECOND;
    const generation = this.generation;
    const ctx: SyncContext = {
      store: this.deps.store,
      requests: this.deps.requests,
      instances: this.deps.instances,
      history: this.deps.history,
      client: this.client,
      settings,
      now: this.deps.now,
      batch: { items: this.tuning.batchItems, bytes: this.tuning.batchBytes },
      instanceProblem: (instanceId, message) => {
        if (message === null) {
          this.instanceProblems.delete(instanceId);
          return;
        }
        this.instanceProblems.set(instanceId, message);
        this.lastError = { at: this.deps.now(), message };
        this.logEvent('cloud.instance.refused', 'incomplete', message, instanceId);
      },
    };
    for (const name of ORDER) {
      if (this.stopped) break;
      const startedAt = this.deps.now();
      if (!force && this.dueAt(name, startedAt, pollMs) > startedAt) continue;
      if (name === 'pull') this.pullSoon = false;
      try {
        const done = await CHANNELS[name](ctx);
        if (name === 'pull') this.lastPullAt = startedAt;
        if (name === 'metrics') this.lastMetricsAt = startedAt;
        if (done > 0 && name !== 'pull') this.lastPushAt = this.deps.now();
        this.recovered(name);
      } catch (err) {
        // Stopping, or new settings meanwhile (a new key, say): what the old ones met is moot; the next pass tries the new.
        if (this.stopped || generation !== this.generation) break;
        const failure = err instanceof CloudCallError ? err : this.ownFailure(name, err);
        this.failed(name, failure);
        if (failure.kind === 'refused') break;
      }
    }
    this.deps.events.emit('cloud.changed', {}); // what was sent, pulled and is waiting moved
    const now = this.deps.now();
    // Pushes are also woken by what happens here; at the latest, they look again in pollSeconds.
    const next = Math.min(now + pollMs, ...ORDER.map((name) => this.dueAt(name, now, pollMs)).filter((at) => at > now));
    return next - now;
  }

  /** When a channel is due: a failing one when its backoff says; pushes every pass (nothing new costs one indexed read). */
  private dueAt(name: ChannelName, now: number, pollMs: number): number {
    const retryAt = this.backoff.get(name)?.nextAttemptAt;
    if (retryAt !== undefined) return retryAt;
    if (name === 'pull') return this.pullSoon || this.lastPullAt === null ? now : this.lastPullAt + pollMs;
    if (name === 'metrics') return this.lastMetricsAt + this.tuning.metricsEveryMs;
    return now;
  }

  private recovered(name: ChannelName): void {
    const wasFailing = this.backoff.has(name);
    this.backoff.delete(name);
    if (wasFailing && this.backoff.size === 0) {
      this.lastError = null;
      this.logEvent('cloud.recovered', 'ok', 'The cloud service answers again; what waited is being sent.');
    }
  }

  private failed(name: ChannelName, err: CloudCallError): void {
    const now = this.deps.now();
    this.lastError = { at: now, message: err.message };
    if (err.kind === 'refused') {
      this.refused = err.message;
      this.logEvent('cloud.refused', 'refused', err.message);
      this.deps.logger.warn('Cloud link stopped: the cloud service refused the API key', { status: err.status });
      return;
    }
    const b = this.backoff.get(name) ?? { failures: 0, nextAttemptAt: 0 };
    const wasHealthy = this.backoff.size === 0;
    if (err.kind === 'offline') {
      // Being offline is normal for a PC: it does not use up the schedule.
      this.offline = true;
      this.backoff.set(name, { failures: b.failures, nextAttemptAt: now + Math.min(this.delay(b.failures), this.tuning.offlineRetryMs) });
    } else {
      this.offline = false;
      this.backoff.set(name, { failures: b.failures + 1, nextAttemptAt: now + Math.max(err.retryAfterMs ?? 0, this.delay(b.failures)) });
    }
    if (wasHealthy) {
      this.logEvent('cloud.failed', err.kind, err.message);
      this.deps.logger.warn('Cloud link: the cloud service failed; trying again later', { error: err.message });
    }
  }

  /** A failure of the companion's own (the disk, say) holds back that channel only, on the same backoff. */
  private ownFailure(name: ChannelName, err: unknown): CloudCallError {
    const why = err instanceof Error ? err.message : String(err);
    this.deps.logger.error('Cloud link failed', { channel: name, error: why });
    return new CloudCallError(`The cloud link could not handle ${CHANNEL_WORDS[name]} (${why}).`, 'failed');
  }

  private delay(step: number): number {
    return scheduleDelay(this.tuning.retrySchedule, step, this.tuning.random);
  }

  private describe(s: CloudLinkSettings): { state: CloudLinkState; message: string } {
    if (!s.enabled) {
      return { state: 'off', message: 'The cloud link is off. To keep a QBD Connect service in step, set its base URL, API key and customer ID, and turn it on.' };
    }
    if (this.refused !== null) return { state: 'refused', message: this.refused };
    if (this.offline) return { state: 'offline', message: 'This computer seems to be offline; the cloud link sends what waited when the network is back.' };
    const retries = [...this.backoff.values()];
    if (retries.length > 0 && this.lastError) {
      const next = Math.min(...retries.map((b) => b.nextAttemptAt));
      return { state: 'retrying', message: `${this.lastError.message} Trying again at ${new Date(next).toISOString()}; nothing is lost meanwhile.` };
    }
    if (this.instanceProblems.size > 0) return { state: 'ok', message: `In step with the cloud service, but: ${[...this.instanceProblems.values()].join(' ')}` };
    return { state: 'ok', message: this.lastPushAt === null && this.lastPullAt === null ? 'The cloud link is on and starting.' : 'In step with the cloud service.' };
  }

  /** The link's own entries in the event log (of no instance unless given); never the API key. */
  private logEvent(action: string, result: string, detail: string | null, instanceId: string | null = null): void {
    this.deps.store.transaction(() => {
      this.deps.store.events.append({ clientId: instanceId, timestamp: this.deps.now(), user: 'companion', action, detail, result, sessionId: null, requestId: null });
      this.deps.events.emit('cloud.changed', {});
    });
  }
}
