import type { Db } from './db';

export type MetricId =
  | 'sessions'
  | 'requests_completed'
  | 'requests_failed'
  | 'request_latency_ms'
  | 'response_bytes'
  | 'auth_failures'
  | 'connection_errors'
  | 'deliveries'
  | 'delivery_failures'
  | 'delivery_lag_ms';

export type Aggregate = 'count' | 'sum' | 'avg';

/** A delivery metric's attempts: of the instance, and of one destination when @destinationId is given. */
const attempts = (join = '') =>
  `FROM delivery_attempts a ${join} WHERE a.instance_id = @id AND (@destinationId IS NULL OR a.destination_id = @destinationId)`;

/** For each metric: the rows it aggregates, their time column, and how; `byDestination` when it can be narrowed to one webhook destination. */
const METRICS: Record<MetricId, { aggregate: Aggregate; sql: string; byDestination?: true }> = {
  sessions: {
    aggregate: 'count',
    sql: "SELECT created_at AS t, 1 AS v FROM sessions WHERE instance_id = @id AND status <> 'rejected'",
  },
  requests_completed: {
    aggregate: 'count',
    sql: "SELECT completed_at AS t, 1 AS v FROM requests WHERE instance_id = @id AND status = 'done'",
  },
  requests_failed: {
    aggregate: 'count',
    sql: "SELECT updated_at AS t, 1 AS v FROM requests WHERE instance_id = @id AND status IN ('error', 'unknown_outcome')",
  },
  request_latency_ms: {
    aggregate: 'avg',
    sql: "SELECT completed_at AS t, completed_at - created_at AS v FROM requests WHERE instance_id = @id AND status = 'done'",
  },
  response_bytes: {
    aggregate: 'sum',
    sql: `SELECT r.received_at AS t, r.size AS v FROM responses r JOIN requests q ON q.id = r.request_id
          WHERE q.instance_id = @id AND r.complete = 1`,
  },
  auth_failures: {
    aggregate: 'count',
    sql: "SELECT created_at AS t, 1 AS v FROM sessions WHERE instance_id = @id AND status = 'rejected'",
  },
  connection_errors: {
    aggregate: 'count',
    sql: "SELECT timestamp AS t, 1 AS v FROM events WHERE client_id = @id AND action = 'session.connectionError'",
  },
  deliveries: {
    aggregate: 'count',
    sql: `SELECT a.at AS t, 1 AS v ${attempts()} AND a.result = 'delivered'`,
    byDestination: true,
  },
  // Failed answers (or none), the last one included, and 410s; not attempts made while this PC was offline.
  delivery_failures: {
    aggregate: 'count',
    sql: `SELECT a.at AS t, 1 AS v ${attempts()} AND a.result IN ('failed', 'dead', 'gone')`,
    byDestination: true,
  },
  // From queued to delivered.
  delivery_lag_ms: {
    aggregate: 'avg',
    sql: `SELECT a.at AS t, a.at - d.created_at AS v ${attempts('JOIN deliveries d ON d.seq = a.delivery_seq')} AND a.result = 'delivered'`,
    byDestination: true,
  },
};

export interface Bucket {
  start: number;
  value: number;
}

export class MetricStore {
  constructor(private readonly db: Db) {}

  aggregateOf(metric: MetricId): Aggregate {
    return METRICS[metric].aggregate;
  }

  /** Whether a metric can be narrowed to one webhook destination. */
  byDestination(metric: MetricId): boolean {
    return METRICS[metric].byDestination === true;
  }

  /**
   * Values per time bucket of `bucketMs` in [from, to]; buckets without rows are absent.
   * (Bound JS numbers are REALs in SQLite; the casts keep the bucket division integral.)
   */
  buckets(metric: MetricId, instanceId: string, from: number, to: number, bucketMs: number, destinationId: string | null = null): Bucket[] {
    const m = METRICS[metric];
    const fn = m.aggregate === 'count' ? 'count(*)' : m.aggregate === 'sum' ? 'sum(v)' : 'avg(v)';
    return this.db
      .prepare<Record<string, number | string | null>, Bucket>(
        `SELECT (t / CAST(@bucket AS INTEGER)) * CAST(@bucket AS INTEGER) AS start, ${fn} AS value FROM (${m.sql}) WHERE t BETWEEN @from AND @to GROUP BY 1 ORDER BY 1`,
      )
      .all({ id: instanceId, from, to, bucket: bucketMs, ...(m.byDestination ? { destinationId } : {}) });
  }
}
