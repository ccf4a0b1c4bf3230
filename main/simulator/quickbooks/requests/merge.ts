/**
 * Merging list elements: qbXML's ListMerge (since 7.0), and what the QuickBooks window
 * does when a bookkeeper renames an element to another's name and says yes to "merge?".
 * Either way everything that pointed at the merged-away element points at the survivor,
 * the survivor is modified (new TimeModified and EditSequence), and the merged-away
 * element is gone — ListDeletedQuery reports it like a deletion.
 */
import { type XmlElement, child } from '../../../xml/tree';
import { type Ctx, type Outcome, fail, ms, trimmed, value } from '../context';
import { formatDateTime } from '../datetime';
import { isWellFormedId } from '../ids';
import { touch } from '../lists';
import { leaves, node } from '../render';
import { OK, type Status, cannotMerge, invalidObjectId, notImplemented, objectNotFound, staleEditSequence } from '../status';
import { tombstone } from './deleted';
import { elementsOf, findElement, type ListElementRecord } from './list-elements';

/**
 * Moves everything from `from` to `to` and removes `from`, leaving a deletion named
 * `tombstoneName`; returns when it was deleted (UTC ISO), or why it can't be merged.
 */
function mergeElements(ctx: Ctx, type: string, from: ListElementRecord, to: ListElementRecord, tombstoneName: string): string | Status {
  const state = ctx.state;
  const list = elementsOf(state, type) as ListElementRecord[];
  if (from === to) return cannotMerge(type, from.FullName, 'it would be merged into itself');
  if (list.some((e) => e.ParentListID === from.ListID)) return cannotMerge(type, from.FullName, 'it has sub-elements');
  for (const invoice of state.invoices) {
    if (invoice.CustomerListID === from.ListID) invoice.CustomerListID = to.ListID;
    for (const line of invoice.lines) if (line.ItemListID === from.ListID) line.ItemListID = to.ListID;
  }
  list.splice(list.indexOf(from), 1);
  touch(ctx, to);
  return tombstone(ctx, { kind: 'list', type, id: from.ListID, TimeCreated: from.TimeCreated, name: tombstoneName }).TimeDeleted;
}

function side(rq: XmlElement, name: 'MergeFrom' | 'MergeTo', ctx: Ctx, type: string): ListElementRecord | Status {
  const el = child(rq, name);
  const listId = trimmed(el, 'ListID') as string;
  if (!isWellFormedId(listId)) return invalidObjectId(listId, 'list id');
  const found = findElement(ctx.state, type, listId);
  if (!found) return objectNotFound(listId);
  const editSequence = (value(el, 'EditSequence') as string).trim();
  return editSequence === found.EditSequence ? found : staleEditSequence(editSequence);
}

export function listMerge(rq: XmlElement, ctx: Ctx): Outcome {
  const type = trimmed(rq, 'ListMergeType') as string;
  if (!elementsOf(ctx.state, type)) return fail(notImplemented(`ListMerge of ${type}`));
  const from = side(rq, 'MergeFrom', ctx, type);
  if ('severity' in from) return fail(from);
  const to = side(rq, 'MergeTo', ctx, type);
  if ('severity' in to) return fail(to);
  const fromName = from.FullName;
  const deleted = mergeElements(ctx, type, from, to, fromName);
  if (typeof deleted !== 'string') return fail(deleted);
  const time = (t: string) => formatDateTime(ms(t), ctx.clock);
  return {
    status: OK,
    rets: [
      ...leaves({ ListMergeType: type }),
      node('MergedFrom', leaves({ ListID: from.ListID, TimeDeleted: time(deleted), FullName: fromName })),
      node('MergedTo', leaves({ ListID: to.ListID, TimeCreated: time(to.TimeCreated), TimeModified: time(to.TimeModified), EditSequence: to.EditSequence, FullName: to.FullName })),
    ],
  };
}

/** The QuickBooks window's merge: `fromId` renamed to the name of `toId`, then merged into it. */
export function mergeInWindow(ctx: Ctx, type: string, fromId: string, toId: string): Status | undefined {
  if (!elementsOf(ctx.state, type)) return notImplemented(`merging ${type}`);
  const from = findElement(ctx.state, type, fromId);
  const to = findElement(ctx.state, type, toId);
  if (!from) return objectNotFound(fromId);
  if (!to) return objectNotFound(toId);
  const deleted = mergeElements(ctx, type, from, to, to.FullName);
  return typeof deleted === 'string' ? undefined : deleted;
}
