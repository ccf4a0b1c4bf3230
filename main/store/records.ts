import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import type { RowOf } from './table';
import { RECORDS } from './tables';

export type StoredRecord = RowOf<typeof RECORDS.columns>;

export interface NewRecord {
  /** The request's seq (its integer key). */
  requestSeq: number;
  seq: number;
  responseId: number;
  rsIndex: number;
  name: string;
  key: string | null;
  editSequence: string | null;
  /** The record as JSON text, or as its UTF-8 bytes (stored as the same TEXT). */
  data: string | Uint8Array;
}

type RecordParams = [
  requestSeq: number,
  seq: number,
  responseId: number,
  rsIndex: number,
  name: string,
  key: string | null,
  editSequence: string | null,
  data: string | Uint8Array,
];

/**
 * Parsed records of qbXML responses (each child of a …Rs: InvoiceRet, CustomerRet, …),
 * written as the response streams in. For an iterated query, a record with a ListID/TxnID
 * is stored once: when the query restarts after a session break, pages seen before update
 * the rows they already have instead of adding duplicates. (ResponseStore removes the
 * records of a response whose upload never completed.)
 */
export class RecordStore {
  private readonly insertStmt;
  private readonly upsertStmt;
  private readonly pageStmt;
  private readonly byKeyStmt;

  constructor(db: Db) {
    const insert = `INSERT INTO records (request_seq, seq, response_id, rs_index, name, record_key, edit_sequence, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))`;
    this.insertStmt = db.prepare<RecordParams>(insert);
    // A key already there is the same record seen again (an iterator restarted after a
    // session break): it is updated in place, keeping its place in the result.
    this.upsertStmt = db.prepare<RecordParams, { seq: number }>(
      `${insert}
       ON CONFLICT (request_seq, record_key) WHERE record_key IS NOT NULL
       DO UPDATE SET data = excluded.data, edit_sequence = excluded.edit_sequence
       RETURNING seq`,
    );
    // Only records of complete responses: a large one's records are written while it
    // streams in, and are the request's only once its upload ended. (A record seen before,
    // updated in place when a restarted iteration sees it again, shows its new data at once:
    // it belongs to the earlier, complete response.)
    const visible = `${RECORDS.select} WHERE request_seq = ? AND EXISTS (SELECT 1 FROM responses r WHERE r.id = records.response_id AND r.complete = 1)`;
    this.pageStmt = db.prepare<[number, number, number], Record<string, unknown>>(`${visible} AND seq > ? ORDER BY seq LIMIT ?`);
    this.byKeyStmt = db.prepare<[number, string], Record<string, unknown>>(`${visible} AND record_key = ?`);
  }

  /** Stores a record; returns true if it is new, false if it replaced one with the same key. */
  upsert(r: NewRecord): boolean {
    const params: RecordParams = [r.requestSeq, r.seq, r.responseId, r.rsIndex, r.name, r.key, r.editSequence, r.data];
    if (r.key === null) {
      this.insertStmt.run(...params); // no key: nothing to replace
      return true;
    }
    return (this.upsertStmt.get(...params) as { seq: number }).seq === r.seq;
  }

  page(requestSeq: number, limit: number, cursor: string | null): { records: StoredRecord[]; nextCursor: string | null } {
    const [after] = cursor ? decodeCursor(cursor) : [-1];
    const rows = this.pageStmt.all(requestSeq, after, limit + 1);
    const more = rows.length > limit;
    const records = rows.slice(0, limit).map((r) => RECORDS.fromRow(r));
    const last = records[records.length - 1];
    return { records, nextCursor: more && last ? encodeCursor(last.seq, '') : null };
  }

  byKey(requestSeq: number, key: string): StoredRecord | undefined {
    const row = this.byKeyStmt.get(requestSeq, key);
    return row && RECORDS.fromRow(row);
  }
}
