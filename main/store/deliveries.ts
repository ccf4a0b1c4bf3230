import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { DELIVERIES } from './tables';
import type { Delivery, DeliveryStatus } from './types';

type Row = Record<string, unknown>;

const config = (key: string) => `json_extract(configuration_json, '$."${key}"')`;
/** Instances with a destination (on, with a URL and a token: destinationOf in main/forward/destination.ts): the only ones whose rows are sent. */
const ENABLED = `instance_id IN (SELECT id FROM instances WHERE deleted_at IS NULL AND ${config('event.notification.enabled')} = 'true'
  AND ${config('event.notification.callback.url')} <> '' AND ${config('event.notification.verifier.token')} <> '')`;
/** Pending, and no older pending row of the same record: one record's deliveries go in order. */
const HEAD = `status = 'pending' AND ${ENABLED} AND NOT EXISTS (SELECT 1 FROM deliveries o
  WHERE o.status = 'pending' AND o.instance_id = d.instance_id AND o.record_key = d.record_key AND o.seq < d.seq)`;

/** The outbox: one row per (event, destination), written in the unit of work that produced the event. */
export class DeliveryStore {
  private readonly insertStmt;
  private readonly byEventIdStmt;
  private readonly dueStmt;
  private readonly nextDueStmt;
  private readonly replayDeadStmt;
  private readonly updateStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare<[Row], { seq: number }>(`${DELIVERIES.insertSql('seq')} RETURNING seq`);
    this.byEventIdStmt = db.prepare<[string], Row>(`${DELIVERIES.select} WHERE event_id = ?`);
    this.dueStmt = db.prepare<[number, number], Row>(
      `${DELIVERIES.select} WHERE seq IN (SELECT seq FROM (SELECT d.seq, row_number() OVER (PARTITION BY d.instance_id ORDER BY d.seq) AS n
         FROM deliveries d WHERE ${HEAD} AND d.next_attempt_at <= ?) WHERE n <= ?) ORDER BY seq`,
    );
    this.nextDueStmt = db.prepare<[], { at: number | null }>(`SELECT min(next_attempt_at) AS at FROM deliveries d WHERE ${HEAD}`);
    this.replayDeadStmt = db.prepare<[number, string]>(
      `UPDATE deliveries SET status = 'pending', failures = 0, next_attempt_at = ? WHERE instance_id = ? AND status = 'dead'`,
    );
    this.updateStmt = DELIVERIES.updater(db, 'eventId');
  }

  insert(d: Omit<Delivery, 'seq'>): Delivery {
    const { seq } = this.insertStmt.get(DELIVERIES.params(d)) as { seq: number };
    return { ...d, seq };
  }

  get(eventId: string): Delivery | undefined {
    const row = this.byEventIdStmt.get(eventId);
    return row && DELIVERIES.fromRow(row);
  }

  /** Rows to send now, oldest first, at most `perInstance` of each instance: for each record only its oldest pending row, and only for enabled destinations. */
  due(now: number, perInstance: number): Delivery[] {
    return this.dueStmt.all(now, perInstance).map((r) => DELIVERIES.fromRow(r));
  }

  /** When the next row (see `due`) becomes due; null when none waits. */
  nextDueAt(): number | null {
    return (this.nextDueStmt.get() as { at: number | null }).at;
  }

  update(eventId: string, patch: Partial<Delivery>): void {
    this.updateStmt(eventId, patch);
  }

  /** Every dead row of an instance back to pending with a fresh schedule; returns how many. */
  replayDead(instanceId: string, now: number): number {
    return this.replayDeadStmt.run(now, instanceId).changes;
  }

  /** Newest first. */
  list(instanceId: string, status: DeliveryStatus | undefined, limit: number, cursor: string | undefined): { rows: Delivery[]; nextCursor: string | null } {
    const [before] = cursor ? decodeCursor(cursor) : [Number.MAX_SAFE_INTEGER];
    const rows = this.db
      .prepare<Row, Row>(
        `${DELIVERIES.select} WHERE instance_id = @instanceId AND seq < @before${status ? ' AND status = @status' : ''} ORDER BY seq DESC LIMIT @limit`,
      )
      .all({ instanceId, before, status, limit: limit + 1 })
      .map((r) => DELIVERIES.fromRow(r));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(last.seq, '') : null };
  }
}
