/** Queueing work for an instance and reading back what QuickBooks answered. */
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { enqueueResultSchema, recordSchema, requestCreateSchema, requestSchema, requestSummarySchema } from '../contract/schemas';
import { builderProblems } from '../contract/problems';
import { ApiError, conflict, invalid, notFound } from '../errors';
import type { DomainEvents } from '../events';
import { type BuildIssue, QbxmlBuildError, buildRequest, checkRequestXml } from '../qbxml/builder';
import { parseRequestElements, parseResponse } from '../qbxml/parser';
import { isQueryType, parseRequestDocument, QbxmlRequestError } from '../qbxml/request-document';
import { loadQbxmlSchema } from '../qbxml/schema/load';
import { compareVersions, parseQbxmlVersion } from '../qbxml/version';
import { PAGING_MIN_VERSION, checkPageSize, checkPageable, notPageableAsWritten, rawPagingFacts, withMaxReturned } from '../queue/paging';
import type { Store } from '../store';
import { outcomeOf } from '../store/requests';
import type { IteratorState, QueuedRequest, RequestOptions, RequestStatus } from '../store/types';

export type RequestResource = z.infer<typeof requestSchema>;
export type RequestSummary = z.infer<typeof requestSummarySchema>;
type CreateInput = z.infer<typeof requestCreateSchema>;
type EnqueueResult = z.infer<typeof enqueueResultSchema>;
type RecordResource = z.infer<typeof recordSchema>;

export interface RequestServiceDeps {
  store: Store;
  events: DomainEvents;
  now: () => number;
  /** Responses up to this size are returned inline by getRequest. */
  inlineResponseBytes: number;
}

