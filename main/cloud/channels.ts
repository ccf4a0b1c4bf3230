/**
 * What the cloud link does on each pass, one channel at a time. A push sends what its
 * cursor has not passed, oldest first, and moves the cursor after each acknowledged call —
 * so a failure (or a kill) part-way loses nothing, and sends again at most the last call's
 * items, with the same ids. (Metrics move theirs once every instance's are sent: the cloud
 * upserts their points by time.) A channel returns how many items the cloud took, or
 * throws the CloudCallError that stopped it.
 */
import { z } from 'zod';
import { requestCreateSchema, METRIC_IDS } from '../contract/schemas';
import { ApiError } from '../errors';
import type { HistoryService } from '../services/history';
import type { InstanceService } from '../services/instances';
import type { RequestService } from '../services/requests';
import type { Store } from '../store';
import type { CursorKind, JournalKind } from '../store/cloud';
import type { NewEvent } from '../store/events';
import { answerJson, type CloudClient, CloudCallError } from './client';
import type { CloudLinkSettings } from './contract';
import { pulledRequestSchema, type PulledRequest } from './models';
import type { CloudPathName } from './paths';
import { CLOUD_SOURCE, instancePayload, present, requestPayload } from './payloads';

export interface SyncContext {
  store: Store;
  requests: RequestService;
  instances: InstanceService;
  history: HistoryService;
  client: CloudClient;
  settings: CloudLinkSettings;
  now: () => number;
  /** Most items, and bytes of JSON, in one call. */
  batch: { items: number; bytes: number };
  /** Why the cloud can't take an instance (only the bookkeeper can fix it), or null once it took it. */
  instanceProblem(instanceId: string, message: string | null): void;
}

export type ChannelName = 'instances' | 'pull' | 'sessions' | 'requests' | 'eventLogs' | 'metrics';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A metric's points go an hour each up to a week (see HistoryService.metric): no longer window per call. */
const METRIC_WINDOW = 7 * DAY;
/** How far back metrics are kept (seed 003: 360 days): none older is sent. */
const METRIC_RETENTION = 359 * DAY;

