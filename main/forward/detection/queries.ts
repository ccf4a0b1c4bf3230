/**
 * The qbXML queries change detection queues (qbxml.md §4), as JSON requests:
 * - changes: every record modified since a time — `FromModifiedDate` with
 *   `ActiveStatus` All for lists (the default, ActiveOnly, misses deactivated ones),
 *   `ModifiedDateRangeFilter` with line items for transactions; no date: every record;
 * - ids: only the ids, EditSequences and names of every record (a baseline, or a
 *   reconciliation once QuickBooks' deletion log no longer reaches back far enough);
 * - deleted: `ListDeletedQuery` / `TxnDeletedQuery` for the named types.
 * Queries QuickBooks can iterate are paged (`pageSize`).
 */
import type { z } from 'zod';
import type { requestCreateSchema } from '../../contract/schemas';
import { canPage, type DetectableType, idField, type TypeKind } from './catalog';

type RequestInput = z.infer<typeof requestCreateSchema>;

/** Below the default 0 of the requests apps queue: detection never holds up their work. */
export const DETECTION_PRIORITY = -100;
const OPTIONS = { priority: DETECTION_PRIORITY, retryOnStaleEditSequence: false };

function query(type: string, params: Record<string, unknown>, pageSize: number): RequestInput {
  return { type: `${type}QueryRq`, params, ...OPTIONS, ...(canPage(type) ? { pageSize } : {}) };
}

/** OwnerID 0 adds the record's custom fields (DataExtRet): part of the full record. */
export function changesQuery(t: DetectableType, from: string | null, pageSize: number): RequestInput {
  if (t.kind === 'list') return query(t.name, { ActiveStatus: 'All', ...(from ? { FromModifiedDate: from } : {}), OwnerID: '0' }, pageSize);
  return query(t.name, { ...(from ? { ModifiedDateRangeFilter: { FromModifiedDate: from } } : {}), IncludeLineItems: true, OwnerID: '0' }, pageSize);
}

/** What an id list returns of each record: enough to know it, name it and tell a void. */
const ID_ELEMENTS: Record<TypeKind, string[]> = {
  list: ['ListID', 'EditSequence', 'TimeCreated', 'TimeModified', 'FullName', 'Name'],
  txn: ['TxnID', 'EditSequence', 'TimeCreated', 'TimeModified', 'RefNumber', 'Memo'],
};

export function idsQuery(t: DetectableType, pageSize: number): RequestInput {
  return query(t.name, { ...(t.kind === 'list' ? { ActiveStatus: 'All' } : {}), IncludeRetElement: ID_ELEMENTS[t.kind] }, pageSize);
}

export function deletedQuery(kind: TypeKind, types: readonly string[], from: string | null): RequestInput {
  const prefix = kind === 'list' ? 'List' : 'Txn';
  return {
    type: `${prefix}DeletedQueryRq`,
    params: { [`${prefix}DelType`]: types, ...(from ? { DeletedDateRangeFilter: { FromDeletedDate: from } } : {}) },
    ...OPTIONS,
  };
}

/** The id element of a record of the kind. */
export const recordId = (kind: TypeKind, record: Record<string, unknown>): string | null => {
  const id = record[idField(kind)];
  return typeof id === 'string' ? id : null;
};
