/** Queueing qbXML for an instance and reading back what QuickBooks answered. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { requestSchema, requestSummarySchema } from '../contract/schemas';
import { ApiError, conflict, invalid, notFound } from '../errors';
import type { DomainEvents } from '../events';
import { isQueryType, parseRequestDocument, QbxmlRequestError } from '../qbxml/request-document';
import type { Store } from '../store';
import type { QueuedRequest, RequestStatus } from '../store/types';

export type RequestResource = z.infer<typeof requestSchema>;
export type RequestSummary = z.infer<typeof requestSummarySchema>;

export interface RequestServiceDeps {
  store: Store;
  events: DomainEvents;
  now: () => number;
  /** Responses up to this size are returned inline by getRequest. */
  inlineResponseBytes: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class RequestService {
  constructor(private readonly deps: RequestServiceDeps) {}

  private get store(): Store {
    return this.deps.store;
  }

  enqueue(instanceId: string, input: { qbxml: string; priority: number }, source = 'api'): { requestId: string; status: RequestStatus } {
    let doc;
    try {
      doc = parseRequestDocument(input.qbxml);
    } catch (err) {
      if (err instanceof QbxmlRequestError) throw invalid('qbxml', err.message, 'invalid_qbxml');
      throw err;
    }
    const kind = doc.types.every(isQueryType) ? 'query' : 'write';
    const id = randomUUID();
    const now = this.deps.now();
    this.store.transaction(() => {
      const instance = this.store.instances.get(instanceId);
      if (!instance) throw notFound('instance', instanceId, 'instanceId');
      if (kind === 'write' && instance.readOnly) {
        throw new ApiError(422, 'read_only_instance', `Instance "${instance.name}" is read-only; ${doc.types.filter((t) => !isQueryType(t)).join(', ')} would change QuickBooks.`, 'qbxml');
      }
      this.store.requests.insert({
        id,
        instanceId,
        kind,
        priority: input.priority,
        types: doc.types,
        onError: doc.onError ?? 'stopOnError',
        body: doc.body,
        rqOffsets: doc.rqOffsets,
        source,
        now,
      });
      this.store.events.append({
        clientId: instanceId,
        timestamp: now,
        user: source,
        action: 'request.queued',
        detail: doc.types.join(', '),
        result: 'queued',
        sessionId: null,
        requestId: id,
      });
    });
    this.deps.events.emit('request.queued', { requestId: id, instanceId });
    return { requestId: id, status: 'queued' };
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
      kind: r.kind,
      types: r.types,
      priority: r.priority,
      timestamp: iso(r.createdAt) as string,
      sentAt: iso(r.sentAt),
      completedAt: iso(r.completedAt),
      sessionId: r.sessionId,
      attempts: r.attempts,
      statusCode: r.statusCode,
      statusSeverity: r.statusSeverity,
      statusMessage: r.statusMessage,
      hresult: r.hresult,
      hresultMessage: r.hresultMessage,
      results: r.results ?? [],
      error: r.error,
      responseSize: meta?.size ?? null,
      responseUrl: meta ? `/api/v1/requests/${r.id}/response` : null,
    };
  }

  get(requestId: string): RequestResource {
    const r = this.require(requestId);
    const out: RequestResource = { ...this.summary(r), qbxml: r.body };
    if (r.responseId !== null && (out.responseSize ?? 0) <= this.deps.inlineResponseBytes) {
      out.response = this.store.responses.text(r.responseId);
    }
    return out;
  }

  /** The raw response, chunk by chunk (it may be hundreds of MB). */
  responseChunks(requestId: string): Iterable<string> {
    const r = this.require(requestId);
    if (r.responseId === null) throw new ApiError(404, 'no_response', 'QuickBooks has not answered this request yet.', 'requestId');
    return this.store.responses.chunks(r.responseId);
  }

  list(instanceId: string, status: RequestStatus | undefined, limit: number, cursor: string | undefined) {
    if (!this.store.instances.get(instanceId)) throw notFound('instance', instanceId, 'instanceId');
    const page = this.store.requests.page(instanceId, status ?? null, limit, cursor ?? null);
    return { data: page.requests.map((r) => this.summary(r)), nextCursor: page.nextCursor };
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
      this.store.requests.complete(current.id, { ...current, status: 'cancelled', now });
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
