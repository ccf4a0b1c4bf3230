import type { QueuedRequest } from './types';

/**
 * The first queued requests of each instance, in sending order, kept in memory so that
 * a Web Connector session takes its next request without a query per call.
 *
 * Reading the next request, and asking whether one is ready, were two of the six
 * statements of a request pair, each run mid-call on cold caches; read in batches, they
 * are one statement every `batch` requests. A head is exact: it holds every queued
 * request of its instance that sorts before its last one (`whole`: every queued request
 * there is), so the first of its rows that is ready is the queue's next. RequestStore
 * keeps it so on every write (see place and remove) and drops all heads when a unit
 * rolls back.
 */
interface QueueHead {
  /** In sending order: urgent first, then higher priority, then first in. */
  rows: QueuedRequest[];
  /** Whether these are all the instance's queued requests, not just the first of them. */
  whole: boolean;
}

/** Where a request sorts: enough to tell whether it belongs in a head before reading it. */
type QueueKey = Pick<QueuedRequest, 'instanceId' | 'urgent' | 'priority' | 'seq'>;

/** Sending order: urgent first, then higher priority, then first in (the requests_queue index's order). */
function sendsBefore(a: QueueKey, b: QueueKey): boolean {
  if (a.urgent !== b.urgent) return a.urgent;
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.seq < b.seq;
}

const isReady = (r: QueuedRequest, now: number) => r.notBefore === null || r.notBefore <= now;

/** Heads kept at most (a head is one query away; the Web Connector runs one session at a time). */
const MAX_HEADS = 8;

export class QueueHeads {
  private readonly heads = new Map<string, QueueHead>();

  /** `batch`: how many rows a head is read with and holds at most. */
  constructor(readonly batch: number) {}

  /**
   * The instance's next ready request: `undefined` when there is none, `null` when the
   * head can't tell (no head yet, or none of its rows ready while more lie beyond it).
   */
  next(instanceId: string, now: number): QueuedRequest | undefined | null {
    const head = this.heads.get(instanceId);
    if (!head) return null;
    for (const r of head.rows) if (isReady(r, now)) return r;
    return head.whole ? undefined : null;
  }

  /** Starts the instance's head from a read of its first queued requests (in sending order, `batch` asked). */
  set(instanceId: string, rows: QueuedRequest[]): void {
    if (!this.heads.has(instanceId) && this.heads.size >= MAX_HEADS) {
      this.heads.delete(this.heads.keys().next().value as string); // the longest kept
    }
    this.heads.set(instanceId, { rows, whole: rows.length < this.batch });
  }

  has(instanceId: string): boolean {
    return this.heads.has(instanceId);
  }

  /** Whether any head is kept (a request written may belong in one). */
  get active(): boolean {
    return this.heads.size > 0;
  }

  /** A request that left the queue or changed: out of its head. True if it was in one. */
  remove(id: string): boolean {
    for (const [instanceId, head] of this.heads) {
      const i = head.rows.findIndex((r) => r.id === id);
      if (i === -1) continue;
      head.rows.splice(i, 1);
      // A partial head used up says nothing of what lies beyond it: read it again.
      if (head.rows.length === 0 && !head.whole) this.heads.delete(instanceId);
      return true;
    }
    return false;
  }

  /** Whether a queued request that sorts at `key` belongs in its instance's head. */
  within(key: QueueKey): boolean {
    const head = this.heads.get(key.instanceId);
    if (!head) return false;
    const last = head.rows[head.rows.length - 1];
    // Past the last row of a partial head, other queued requests may come before it.
    return head.whole || (last !== undefined && sendsBefore(key, last));
  }

  /** A request as it now is (not in any head): into its instance's head if it is queued and sorts within it. */
  place(row: QueuedRequest): void {
    const head = this.heads.get(row.instanceId);
    if (!head || row.status !== 'queued' || !this.within(row)) return;
    let i = 0;
    while (i < head.rows.length && !sendsBefore(row, head.rows[i] as QueuedRequest)) i++;
    head.rows.splice(i, 0, row);
    if (head.rows.length > this.batch) {
      head.rows.pop();
      head.whole = false;
    }
  }

  drop(instanceId: string): void {
    this.heads.delete(instanceId);
  }

  clear(): void {
    this.heads.clear();
  }
}
