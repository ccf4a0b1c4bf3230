/**
 * What every …QueryRq shares: ID lookups with QuickBooks' partial-result warning,
 * MaxReturned, metaData, and iterators (Start fixes the result set, Continue pages
 * through it, Stop ends it; an unknown ID is 3391), plus the list filters.
 */
import type { XmlElement } from '../../xml/tree';
import { type Ctx, type Outcome, fail, ms, trimmed, value, values } from './context';
import { parseDateTime } from './datetime';
import type { XNode } from './render';
import { sameName } from './refs';
import { NO_MATCH, OK, type Status, invalidIterator, notImplemented, partialResult } from './status';

export interface Selection {
  /** Matching record IDs, in the order QuickBooks returns them. */
  ids: string[];
  /** A non-OK status to report even with matches (500 partial result). */
  status?: Status;
}

export interface QuerySpec {
  select(): Selection | Status;
  /** undefined when the record no longer exists (deleted while an iterator was open). */
  render(id: string): XNode | undefined;
}

function maxReturned(rq: XmlElement): number | undefined {
  const v = trimmed(rq, 'MaxReturned');
  return v === undefined ? undefined : Math.max(0, Number(v));
}

function page(spec: QuerySpec, ids: readonly string[]): XNode[] {
  return ids.map((id) => spec.render(id)).filter((r): r is XNode => r !== undefined);
}

export function answerQuery(rq: XmlElement, ctx: Ctx, spec: QuerySpec): Outcome {
  const mode = rq.attrs.iterator;
  if (mode === 'Continue' || mode === 'Stop') {
    const id = rq.attrs.iteratorID ?? '';
    const it = ctx.iterators.get(id);
    if (!it || it.requestType !== rq.name) return fail(invalidIterator(id));
    if (mode === 'Stop') {
      // What QuickBooks answers to Stop is not documented in the sources; an empty OK.
      ctx.iterators.delete(id);
      return { status: OK, iterator: { remaining: 0, id } };
    }
    const n = maxReturned(rq) ?? it.maxReturned ?? it.remaining.length;
    const taken = it.remaining.splice(0, n);
    if (it.remaining.length === 0) ctx.iterators.delete(id);
    const rets = page(spec, taken);
    return { status: rets.length ? OK : NO_MATCH, rets, iterator: { remaining: it.remaining.length, id } };
  }

  const selected = spec.select();
  if ('severity' in selected) return fail(selected);
  const status = selected.status ?? (selected.ids.length ? OK : NO_MATCH);
  const metaData = rq.attrs.metaData ?? 'NoMetaData';
  const retCount = metaData === 'NoMetaData' ? undefined : selected.ids.length;
  if (metaData === 'MetaDataOnly') return { status, retCount };

  const limit = maxReturned(rq);
  if (mode === 'Start') {
    const remaining = [...selected.ids];
    const taken = remaining.splice(0, limit ?? remaining.length);
    const id = ctx.iterators.start({ requestType: rq.name, remaining, maxReturned: limit }, ctx.now);
    if (remaining.length === 0) ctx.iterators.delete(id);
    return { status, retCount, rets: page(spec, taken), iterator: { remaining: remaining.length, id } };
  }
  const ids = limit === undefined ? selected.ids : selected.ids.slice(0, limit);
  return { status, retCount, rets: page(spec, ids) };
}

/**
 * Lookups by ListID, TxnID or FullName: results in request order; any ID QuickBooks
 * cannot find turns the answer into warning 500 naming the first one.
 */
export function lookup<T>(wanted: readonly string[], find: (key: string) => T | undefined, idOf: (r: T) => string): Selection {
  const ids: string[] = [];
  let missing: string | undefined;
  for (const key of wanted) {
    const found = find(key);
    if (found === undefined) missing ??= key;
    else if (!ids.includes(idOf(found))) ids.push(idOf(found));
  }
  return missing === undefined ? { ids } : { ids, status: partialResult(missing) };
}

/** What the list filters look at. */
export interface Listed {
  FullName: string;
  IsActive: boolean;
  TimeModified: string;
}

