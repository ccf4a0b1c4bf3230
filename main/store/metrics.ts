import type { Db } from './db';

export type MetricId =
  | 'sessions'
  | 'requests_completed'
  | 'requests_failed'
  | 'request_latency_ms'
  | 'response_bytes'
  | 'auth_failures'
  | 'connection_errors';

export type Aggregate = 'count' | 'sum' | 'avg';

/** For each metric: the rows it aggregates, their time column, and how. */
const METRICS: Record<MetricId, { aggregate: Aggregate; sql: string }> = {
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

  /**
   * Values per time bucket of `bucketMs` in [from, to]; buckets without rows are absent.
   * (Bound JS numbers are REALs in SQLite; the casts keep the bucket division integral.)
   */
  buckets(metric: MetricId, instanceId: string, from: number, to: number, bucketMs: number): Bucket[] {
    const m = METRICS[metric];
    const fn = m.aggregate === 'count' ? 'count(*)' : m.aggregate === 'sum' ? 'sum(v)' : 'avg(v)';
    return this.db
      .prepare<Record<string, number | string>, Bucket>(
        `SELECT (t / CAST(@bucket AS INTEGER)) * CAST(@bucket AS INTEGER) AS start, ${fn} AS value FROM (${m.sql}) WHERE t BETWEEN @from AND @to GROUP BY 1 ORDER BY 1`,
      )
      .all({ id: instanceId, from, to, bucket: bucketMs });
  }
}
