/**
 * What happens after QuickBooks answers, beyond recording the answer:
 * - iterators: a page with more remaining keeps the query queued (first in line) with the
 *   iteratorID, so the next page goes out in the same session; a session break restarts
 *   the query, and records already stored are updated rather than duplicated;
 * - reconciliation: a write in `unknown_outcome` gets a query that asks QuickBooks whether
 *   it happened; it is settled as done, or re-sent only when proven absent;
 * - stale EditSequence (3200): when the caller allowed it, the record is re-read and the
 *   Mod sent again with its current EditSequence.
 * Runs inside the caller's transaction.
 */
import type { Outcome } from './policy';
import { judgeReconcile, planReconcile, type WriteRequest } from './reconcile';
import { parseRequestElements } from '../qbxml/parser';
import type { RequestService } from '../services/requests';
import type { Store } from '../store';
import { outcomeOf } from '../store/requests';
import type { ErrorInfo, IteratorState, QueuedRequest, ResponseResult } from '../store/types';

/** notBefore of a request that waits for its follow-up (a re-read) to finish. */
export const WAITING_FOR_FOLLOW_UP = 8_640_000_000_000_000;
/** Restarts of an iterated query (after session breaks or lost iterators) before giving up. */
const MAX_RESTARTS = 5;
/** Re-reads of one Mod's EditSequence before the 3200 stands. */
const MAX_REFRESHES = 2;

export interface FollowUpDeps {
  store: Store;
  requests: RequestService;
  now: () => number;
  timeZone: string;
  log: (instanceId: string, action: string, result: string, requestId: string, detail?: string) => void;
}

export interface Continuation {
  outcome: Outcome;
  iterator: IteratorState | null;
  urgent: boolean;
}

const RECONCILED: ErrorInfo = {
  code: 'RECONCILE_INCONCLUSIVE',
  type: 'INTEGRATION_ERROR',
  category: 'unknown_outcome',
  retryable: false,
  userFacingMessage:
    'We could not confirm whether QuickBooks saved this change, so it was not sent again. Please check QuickBooks; then cancel it here, or enter it again.',
  developerMessage: 'Reconciliation could not prove the write present or absent (no marker, RefNumber, name or ID to look it up by, or the lookup was ambiguous).',
};

export class FollowUps {
  constructor(private readonly deps: FollowUpDeps) {}

  private get store(): Store {
    return this.deps.store;
  }

  /** Adjusts a response's outcome for an iterated query: more pages keep it queued. */
  continuation(request: QueuedRequest, outcome: Outcome, results: readonly ResponseResult[]): Continuation {
    const it = request.iterator;
    if (!it) return { outcome, iterator: null, urgent: false };
    const rs = results[0];
    if (outcome.status === 'done') {
      const remaining = rs?.iteratorRemainingCount ?? 0;
      const pages = it.pages + 1;
      if (remaining > 0 && rs?.iteratorID) {
        return { outcome: { ...outcome, status: 'queued' }, iterator: { ...it, id: rs.iteratorID, remaining, pages }, urgent: true };
      }
      return { outcome, iterator: { ...it, id: null, remaining: 0, pages }, urgent: false };
    }
    // A Continue that failed (the iterator expired) or came back unreadable: start over,
    // records are deduplicated. Continuing would skip the page that was lost.
    if (it.id !== null) {
      if (it.restarts < MAX_RESTARTS) {
        return { outcome: { ...outcome, status: 'queued' }, iterator: { ...it, id: null, restarts: it.restarts + 1 }, urgent: true };
      }
      if (outcome.status === 'queued') return { outcome: { ...outcome, status: 'error' }, iterator: it, urgent: false };
    }
    return { outcome, iterator: it, urgent: false };
  }

  /** Iterators live only within one QBWC session: open ones restart in the next. */
  restartIterators(requests: readonly QueuedRequest[]): void {
    for (const r of requests) {
      if (r.iterator?.id) this.store.requests.setIterator(r.id, { ...r.iterator, id: null, restarts: r.iterator.restarts + 1 }, false);
    }
  }

  /** Whether `afterCompletion` has anything to do for a request that reached this state. */
  concerns(request: QueuedRequest, status: string, statusCode: number | null): boolean {
    return request.parentId !== null || status === 'unknown_outcome' || (statusCode === 3200 && request.options.retryOnStaleEditSequence === true);
  }

  /** After a request reached a new state: settle parents, start follow-ups. */
  afterCompletion(request: QueuedRequest): void {
    if (request.purpose && request.parentId && (request.status === 'done' || request.status === 'error')) {
      if (request.purpose === 'reconcile') this.settleReconciled(request);
      else this.applyRefresh(request);
      return;
    }
    if (request.status === 'unknown_outcome') this.ensureReconcile(request);
    else if (request.status === 'error' && request.statusCode === 3200 && request.options.retryOnStaleEditSequence) this.refresh(request);
  }