export type Filter<T> = (r: T) => boolean;

export function nameMatches(criterion: string, candidate: string, wanted: string): boolean {
  const c = candidate.toLowerCase();
  const w = wanted.toLowerCase();
  return criterion === 'StartsWith' ? c.startsWith(w) : criterion === 'EndsWith' ? c.endsWith(w) : c.includes(w);
}

/** FromModifiedDate/ToModifiedDate, inclusive (QbSync README: "FromModifiedDate is inclusive"). */
export function modifiedFilter<T extends { TimeModified: string }>(ctx: Ctx, from: string | undefined, to: string | undefined): Filter<T> {
  const lo = from === undefined ? undefined : parseDateTime(from, ctx.clock);
  const hi = to === undefined ? undefined : parseDateTime(to, ctx.clock, true);
  return (r) => {
    const t = ms(r.TimeModified);
    return (lo === undefined || t >= lo) && (hi === undefined || t <= hi);
  };
}

/**
 * The ListFilter group (qbxml.md §4): ActiveStatus defaults to ActiveOnly, names match
 * the FullName without regard to case. `extra` handles entity-specific filters; any
 * other filter element is one the simulator does not implement.
 */
export function listFilter<T extends Listed>(rq: XmlElement, ctx: Ctx, extra: Record<string, (el: XmlElement) => Filter<T>> = {}): Filter<T> | Status {
  const filters: Filter<T>[] = [];
  const active = trimmed(rq, 'ActiveStatus') ?? 'ActiveOnly';
  if (active !== 'All') filters.push((r) => r.IsActive === (active === 'ActiveOnly'));
  filters.push(modifiedFilter(ctx, value(rq, 'FromModifiedDate'), value(rq, 'ToModifiedDate')));
  for (const el of rq.children) {
    switch (el.name) {
      case 'MaxReturned':
      case 'ActiveStatus':
      case 'FromModifiedDate':
      case 'ToModifiedDate':
      case 'IncludeRetElement':
      case 'OwnerID':
        break;
      case 'NameFilter': {
        const criterion = trimmed(el, 'MatchCriterion') as string;
        const name = value(el, 'Name') as string;
        filters.push((r) => nameMatches(criterion, r.FullName, name));
        break;
      }
      case 'NameRangeFilter': {
        const from = value(el, 'FromName')?.toLowerCase();
        const to = value(el, 'ToName')?.toLowerCase();
        filters.push((r) => {
          const n = r.FullName.toLowerCase();
          return (from === undefined || n >= from) && (to === undefined || n <= to);
        });
        break;
      }
      default: {
        const custom = extra[el.name];
        if (!custom) return notImplemented(`the ${el.name} of ${rq.name}`);
        filters.push(custom(el));
      }
    }
  }
  return (r) => filters.every((f) => f(r));
}

/** QuickBooks lists names hierarchically: "Parent", "Parent:Job", then "Parent2". */
export function byFullName(a: { FullName: string }, b: { FullName: string }): number {
  const x = a.FullName.toLowerCase().split(':');
  const y = b.FullName.toLowerCase().split(':');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = (x[i] as string) < (y[i] as string) ? -1 : (x[i] as string) > (y[i] as string) ? 1 : 0;
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

/** A query by ListID or FullName, or the filter branch, for list elements. */
export function selectList<T extends Listed & { ListID: string }>(
  rq: XmlElement,
  ctx: Ctx,
  records: readonly T[],
  extra?: Record<string, (el: XmlElement) => Filter<T>>,
): Selection | Status {
  const listIds = values(rq, 'ListID').map((v) => v.trim());
  if (listIds.length) return lookup(listIds, (id) => records.find((r) => r.ListID === id), (r) => r.ListID);
  const names = values(rq, 'FullName');
  if (names.length) return lookup(names, (n) => records.find((r) => sameName(r.FullName, n)), (r) => r.ListID);
  const filter = listFilter(rq, ctx, extra);
  if (typeof filter !== 'function') return filter;
  return { ids: records.filter(filter).sort(byFullName).map((r) => r.ListID) };
}
