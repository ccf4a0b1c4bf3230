import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { EVENTS } from './tables';
import type { EventRecord } from './types';

export type NewEvent = Omit<EventRecord, 'logId'>;

export interface EventFilter {
  /** One connection's events; all of them when absent. */
  clientId?: string;
  fromTime?: number;
  toTime?: number;
  /** Exact action, or a prefix ending in '*' (e.g. 'session.*'). */
  action?: string;
  sessionId?: string;
  /** Text found anywhere in the action, detail, result or user (ASCII case ignored). */
  text?: string;
}

export interface EventQuery extends EventFilter {
  limit: number;
  cursor: string | null;
}

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

export interface EventPage {
  events: EventRecord[];
  nextCursor: string | null;
}

/** The event log (seed 003's EventLog): append-only. */
export class EventStore {
  private readonly insertStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare<[Record<string, unknown>], { log_id: number }>(`${EVENTS.insertSql('logId')} RETURNING log_id`);
  }

  append(e: NewEvent): number {
    return (this.insertStmt.get(EVENTS.params(e)) as { log_id: number }).log_id;
  }

  /** Newest first (by time, then by order of writing). */
  query(q: EventQuery): EventPage {
    const [ts, id] = q.cursor ? decodeCursor(q.cursor) : [Number.MAX_SAFE_INTEGER, ''];
    const rows = this.select(q, { timestamp: ts, logId: id === '' ? Number.MAX_SAFE_INTEGER : Number(id) }, q.limit + 1);
    const more = rows.length > q.limit;
    const events = rows.slice(0, q.limit);
    const last = events[events.length - 1];
    return { events, nextCursor: more && last ? encodeCursor(last.timestamp, String(last.logId)) : null };
  }

  /**
   * Every matching event, newest first, read a page at a time: the connection is free
   * between pages (an open iterator would keep it busy for as long as a slow reader takes).
   */
  *all(filter: EventFilter, pageSize = 1000): Generator<EventRecord> {
    let after = { timestamp: Number.MAX_SAFE_INTEGER, logId: Number.MAX_SAFE_INTEGER };
    for (;;) {
      const rows = this.select(filter, after, pageSize);
      yield* rows;
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageSize) return;
      after = { timestamp: last.timestamp, logId: last.logId };
    }
  }

  /**
   * Never sorted, read in an order the table already has: one connection's events, or a
   * stretch of time, straight off the (client_id, timestamp) or (timestamp) index — whose
   * entries end in the rowid, log_id; the whole log (a search of it above all) in rowid
   * order, which scans twice as fast as an index. Both are the order of writing, as
   * events are written with the time they happen.
   */
  private select(q: EventFilter, before: { timestamp: number; logId: number }, limit: number): EventRecord[] {
    const byTime = q.clientId !== undefined || q.fromTime !== undefined || q.toTime !== undefined;
    const where = [byTime ? '(timestamp, log_id) < (@beforeTime, @beforeId)' : 'log_id < @beforeId'];
    if (q.clientId !== undefined) where.push('client_id = @clientId');
    if (q.fromTime !== undefined) where.push('timestamp >= @fromTime');
    if (q.toTime !== undefined) where.push('timestamp <= @toTime');
    if (q.sessionId !== undefined) where.push('session_id = @sessionId');
    let action: string | undefined;
    if (q.action) {
      if (q.action.endsWith('*')) {
        where.push("action LIKE @action ESCAPE '\\'");
        action = likeEscaped(q.action.slice(0, -1)) + '%';
      } else {
        where.push('action = @action');
        action = q.action;
      }
    }
    const text = q.text ? `%${likeEscaped(q.text)}%` : undefined;
    if (text) where.push("(action LIKE @text ESCAPE '\\' OR detail LIKE @text ESCAPE '\\' OR result LIKE @text ESCAPE '\\' OR user LIKE @text ESCAPE '\\')");
    return this.db
      .prepare<Record<string, unknown>, Record<string, unknown>>(`${EVENTS.select} WHERE ${where.join(' AND ')} ORDER BY ${byTime ? 'timestamp DESC, ' : ''}log_id DESC LIMIT @limit`)
      .all({ clientId: q.clientId, beforeTime: before.timestamp, beforeId: before.logId, fromTime: q.fromTime, toTime: q.toTime, sessionId: q.sessionId, action, text, limit })
      .map((r) => EVENTS.fromRow(r));
  }
}
