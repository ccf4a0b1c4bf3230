import { decodeCursor, encodeCursor } from './cursor';
import type { Sql } from './sql';
import { QueueHeads } from './queue-heads';
import { rowQuery } from './rows';
import type {
  ErrorInfo,
  IteratorState,
  QueuedRequest,
  RequestKind,
  RequestOptions,
  RequestPurpose,
  RequestStatus,
  ResponseResult,
} from './types';

interface RequestRow {
  seq: number;
  id: string;
  instance_id: string;
  status: RequestStatus;
  kind: RequestKind;
  priority: number;
  not_before: number | null;
  types: string;
  on_error: string;
  body: string;
  rq_offsets: string;
  source: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  completed_at: number | null;
  session_id: string | null;
  attempts: number;
  status_code: number | null;
  status_severity: string | null;
  status_message: string | null;
  hresult: string | null;
  hresult_message: string | null;
  results_json: string | null;
  error_json: string | null;
  response_id: number | null;
  request_json: string | null;
  min_version: string | null;
  idempotency_key: string | null;
  options_json: string | null;
  parent_id: string | null;
  purpose: RequestPurpose | null;
  iterator_json: string | null;
  record_count: number;
  urgent: number;
}

const fromRow = (r: RequestRow): QueuedRequest => ({
  seq: r.seq,
  id: r.id,
  instanceId: r.instance_id,
  status: r.status,
  kind: r.kind,
  priority: r.priority,
  notBefore: r.not_before,
  types: r.types.split(','),
  onError: r.on_error,
  body: r.body,
  rqOffsets: JSON.parse(r.rq_offsets) as number[],
  source: r.source,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
  completedAt: r.completed_at,
  sessionId: r.session_id,
  attempts: r.attempts,
  statusCode: r.status_code,
  statusSeverity: r.status_severity,
  statusMessage: r.status_message,
  hresult: r.hresult,
  hresultMessage: r.hresult_message,
  results: r.results_json ? (JSON.parse(r.results_json) as ResponseResult[]) : null,
  error: r.error_json ? (JSON.parse(r.error_json) as ErrorInfo) : null,
  responseId: r.response_id,
  requestJson: r.request_json ? (JSON.parse(r.request_json) as unknown) : null,
  minVersion: r.min_version,
  idempotencyKey: r.idempotency_key,
  options: r.options_json ? (JSON.parse(r.options_json) as RequestOptions) : {},
  parentId: r.parent_id,
  purpose: r.purpose,
  iterator: r.iterator_json ? (JSON.parse(r.iterator_json) as IteratorState) : null,
  recordCount: r.record_count,
  urgent: r.urgent === 1,
});

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

/** How many queued requests a queue head is read with (see queue-heads.ts). */
const HEAD_BATCH = 16;

/**
 * Two row caches spare the hot path its reads: the first queued requests of an instance
 * (queue-heads.ts), and the request just sent, read again when its response arrives. Every
 * write here keeps them exact; a unit that rolls back clears them (see Sql.cache).
 */
export class RequestStore {
  private readonly inFlight = new Map<string, QueuedRequest>();
  private readonly heads = new QueueHeads(HEAD_BATCH);
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly nextStmt;
  private readonly headStmt;
  private readonly requeueStmt;
  private readonly countQueuedStmt;
  private readonly markSentStmt;
  private readonly completeStmt;
  private readonly transitionStmt;
  private readonly pageStmt;
  private readonly pageByStatusStmt;
  private readonly cancelQueuedStmt;
  private readonly byKeyStmt;
  private readonly childrenStmt;
  private readonly unknownStmt;
  private readonly sentInStmt;
  private readonly tallyStmt;
  private readonly openIteratorsStmt;
  private readonly iteratorStmt;
  private readonly bodyStmt;
  private readonly recordCountStmt;

