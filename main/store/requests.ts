import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { REQUESTS } from './tables';
import type { ErrorInfo, IteratorState, QueuedRequest, RequestKind, RequestOptions, RequestPurpose, RequestStatus, ResponseResult } from './types';

type Row = Record<string, unknown>;
const fromRow = (r: Row): QueuedRequest => REQUESTS.fromRow(r);

export interface NewRequest {
  id: string;
  instanceId: string;
  kind: RequestKind;
  priority: number;
  types: string[];
  onError: string;
  body: string;
  rqOffsets: number[];
  source: string | null;
  now: number;
  requestJson?: unknown;
  minVersion?: string | null;
  idempotencyKey?: string | null;
  options?: RequestOptions;
  parentId?: string | null;
  purpose?: RequestPurpose | null;
  iterator?: IteratorState | null;
  urgent?: boolean;
}

/** The outcome recorded when a request leaves `sent`. */
export interface Completion {
  status: RequestStatus;
  now: number;
  /** When put back in the queue: not before this time. */
  notBefore?: number | null;
  statusCode?: number | null;
  statusSeverity?: string | null;
  statusMessage?: string | null;
  hresult?: string | null;
  hresultMessage?: string | null;
  results?: ResponseResult[] | null;
  error?: ErrorInfo | null;
  responseId?: number | null;
  /** Records this response added. */
  recordsAdded?: number;
  /** The iterator state after this page, for an iterated query. */
  iterator?: { state: IteratorState | null; urgent: boolean };
}

/** The recorded outcome of a request, to carry over when only its status changes. */
export function outcomeOf(r: QueuedRequest): Omit<Completion, 'status' | 'now'> {
  return {
    statusCode: r.statusCode,
    statusSeverity: r.statusSeverity,
    statusMessage: r.statusMessage,
    hresult: r.hresult,
    hresultMessage: r.hresultMessage,
    results: r.results,
    error: r.error,
    responseId: r.responseId,
  };
}

export interface RequestPage {
  requests: QueuedRequest[];
  nextCursor: string | null;
}

export class RequestStore {
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly nextStmt;
  private readonly countQueuedStmt;
  private readonly waitingStmt;
  private readonly markSentStmt;
  private readonly cancelQueuedStmt;
  private readonly byKeyStmt;
  private readonly childrenStmt;
  private readonly sentStmt;
  private readonly unknownStmt;
  private readonly openIteratorsStmt;
  private readonly recordCountStmt;
  private readonly updateById;
  private readonly updateIfIn;

  constructor(private readonly db: Db) {
    const select = REQUESTS.select;
    this.insertStmt = db.prepare<[Row], { seq: number }>(`${REQUESTS.insertSql('seq')} RETURNING seq`);
    this.byIdStmt = db.prepare<[string], Row>(`${select} WHERE id = ?`);
    // The requests_queue index's order: one indexed read.
    this.nextStmt = db.prepare<[string, number], Row>(
      `${select} WHERE instance_id = ? AND status = 'queued' AND (not_before IS NULL OR not_before <= ?)
       ORDER BY urgent DESC, priority DESC, seq LIMIT 1`,
    );
    this.countQueuedStmt = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM requests WHERE instance_id = ? AND status = 'queued'");
    // Each count reads a partial index, or only the requests completed since `since`.
    this.waitingStmt = db.prepare<[string, string, string, string, number], { queued: number; sent: number; unknown: number; failed: number }>(
      `SELECT (SELECT count(*) FROM requests WHERE instance_id = ? AND status = 'queued') AS queued,
              (SELECT count(*) FROM requests WHERE instance_id = ? AND status = 'sent') AS sent,
              (SELECT count(*) FROM requests WHERE instance_id = ? AND status = 'unknown_outcome') AS unknown,
              (SELECT count(*) FROM requests WHERE instance_id = ? AND status = 'error' AND completed_at >= ?) AS failed`,
    );
    this.markSentStmt = db.prepare<[string, number, number, number, string]>(
      "UPDATE requests SET status = 'sent', session_id = ?, sent_at = ?, updated_at = ?, attempts = attempts + ? WHERE id = ? AND status = 'queued'",
    );

    this.byKeyStmt = db.prepare<[string, string], Row>(`${select} WHERE instance_id = ? AND idempotency_key = ?`);
    this.childrenStmt = db.prepare<[string], Row>(`${select} WHERE parent_id = ? ORDER BY seq`);
    this.sentStmt = db.prepare<[], Row>(`${select} WHERE status = 'sent' ORDER BY seq`);
    this.unknownStmt = db.prepare<[string], Row>(`${select} WHERE instance_id = ? AND status = 'unknown_outcome' ORDER BY seq`);
    this.openIteratorsStmt = db.prepare<[string], Row>(
      `${select} WHERE instance_id = ? AND status = 'queued' AND iterator_json IS NOT NULL AND json_extract(iterator_json, '$.id') IS NOT NULL`,
    );
    this.recordCountStmt = db.prepare<[number, string]>('UPDATE requests SET record_count = record_count + ? WHERE id = ?');
    this.cancelQueuedStmt = db.prepare<[number, number, string]>(
      "UPDATE requests SET status = 'cancelled', updated_at = ?, completed_at = ? WHERE instance_id = ? AND status = 'queued'",
    );
    this.updateById = REQUESTS.updater(db, 'id');
    this.updateIfIn = REQUESTS.updater(db, 'id', 'status = ?');
  }

