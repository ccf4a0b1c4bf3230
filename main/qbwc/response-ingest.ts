/**
 * Receives the `response` field of receiveResponseXML as the SOAP body streams in,
 * still XML-escaped, and turns it into a stored response and its records (InvoiceRet,
 * CustomerRet, …) typed by the schema.
 *
 * A small response (the usual one) is kept in memory, decoded and parsed when the field
 * ends, and written in the handler's transaction. Past SPILL_CHARS it spills: the escaped
 * text goes to a file as it arrives (as raw bytes straight from the socket, once the
 * endpoint hands them over), is decoded here and parsed on a worker thread
 * (parse-thread.ts), and records are written in batches as they come back — so a 100 MB
 * response is never held whole, and receiving, parsing and storing overlap. Nothing is
 * visible until `commit`; an aborted or crashed upload leaves only an incomplete row
 * (with its file and records) that is removed at start.
 */
import { requestIdOf } from '../qbxml/envelope';
import type { RsInfo } from '../qbxml/parser';
import { type ResponseParsing, startParsing } from '../qbxml/parser/parse-thread';
import { type ResponseEvent, ResponseStreamParser, type StreamSummary } from '../qbxml/parser/stream';
import type { Store } from '../store';
import type { NewRecord } from '../store/records';
import type { ResponseFile } from '../store/responses';
import type { QueuedRequest, ResponseResult, Session } from '../store/types';
import { EscapedBytesDecoder } from '../xml/escaped-bytes';
import { escapeText } from '../xml/escape';
import { decodeEntities } from '../xml/tokenizer';
import type { TextSink } from './soap/decode';

/** Escaped characters held in memory before a response spills to a file and is parsed as it comes. */
const SPILL_CHARS = 1 << 20;
/** Escaped characters (or bytes) gathered before writing to the file. */
const FILE_WRITE_CHARS = 1 << 20;
/**
 * Records written per batch while a large response streams in. Small batches keep peak
 * memory down: a batch waiting to be written survives garbage collections and is copied
 * into the old generation, which only a full collection empties again.
 */
const FLUSH_RECORDS = 100;

interface Target {
  request: QueuedRequest;
  nextSeq: number;
  added: number;
}

interface Spill {
  file: ResponseFile;
  parsing: ResponseParsing;
  /** Settles once every record has come back from the parser. */
  done: Promise<void>;
  /** Decodes text that arrives as bytes; ended before text arrives as a string again. */
  bytes: EscapedBytesDecoder | null;
  /** Escaped text (or its UTF-8 bytes) not yet written to the file, in order. */
  unwritten: (string | Uint8Array)[];
  unwrittenSize: number;
}

function toResult(rs: RsInfo): ResponseResult {
  const r: ResponseResult = { type: rs.type };
  if (rs.requestID !== undefined) r.requestID = rs.requestID;
  if (rs.statusCode >= 0) r.statusCode = rs.statusCode;
  if (rs.statusSeverity) r.statusSeverity = rs.statusSeverity;
  if (rs.statusMessage !== undefined) r.statusMessage = rs.statusMessage;
  if (rs.retCount !== undefined) r.retCount = rs.retCount;
  if (rs.iteratorRemainingCount !== undefined) r.iteratorRemainingCount = rs.iteratorRemainingCount;
  if (rs.iteratorID !== undefined) r.iteratorID = rs.iteratorID;
  return r;
}

export class ResponseIngest implements TextSink {
  /** Escaped text of a response that has not spilled. */
  private pending = '';
  /** Its decoded text, once the field has ended. */
  private text = '';
  private spill: Spill | null = null;
  private summary: StreamSummary | null = null;
  private responseId: number | null = null;
  private readonly resultList: ResponseResult[] = [];
  private readonly targets = new Map<string, Target>();
  private current: Target | undefined;
  private keyed = false;
  private rsIndex = 0;
  private records: NewRecord[] = [];
  private aborted = false;
  private recordsKept = true;
  /** Why a batch of a large response's records could not be stored: the response fails when it ends. */
  private storeFailure: unknown;
  /** Set once the unit that committed the response has committed: it is kept, whatever happens next. */
  private committed = false;

  constructor(
    private readonly store: Store,
    /** The session the ticket named when the field began (undefined: unknown ticket). */
    readonly session: Session | undefined,
    private readonly now: () => number,
  ) {}

  /** True when QuickBooks sent no response text (as with an HRESULT failure). */
  get isEmpty(): boolean {
    return this.summary?.blank ?? true;
  }

  get results(): readonly ResponseResult[] {
    return this.resultList;
  }

