import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import type { RowOf } from './table';
import { type AttemptResult, DELIVERIES, DELIVERY_ATTEMPTS } from './tables';
import type { Delivery, DeliveryStatus } from './types';

type Row = Record<string, unknown>;

export type DeliveryAttempt = RowOf<typeof DELIVERY_ATTEMPTS.columns>;

/** A destination's outbox at a glance. */
export interface DestinationActivity {
  pending: number;
  dead: number;
  /** Attempts delivered since the time asked. */
  deliveredSince: number;
  /** Its newest attempt, with the answer that delivery's last attempt got. */
  last: { at: number; eventId: string; result: AttemptResult; statusCode: number | null; error: string | null } | null;
}

/** One destination of one instance: the key every question here is asked by. */
const DESTINATION = 'instance_id = @instanceId AND destination_id = @destinationId';
interface DestinationKey {
  instanceId: string;
  destinationId: string;
}

/**
 * The outbox: one row per (event, destination), written in the unit of work that produced
 * the event, and one row of delivery_attempts per attempt at sending one.
 */
export class DeliveryStore {
  private readonly insertStmt;
  private readonly byEventIdStmt;
  private readonly dueStmt;
  private readonly nextDueStmt;
  private readonly updateStmt;
  private readonly attemptStmt;
  private readonly dropUnsentStmt;
  private readonly pendingStmt;
  private readonly deadStmt;
  private readonly deliveredStmt;
  private readonly lastAttemptStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare<[Row], { seq: number }>(`${DELIVERIES.insertSql('seq')} RETURNING seq`);
    this.byEventIdStmt = db.prepare<[string], Row>(`${DELIVERIES.select} WHERE event_id = ?`);
    // Off deliveries_due: the rows due now, earliest first, stopping at the limit; a row waits
    // while an older row of its record — or, for a Merge, of either record — is pending
    // (deliveries_record, deliveries_merged), so a record's rows go in order.
    this.dueStmt = db.prepare<[DestinationKey & { now: number; limit: number }], Row>(
      `${DELIVERIES.select} d WHERE status = 'pending' AND ${DESTINATION} AND next_attempt_at <= @now
         AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.status = 'pending' AND o.instance_id = d.instance_id
           AND o.destination_id = d.destination_id AND o.record_key IN (d.record_key, d.merged_key) AND o.seq < d.seq)
         AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.status = 'pending' AND o.merged_key IS NOT NULL AND o.instance_id = d.instance_id
           AND o.destination_id = d.destination_id AND o.merged_key IN (d.record_key, d.merged_key) AND o.seq < d.seq)
       ORDER BY next_attempt_at, seq LIMIT @limit`,
    );
    this.nextDueStmt = db.prepare<[DestinationKey & { after: number }], { at: number | null }>(
      `SELECT min(next_attempt_at) AS at FROM deliveries WHERE status = 'pending' AND ${DESTINATION} AND next_attempt_at > @after`,
    );
    this.updateStmt = DELIVERIES.updater(db, 'eventId');
    this.attemptStmt = db.prepare(DELIVERY_ATTEMPTS.insertSql('id'));
    this.dropUnsentStmt = db.prepare<[DestinationKey]>(`DELETE FROM deliveries WHERE ${DESTINATION} AND status IN ('pending', 'dead')`);
    this.pendingStmt = db.prepare<[DestinationKey], number>(`SELECT count(*) FROM deliveries WHERE status = 'pending' AND ${DESTINATION}`).pluck();
    this.deadStmt = db.prepare<[DestinationKey], number>(`SELECT count(*) FROM deliveries WHERE status = 'dead' AND ${DESTINATION}`).pluck();
    this.deliveredStmt = db
      .prepare<[DestinationKey & { since: number }], number>(`SELECT count(*) FROM delivery_attempts WHERE ${DESTINATION} AND at >= @since AND result = 'delivered'`)
      .pluck();
    this.lastAttemptStmt = db.prepare<[DestinationKey], Row>(
      `SELECT a.at, a.result, d.event_id, d.last_status_code, d.last_error FROM delivery_attempts a JOIN deliveries d ON d.seq = a.delivery_seq
       WHERE a.instance_id = @instanceId AND a.destination_id = @destinationId ORDER BY a.at DESC, a.id DESC LIMIT 1`,
    );
  }

  insert(d: Omit<Delivery, 'seq'>): Delivery {
    const { seq } = this.insertStmt.get(DELIVERIES.params(d)) as { seq: number };
    return { ...d, seq };
  }

  get(eventId: string): Delivery | undefined {
    const row = this.byEventIdStmt.get(eventId);
    return row && DELIVERIES.fromRow(row);
  }

  /** A destination's rows to send now, at most `limit`, earliest due first: of each record only its oldest pending row. */
  due(instanceId: string, destinationId: string, now: number, limit: number): Delivery[] {
    return this.dueStmt.all({ instanceId, destinationId, now, limit }).map((r) => DELIVERIES.fromRow(r));
  }

  /**
   * The earliest time after `after` a pending row of the destination is due; null when none.
   * Asked when a pass at `after` sent nothing: every row due then waited behind an older row
   * of its record, which is due later — so this is when the destination next has work.
   */
  nextDueAfter(instanceId: string, destinationId: string, after: number): number | null {
    return (this.nextDueStmt.get({ instanceId, destinationId, after }) as { at: number | null }).at;
  }

  update(eventId: string, patch: Partial<Delivery>): void {
    this.updateStmt(eventId, patch);
  }

  recordAttempt(attempt: Omit<DeliveryAttempt, 'id'>): void {
    this.attemptStmt.run(DELIVERY_ATTEMPTS.params(attempt));
  }

  /** Every dead row of an instance (of one destination, when given) back to pending with a fresh schedule; returns how many. */
  replayDead(instanceId: string, destinationId: string | undefined, now: number): number {
    return this.db
      .prepare<Row>(
        `UPDATE deliveries SET status = 'pending', failures = 0, next_attempt_at = @now WHERE instance_id = @instanceId AND status = 'dead'${destinationId !== undefined ? ' AND destination_id = @destinationId' : ''}`,
      )
      .run({ instanceId, destinationId, now }).changes;
  }

  /** Deletes a destination's rows not delivered (pending and dead): it is gone, they can go nowhere. Returns how many. */
  dropUnsent(instanceId: string, destinationId: string): number {
    return this.dropUnsentStmt.run({ instanceId, destinationId }).changes;
  }

  activity(instanceId: string, destinationId: string, deliveredSince: number): DestinationActivity {
    const key = { instanceId, destinationId };
    const last = this.lastAttemptStmt.get(key);
    return {
      pending: this.pendingStmt.get(key) as number,
      dead: this.deadStmt.get(key) as number,
      deliveredSince: this.deliveredStmt.get({ ...key, since: deliveredSince }) as number,
      last: last
        ? {
            at: last.at as number,
            eventId: last.event_id as string,
            result: last.result as AttemptResult,
            statusCode: last.last_status_code as number | null,
            error: last.last_error as string | null,
          }
        : null,
    };
  }

  /** Newest first. */
  list(
    instanceId: string,
    filter: { status?: DeliveryStatus; destinationId?: string },
    limit: number,
    cursor: string | undefined,
  ): { rows: Delivery[]; nextCursor: string | null } {
    const [before] = cursor ? decodeCursor(cursor) : [Number.MAX_SAFE_INTEGER];
    const where = [
      'instance_id = @instanceId AND seq < @before',
      ...(filter.status ? ['status = @status'] : []),
      ...(filter.destinationId !== undefined ? ['destination_id = @destinationId'] : []),
    ];
    const rows = this.db
      .prepare<Row, Row>(`${DELIVERIES.select} WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT @limit`)
      .all({ instanceId, before, ...filter, limit: limit + 1 })
      .map((r) => DELIVERIES.fromRow(r));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(last.seq, '') : null };
  }
}
