import type { Db } from './db';
import type { Sql } from './sql';

/**
 * Raw qbXML responses: a small one in a single row, a large one in chunks as it streams in. A response is `complete`
 * once the SOAP call that carried it was fully received; incomplete ones (a dropped
 * connection, a crash mid-upload) are removed at start, with the records parsed from them.
 */
export class ResponseStore {
  private readonly createStmt;
  private readonly insertWholeStmt;
  private readonly chunkStmt;
  private readonly finishStmt;
  private readonly discardChunksStmt;
  private readonly discardRecordsStmt;
  private readonly purgeRecordsStmt;
  private readonly discardStmt;
  private readonly chunksStmt;
  private readonly metaStmt;
  private readonly purgeChunksStmt;
  private readonly purgeStmt;

  constructor(sql: Sql) {
    const db = sql.db;
    this.createStmt = sql.write<[string | null, string | null, number]>('INSERT INTO responses (session_id, request_id, received_at) VALUES (?, ?, ?)');
    this.insertWholeStmt = sql.write<[string | null, string | null, number, number, string | null, string]>(
      'INSERT INTO responses (session_id, request_id, received_at, size, parse_error, data, complete) VALUES (?, ?, ?, ?, ?, ?, 1)',
    );
    this.chunkStmt = sql.write<[number, number, string]>('INSERT INTO response_chunks (response_id, seq, data) VALUES (?, ?, ?)');
    this.finishStmt = sql.write<[string | null, number, string | null, number]>(
      'UPDATE responses SET request_id = ?, size = ?, parse_error = ?, complete = 1 WHERE id = ?',
    );
    this.discardChunksStmt = sql.write<[number]>('DELETE FROM response_chunks WHERE response_id = ?');
    // Records are found through the response's request (the records key starts with it).
    this.discardRecordsStmt = sql.write<[number, number]>(
      `DELETE FROM records WHERE response_id = ?2
         AND request_seq = (SELECT q.seq FROM requests q JOIN responses r ON q.id = r.request_id WHERE r.id = ?1)`,
    );
    this.discardStmt = sql.write<[number]>('DELETE FROM responses WHERE id = ?');
    this.chunksStmt = db.prepare<[number, number], { data: string }>(
      'SELECT data FROM responses WHERE id = ? AND data IS NOT NULL UNION ALL SELECT data FROM (SELECT data FROM response_chunks WHERE response_id = ? ORDER BY seq)',
    );
    this.metaStmt = db.prepare<[number], { size: number; parse_error: string | null }>(
      'SELECT size, parse_error FROM responses WHERE id = ? AND complete = 1',
    );
    this.purgeChunksStmt = sql.write(
      'DELETE FROM response_chunks WHERE response_id IN (SELECT id FROM responses WHERE complete = 0)',
    );
    this.purgeRecordsStmt = sql.write(
      `DELETE FROM records WHERE request_seq IN (SELECT q.seq FROM requests q JOIN responses r ON q.id = r.request_id WHERE r.complete = 0)
         AND response_id IN (SELECT id FROM responses WHERE complete = 0)`,
    );
    this.purgeStmt = sql.write('DELETE FROM responses WHERE complete = 0');
  }

  /** A complete response in one row (the common case: one SOAP call, one small answer). */
  insertWhole(sessionId: string | null, requestId: string | null, now: number, size: number, parseError: string | null, data: string): number {
    return Number(this.insertWholeStmt.run(sessionId, requestId, now, size, parseError, data).lastInsertRowid);
  }

  /** Starts a response that arrives in chunks; its records all belong to `requestId`. */
  create(sessionId: string | null, requestId: string | null, now: number): number {
    return Number(this.createStmt.run(sessionId, requestId, now).lastInsertRowid);
  }

  appendChunk(responseId: number, seq: number, data: string): void {
    this.chunkStmt.run(responseId, seq, data);
  }

  finish(responseId: number, requestId: string | null, size: number, parseError: string | null): void {
    this.finishStmt.run(requestId, size, parseError, responseId);
  }

  discard(responseId: number): void {
    this.discardRecordsStmt.run(responseId, responseId);
    this.discardChunksStmt.run(responseId);
    this.discardStmt.run(responseId);
  }

  /** Removes the records parsed from a response (one that matched no request). */
  dropRecords(responseId: number): void {
    this.discardRecordsStmt.run(responseId, responseId);
  }

  /** Removes responses whose upload never completed. */
  purgeIncomplete(): number {
    this.purgeRecordsStmt.run();
    this.purgeChunksStmt.run();
    return this.purgeStmt.run().changes;
  }

  meta(responseId: number): { size: number; parseError: string | null } | undefined {
    const row = this.metaStmt.get(responseId);
    return row && { size: row.size, parseError: row.parse_error };
  }

  *chunks(responseId: number): Generator<string> {
    for (const row of this.chunksStmt.iterate(responseId, responseId)) yield row.data;
  }

  text(responseId: number): string {
    let s = '';
    for (const c of this.chunks(responseId)) s += c;
    return s;
  }
}
