/** What happened: sessions, the event log, metrics, and the health check. */
import type { z } from 'zod';
import type { eventSchema, metricSchema, sessionSchema } from '../contract/schemas';
import { invalid, notFound } from '../errors';
import type { Store } from '../store';
import type { EventFilter } from '../store/events';
import type { MetricId } from '../store/metrics';
import type { EventRecord, Session } from '../store/types';

type SessionResource = z.infer<typeof sessionSchema>;
type EventResource = z.infer<typeof eventSchema>;
type MetricResource = z.infer<typeof metricSchema>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Metrics cover at most this far back (seed 003: 360 days). */
const MAX_RANGE = 360 * DAY;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

const UNITS: Record<MetricId, string> = {
  sessions: 'count',
  requests_completed: 'count',
  requests_failed: 'count',
  request_latency_ms: 'milliseconds',
  response_bytes: 'bytes',
  auth_failures: 'count',
  connection_errors: 'count',
  deliveries: 'count',
  delivery_failures: 'count',
  delivery_lag_ms: 'milliseconds',
};

export interface EventFilterInput {
  instanceId?: string;
  fromTime?: string;
  toTime?: string;
  action?: string;
  sessionId?: string;
  q?: string;
}

/** A CSV field, quoted when it must be; a leading =, +, - or @ is neutralised so a spreadsheet never runs it as a formula. */
function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface HistoryServiceDeps {
  store: Store;
  now: () => number;
  startedAt: number;
  productVersion: string;
}

export class HistoryService {
  constructor(private readonly deps: HistoryServiceDeps) {}

  private requireInstance(instanceId: string): void {
    if (!this.deps.store.instances.get(instanceId)) throw notFound('instance', instanceId, 'instanceId');
  }

  sessionResource(s: Session): SessionResource {
    return {
      sessionId: s.id,
      instanceId: s.instanceId,
      timestamp: iso(s.createdAt),
      user: s.user,
      ipAddress: s.ipAddress,
      status: s.status,
      authResult: s.authResult,
      clientVersion: s.clientVersion,
      lastSeenAt: iso(s.lastSeenAt),
      endedAt: isoOrNull(s.endedAt),
      companyFile: s.companyFile,
      qbxmlVersion: s.qbxmlVersion,
      productName: s.host?.productName ?? null,
      requestsSent: s.requestsSent,
      requestsDone: s.requestsDone,
      requestsFailed: s.requestsFailed,
      connectionErrors: s.connectionErrors,
      lastError: s.lastError,
    };
  }

  sessions(instanceId: string, limit: number, cursor: string | undefined) {
    this.requireInstance(instanceId);
    const page = this.deps.store.sessions.page(instanceId, limit, cursor ?? null);
    return { data: page.sessions.map((s) => this.sessionResource(s)), nextCursor: page.nextCursor };
  }

  eventResource(e: EventRecord): EventResource {
    return { ...e, timestamp: iso(e.timestamp) };
  }

  /** The event log, newest first: one connection's (instanceId) or all of them. */
  events(q: EventFilterInput & { limit: number; cursor?: string }) {
    const page = this.deps.store.events.query({ ...this.eventFilter(q), limit: q.limit, cursor: q.cursor ?? null });
    return { data: page.events.map((e) => this.eventResource(e)), nextCursor: page.nextCursor };
  }

  /** The matching events as CSV (RFC 4180), newest first, produced as the reader takes them. */
  *eventsCsv(q: EventFilterInput): Generator<string> {
    const filter = this.eventFilter(q);
    const names = this.connectionNames();
    yield 'time,connection,action,result,detail,user,sessionId,requestId,logId\r\n';
    let chunk = '';
    for (const e of this.deps.store.events.all(filter)) {
      const row = [iso(e.timestamp), e.clientId ? (names.get(e.clientId) ?? e.clientId) : '', e.action, e.result, e.detail, e.user, e.sessionId, e.requestId, String(e.logId)];
      chunk += row.map(csvField).join(',') + '\r\n';
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }

  private connectionNames(): Map<string, string> {
    return new Map(this.deps.store.instances.list().map((i) => [i.id, i.name]));
  }

  private eventFilter(q: EventFilterInput): EventFilter {
    if (q.instanceId !== undefined) this.requireInstance(q.instanceId);
    const fromTime = q.fromTime !== undefined ? Date.parse(q.fromTime) : undefined;
    const toTime = q.toTime !== undefined ? Date.parse(q.toTime) : undefined;
    if (fromTime !== undefined && toTime !== undefined && fromTime > toTime) throw invalid('fromTime', 'fromTime must not be after toTime.');
    const filter: EventFilter = { clientId: q.instanceId, fromTime, toTime, action: q.action, sessionId: q.sessionId, text: q.q };
    if (q.sessionId !== undefined) {
      // A session's events lie within its time (and late answers within the hour after): read only that stretch of the time index.
      const session = this.deps.store.sessions.get(q.sessionId);
      if (!session) return { ...filter, toTime: -1 };
      filter.fromTime = Math.max(fromTime ?? -Infinity, session.createdAt);
      filter.toTime = Math.min(toTime ?? Infinity, (session.endedAt ?? this.deps.now()) + HOUR);
    }
    return filter;
  }

  /** Without toTime the window ends now; without fromTime it starts 24 hours before its end. */
  metric(instanceId: string, metricId: MetricId, fromTime?: string, toTime?: string, destinationId?: string): MetricResource {
    this.requireInstance(instanceId);
    const store = this.deps.store.metrics;
    if (destinationId !== undefined && !store.byDestination(metricId)) throw invalid('destinationId', `Only the delivery metrics are kept per destination, not ${metricId}.`);
    const now = this.deps.now();
    const requestedTo = toTime !== undefined ? Date.parse(toTime) : now;
    const requestedFrom = fromTime !== undefined ? Date.parse(fromTime) : requestedTo - DAY;
    if (requestedFrom > requestedTo) throw invalid('fromTime', 'fromTime must not be after toTime.');
    // Future toTime returns the latest data; older than the retention window is clamped.
    const to = Math.min(requestedTo, now);
    const from = Math.max(requestedFrom, now - MAX_RANGE);
    const bucket = to - from <= 7 * DAY ? HOUR : DAY;
    const rows = from <= to ? store.buckets(metricId, instanceId, from, to, bucket, destinationId) : [];
    const aggregate = store.aggregateOf(metricId);
    const byStart = new Map(rows.map((r) => [r.start, r.value]));
    const points: { timestamp: string; value: number }[] = [];
    if (aggregate === 'avg') {
      for (const r of rows) points.push({ timestamp: iso(r.start), value: Math.round(r.value) });
    } else {
      // Counts and sums: every bucket, zeros included, so charts need no gap logic.
      for (let t = Math.floor(from / bucket) * bucket; t <= to; t += bucket) points.push({ timestamp: iso(t), value: byStart.get(t) ?? 0 });
    }
    const values = rows.map((r) => r.value);
    const total =
      aggregate === 'avg'
        ? values.length
          ? Math.round(values.reduce((a, b) => a + b, 0) / values.length)
          : 0
        : values.reduce((a, b) => a + b, 0);
    return {
      metricId,
      instanceId,
      fromTime: iso(from),
      toTime: iso(to),
      interval: bucket === HOUR ? 'hour' : 'day',
      unit: UNITS[metricId],
      total,
      points,
    };
  }

  health() {
    return {
      status: 'ok' as const,
      version: this.deps.productVersion,
      uptimeSeconds: Math.round((this.deps.now() - this.deps.startedAt) / 1000),
      ...this.deps.store.counts(),
    };
  }
}
