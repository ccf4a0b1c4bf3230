/**
 * Rules shared by the list elements (customers and jobs, items and sub-items): names
 * without colons, unique full names, "Parent:Child" full names that follow a rename or a
 * move, and the ListID/TimeCreated/EditSequence stamps.
 */
import { type Ctx, iso, ms } from './context';
import { formatDateTime } from './datetime';
import { nextEditSequence, nextListId } from './ids';
import { type XNode, leaf, leaves, ref } from './render';
import { sameName } from './refs';
import { type Status, colonInName, nameInUse } from './status';

export interface ListNode {
  ListID: string;
  Name: string;
  FullName: string;
  ParentListID?: string;
  Sublevel: number;
}

/** The stamps of a new element. */
export function created(ctx: Ctx): { ListID: string; TimeCreated: string; TimeModified: string; EditSequence: string } {
  const time = iso(ctx.now);
  return { ListID: nextListId(ctx.state.counters, ctx.now), TimeCreated: time, TimeModified: time, EditSequence: nextEditSequence(ctx.state.counters, ctx.now) };
}

/** Marks a change: QuickBooks moves TimeModified and EditSequence on every modification. */
export function touch(ctx: Ctx, r: { TimeModified: string; EditSequence: string }): void {
  r.TimeModified = iso(ctx.now);
  r.EditSequence = nextEditSequence(ctx.state.counters, ctx.now);
}

const fullNameOf = (name: string, parent: ListNode | undefined): string => (parent ? `${parent.FullName}:${name}` : name);

/** 3090 for a colon, 3100 when another element (not `self`) already has the full name. */
export function checkName(records: readonly ListNode[], name: string, parent: ListNode | undefined, field: string, self?: ListNode): Status | undefined {
  if (name.includes(':')) return colonInName(name, field);
  const full = fullNameOf(name, parent);
  if (records.some((r) => r !== self && sameName(r.FullName, full))) return nameInUse(name);
  return undefined;
}

export function isDescendant<T extends ListNode>(records: readonly T[], candidate: T, ancestor: T): boolean {
  for (let p: T | undefined = candidate; p; p = records.find((r) => r.ListID === p?.ParentListID)) {
    if (p === ancestor) return true;
  }
  return false;
}

/** Sets name and parent and re-derives FullName/Sublevel for `r` and everything below it. */
export function place<T extends ListNode>(records: readonly T[], r: T, name: string, parent: T | undefined): void {
  r.Name = name;
  r.ParentListID = parent?.ListID;
  if (!parent) delete r.ParentListID;
  const rederive = (n: T, p: T | undefined): void => {
    n.FullName = fullNameOf(n.Name, p);
    n.Sublevel = p ? p.Sublevel + 1 : 0;
    for (const c of records.filter((x) => x.ParentListID === n.ListID)) rederive(c, n);
  };
  rederive(r, parent);
}

/** The elements every list …Ret starts with, ListID through Sublevel, as QuickBooks writes them. */
export function listHeader<T extends ListNode & { TimeCreated: string; TimeModified: string; EditSequence: string; IsActive: boolean }>(
  ctx: Ctx,
  e: T,
  records: readonly T[],
): XNode[] {
  const parent = records.find((p) => p.ListID === e.ParentListID);
  return [
    ...leaves({
      ListID: e.ListID,
      TimeCreated: formatDateTime(ms(e.TimeCreated), ctx.clock),
      TimeModified: formatDateTime(ms(e.TimeModified), ctx.clock),
      EditSequence: e.EditSequence,
      Name: e.Name,
      FullName: e.FullName,
      IsActive: String(e.IsActive),
    }),
    ...(parent ? [ref('ParentRef', parent.ListID, parent.FullName)] : []),
    leaf('Sublevel', String(e.Sublevel)),
  ];
}
