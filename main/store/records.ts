import { decodeCursor, encodeCursor } from './cursor';
import type { Sql } from './sql';

/**
 * Parsed records of qbXML responses (each child of a …Rs: InvoiceRet, CustomerRet, …),
 * written as the response streams in. For an iterated query, a record with a ListID/TxnID
 * is stored once: when the query restarts after a session break, pages seen before update
 * the rows they already have instead of adding duplicates. (ResponseStore removes the
 * records of a response whose upload never completed.)
 */
export interface StoredRecord {
  seq: number;
  name: string;
  rsIndex: number;
  key: string | null;
  editSequence: string | null;
  data: unknown;
}

export interface NewRecord {
  /** The request's seq (its integer key). */
  requestSeq: number;
  seq: number;
  responseId: number;
  rsIndex: number;
  name: string;
  key: string | null;
  editSequence: string | null;
  /**
   * The record as JSON text, or as its UTF-8 bytes (stored as the same TEXT). Bytes are
   * for bulk writes only: the statement journal writes its parameters as JSON.
   */
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

interface RecordRow {
  seq: number;
  name: string;
  rs_index: number;
  record_key: string | null;
  edit_sequence: string | null;
  data: string;
}

export class RecordStore {
  private readonly insertStmt;
  private readonly upsertStmt;
  private readonly pageStmt;
  private readonly byKeyStmt;

  constructor(sql: Sql) {
    const db = sql.db;
    // Plain "?" in order: binding by name costs a lookup per parameter on every record,
    // and the journal writes an array shorter than an object.
    const insert = `INSERT INTO records (request_seq, seq, response_id, rs_index, name, record_key, edit_sequence, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))`;
    // Run later (see WriteStatement.runLater), so it must not be able to fail: a record's
    // place is given once from its request's count, and should one ever be taken, the
    // record there stays rather than the journal holding a statement its replay can't run.
    this.insertStmt = sql.write<RecordParams>(`${insert} ON CONFLICT (request_seq, seq) DO NOTHING`);
    this.upsertStmt = sql.write<RecordParams>(
      `${insert}
       ON CONFLICT (request_seq, record_key) WHERE record_key IS NOT NULL
       DO UPDATE SET data = excluded.data, edit_sequence = excluded.edit_sequence
       RETURNING seq`,
    );
    this.pageStmt = db.prepare<[number, number, number], RecordRow>(
      'SELECT seq, name, rs_index, record_key, edit_sequence, data FROM records WHERE request_seq = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.byKeyStmt = db.prepare<[number, string], RecordRow>(
      'SELECT seq, name, rs_index, record_key, edit_sequence, data FROM records WHERE request_seq = ? AND record_key = ?',
    );
  }

  /** Stores a record; returns true if it is new, false if it replaced one with the same key. */
  upsert(r: NewRecord): boolean {
    if (r.key === null) {
      this.insertStmt.runLater(r.requestSeq, r.seq, r.responseId, r.rsIndex, r.name, r.key, r.editSequence, r.data); // no key: nothing to replace
      return true;
    }
    return (this.upsertStmt.get(r.requestSeq, r.seq, r.responseId, r.rsIndex, r.name, r.key, r.editSequence, r.data) as { seq: number }).seq === r.seq;
  }

  page(requestSeq: number, limit: number, cursor: string | null): { records: StoredRecord[]; nextCursor: string | null } {
    const [after] = cursor ? decodeCursor(cursor) : [-1];
    const rows = this.pageStmt.all(requestSeq, after, limit + 1);
    const more = rows.length > limit;
    const records = rows.slice(0, limit).map(fromRow);
    const last = records[records.length - 1];
    return { records, nextCursor: more && last ? encodeCursor(last.seq, '') : null };
  }

  byKey(requestSeq: number, key: string): StoredRecord | undefined {
    const row = this.byKeyStmt.get(requestSeq, key);
    return row && fromRow(row);
  }
}

const fromRow = (r: RecordRow): StoredRecord => ({
  seq: r.seq,
  name: r.name,
  rsIndex: r.rs_index,
  key: r.record_key,
  editSequence: r.edit_sequence,
  data: JSON.parse(r.data) as unknown,
});
