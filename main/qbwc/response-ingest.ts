/**
 * Receives the `response` field of receiveResponseXML as it is decoded from the SOAP
 * body: stores the raw qbXML in chunks and parses it as it goes, typed by the schema,
 * writing each record (InvoiceRet, CustomerRet, …) to SQLite in batches — so a 100 MB
 * response is never held whole. Nothing becomes visible until `commit`, which runs in
 * the handler's transaction; an aborted or crashed upload leaves only an incomplete row
 * (and its records) that is removed at start.
 */
import { requestIdOf } from '../qbxml/envelope';
import { QbxmlResponseParser, type RecordSink, type RsInfo } from '../qbxml/parser';
import type { Store } from '../store';
import type { NewRecord } from '../store/records';
import type { QueuedRequest, ResponseResult, Session } from '../store/types';
import { XmlTokenizer } from '../xml/tokenizer';
import type { TextSink } from './soap/decode';

/** Characters of raw text, or records, buffered before a batch is written. */
const FLUSH_CHARS = 1 << 20;
const FLUSH_RECORDS = 500;

interface Target {
  request: QueuedRequest;
  nextSeq: number;
  added: number;
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

const idOf = (value: unknown, field: string): string | null => {
  const v = (value as Record<string, unknown> | null)?.[field];
  return typeof v === 'string' ? v : null;
};

export class ResponseIngest implements TextSink, RecordSink {
  private pending = '';
  private responseId: number | null = null;
  private chunkSeq = 0;
  private bytes = 0;
  private readonly tokenizer: XmlTokenizer;
  private error: string | null = null;
  private blank = true;
  private readonly resultList: ResponseResult[] = [];
  private readonly targets = new Map<string, Target>();
  private current: Target | undefined;
  private records: NewRecord[] = [];
  private keyed = false;

  constructor(
    private readonly store: Store,
    /** The session the ticket named when the field began (undefined: unknown ticket). */
    readonly session: Session | undefined,
    private readonly now: () => number,
  ) {
    this.tokenizer = new XmlTokenizer(new QbxmlResponseParser(this));
  }

  /** True when QuickBooks sent no response text (as with an HRESULT failure). */
  get isEmpty(): boolean {
    return this.blank;
  }

  get results(): readonly ResponseResult[] {
    return this.resultList;
  }

  /** Why QuickBooks' response could not be read as qbXML, if it could not. */
  get parseError(): string | null {
    return this.error;
  }

  /** New records parsed for a request by this response. */
  recordsAdded(requestId: string): number {
    return this.targets.get(requestId)?.added ?? 0;
  }

  /** The request a response element named, as read when it arrived (saves reading it again). */
  requestRead(requestId: string): QueuedRequest | undefined {
    return this.targets.get(requestId)?.request;
  }

  // ---- TextSink: the SOAP field ----

  write(text: string): void {
    if (this.blank && text.trim() !== '') this.blank = false;
    this.pending += text;
    if (this.error === null) {
      try {
        this.tokenizer.write(text);
      } catch (err) {
        this.error = (err as Error).message;
      }
    }
    if (this.pending.length >= FLUSH_CHARS || this.records.length >= FLUSH_RECORDS) this.flush();
  }

  end(): void {
    if (this.error !== null || this.blank) return;
    try {
      this.tokenizer.end();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  abort(): void {
    if (this.responseId !== null) this.store.responses.discard(this.responseId);
    this.responseId = null;
    this.pending = '';
    this.records = [];
  }

  // ---- RecordSink: the parsed qbXML ----

  responseStart(rs: RsInfo): void {
    this.resultList.push(toResult(rs));
    const id = rs.requestID ? requestIdOf(rs.requestID) : (this.session?.inFlightId ?? null);
    this.current = id ? this.target(id) : undefined;
    // Keys let a restarted iteration update records instead of duplicating them; a query
    // answered in one page (the first, with nothing remaining) can't restart.
    const it = this.current?.request.iterator;
    this.keyed = !!it && ((rs.iteratorRemainingCount ?? 0) > 0 || it.pages > 0 || it.restarts > 0);
  }

  record(rs: RsInfo, name: string, value: unknown): void {
    const t = this.current;
    if (!t) return;
    this.records.push({
      requestSeq: t.request.seq,
      seq: t.nextSeq,
      responseId: 0, // set when written
      rsIndex: rs.index,
      name,
      key: this.keyed ? (idOf(value, 'TxnID') ?? idOf(value, 'ListID')) : null,
      editSequence: idOf(value, 'EditSequence'),
      data: JSON.stringify(value),
    });
    t.nextSeq++;
  }

  /**
   * Stores what is left and marks the response complete; returns its id (null if empty).
   * With `requestId` null the response matched no request: it is kept, its records not.
   */
  commit(requestId: string | null): number | null {
    if (this.blank) {
      this.abort();
      return null;
    }
    if (this.responseId === null) {
      // It all fit in memory: one row, written with its records in the caller's transaction.
      const size = Buffer.byteLength(this.pending);
      this.responseId = this.store.responses.insertWhole(this.session?.id ?? null, requestId, this.now(), size, this.error, this.pending);
      this.pending = '';
      if (requestId !== null) this.writeRecords(this.responseId);
      this.records = [];
      return this.responseId;
    }
    this.flush();
    const id = this.responseId;
    if (requestId === null) this.store.responses.dropRecords(id);
    this.store.responses.finish(id, requestId, this.bytes, this.error);
    return id;
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

  /** Writes a batch of a large response (raw text and records) in its own transaction. */
  private flush(): void {
    if (this.pending.length === 0 && this.records.length === 0) return;
    const write = () => {
      this.responseId ??= this.store.responses.create(this.session?.id ?? null, this.firstTarget(), this.now());
      if (this.pending.length > 0) {
        this.store.responses.appendChunk(this.responseId, this.chunkSeq++, this.pending);
        this.bytes += Buffer.byteLength(this.pending);
        this.pending = '';
      }
      this.writeRecords(this.responseId);
      this.records = [];
    };
    // Inside the handler's unit (the final piece) it is journaled with it; while the
    // upload streams, each batch is committed directly.
    if (this.store.inTransaction) write();
    else this.store.bulk(write);
  }

  private writeRecords(responseId: number): void {
    const records = this.records;
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