export const hourStart = (t: number) => Math.floor(t / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();

/** In the order a pass runs them: an instance is registered before its sessions, a session before its requests. */
export const CHANNELS: Record<ChannelName, (ctx: SyncContext) => Promise<number>> = {
  instances: pushInstances,
  pull: pullRequests,
  sessions: (ctx) => pushJournal(ctx, 'session', 'pushSessions', (id) => sessionPayload(ctx, id)),
  requests: (ctx) => pushJournal(ctx, 'request', 'pushRequests', (id) => {
    const r = ctx.store.requests.get(id);
    return r && requestPayload(r, ctx.requests);
  }),
  eventLogs: pushEventLogs,
  metrics: pushMetrics,
};

const advance = (ctx: SyncContext, kind: CursorKind, position: number) =>
  ctx.store.transaction(() => ctx.store.cloud.advance(kind, position, ctx.now()));

/** Registers (PUT, or POST when the cloud doesn't know it) or removes each instance that changed. */
async function pushInstances(ctx: SyncContext): Promise<number> {
  let sent = 0;
  for (let entries = ctx.store.cloud.journal('instance', ctx.batch.items); entries.length > 0; entries = ctx.store.cloud.journal('instance', ctx.batch.items)) {
    for (const { seq, entityId: instanceId } of entries) {
      const instance = ctx.store.instances.get(instanceId);
      const built = instance && instancePayload(ctx.instances.toResource(instance), ctx.settings);
      if (!built) {
        await ctx.client.call(ctx.settings, 'deleteInstance', { instanceId }, undefined, [404]);
        ctx.instanceProblem(instanceId, null);
        sent++;
      } else if ('problem' in built) {
        // Sent again when the connection (or the link's contact) changes.
        ctx.instanceProblem(instanceId, built.problem);
      } else {
        const updated = await ctx.client.call(ctx.settings, 'updateInstance', { instanceId }, built.payload, [404]);
        if (updated.status === 404) await ctx.client.call(ctx.settings, 'createInstance', {}, built.payload);
        ctx.instanceProblem(instanceId, null);
        sent++;
      }
      advance(ctx, 'instance', seq);
    }
  }
  return sent;
}

function sessionPayload(ctx: SyncContext, sessionId: string): object | undefined {
  const session = ctx.store.sessions.get(sessionId);
  return session && present(ctx.history.sessionResource(session));
}

/** Sends a journal kind's changed entities in batches, each as it is now. */
async function pushJournal(ctx: SyncContext, kind: JournalKind, path: CloudPathName, build: (id: string) => object | undefined): Promise<number> {
  let sent = 0;
  for (;;) {
    const { items, last } = batchOf(ctx, ctx.store.cloud.journal(kind, ctx.batch.items), (e) => build(e.entityId), (e) => e.seq);
    if (last === null) return sent;
    if (items.length > 0) await ctx.client.call(ctx.settings, path, {}, items);
    advance(ctx, kind, last);
    sent += items.length;
  }
}

async function pushEventLogs(ctx: SyncContext): Promise<number> {
  let sent = 0;
  for (;;) {
    const events = ctx.store.cloud.eventsAfter(ctx.store.cloud.cursor('eventLog') ?? 0, ctx.batch.items);
    const { items, last } = batchOf(ctx, events, (e) => present(ctx.history.eventResource(e)), (e) => e.logId);
    if (last === null) return sent;
    await ctx.client.call(ctx.settings, 'pushEventLogs', {}, items);
    advance(ctx, 'eventLog', last);
    sent += items.length;
  }
}

/**
 * The first rows whose payloads fit one call (at least one), and the position of the last
 * row taken (null when there were none). A row whose entity is gone is passed over.
 */
function batchOf<R>(ctx: SyncContext, rows: readonly R[], build: (row: R) => object | undefined, position: (row: R) => number): { items: object[]; last: number | null } {
  const items: object[] = [];
  let bytes = 0;
  let last: number | null = null;
  for (const row of rows) {
    const item = build(row);
    const size = item ? JSON.stringify(item).length : 0;
    if (items.length > 0 && bytes + size > ctx.batch.bytes) break;
    if (item) items.push(item);
    bytes += size;
    last = position(row);
  }
  return { items, last };
}

/**
 * Every metric of every instance, an hour a point, from the hour the cursor names to now.
 * The cursor then names the current hour, which is sent again (with more in it) next time.
 */
async function pushMetrics(ctx: SyncContext): Promise<number> {
  const now = ctx.now();
  const from = Math.max(ctx.store.cloud.cursor('metrics') ?? hourStart(now), hourStart(now - METRIC_RETENTION));
  let sent = 0;
  for (let start = from; start <= now; start += METRIC_WINDOW) {
    const end = Math.min(start + METRIC_WINDOW - 1, now);
    for (const instance of ctx.store.instances.list()) {
      for (const metricId of METRIC_IDS) {
        const metric = ctx.history.metric(instance.id, metricId, iso(start), iso(end));
        await ctx.client.call(ctx.settings, 'pushMetric', { instanceId: instance.id, metricId }, metric);
        sent++;
      }
    }
  }
  advance(ctx, 'metrics', hourStart(now));
  return sent;
}

/** Queues what a cloud app queued for each instance; returns how many were new. */
async function pullRequests(ctx: SyncContext): Promise<number> {
  let taken = 0;
  for (const instance of ctx.store.instances.list()) {
    const { text } = await ctx.client.call(ctx.settings, 'pullRequests', { instanceId: instance.id });
    const list = z.array(z.unknown()).safeParse(answerJson(text, 'the question for queued requests'));
    if (!list.success) throw new CloudCallError('The cloud service\'s answer to the question for queued requests is not a list of requests.', 'failed');
    for (const item of list.data) {
      const pulled = pulledRequestSchema.safeParse(item);
      const requestId = pulled.success ? pulled.data.requestId : (item as { requestId?: unknown } | null)?.requestId;
      // Without an id there is nothing to answer (nor to tell apart from the next time): passed over.
      if (typeof requestId !== 'string') continue;
      // Already queued here (its idempotency key is the cloud's id): its state goes back with the requests.
      if (ctx.store.requests.byIdempotencyKey(instance.id, requestId)) continue;
      if (!pulled.success) {
        await refuse(ctx, instance.id, requestId, `it is not a request as the QBD Connect API describes it: ${z.prettifyError(pulled.error)}`);
      } else if (await take(ctx, instance.id, pulled.data)) {
        taken++;
      }
    }
  }
  return taken;
}

/** Queues a pulled request as if an app had (its idempotency key: the cloud's id), or refuses it. */
async function take(ctx: SyncContext, instanceId: string, pulled: PulledRequest): Promise<boolean> {
  const work = pulled.qbxml !== undefined ? { qbxml: pulled.qbxml } : pulled.json !== undefined ? { requests: pulled.json } : null;
  if (!work) return refuse(ctx, instanceId, pulled.requestId, 'it has neither qbxml nor json to send to QuickBooks');
  const input = requestCreateSchema.safeParse({ ...work, idempotencyKey: pulled.requestId, ...(pulled.priority !== undefined && { priority: pulled.priority }) });
  if (!input.success) return refuse(ctx, instanceId, pulled.requestId, z.prettifyError(input.error));
  try {
    const queued = ctx.requests.enqueue(instanceId, input.data, CLOUD_SOURCE);
    log(ctx, { clientId: instanceId, action: 'cloud.request.pulled', detail: `cloud request ${pulled.requestId}`, result: 'queued', requestId: queued.requestId });
    return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return refuse(ctx, instanceId, pulled.requestId, err.message);
  }
}

/** Tells the cloud a request of its can't be queued, and why; pulled again (and refused again) until the cloud has heard. */
async function refuse(ctx: SyncContext, instanceId: string, requestId: string, why: string): Promise<false> {
  const message = `The companion can't queue this request: ${why}`;
  const error = { code: 'refused', type: null, category: 'invalid_request', retryable: false, userFacingMessage: message, developerMessage: message };
  await ctx.client.call(ctx.settings, 'pushRequests', {}, [{ requestId, timestamp: new Date(ctx.now()).toISOString(), instanceId, status: 'error', error }]);
  log(ctx, { clientId: instanceId, action: 'cloud.request.refused', detail: `cloud request ${requestId}: ${why}`, result: 'refused', requestId: null });
  return false;
}

function log(ctx: SyncContext, e: Pick<NewEvent, 'clientId' | 'action' | 'detail' | 'result' | 'requestId'>): void {
  ctx.store.transaction(() => ctx.store.events.append({ ...e, timestamp: ctx.now(), user: 'companion', sessionId: null }));
}