  /** Queues the query that finds out whether a write happened (once). */
  ensureReconcile(write: QueuedRequest): void {
    if (this.store.requests.children(write.id).some((c) => c.purpose === 'reconcile' && (c.status === 'queued' || c.status === 'sent'))) return;
    const parsed = this.writeOf(write);
    const plan = parsed && write.sentAt !== null ? planReconcile(parsed, write.sentAt, this.deps.timeZone) : null;
    if (!plan) {
      this.store.requests.transition(write.id, 'unknown_outcome', 'unknown_outcome', this.deps.now(), RECONCILED);
      return;
    }
    const { requestId } = this.deps.requests.enqueue(
      write.instanceId,
      { ...plan.query, priority: 0, retryOnStaleEditSequence: false },
      'companion',
      { parentId: write.id, purpose: 'reconcile', urgent: true },
    );
    this.deps.log(write.instanceId, 'request.reconcile', plan.strategy, write.id, `checking QuickBooks with ${plan.query.type} (${requestId})`);
  }

  private settleReconciled(check: QueuedRequest): void {
    const write = this.store.requests.get(check.parentId as string);
    if (!write || write.status !== 'unknown_outcome') return;
    const parsed = this.writeOf(write);
    const plan = parsed && write.sentAt !== null ? planReconcile(parsed, write.sentAt, this.deps.timeZone) : null;
    const now = this.deps.now();
    const verdict =
      parsed && plan && check.status === 'done'
        ? judgeReconcile(parsed, plan, this.recordsOf(check), check.statusCode ?? 0, write.sentAt as number, this.deps.timeZone)
        : 'inconclusive';
    if (verdict === 'applied') {
      this.store.requests.complete(write, {
        status: 'done',
        now,
        statusCode: 0,
        statusSeverity: 'Info',
        statusMessage: 'Confirmed in QuickBooks after the connection was lost; it was not sent again.',
        results: write.results,
        responseId: write.responseId,
      });
    } else if (verdict === 'absent') {
      // Proven absent: sending it again cannot create a duplicate.
      this.store.requests.requeue(write.id, 'unknown_outcome', now, null, null);
      this.store.requests.setIterator(write.id, null, true);
    } else {
      this.store.requests.transition(write.id, 'unknown_outcome', 'unknown_outcome', now, RECONCILED);
    }
    this.deps.log(write.instanceId, 'request.reconciled', verdict, write.id, `by ${check.id}`);
  }

  private refresh(mod: QueuedRequest): void {
    const previous = this.store.requests.children(mod.id).filter((c) => c.purpose === 'refresh').length;
    const parsed = this.writeOf(mod);
    const plan = parsed && mod.sentAt !== null ? planReconcile(parsed, mod.sentAt, this.deps.timeZone) : null;
    if (previous >= MAX_REFRESHES || !plan || plan.strategy !== 'id') return;
    const now = this.deps.now();
    this.store.requests.complete(mod, { ...outcomeOf(mod), status: 'queued', now, notBefore: WAITING_FOR_FOLLOW_UP });
    const { requestId } = this.deps.requests.enqueue(
      mod.instanceId,
      { ...plan.query, priority: 0, retryOnStaleEditSequence: false },
      'companion',
      { parentId: mod.id, purpose: 'refresh', urgent: true },
    );
    this.deps.log(mod.instanceId, 'request.refresh', 'queued', mod.id, `re-reading the record (${requestId}) for its current EditSequence`);
  }

  private applyRefresh(read: QueuedRequest): void {
    const mod = this.store.requests.get(read.parentId as string);
    if (!mod || mod.status !== 'queued' || mod.notBefore !== WAITING_FOR_FOLLOW_UP) return;
    const record = this.recordsOf(read)[0] as Record<string, unknown> | undefined;
    const fresh = typeof record?.EditSequence === 'string' ? record.EditSequence : null;
    const now = this.deps.now();
    const stale = /<EditSequence>[^<]*<\/EditSequence>/;
    if (read.status !== 'done' || !fresh || !stale.test(mod.body)) {
      this.store.requests.complete(mod, { ...outcomeOf(mod), status: 'error', now, notBefore: null });
      return;
    }
    // Only the EditSequence changes (it is opaque text, no escaping needed); offsets stay valid.
    const body = mod.body.replace(stale, `<EditSequence>${fresh}</EditSequence>`);
    const shift = body.length - mod.body.length;
    const at = mod.body.search(stale);
    this.store.requests.setBody(mod.id, body, mod.rqOffsets.map((o) => (o > at ? o + shift : o)), now);
    this.store.requests.requeue(mod.id, 'queued', now, null, mod.error);
    this.store.requests.setIterator(mod.id, null, true);
    this.deps.log(mod.instanceId, 'request.refreshed', 'queued', mod.id, `EditSequence ${fresh}`);
  }

  private writeOf(r: QueuedRequest): WriteRequest | null {
    const json = r.requestJson as { type: string; params: Record<string, unknown> }[] | null;
    const items = json ?? safeParse(r.body);
    if (!items || items.length !== 1) return null; // batches can't be judged element by element
    const item = items[0] as { type: string; params: unknown };
    return { type: item.type.endsWith('Rq') ? item.type : `${item.type}Rq`, params: item.params as Record<string, unknown> };
  }

  private recordsOf(request: QueuedRequest): unknown[] {
    const out: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = this.store.records.page(request.seq, 500, cursor);
      for (const r of page.records) out.push(r.data);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }
}

function safeParse(body: string): { type: string; params: unknown }[] | null {
  try {
    return parseRequestElements(body);
  } catch {
    return null;
  }
}