/** What the queue stores for one request, however it was given. */
export interface PreparedRequest {
  types: string[];
  body: string;
  rqOffsets: number[];
  onError: string | null;
  minVersion: string | null;
  /** JSON form ({type, params} items) when given as JSON. */
  json: { type: string; params: unknown }[] | null;
  /** Records per page when the caller asked to page one query through a qbXML iterator (its MaxReturned); null otherwise. */
  pageSize: number | null;
  warnings: BuildIssue[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function maxVersion(a: string | null, b: string | null): string | null {
  const va = a ? parseQbxmlVersion(a) : null;
  const vb = b ? parseQbxmlVersion(b) : null;
  if (!va) return b;
  if (!vb) return a;
  return compareVersions(va, vb) >= 0 ? a : b;
}

/** A GUID derived from an idempotency key: written into ExternalGUID, it marks the record as ours. */
export function markerGuid(instanceId: string, key: string): string {
  const h = createHash('sha256').update(`${instanceId}\u0000${key}`).digest('hex').toUpperCase();
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}}`;
}

/**
 * Adds the ExternalGUID marker to an Add that can carry one (and doesn't already), so
 * that after a lost response the record can be found in QuickBooks by it.
 */
function withMarker(type: string, params: unknown, guid: string): unknown {
  const base = type.replace(/Rq$/, '');
  if (!base.endsWith('Add') || typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  const rq = loadQbxmlSchema().requests.get(`${base}Rq`);
  const wrapper = rq?.type.kind === 'complex' ? rq.type.children.get(base) : undefined;
  const marker = wrapper?.type.kind === 'complex' ? wrapper.type.children.get('ExternalGUID') : undefined;
  // Only where every QuickBooks we may meet takes it (the negotiated version can be 13.0).
  if (!marker || (marker.since && compareVersions(parseQbxmlVersion(marker.since)!, parseQbxmlVersion('13.0')!) > 0)) return params;
  const p = params as Record<string, unknown>;
  if (base in p) {
    const inner = p[base];
    if (typeof inner !== 'object' || inner === null || 'ExternalGUID' in inner) return params;
    return { ...p, [base]: { ...inner, ExternalGUID: guid } };
  }
  return 'ExternalGUID' in p ? params : { ...p, ExternalGUID: guid };
}

export class RequestService {
  constructor(private readonly deps: RequestServiceDeps) {}

  private get store(): Store {
    return this.deps.store;
  }

  /** Turns raw qbXML or JSON into what the queue stores; throws 400s naming the field. */
  prepare(input: CreateInput, marker: string | null): PreparedRequest {
    const pageSize = Array.isArray(input) ? null : (input.pageSize ?? null);
    if (pageSize !== null) checkPageSize(pageSize);
    if (!Array.isArray(input) && 'qbxml' in input) {
      let doc;
      try {
        doc = parseRequestDocument(input.qbxml);
      } catch (err) {
        if (err instanceof QbxmlRequestError) throw invalid('qbxml', err.message, 'invalid_qbxml');
        throw err;
      }
      let body = doc.body;
      if (pageSize !== null) {
        // Sent with MaxReturned = pageSize, in its schema place (inside the element: requestID offsets stay).
        checkPageable(doc.types, doc.types.length === 1 ? rawPagingFacts(doc.body) : { hasMaxReturned: false });
        body = withMaxReturned(doc.types[0] as string, doc.body, pageSize);
      }
      const check = checkRequestXml(body);
      return {
        types: doc.types,
        body,
        rqOffsets: doc.rqOffsets,
        onError: doc.onError,
        minVersion: pageSize !== null ? maxVersion(check.minVersion, PAGING_MIN_VERSION) : check.minVersion,
        json: null,
        pageSize,
        warnings: check.issues,
      };
    }
    const batch = structuredItems(input);
    const where = Array.isArray(input) ? (i: number) => `[${i}]` : 'requests' in input ? (i: number) => `requests[${i}]` : () => '';
    let body = '';
    const rqOffsets: number[] = [];
    const types: string[] = [];
    const json: { type: string; params: unknown }[] = [];
    let minVersion: string | null = null;
    batch.forEach((item, i) => {
      const params = marker ? withMarker(item.type, item.params, marker) : item.params;
      let built;
      try {
        built = buildRequest(item.type, params);
      } catch (err) {
        if (!(err instanceof QbxmlBuildError)) throw err;
        // Every problem, named by its path in the caller's body (see builderProblems).
        throw ApiError.of(400, 'invalid_qbxml_request', builderProblems(err.issues, where(i), item.type, item.params));
      }
      rqOffsets.push(body.length + built.type.length + 1);
      body += built.xml;
      types.push(built.type);
      json.push({ type: built.type, params });
      minVersion = maxVersion(minVersion, built.minVersion);
    });
    if (pageSize !== null) {
      // One query, sent with MaxReturned = pageSize (the builder puts it in its schema place).
      checkPageable(types, rawPagingFacts(body));
      const item = json[0] as { type: string; params: Record<string, unknown> };
      const params = { ...item.params, MaxReturned: pageSize };
      let built;
      try {
        built = buildRequest(item.type, params);
      } catch (err) {
        if (!(err instanceof QbxmlBuildError)) throw err;
        throw notPageableAsWritten(item.type, err.issues[0]?.message ?? err.message);
      }
      // rqOffsets stay: the element's name is where it was.
      const needs = maxVersion(maxVersion(minVersion, built.minVersion), PAGING_MIN_VERSION);
      return { types, body: built.xml, rqOffsets, onError: null, minVersion: needs, json: [{ type: item.type, params }], pageSize, warnings: [] };
    }
    return { types, body, rqOffsets, onError: null, minVersion, json, pageSize: null, warnings: [] };
  }

  enqueue(instanceId: string, input: CreateInput, source = 'api', origin: { parentId?: string; purpose?: 'reconcile' | 'refresh'; urgent?: boolean } = {}): EnqueueResult {
    const options: { idempotencyKey?: string; onError?: string } = Array.isArray(input) ? {} : input;
    const priority = Array.isArray(input) ? 0 : input.priority;
    const requestOptions: RequestOptions = !Array.isArray(input) && input.retryOnStaleEditSequence ? { retryOnStaleEditSequence: true } : {};
    const instance = this.store.instances.get(instanceId);
    if (!instance) throw notFound('instance', instanceId, 'instanceId');

    const keyGiven = options.idempotencyKey;
    if (keyGiven) {
      const existing = this.store.requests.byIdempotencyKey(instanceId, keyGiven);
      if (existing) {
        // Same key, same request: the caller retried; answer as the first time.
        const again = this.prepare(input, markerGuid(instanceId, keyGiven));
        if (again.body !== existing.body) {
          throw conflict('idempotency_key_reused', `The idempotency key "${keyGiven}" was already used for a different request (${existing.id}).`, 'idempotencyKey');
        }
        return { requestId: existing.id, status: existing.status, idempotencyKey: keyGiven, warnings: [] };
      }
    }
    // A write gets a key (and, given as JSON, an ExternalGUID marker) even when the caller gave none.
    const raw = !Array.isArray(input) && 'qbxml' in input;
    const jsonWrite = !raw && !structuredItems(input).every((item) => isQueryType(item.type));
    const keyFor = (write: boolean) => keyGiven ?? (write ? randomUUID() : null);
    let key = raw ? null : keyFor(jsonWrite);
    const prepared = this.prepare(input, key && jsonWrite ? markerGuid(instanceId, key) : null);
    const isWrite = !prepared.types.every(isQueryType);
    if (raw) key = keyFor(isWrite);
    if (isWrite && instance.readOnly) {
      throw new ApiError(422, 'read_only_instance', `Instance "${instance.name}" is read-only; ${prepared.types.filter((t) => !isQueryType(t)).join(', ')} would change QuickBooks.`, 'qbxml');
    }
    const onError = options.onError ?? prepared.onError ?? 'stopOnError';
    const id = randomUUID();
    const now = this.deps.now();
    const iterator: IteratorState | null = prepared.pageSize !== null ? { id: null, remaining: 0, pages: 0, restarts: 0, pageSize: prepared.pageSize } : null;
    this.store.transaction(() => {
      this.store.requests.insert({
        id,
        instanceId,
        kind: isWrite ? 'write' : 'query',
        priority,
        types: prepared.types,
        onError,
        body: prepared.body,
        rqOffsets: prepared.rqOffsets,
        source,
        now,
        requestJson: prepared.json ?? undefined,
        minVersion: prepared.minVersion,
        idempotencyKey: key,
        options: requestOptions,
        parentId: origin.parentId ?? null,
        purpose: origin.purpose ?? null,
        iterator,
        urgent: origin.urgent ?? false,
      });
      this.store.events.append({
        clientId: instanceId,
        timestamp: now,
        user: source,
        action: 'request.queued',
        detail: prepared.types.join(', ') + (origin.purpose ? ` (${origin.purpose} for ${origin.parentId})` : ''),
        result: 'queued',
        sessionId: null,
        requestId: id,
      });
    });
    this.deps.events.emit('request.queued', { requestId: id, instanceId });
    return { requestId: id, status: 'queued', idempotencyKey: key, warnings: prepared.warnings };
  }

  require(requestId: string): QueuedRequest {
    const r = this.store.requests.get(requestId);
    if (!r) throw notFound('request', requestId, 'requestId');
    return r;
  }

  summary(r: QueuedRequest): RequestSummary {
    const meta = r.responseId !== null ? this.store.responses.meta(r.responseId) : undefined;
    return {
      requestId: r.id,
      instanceId: r.instanceId,
      status: r.status,
      idempotencyKey: r.idempotencyKey,
      kind: r.kind,
      types: r.types,
      priority: r.priority,
      timestamp: iso(r.createdAt) as string,
      sentAt: iso(r.sentAt),
      completedAt: iso(r.completedAt),
      sessionId: r.sessionId,
      attempts: r.attempts,
      pageSize: r.iterator?.pageSize ?? null,
      pages: r.iterator ? r.iterator.pages : null,
      statusCode: r.statusCode,
      statusSeverity: r.statusSeverity,
      statusMessage: r.statusMessage,
      hresult: r.hresult,
      hresultMessage: r.hresultMessage,
      results: r.results ?? [],
      error: r.error,
      parentRequestId: r.parentId,
      purpose: r.purpose,
      iterator: r.iterator ? { pages: r.iterator.pages, remaining: r.iterator.remaining, restarts: r.iterator.restarts } : null,
      recordCount: r.recordCount,
      recordsUrl: `/api/v1/requests/${r.id}/records`,
      responseSize: meta?.size ?? null,
      responseUrl: meta ? `/api/v1/requests/${r.id}/response` : null,
    };
  }

  get(requestId: string): RequestResource {
    const r = this.require(requestId);
    const out: RequestResource = { ...this.summary(r), qbxml: r.body };
    const json = (r.requestJson as { type: string; params: unknown }[] | null) ?? this.jsonOf(r.body);
    if (json) out.json = json;
    if (r.responseId !== null && (out.responseSize ?? 0) <= this.deps.inlineResponseBytes) {
      out.response = this.store.responses.text(r.responseId);
      try {
        out.parsed = parseResponse(out.response).QBXMLMsgsRs;
      } catch {
        // Not qbXML we can read (kept raw in `response`).
      }
    }
    return out;
  }

  private jsonOf(body: string): { type: string; params: unknown }[] | undefined {
    try {
      return parseRequestElements(body);
    } catch {
      return undefined; // raw qbXML outside the schema stays raw
    }
  }

  records(requestId: string, limit: number, cursor: string | undefined): { data: RecordResource[]; nextCursor: string | null } {
    const request = this.require(requestId);
    const page = this.store.records.page(request.seq, limit, cursor ?? null);
    return { data: page.records.map((r) => ({ seq: r.seq, type: r.name, data: r.data })), nextCursor: page.nextCursor };
  }

  /** The raw response, chunk by chunk (it may be hundreds of MB). */
  responseChunks(requestId: string): Iterable<string> {
    const r = this.require(requestId);
    if (r.responseId === null) throw new ApiError(404, 'no_response', 'QuickBooks has not answered this request yet.', 'requestId');
    return this.store.responses.chunks(r.responseId);
  }

  list(instanceId: string, filter: { status?: RequestStatus; sessionId?: string }, limit: number, cursor: string | undefined) {
    if (!this.store.instances.get(instanceId)) throw notFound('instance', instanceId, 'instanceId');
    const page = this.store.requests.page(instanceId, filter, limit, cursor ?? null);
    return { data: page.requests.map((r) => this.summary(r)), nextCursor: page.nextCursor };
  }

  /** Queues a failed or cancelled request again, as a new request; the old one stays as it was. */
  retry(requestId: string): EnqueueResult {
    const r = this.require(requestId);
    if (r.status !== 'error' && r.status !== 'cancelled') {
      throw conflict('not_retryable', `Only a failed or cancelled request can be sent again; this one is ${r.status}.`, 'requestId');
    }
    return this.store.transaction(() => {
      const again = this.enqueue(r.instanceId, retryInput(r), 'retry');
      this.store.events.append({
        clientId: r.instanceId,
        timestamp: this.deps.now(),
        user: 'api',
        action: 'request.retried',
        detail: `queued again as ${again.requestId}`,
        result: 'queued',
        sessionId: null,
        requestId: r.id,
      });
      return again;
    });
  }

  /** For a write whose outcome is unknown: queue the check that asks QuickBooks whether it happened (once). */
  reconcile(requestId: string, followUps: { ensureReconcile(write: QueuedRequest): void }): RequestSummary {
    const r = this.store.transaction(() => {
      const write = this.require(requestId);
      if (write.status !== 'unknown_outcome') {
        throw conflict('outcome_known', `Only a change whose outcome is unknown can be checked in QuickBooks; this one is ${write.status}.`, 'requestId');
      }
      followUps.ensureReconcile(write);
      return this.require(requestId);
    });
    return this.summary(r);
  }

  cancel(requestId: string): RequestSummary {
    const now = this.deps.now();
    const r = this.store.transaction(() => {
      const current = this.require(requestId);
      if (current.status === 'sent') {
        throw conflict('in_flight', 'The request is with QuickBooks right now and cannot be cancelled; wait for its result.', 'requestId');
      }
      if (current.status !== 'queued' && current.status !== 'unknown_outcome') {
        throw conflict('already_finished', `The request is already ${current.status}.`, 'requestId');
      }
      this.store.requests.complete(current, { ...outcomeOf(current), status: 'cancelled', now });
      this.store.events.append({
        clientId: current.instanceId,
        timestamp: now,
        user: 'api',
        action: 'request.cancelled',
        detail: current.status === 'unknown_outcome' ? 'gave up on a write with unknown outcome' : null,
        result: 'cancelled',
        sessionId: null,
        requestId: current.id,
      });
      return this.require(requestId);
    });
    this.deps.events.emit('request.cancelled', { requestId: r.id, instanceId: r.instanceId });
    return this.summary(r);
  }
}

type StructuredInput = Exclude<CreateInput, { qbxml: string }>;

/** What a retry queues: the same qbXML — for a paged query, the same query and page size — as a new request. */
function retryInput(r: QueuedRequest): CreateInput {
  const common = { priority: r.priority, retryOnStaleEditSequence: r.options.retryOnStaleEditSequence === true };
  const pageSize = r.iterator?.pageSize;
  const item = pageSize ? (r.requestJson as { type: string; params: Record<string, unknown> }[] | null)?.[0] : undefined;
  if (pageSize && item) {
    const { MaxReturned: _sentAsPageSize, ...params } = item.params;
    return { type: item.type, params, pageSize, ...common };
  }
  return { qbxml: r.body, onError: r.onError as 'stopOnError' | 'continueOnError' | 'rollbackOnError', ...common };
}

function structuredItems(input: StructuredInput): { type: string; params: Record<string, unknown> }[] {
  return Array.isArray(input) ? input : 'requests' in input ? input.requests : [input];
}
