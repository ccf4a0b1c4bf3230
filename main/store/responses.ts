import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { decodeEntities } from '../xml/tokenizer';
import type { Db } from './db';

/** Where large responses are kept, inside the data folder. */
export const RESPONSES_DIR = 'responses';

/** Bytes read from a response file at a time. */
const READ_BYTES = 1 << 20;

/**
 * A large response's text on disk, exactly as the Web Connector sent it inside the SOAP
 * string: XML-escaped. Storing it undecoded spares the main thread a pass over every
 * character; it is decoded when read back, which is rare.
 */
export class ResponseFile {
  private fd: number | null;

  constructor(
    private readonly dir: string,
    /** Path relative to the data folder, as recorded in the row. */
    readonly name: string,
    private readonly fsync: boolean,
  ) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true, mode: 0o700 });
    this.fd = fs.openSync(path.join(dir, name), 'wx', 0o600);
  }

  append(escaped: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.name} is closed`);
    fs.writeSync(this.fd, typeof escaped === 'string' ? Buffer.from(escaped, 'utf8') : escaped);
  }

  /** Flushes and closes; the text must be on disk before its row says it is complete. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    if (this.fsync) fs.fdatasyncSync(fd);
    fs.closeSync(fd);
  }

  /** Closes (if open) and deletes. */
  remove(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(path.join(this.dir, this.name), { force: true });
  }
}

/**
 * Raw qbXML responses: a small one in its row's data column, a large one in a file of
 * its own. A response is `complete` once the SOAP call that carried it was fully
 * received; incomplete ones (a dropped connection, a crash mid-upload) are removed at
 * start, with their files and the records parsed from them.
 */
export class ResponseStore {
  private readonly createStmt;
  private readonly insertWholeStmt;
  private readonly finishStmt;
  private readonly discardRecordsStmt;
  private readonly purgeRecordsStmt;
  private readonly discardStmt;
  private readonly rowStmt;
  private readonly metaStmt;
  private readonly incompleteFilesStmt;
  private readonly filesStmt;
  private readonly purgeStmt;

  constructor(
    db: Db,
    private readonly dataDir: string,
    private readonly fsync: boolean,
  ) {
    this.createStmt = db.prepare<[string | null, string | null, number, string], { id: number }>(
      'INSERT INTO responses (session_id, request_id, received_at, file) VALUES (?, ?, ?, ?) RETURNING id',
    );
    this.insertWholeStmt = db.prepare<[string | null, string | null, number, number, string | null, string], { id: number }>(
      'INSERT INTO responses (session_id, request_id, received_at, size, parse_error, data, complete) VALUES (?, ?, ?, ?, ?, ?, 1) RETURNING id',
    );
    this.finishStmt = db.prepare<[string | null, number, string | null, number]>(
      'UPDATE responses SET request_id = ?, size = ?, parse_error = ?, complete = 1 WHERE id = ?',
    );
    // Records are found through the response's request (the records key starts with it).
    // (better-sqlite3 binds "?NNN" parameters by name, so these are plain "?" in order.)
    this.discardRecordsStmt = db.prepare<[number, number]>(
      `DELETE FROM records WHERE request_seq = (SELECT q.seq FROM requests q JOIN responses r ON q.id = r.request_id WHERE r.id = ?)
         AND response_id = ?`,
    );
    this.discardStmt = db.prepare<[number]>('DELETE FROM responses WHERE id = ?');
    this.rowStmt = db.prepare<[number], { data: string | null; file: string | null }>('SELECT data, file FROM responses WHERE id = ?');
    this.metaStmt = db.prepare<[number], { size: number; parse_error: string | null }>(
      'SELECT size, parse_error FROM responses WHERE id = ? AND complete = 1',
    );
    this.incompleteFilesStmt = db.prepare<[], { file: string }>('SELECT file FROM responses WHERE complete = 0 AND file IS NOT NULL');
    this.filesStmt = db.prepare<[], { file: string }>('SELECT file FROM responses WHERE file IS NOT NULL');
    this.purgeRecordsStmt = db.prepare(
      `DELETE FROM records WHERE request_seq IN (SELECT q.seq FROM requests q JOIN responses r ON q.id = r.request_id WHERE r.complete = 0)
         AND response_id IN (SELECT id FROM responses WHERE complete = 0)`,
    );
    this.purgeStmt = db.prepare('DELETE FROM responses WHERE complete = 0');
  }

  /** A complete response in one row (the common case: one SOAP call, one small answer). */
  insertWhole(sessionId: string | null, requestId: string | null, now: number, size: number, parseError: string | null, data: string): number {
    return (this.insertWholeStmt.get(sessionId, requestId, now, size, parseError, data) as { id: number }).id;
  }

  /** A new file for a large response's text; its row is created once there is something to attach to it. */
  openFile(): ResponseFile {
    return new ResponseFile(this.dataDir, `${RESPONSES_DIR}/${randomUUID()}.xml`, this.fsync);
  }

  /** Starts the row of a large response; its records all belong to `requestId`. */
  create(sessionId: string | null, requestId: string | null, now: number, file: ResponseFile): number {
    return (this.createStmt.get(sessionId, requestId, now, file.name) as { id: number }).id;
  }

  finish(responseId: number, requestId: string | null, size: number, parseError: string | null): void {
    this.finishStmt.run(requestId, size, parseError, responseId);
  }

  discard(responseId: number): void {
    const file = this.rowStmt.get(responseId)?.file;
    this.discardRecordsStmt.run(responseId, responseId);
    this.discardStmt.run(responseId);
    if (file) fs.rmSync(path.join(this.dataDir, file), { force: true });
  }

  /** Removes the records parsed from a response (one that matched no request). */
  dropRecords(responseId: number): void {
    this.discardRecordsStmt.run(responseId, responseId);
  }

  /** Removes responses whose upload never completed, and files no response owns. */
  purgeIncomplete(): number {
    const doomed = this.incompleteFilesStmt.all().map((r) => r.file);
    this.purgeRecordsStmt.run();
    const purged = this.purgeStmt.run().changes;
    for (const file of doomed) fs.rmSync(path.join(this.dataDir, file), { force: true });
    // A crash between creating a file and recording it leaves the file alone.
    const owned = new Set(this.filesStmt.all().map((r) => r.file));
    let names: string[] = [];
    try {
      names = fs.readdirSync(path.join(this.dataDir, RESPONSES_DIR));
    } catch {
      // no large response yet
    }
    for (const name of names) {
      const file = `${RESPONSES_DIR}/${name}`;
      if (!owned.has(file)) fs.rmSync(path.join(this.dataDir, file), { force: true });
    }
    return purged;
  }

  meta(responseId: number): { size: number; parseError: string | null } | undefined {
    const row = this.metaStmt.get(responseId);
    return row && { size: row.size, parseError: row.parse_error };
  }

  /** The response's text, decoded, piece by piece. */
  *chunks(responseId: number): Generator<string> {
    const row = this.rowStmt.get(responseId);
    if (!row) return;
    if (row.file === null) {
      if (row.data !== null) yield row.data;
      return;
    }
    const fd = fs.openSync(path.join(this.dataDir, row.file), 'r');
    try {
      const buf = Buffer.allocUnsafe(READ_BYTES);
      const utf8 = new StringDecoder('utf8');
      let carry = '';
      for (;;) {
        const n = fs.readSync(fd, buf, 0, READ_BYTES, null);
        const text = carry + (n > 0 ? utf8.write(buf.subarray(0, n)) : utf8.end());
        // A reference cut by the read waits for the rest of it.
        const amp = n > 0 ? text.lastIndexOf('&') : -1;
        const cut = amp !== -1 && text.indexOf(';', amp) === -1 ? amp : text.length;
        carry = text.slice(cut);
        if (cut > 0) yield decodeEntities(text.slice(0, cut));
        if (n === 0) return;
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  text(responseId: number): string {
    let s = '';
    for (const c of this.chunks(responseId)) s += c;
    return s;
  }
}