  /** Why QuickBooks' response could not be read as qbXML, if it could not. */
  get parseError(): string | null {
    return this.summary?.parseError ?? null;
  }

  /** Whether the upload should pause until the parser catches up. */
  get congested(): boolean {
    return this.spill?.parsing.congested ?? false;
  }

  whenDrained(fn: () => void): void {
    if (this.spill) this.spill.parsing.whenDrained(fn);
    else fn();
  }

  /**
   * Resolves once the response is fully parsed (rejects only if the parsing thread
   * failed); undefined when it already is (a response that never spilled).
   */
  settled(): Promise<void> | undefined {
    return this.spill?.done;
  }

  /** New records parsed for a request by this response (none once they were dropped at commit). */
  recordsAdded(requestId: string): number {
    return this.recordsKept ? (this.targets.get(requestId)?.added ?? 0) : 0;
  }

  /** The request a response element named, as read when it arrived (saves reading it again). */
  requestRead(requestId: string): QueuedRequest | undefined {
    return this.targets.get(requestId)?.request;
  }

  // ---- TextSink: the SOAP field ----

  writeEscaped(raw: string): void {
    const spill = this.spill;
    if (spill === null) {
      this.pending += raw;
      if (this.pending.length >= SPILL_CHARS) this.startSpill();
      return;
    }
    this.endBytes(spill);
    spill.parsing.write(decodeEntities(raw));
    this.toFile(spill, raw, raw.length);
  }

  /** Once a response has spilled, its text may come as raw UTF-8 bytes straight from the socket. */
  get acceptsBytes(): boolean {
    return this.spill !== null;
  }

  writeBytes(bytes: Uint8Array): void {
    const spill = this.spill as Spill;
    spill.bytes ??= new EscapedBytesDecoder();
    spill.parsing.writeUtf8(spill.bytes.resolve(bytes));
    this.toFile(spill, bytes, bytes.length);
  }

  write(text: string): void {
    this.writeEscaped(escapeText(text));
  }

  end(): void {
    const spill = this.spill;
    if (spill === null) {
      // Decoding may throw (a malformed reference): the envelope is at fault.
      this.text = decodeEntities(this.pending);
      this.pending = '';
      const parser = new ResponseStreamParser((events) => this.apply(events), Infinity);
      parser.write(this.text);
      this.summary = parser.end();
      return;
    }
    this.endBytes(spill);
    this.flushFile(spill);
    spill.file.close();
    spill.done = spill.parsing.end().then((summary) => {
      this.summary = summary;
      this.writeBatch();
      if (this.storeFailure !== undefined) throw this.storeFailure;
    });
    spill.done.catch(() => undefined); // observed through settled()
  }

  /**
   * Drops the response: its file, and the row and records a large one had stored so far.
   * Nothing once the unit that committed it has committed.
   */
  abort(): void {
    if (this.committed) return;
    this.aborted = true;
    this.pending = '';
    this.records = [];
    this.spill?.parsing.abort();
    this.spill?.file.remove();
    const id = this.responseId;
    this.responseId = null;
    // Should the store be closed or refuse the delete (disk full), the row goes at the next start.
    if (id !== null && this.store.isOpen) {
      try {
        this.store.transaction(() => this.store.responses.discard(id));
      } catch {
        // removed by purgeIncomplete at the next start
      }
    }
  }

  /**
   * Stores what is left and marks the response complete; returns its id (null if empty).
   * With `requestId` null the response matched no request: it is kept, its records not.
   * `keepRecords` false keeps the response but not its records: an answer that will be
   * asked again (a retry) or was cut short must not add to the request's records.
   */
  commit(requestId: string | null, keepRecords = true): number | null {
    if (this.isEmpty) {
      this.abort();
      return null;
    }
    this.recordsKept = requestId !== null && keepRecords;
    this.store.afterCommit(() => {
      this.committed = true;
    });
    const size = this.summary?.bytes ?? 0;
    if (this.spill === null) {
      // It all fit in memory: one row, written with its records in the caller's transaction.
      this.responseId = this.store.responses.insertWhole(this.session?.id ?? null, requestId, this.now(), size, this.parseError, this.text);
      this.text = '';
      if (this.recordsKept) this.writeRecords();
      this.records = [];
      return this.responseId;
    }
    // Its records were all written as parsing ended (see end()), outside this transaction.
    const id = this.rowId();
    if (!this.recordsKept) this.store.responses.dropRecords(id);
    this.store.responses.finish(id, requestId, size, this.parseError);
    return id;
  }