  /** Queues a request; returns its seq. */
  insert(r: NewRequest): number {
    const request: Omit<QueuedRequest, 'seq'> = {
      id: r.id,
      instanceId: r.instanceId,
      status: 'queued',
      kind: r.kind,
      priority: r.priority,
      notBefore: null,
      types: r.types,
      onError: r.onError,
      body: r.body,
      rqOffsets: r.rqOffsets,
      source: r.source,
      createdAt: r.now,
      updatedAt: r.now,
      sentAt: null,
      completedAt: null,
      sessionId: null,
      attempts: 0,
      statusCode: null,
      statusSeverity: null,
      statusMessage: null,
      hresult: null,
      hresultMessage: null,
      results: null,
      error: null,
      responseId: null,
      requestJson: r.requestJson ?? null,
      minVersion: r.minVersion ?? null,
      idempotencyKey: r.idempotencyKey ?? null,
      options: r.options ?? {},
      parentId: r.parentId ?? null,
      purpose: r.purpose ?? null,
      iterator: r.iterator ?? null,
      recordCount: 0,
      urgent: r.urgent ?? false,
    };
    return (this.insertStmt.get(REQUESTS.params(request)) as { seq: number }).seq;
  }

  byIdempotencyKey(instanceId: string, key: string): QueuedRequest | undefined {
    const row = this.byKeyStmt.get(instanceId, key);
    return row && fromRow(row);
  }

  children(parentId: string): QueuedRequest[] {
    return this.childrenStmt.all(parentId).map(fromRow);
  }

  /** Queued requests holding a QuickBooks iteratorID (valid only in the current QBWC session). */
  openIterators(instanceId: string): QueuedRequest[] {
    return this.openIteratorsStmt.all(instanceId).map(fromRow);
  }

  /** Requests handed to a Web Connector and not yet answered, of every instance. */
  allSent(): QueuedRequest[] {
    return this.sentStmt.all().map(fromRow);
  }

  unknownOutcomes(instanceId: string): QueuedRequest[] {
    return this.unknownStmt.all(instanceId).map(fromRow);
  }

  setIterator(id: string, state: IteratorState | null, urgent: boolean): void {
    this.updateById(id, { iterator: state, urgent });
  }

  /** Replaces the request elements (e.g. a Mod with a fresh EditSequence). */
  setBody(id: string, body: string, rqOffsets: number[], now: number): void {
    this.updateById(id, { body, rqOffsets, updatedAt: now });
  }

  addRecords(id: string, count: number): void {
    if (count > 0) this.recordCountStmt.run(count, id);
  }

  get(id: string): QueuedRequest | undefined {
    const row = this.byIdStmt.get(id);
    return row && fromRow(row);
  }

