/**
 * One call to the QBD Connect System API: `{baseUrl}/{version}{path}` with the API key as
 * a Bearer token, a timeout, and redirects not followed (the key goes to the configured
 * host only). A 2xx resolves; everything else throws a CloudCallError that says, in plain
 * words, what happened and how the link should take it — the same rules as the webhook
 * worker (main/forward/worker.ts), whose pieces these are:
 *
 * - 401 or 403: `refused` — the API key is wrong; trying again would not help.
 * - any other answer: `failed`; 429, 502, 503 and 504 carry their Retry-After.
 * - no answer because this PC has no network (the name does not resolve, no route), and no
 *   host off this computer answered lately: `offline`. Other missing answers are `failed`.
 */
import { displayUrl, onThisComputer, SECRET_MASK } from '../forward/destination';
import { describeError, parseRetryAfter, THROTTLED } from '../forward/worker';
import type { CloudLinkSettings } from './contract';
import { CLOUD_PATHS, type CloudPathName, cloudPath } from './paths';

export type CallFailure = 'refused' | 'failed' | 'offline';

export class CloudCallError extends Error {
  constructor(
    message: string,
    readonly kind: CallFailure,
    /** How long the cloud asked to be left alone (Retry-After), if it did. */
    readonly retryAfterMs: number | null = null,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'CloudCallError';
  }
}

export interface CloudClientOptions {
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  /** How recent an answer from a host off this computer must be to take the network as up. */
  networkEvidenceMs: number;
  maxRetryAfterMs: number;
  /** Aborted when the link stops: calls in flight end at once. */
  signal: AbortSignal;
  /** The cloud answered (whatever it said): the network is up. */
  onAnswer: () => void;
}

/** What each call is about, for messages. */
const WHAT: Record<CloudPathName, string> = {
  createInstance: 'registering an instance',
  updateInstance: 'updating an instance',
  deleteInstance: 'removing a deleted instance',
  pushSessions: 'the sessions sent',
  pushRequests: 'the requests sent',
  pushEventLogs: 'the event log sent',
  pullRequests: 'the question for queued requests',
  pushMetric: 'the metrics sent',
};

/** The longest piece of an error answer quoted in a message. */
const QUOTED = 200;

export class CloudClient {
  private lastAnswerAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: CloudClientOptions) {}

  /** Calls `name` and returns the answer. `allow` lists non-2xx statuses that are answers rather than failures (e.g. 404 to an update). */
  async call(settings: CloudLinkSettings, name: CloudPathName, params: Record<string, string>, body?: unknown, allow: number[] = []): Promise<{ status: number; text: string }> {
    const base = (settings.baseUrl ?? '').replace(/\/+$/, '');
    const url = `${base}/${settings.version}${cloudPath(name, settings.paths, params)}`;
    let res: Response;
    try {
      res = await this.o.fetch(url, {
        method: CLOUD_PATHS[name].method,
        redirect: 'manual',
        signal: AbortSignal.any([this.o.signal, AbortSignal.timeout(this.o.timeoutMs)]),
        headers: {
          authorization: `Bearer ${settings.apiKey ?? ''}`,
          accept: 'application/json',
          'user-agent': 'qbwc-companion',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (this.o.signal.aborted) throw err;
      const { error, offline } = describeError(err);
      if (offline && this.o.now() - this.lastAnswerAt > this.o.networkEvidenceMs) {
        throw new CloudCallError(`This computer seems to be offline (${error}); the cloud link waits for the network.`, 'offline');
      }
      throw new CloudCallError(`Could not reach the cloud service at ${displayUrl(base)} for ${WHAT[name]} (${error}).`, 'failed');
    }
    if (!onThisComputer(base)) this.lastAnswerAt = this.o.now();
    this.o.onAnswer();
    const text = await res.text();
    if ((res.status >= 200 && res.status < 300) || allow.includes(res.status)) {
      return { status: res.status, text };
    }
    if (res.status === 401 || res.status === 403) {
      throw new CloudCallError(
        `The cloud service refused the API key (HTTP ${res.status}). Set a valid API key for the cloud link; nothing is sent until then.`,
        'refused',
        null,
        res.status,
      );
    }
    const retryAfter = THROTTLED.has(res.status) ? parseRetryAfter(res.headers.get('retry-after'), this.o.now(), this.o.maxRetryAfterMs) : null;
    // Quoted for the bookkeeper; a service that echoes the request must not show the key.
    const said = settings.apiKey ? text.trim().slice(0, QUOTED).split(settings.apiKey).join(SECRET_MASK) : text.trim().slice(0, QUOTED);
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    throw new CloudCallError(`The cloud service answered HTTP ${res.status}${redirect} to ${WHAT[name]}${said ? `: ${said}` : ''}.`, 'failed', retryAfter, res.status);
  }
}

/** A 2xx answer's JSON; a `failed` call when it isn't JSON. */
export function answerJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CloudCallError(`The cloud service's answer to ${what} is not JSON.`, 'failed');
  }
}
