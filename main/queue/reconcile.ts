/**
 * Reconciliation of writes whose outcome is unknown (the session died after sending
 * them). Before anything is sent again we ask QuickBooks whether the record exists:
 * by the ExternalGUID marker the companion writes into every JSON Add that can carry it,
 * by RefNumber, by name, or by ID. A write is re-sent only when it is proven absent.
 *
 * Pure functions: a plan (the query to send) and a judgement (what its answer means).
 */
import { loadQbxmlSchema } from '../qbxml/schema/load';
import type { ComplexType } from '../qbxml/schema/model';
import { wallTimeAt, wallTimeToInstant } from '../qbxml/datetime';

export interface WriteRequest {
  /** e.g. "InvoiceAddRq" */
  type: string;
  params: Record<string, unknown>;
}

export type Verdict = 'applied' | 'absent' | 'inconclusive';

export interface ReconcilePlan {
  query: { type: string; params: Record<string, unknown> };
  strategy: 'marker' | 'refNumber' | 'name' | 'id';
}

/**
 * Look this far back before the send when scanning by modification time. QuickBooks
 * filters on its local time and mis-reports DST offsets, so the window is wide enough
 * to absorb an hour of skew plus clock drift between the PC and QuickBooks.
 */
export const RECONCILE_WINDOW_MS = 70 * 60_000;

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function queryType(entity: string): ComplexType | undefined {
  const rq = loadQbxmlSchema().requests.get(`${entity}QueryRq`);
  return rq?.type.kind === 'complex' ? rq.type : undefined;
}

/** The wrapper element of an Add/Mod (InvoiceAdd inside InvoiceAddRq), accepting the shorthand. */
function wrapperOf(write: WriteRequest, suffix: 'Add' | 'Mod'): Record<string, unknown> | undefined {
  const base = write.type.replace(/Rq$/, '');
  return obj(write.params[base]) ?? (base.endsWith(suffix) ? write.params : undefined);
}

const entityOf = (type: string, suffix: string) => type.replace(/Rq$/, '').slice(0, -suffix.length);

export function planReconcile(write: WriteRequest, sentAt: number, timeZone: string): ReconcilePlan | null {
  const base = write.type.replace(/Rq$/, '');
  if (base.endsWith('Add')) return planAdd(write, entityOf(write.type, 'Add'), sentAt, timeZone);
  if (base.endsWith('Mod')) {
    const mod = wrapperOf(write, 'Mod');
    const entity = entityOf(write.type, 'Mod');
    const id = text(mod?.TxnID) ?? text(mod?.ListID);
    const q = queryType(entity);
    if (!id || !q) return null;
    const field = mod?.TxnID ? 'TxnID' : 'ListID';
    return q.children.has(field) ? { query: { type: `${entity}QueryRq`, params: { [field]: [id] } }, strategy: 'id' } : null;
  }
  if (base === 'ListDel' || base === 'TxnDel') {
    const kind = text(write.params[base === 'ListDel' ? 'ListDelType' : 'TxnDelType']);
    const id = text(write.params[base === 'ListDel' ? 'ListID' : 'TxnID']);
    const field = base === 'ListDel' ? 'ListID' : 'TxnID';
    const q = kind ? queryType(kind) : undefined;
    if (!kind || !id || !q?.children.has(field)) return null;
    return { query: { type: `${kind}QueryRq`, params: { [field]: [id] } }, strategy: 'id' };
  }
  return null;
}

function planAdd(write: WriteRequest, entity: string, sentAt: number, timeZone: string): ReconcilePlan | null {
  const add = wrapperOf(write, 'Add');
  const q = queryType(entity);
  if (!add || !q) return null;
  const since = wallTimeAt(sentAt - RECONCILE_WINDOW_MS, timeZone);
  if (text(add.ExternalGUID)) {
    // Only the fields the judgement needs, to keep the answer small.
    const fields = (id: string) => (q.children.has('IncludeRetElement') ? { IncludeRetElement: [id, 'ExternalGUID'] } : {});
    // Transactions filter modification time inside ModifiedDateRangeFilter; lists directly.
    if (q.children.has('ModifiedDateRangeFilter')) {
      return { query: { type: `${entity}QueryRq`, params: { ModifiedDateRangeFilter: { FromModifiedDate: since }, ...fields('TxnID') } }, strategy: 'marker' };
    }
    if (q.children.has('FromModifiedDate')) {
      const params: Record<string, unknown> = { FromModifiedDate: since, ...fields('ListID') };
      if (q.children.has('ActiveStatus')) params.ActiveStatus = 'All';
      return { query: { type: `${entity}QueryRq`, params }, strategy: 'marker' };
    }
  }
  const ref = text(add.RefNumber);
  if (ref && q.children.has('RefNumber')) return { query: { type: `${entity}QueryRq`, params: { RefNumber: [ref] } }, strategy: 'refNumber' };
  const name = text(add.Name);
  if (name && q.children.has('FullName')) {
    const parent = text(obj(add.ParentRef)?.FullName);
    return { query: { type: `${entity}QueryRq`, params: { FullName: [parent ? `${parent}:${name}` : name] } }, strategy: 'name' };
  }
  return null;
}

/** Whether a record (…Ret) was created or changed at or after the send, allowing for QuickBooks' DST skew. */
function touchedSince(record: Record<string, unknown>, field: 'TimeCreated' | 'TimeModified', sentAt: number, timeZone: string): boolean {
  const wall = text(record[field]);
  if (!wall) return false;
  // The offset QuickBooks prints is unreliable during DST; its wall-clock part is right.
  const at = wallTimeToInstant(wall.replace(/([+-]\d{2}:\d{2}|Z)$/, ''), timeZone);
  return at !== null && at >= sentAt - RECONCILE_WINDOW_MS;
}

/**
 * What the reconciliation query's answer says about the write. `records` are the query's
 * …Ret records; `statusCode` its status (1 = nothing matched).
 */
export function judgeReconcile(
  write: WriteRequest,
  plan: ReconcilePlan,
  records: readonly unknown[],
  statusCode: number,
  sentAt: number,
  timeZone: string,
): Verdict {
  const recs = records.map(obj).filter((r): r is Record<string, unknown> => r !== undefined);
  const nothing = statusCode === 1 || recs.length === 0;
  const base = write.type.replace(/Rq$/, '');
  if (plan.strategy === 'marker') {
    const guid = text(wrapperOf(write, 'Add')?.ExternalGUID)?.toUpperCase();
    return recs.some((r) => text(r.ExternalGUID)?.toUpperCase() === guid) ? 'applied' : statusCode <= 1 ? 'absent' : 'inconclusive';
  }
  if (plan.strategy === 'refNumber' || plan.strategy === 'name') {
    if (nothing) return statusCode <= 1 || statusCode === 500 ? 'absent' : 'inconclusive';
    // It exists: ours only if it was created since we sent it; an older one would have made ours fail.
    return recs.some((r) => touchedSince(r, 'TimeCreated', sentAt, timeZone)) ? 'applied' : 'inconclusive';
  }
  // By ID.
  if (base === 'ListDel' || base === 'TxnDel') {
    if (nothing || statusCode === 3120 || statusCode === 500) return 'applied';
    return 'absent';
  }
  const mod = wrapperOf(write, 'Mod');
  const record = recs[0];
  if (!record) return 'inconclusive';
  // Unchanged EditSequence: our Mod did not happen, and its EditSequence is still good.
  if (text(record.EditSequence) === text(mod?.EditSequence)) return 'absent';
  return touchedSince(record, 'TimeModified', sentAt, timeZone) ? 'applied' : 'inconclusive';
}
