/**
 * ListDel/TxnDel and the deleted-object queries incremental sync relies on
 * (qbxml.md §4): QuickBooks reports deletions of the named types only, and only for the
 * last 90 days.
 */
import { type XmlElement } from '../../../xml/tree';
import { type Ctx, type Outcome, fail, iso, ms, trimmed, values } from '../context';
import { formatDateTime, parseDateTime } from '../datetime';
import { isWellFormedId } from '../ids';
import { answerQuery } from '../query';
import { type XNode, leaves, node } from '../render';
import { OK, cannotDelete, invalidObjectId, notImplemented, objectNotFound } from '../status';
import type { DeletedRecord } from '../types';
import { elementsOf, findElement } from './list-elements';

const RETENTION_MS = 90 * 24 * 3600 * 1000;

/** Records a deletion (or a merge) in the log the deleted-object queries read. */
export function tombstone(ctx: Ctx, d: Omit<DeletedRecord, 'TimeDeleted'>): DeletedRecord {
  const record = { ...d, TimeDeleted: iso(ctx.now) };
  ctx.state.deleted.push(record);
  return record;
}

export function listDel(rq: XmlElement, ctx: Ctx): Outcome {
  const type = trimmed(rq, 'ListDelType') as string;
  const listId = trimmed(rq, 'ListID') as string;
  const state = ctx.state;
  const list = elementsOf(state, type);
  if (!list) return fail(notImplemented(`ListDel of ${type}`));
  if (!isWellFormedId(listId)) return fail(invalidObjectId(listId, 'list id'));
  const record = findElement(state, type, listId);
  if (!record) return fail(objectNotFound(listId));
  const used =
    list.some((r) => r.ParentListID === listId) ||
    state.invoices.some((i) => i.CustomerListID === listId || i.lines.some((l) => l.ItemListID === listId));
  if (used) return fail(cannotDelete(type, record.FullName));
  list.splice(list.indexOf(record), 1);
  const d = tombstone(ctx, { kind: 'list', type, id: listId, TimeCreated: record.TimeCreated, name: record.FullName });
  return { status: OK, rets: leaves({ ListDelType: type, ListID: listId, TimeDeleted: formatDateTime(ms(d.TimeDeleted), ctx.clock), FullName: d.name }) };
}

export function txnDel(rq: XmlElement, ctx: Ctx): Outcome {
  const type = trimmed(rq, 'TxnDelType') as string;
  const txnId = trimmed(rq, 'TxnID') as string;
  if (type !== 'Invoice') return fail(notImplemented(`TxnDel of ${type}`));
  if (!isWellFormedId(txnId)) return fail(invalidObjectId(txnId, 'txn id'));
  const index = ctx.state.invoices.findIndex((i) => i.TxnID === txnId);
  const invoice = ctx.state.invoices[index];
  if (!invoice) return fail(objectNotFound(txnId));
  ctx.state.invoices.splice(index, 1);
  const d = tombstone(ctx, { kind: 'txn', type, id: txnId, TimeCreated: invoice.TimeCreated, name: invoice.RefNumber });
  return { status: OK, rets: leaves({ TxnDelType: type, TxnID: txnId, TimeDeleted: formatDateTime(ms(d.TimeDeleted), ctx.clock), RefNumber: d.name }) };
}

const deletedQuery = (kind: 'list' | 'txn') => (rq: XmlElement, ctx: Ctx): Outcome => {
  const prefix = kind === 'list' ? 'List' : 'Txn';
  const types = values(rq, `${prefix}DelType`).map((t) => t.trim());
  const range = rq.children.find((c) => c.name === 'DeletedDateRangeFilter');
  const from = range && trimmed(range, 'FromDeletedDate');
  const to = range && trimmed(range, 'ToDeletedDate');
  const lo = Math.max(ctx.now - RETENTION_MS, (from && parseDateTime(from, ctx.clock)) || -Infinity);
  const hi = (to && parseDateTime(to, ctx.clock, true)) || Infinity;
  const find = (id: string): DeletedRecord | undefined => ctx.state.deleted.find((d) => d.kind === kind && d.id === id);
  return answerQuery(rq, ctx, {
    select: () => ({
      ids: ctx.state.deleted
        .filter((d) => d.kind === kind && types.includes(d.type) && ms(d.TimeDeleted) >= lo && ms(d.TimeDeleted) <= hi)
        .map((d) => d.id),
    }),
    render: (id) => {
      const d = find(id);
      return d && renderDeleted(ctx, d, prefix);
    },
  });
};

function renderDeleted(ctx: Ctx, d: DeletedRecord, prefix: 'List' | 'Txn'): XNode {
  return node(`${prefix}DeletedRet`, [
    ...leaves({
      [`${prefix}DelType`]: d.type,
      [prefix === 'List' ? 'ListID' : 'TxnID']: d.id,
      TimeCreated: formatDateTime(ms(d.TimeCreated), ctx.clock),
      TimeDeleted: formatDateTime(ms(d.TimeDeleted), ctx.clock),
      [prefix === 'List' ? 'FullName' : 'RefNumber']: d.name,
    }),
  ]);
}

export const listDeletedQuery = deletedQuery('list');
export const txnDeletedQuery = deletedQuery('txn');