  private startSpill(): void {
    const file = this.store.responses.openFile();
    const parsing = startParsing((events) => this.apply(events));
    this.spill = { file, parsing, done: Promise.resolve(), bytes: null, unwritten: [], unwrittenSize: 0 };
    const text = this.pending;
    this.pending = '';
    this.writeEscaped(text);
  }

  /** What the bytes decoder held back must be complete once a string or the end follows. */
  private endBytes(spill: Spill): void {
    if (spill.bytes === null) return;
    spill.parsing.writeUtf8(spill.bytes.finish());
    spill.bytes = null;
  }

  private toFile(spill: Spill, piece: string | Uint8Array, size: number): void {
    spill.unwritten.push(piece);
    spill.unwrittenSize += size;
    if (spill.unwrittenSize >= FILE_WRITE_CHARS) this.flushFile(spill);
  }

  private flushFile(spill: Spill): void {
    for (const piece of spill.unwritten) spill.file.append(piece);
    spill.unwritten = [];
    spill.unwrittenSize = 0;
  }

  // ---- parsed qbXML ----

  private apply(events: ResponseEvent[]): void {
    if (this.aborted || this.storeFailure !== undefined) return;
    for (const e of events) {
      if (e.kind === 'rs') {
        this.responseStart(e.rs);
        continue;
      }
      const t = this.current;
      if (!t) continue;
      this.records.push({
        requestSeq: t.request.seq,
        seq: t.nextSeq++,
        responseId: 0, // set when written
        rsIndex: this.rsIndex,
        name: e.name,
        key: this.keyed ? e.id : null,
        editSequence: e.editSequence,
        data: e.json,
      });
    }
    if (this.spill !== null && this.records.length >= FLUSH_RECORDS) this.writeBatch();
  }

  /**
   * Writes a large response's parsed records in a transaction of their own while the
   * upload streams, and its last ones when parsing ends; they count only once `commit`
   * marks the response complete. A batch that can't be stored (disk full) fails the
   * response when it ends, and later records are not stored: it runs where nothing could
   * catch an error (the parsing thread's message handler).
   */
  private writeBatch(): void {
    if (this.aborted || this.storeFailure !== undefined || this.records.length === 0) return;
    try {
      this.store.transaction(() => this.writeRecords());
    } catch (err) {
      this.storeFailure = err;
      this.records = [];
    }
  }

  private responseStart(rs: RsInfo): void {
    this.resultList.push(toResult(rs));
    this.rsIndex = rs.index;
    const id = rs.requestID ? requestIdOf(rs.requestID) : (this.session?.inFlightId ?? null);
    this.current = id ? this.target(id) : undefined;
    // Keys let a restarted iteration update records instead of duplicating them; a query
    // answered in one page (the first, with nothing remaining) can't restart.
    const it = this.current?.request.iterator;
    this.keyed = !!it && ((rs.iteratorRemainingCount ?? 0) > 0 || it.pages > 0 || it.restarts > 0);
  }

  private target(requestId: string): Target | undefined {
    let t = this.targets.get(requestId);
    if (!t) {
      const request = this.store.requests.get(requestId);
      if (!request || request.instanceId !== this.session?.instanceId) return undefined;
      t = { request, nextSeq: request.recordCount, added: 0 };
      this.targets.set(requestId, t);
    }
    return t;
  }

  /** The row of a spilled response, created with its first batch of records (or at commit). */
  private rowId(): number {
    this.responseId ??= this.store.responses.create(this.session?.id ?? null, this.firstTarget(), this.now(), (this.spill as Spill).file);
    return this.responseId;
  }

  private writeRecords(): void {
    const records = this.records;
    this.records = [];
    if (records.length === 0) return;
    const responseId = this.spill === null ? (this.responseId as number) : this.rowId();
    for (const r of records) {
      r.responseId = responseId;
      const added = this.store.records.upsert(r);
      const t = this.targetBySeq(r.requestSeq);
      if (added) t.added++;
      // A record seen before (an iterator restart) keeps its place; reuse this seq.
      else this.renumberFrom(r, records);
    }
  }

  private targetBySeq(seq: number): Target {
    for (const t of this.targets.values()) if (t.request.seq === seq) return t;
    throw new Error(`no target for request seq ${seq}`);
  }

  /** The request this response's records belong to (its first response element's). */
  private firstTarget(): string | null {
    const first = this.targets.values().next();
    return first.done ? null : first.value.request.id;
  }

  /** After a duplicate, later records of the same request shift down by one seq. */
  private renumberFrom(dup: NewRecord, batch: NewRecord[]): void {
    for (const r of batch) if (r.requestSeq === dup.requestSeq && r.seq > dup.seq) r.seq--;
    this.targetBySeq(dup.requestSeq).nextSeq--;
  }
}