  /** The next request to send: urgent first, then highest priority, then first in, first out. */
  next(instanceId: string, now: number): QueuedRequest | undefined {
    const row = this.nextStmt.get(instanceId, now);
    return row && fromRow(row);
  }

  /** Whether a request can be sent now. */
  hasReady(instanceId: string, now: number): boolean {
    return this.next(instanceId, now) !== undefined;
  }

  /** Puts a request back in the queue (optionally not before a time); false if it left `from`. */
  requeue(id: string, from: RequestStatus, now: number, notBefore: number | null, error: ErrorInfo | null): boolean {
    return this.updateIfIn(id, { status: 'queued', updatedAt: now, notBefore, error }, from) === 1;
  }

  /** Requests waiting or in doubt, and those that failed since `since`. */
  counts(instanceId: string, since: number): { queued: number; sent: number; unknown: number; failed: number } {
    return this.waitingStmt.get(instanceId, instanceId, instanceId, instanceId, since) as { queued: number; sent: number; unknown: number; failed: number };
  }

  countQueued(instanceId: string): number {
    return (this.countQueuedStmt.get(instanceId) as { n: number }).n;
  }

  /**
   * queued → sent, for a request `next` returned in this unit. A send is an attempt, except
   * an iterator's next page (`iterator="Continue"`): pages are counted in the iterator state.
   */
  markSent(request: QueuedRequest, sessionId: string, now: number): void {
    const attempt = request.iterator?.id ? 0 : 1;
    if (this.markSentStmt.run(sessionId, now, now, attempt, request.id).changes !== 1) {
      throw new Error(`Request ${request.id} is no longer queued; it can't be sent.`);
    }
  }

  /** Records how a request left `sent` (or a queued one refused before sending). */
  complete(request: Pick<QueuedRequest, 'id'>, c: Completion): void {
    const terminal = c.status === 'done' || c.status === 'error' || c.status === 'cancelled';
    this.updateById(request.id, {
      status: c.status,
      updatedAt: c.now,
      completedAt: terminal ? c.now : null,
      notBefore: c.notBefore ?? null,
      statusCode: c.statusCode ?? null,
      statusSeverity: c.statusSeverity ?? null,
      statusMessage: c.statusMessage ?? null,
      hresult: c.hresult ?? null,
      hresultMessage: c.hresultMessage ?? null,
      results: c.results ?? null,
      error: c.error ?? null,
      responseId: c.responseId ?? null,
      ...(c.iterator && { iterator: c.iterator.state, urgent: c.iterator.urgent }),
    });
    this.addRecords(request.id, c.recordsAdded ?? 0);
  }

  /** Moves a request from one state to another; false if it was no longer in `from`. */
  transition(id: string, from: RequestStatus, to: RequestStatus, now: number, error: ErrorInfo | null = null): boolean {
    return this.updateIfIn(id, { status: to, updatedAt: now, error }, from) === 1;
  }

  cancelAllQueued(instanceId: string, now: number): number {
    return this.cancelQueuedStmt.run(now, now, instanceId).changes;
  }

  /** Newest first. */
  /** Newest first; by status, and by the session that (last) sent them, when given. */
  page(instanceId: string, filter: { status?: RequestStatus; sessionId?: string }, limit: number, cursor: string | null): RequestPage {
    const [seq] = cursor ? decodeCursor(cursor) : [Number.MAX_SAFE_INTEGER];
    const where = ['instance_id = @instanceId', 'seq < @seq'];
    if (filter.status) where.push('status = @status');
    if (filter.sessionId) where.push('session_id = @sessionId');
    const rows = this.db
      .prepare<Record<string, unknown>, Row>(`${REQUESTS.select} WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT @limit`)
      .all({ instanceId, seq, status: filter.status, sessionId: filter.sessionId, limit: limit + 1 });
    const more = rows.length > limit;
    const requests = rows.slice(0, limit).map(fromRow);
    const last = requests[requests.length - 1];
    return { requests, nextCursor: more && last ? encodeCursor(last.seq, last.id) : null };
  }
}