  constructor(sql: Sql) {
    const db = sql.db;
    sql.cache(() => {
      this.inFlight.clear();
      this.heads.clear();
    });
    this.insertStmt = sql.write(
      `INSERT INTO requests (id, instance_id, status, kind, priority, types, on_error, body, rq_offsets, source, created_at, updated_at,
         request_json, min_version, idempotency_key, options_json, parent_id, purpose, iterator_json, urgent)
       VALUES (@id, @instanceId, 'queued', @kind, @priority, @types, @onError, @body, @rqOffsets, @source, @now, @now,
         @requestJson, @minVersion, @idempotencyKey, @options, @parentId, @purpose, @iterator, @urgent)`,
    );
    this.byIdStmt = rowQuery<[string], RequestRow>(db, 'SELECT * FROM requests WHERE id = ?');
    const ready = "instance_id = ? AND status = 'queued' AND (not_before IS NULL OR not_before <= ?)";
    this.nextStmt = rowQuery<[string, number], RequestRow>(db, 
      `SELECT * FROM requests WHERE ${ready} ORDER BY urgent DESC, priority DESC, seq LIMIT 1`,
    );
    this.headStmt = rowQuery<[string, number], RequestRow>(db, 
      "SELECT * FROM requests WHERE instance_id = ? AND status = 'queued' ORDER BY urgent DESC, priority DESC, seq LIMIT ?",
    );
    this.requeueStmt = sql.write<[number, number | null, string | null, string, string]>(
      "UPDATE requests SET status = 'queued', updated_at = ?, not_before = ?, error_json = ? WHERE id = ? AND status = ?",
    );
    this.countQueuedStmt = db.prepare<[string], { n: number }>(
      "SELECT count(*) AS n FROM requests WHERE instance_id = ? AND status = 'queued'",
    );
    this.markSentStmt = sql.write<[string, number, number, number]>(
      // By seq (the rowid), as complete: one b-tree search fewer than by id.
      `UPDATE requests SET status = 'sent', session_id = ?, sent_at = ?, updated_at = ?, attempts = attempts + 1
       WHERE seq = ?`,
    );
    this.completeStmt = sql.write<unknown[]>(
      // Plain "?" in order: binding by name costs a lookup per parameter on every response
      // (and better-sqlite3 binds "?NNN" by name too).
      `UPDATE requests SET status = ?, updated_at = ?, completed_at = ?, not_before = ?,
         status_code = ?, status_severity = ?, status_message = ?,
         hresult = ?, hresult_message = ?, results_json = ?, error_json = ?,
         response_id = ?, record_count = record_count + ?,
         iterator_json = CASE WHEN ? THEN ? ELSE iterator_json END,
         urgent = CASE WHEN ? THEN ? ELSE urgent END
       WHERE seq = ?`,
    );
    this.transitionStmt = sql.write<[RequestStatus, number, string | null, string, RequestStatus]>(
      'UPDATE requests SET status = ?, updated_at = ?, error_json = ? WHERE id = ? AND status = ?',
    );
    this.pageStmt = rowQuery<[string, number, number], RequestRow>(db, 
      'SELECT * FROM requests WHERE instance_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    );
    this.pageByStatusStmt = rowQuery<[string, string, number, number], RequestRow>(db, 
      'SELECT * FROM requests WHERE instance_id = ? AND status = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    );
    this.byKeyStmt = rowQuery<[string, string], RequestRow>(db, 'SELECT * FROM requests WHERE instance_id = ? AND idempotency_key = ?');
    this.childrenStmt = rowQuery<[string], RequestRow>(db, 'SELECT * FROM requests WHERE parent_id = ? ORDER BY seq');
    this.unknownStmt = rowQuery<[string], RequestRow>(db, 
      "SELECT * FROM requests WHERE instance_id = ? AND status = 'unknown_outcome' ORDER BY seq",
    );
    this.sentInStmt = rowQuery<[string, string], RequestRow>(db, 
      "SELECT * FROM requests WHERE instance_id = ? AND session_id = ? AND status = 'sent' ORDER BY seq",
    );
    this.tallyStmt = db.prepare<[string, string], { done: number | null; failed: number | null }>(
      "SELECT sum(status = 'done') AS done, sum(status = 'error') AS failed FROM requests WHERE instance_id = ? AND session_id = ?",
    );
    this.openIteratorsStmt = rowQuery<[string], RequestRow>(db, 
      "SELECT * FROM requests WHERE instance_id = ? AND status = 'queued' AND iterator_json IS NOT NULL AND json_extract(iterator_json, '$.id') IS NOT NULL",
    );
    this.iteratorStmt = sql.write<[string | null, number, string]>('UPDATE requests SET iterator_json = ?, urgent = ? WHERE id = ?');
    this.bodyStmt = sql.write<[string, string, number, string]>('UPDATE requests SET body = ?, rq_offsets = ?, updated_at = ? WHERE id = ?');
    this.recordCountStmt = sql.write<[number, string]>('UPDATE requests SET record_count = record_count + ? WHERE id = ?');
    this.cancelQueuedStmt = sql.write<[number, number, string]>(
      "UPDATE requests SET status = 'cancelled', updated_at = ?, completed_at = ? WHERE instance_id = ? AND status = 'queued'",
    );
  }

  insert(r: NewRequest): void {
    const { lastInsertRowid } = this.insertStmt.run({
      id: r.id,
      instanceId: r.instanceId,
      kind: r.kind,
      priority: r.priority,
      types: r.types.join(','),
      onError: r.onError,
      body: r.body,
      rqOffsets: JSON.stringify(r.rqOffsets),
      source: r.source,
      now: r.now,
      requestJson: r.requestJson === undefined ? null : JSON.stringify(r.requestJson),
      minVersion: r.minVersion ?? null,
      idempotencyKey: r.idempotencyKey ?? null,
      options: r.options && Object.keys(r.options).length ? JSON.stringify(r.options) : null,
      parentId: r.parentId ?? null,
      purpose: r.purpose ?? null,
      iterator: r.iterator ? JSON.stringify(r.iterator) : null,
      urgent: r.urgent ? 1 : 0,
    });
    const key = { instanceId: r.instanceId, urgent: !!r.urgent, priority: r.priority, seq: Number(lastInsertRowid) };
    if (this.heads.within(key)) this.placeInHead(r.id);
  }

  /** Reads a request as written and puts it in its instance's queue head, if it belongs there. */
  private placeInHead(id: string): void {
    const row = this.byIdStmt.get(id);
    if (row) this.heads.place(fromRow(row));
  }

  /** A queued request changed (in what is sent, or in order): its place in the queue head follows. */
  private reposition(id: string): void {
    this.heads.remove(id);
    if (this.heads.active) this.placeInHead(id);
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

  /** Requests a session took and has not answered (at most one while QBWC behaves). */
  sentIn(instanceId: string, sessionId: string): QueuedRequest[] {
    return this.sentInStmt.all(instanceId, sessionId).map(fromRow);
  }

  /** How many of the requests a session took ended done, and how many in error. */
  sessionTally(instanceId: string, sessionId: string): { done: number; failed: number } {
    const t = this.tallyStmt.get(instanceId, sessionId) as { done: number | null; failed: number | null };
    return { done: t.done ?? 0, failed: t.failed ?? 0 };
  }

  unknownOutcomes(instanceId: string): QueuedRequest[] {
    return this.unknownStmt.all(instanceId).map(fromRow);
  }

  setIterator(id: string, state: IteratorState | null, urgent: boolean): void {
    this.inFlight.delete(id);
    this.iteratorStmt.run(state ? JSON.stringify(state) : null, urgent ? 1 : 0, id);
    this.reposition(id);
  }

  /** Replaces the request elements (e.g. a Mod with a fresh EditSequence). */
  setBody(id: string, body: string, rqOffsets: readonly number[], now: number): void {
    this.inFlight.delete(id);
    this.bodyStmt.run(body, JSON.stringify(rqOffsets), now, id);
    this.reposition(id);
  }

  addRecords(id: string, count: number): void {
    this.inFlight.delete(id);
    if (count === 0) return;
    this.recordCountStmt.run(count, id);
    // Its place can't change; only a copy in a head is stale.
    if (this.heads.remove(id)) this.placeInHead(id);
  }

  get(id: string): QueuedRequest | undefined {
    const hit = this.inFlight.get(id);
    if (hit) return { ...hit };
    const row = this.byIdStmt.get(id);
    return row && fromRow(row);
  }

  /** The next request to send: urgent first, then highest priority, then first in, first out. */
  next(instanceId: string, now: number): QueuedRequest | undefined {
    const next = this.peek(instanceId, now);
    return next && { ...next };
  }

  /** Whether a request can be sent now. */
  hasReady(instanceId: string, now: number): boolean {
    return this.peek(instanceId, now) !== undefined;
  }

  /** The next request, as the queue head holds it (not to be changed by the caller). */
  private peek(instanceId: string, now: number): QueuedRequest | undefined {
    let hit = this.heads.next(instanceId, now);
    if (hit === null && !this.heads.has(instanceId)) {
      this.heads.set(instanceId, this.headStmt.all(instanceId, HEAD_BATCH).map(fromRow));
      hit = this.heads.next(instanceId, now);
    }
    if (hit !== null) return hit;
    // None of the head's rows is ready yet (a retry waiting): look past it.
    const row = this.nextStmt.get(instanceId, now);
    return row && fromRow(row);
  }

  /** Puts a request back in the queue (optionally not before a time); false if it left `from`. */
  requeue(id: string, from: RequestStatus, now: number, notBefore: number | null, error: ErrorInfo | null): boolean {
    this.inFlight.delete(id);
    if (this.requeueStmt.run(now, notBefore, error ? JSON.stringify(error) : null, id, from).changes !== 1) return false;
    this.reposition(id);
    return true;
  }

  countQueued(instanceId: string): number {
    return (this.countQueuedStmt.get(instanceId) as { n: number }).n;
  }

  /**
   * queued → sent, for a request `next` returned in this unit (so it is queued now);
   * `request` is remembered with its new state.
   * Sending a query may be undone by a crash (it is journaled with the next unit, its
   * response's): the query is then simply queued again, which is what recovery would do
   * with it anyway. Sending a write must be durable at once — after a crash it has to be
   * found in `sent` and become unknown_outcome, never be sent again blindly.
   * Both run later (see WriteStatement.runLater), as completing does: an UPDATE by rowid.
   */
  markSent(request: QueuedRequest, sessionId: string, now: number): void {
    if (request.kind === 'query') this.markSentStmt.runLaterDeferrable(sessionId, now, now, request.seq);
    else this.markSentStmt.runLater(sessionId, now, now, request.seq);
    this.heads.remove(request.id);
    if (this.inFlight.size > 64) this.inFlight.clear();
    this.inFlight.set(request.id, { ...request, status: 'sent', sessionId, sentAt: now, updatedAt: now, attempts: request.attempts + 1 });
  }

  complete(request: Pick<QueuedRequest, 'id' | 'seq'>, c: Completion): void {
    this.inFlight.delete(request.id);
    this.heads.remove(request.id);
    const terminal = c.status === 'done' || c.status === 'error' || c.status === 'cancelled';
    const setIterator = c.iterator ? 1 : 0;
    this.completeStmt.runLater(
      c.status,
      c.now,
      terminal ? c.now : null,
      c.notBefore ?? null,
      c.statusCode ?? null,
      c.statusSeverity ?? null,
      c.statusMessage ?? null,
      c.hresult ?? null,
      c.hresultMessage ?? null,
      c.results ? JSON.stringify(c.results) : null,
      c.error ? JSON.stringify(c.error) : null,
      c.responseId ?? null,
      c.recordsAdded ?? 0,
      setIterator,
      c.iterator?.state ? JSON.stringify(c.iterator.state) : null,
      setIterator,
      c.iterator?.urgent ? 1 : 0,
      request.seq,
    );
    if (c.status === 'queued' && this.heads.active) this.placeInHead(request.id);
  }

  /** Moves a request from one state to another; false if it was no longer in `from`. */
  transition(id: string, from: RequestStatus, to: RequestStatus, now: number, error: ErrorInfo | null = null): boolean {
    this.inFlight.delete(id);
    if (this.transitionStmt.run(to, now, error ? JSON.stringify(error) : null, id, from).changes !== 1) return false;
    this.reposition(id);
    return true;
  }

  cancelAllQueued(instanceId: string, now: number): number {
    this.inFlight.clear();
    this.heads.drop(instanceId);
    return this.cancelQueuedStmt.run(now, now, instanceId).changes;
  }

  /** Newest first. */
  page(instanceId: string, status: RequestStatus | null, limit: number, cursor: string | null): RequestPage {
    const [seq] = cursor ? decodeCursor(cursor) : [Number.MAX_SAFE_INTEGER];
    const rows = status
      ? this.pageByStatusStmt.all(instanceId, status, seq, limit + 1)
      : this.pageStmt.all(instanceId, seq, limit + 1);
    const more = rows.length > limit;
    const requests = rows.slice(0, limit).map(fromRow);
    const last = requests[requests.length - 1];
    return { requests, nextCursor: more && last ? encodeCursor(last.seq, last.id) : null };
  }
}
