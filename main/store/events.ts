import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import type { Sql } from './sql';
import type { EventRecord } from './types';

interface EventRow {
  log_id: number;
  client_id: string | null;
  timestamp: number;
  user: string;
  action: string;
  detail: string | null;
  result: string | null;
  session_id: string | null;
  request_id: string | null;
}

const fromRow = (r: EventRow): EventRecord => ({
  logId: r.log_id,
  clientId: r.client_id,
  timestamp: r.timestamp,
  user: r.user,
  action: r.action,
  detail: r.detail,
  result: r.result,
  sessionId: r.session_id,
  requestId: r.request_id,
});

export type NewEvent = Omit<EventRecord, 'logId'>;

export interface EventQuery {
  clientId: string;
  fromTime?: number;
  toTime?: number;
  /** Exact action, or a prefix ending in '*' (e.g. 'session.*'). */
  action?: string;
  limit: number;
  cursor: string | null;
}

export interface EventPage {
  events: EventRecord[];
  nextCursor: string | null;
}

/** The event log (seed 003's EventLog): append-only. */
export class EventStore {
  private readonly insertStmt;

  private readonly db: Db;

  constructor(sql: Sql) {
    const db = sql.db;
    this.db = db;
    this.insertStmt = sql.write(
      `INSERT INTO events (client_id, timestamp, user, action, detail, result, session_id, request_id)
       VALUES (@clientId, @timestamp, @user, @action, @detail, @result, @sessionId, @requestId)`,
    );
  }

  append(e: NewEvent): number {
    return Number(this.insertStmt.run(e).lastInsertRowid);
  }

  /** Newest first. */
  query(q: EventQuery): EventPage {
    const where = ['client_id = @clientId', 'log_id < @before'];
    if (q.fromTime !== undefined) where.push('timestamp >= @fromTime');
    if (q.toTime !== undefined) where.push('timestamp <= @toTime');
    let action: string | undefined;
    if (q.action) {
      if (q.action.endsWith('*')) {
        where.push("action LIKE @action ESCAPE '\\'");
        action = q.action.slice(0, -1).replace(/[\\%_]/g, (c) => '\\' + c) + '%';
      } else {
        where.push('action = @action');
        action = q.action;
      }
    }
    const [before] = q.cursor ? decodeCursor(q.cursor) : [Number.MAX_SAFE_INTEGER];
    const rows = this.db
      .prepare<Record<string, unknown>, EventRow>(
        `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY log_id DESC LIMIT @limit`,
      )
      .all({ clientId: q.clientId, before, fromTime: q.fromTime, toTime: q.toTime, action, limit: q.limit + 1 });
    const more = rows.length > q.limit;
    const events = rows.slice(0, q.limit).map(fromRow);
    const last = events[events.length - 1];
    return { events, nextCursor: more && last ? encodeCursor(last.logId, '') : null };
  }
}
