import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { EVENTS } from './tables';
import type { EventRecord } from './types';

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

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare<[Record<string, unknown>], { log_id: number }>(`${EVENTS.insertSql('logId')} RETURNING log_id`);
  }

  append(e: NewEvent): number {
    return (this.insertStmt.get(EVENTS.params(e)) as { log_id: number }).log_id;
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
      .prepare<Record<string, unknown>, Record<string, unknown>>(
        `${EVENTS.select} WHERE ${where.join(' AND ')} ORDER BY log_id DESC LIMIT @limit`,
      )
      .all({ clientId: q.clientId, before, fromTime: q.fromTime, toTime: q.toTime, action, limit: q.limit + 1 });
    const more = rows.length > q.limit;
    const events = rows.slice(0, q.limit).map((r) => EVENTS.fromRow(r));
    const last = events[events.length - 1];
    return { events, nextCursor: more && last ? encodeCursor(last.logId, '') : null };
  }
}
