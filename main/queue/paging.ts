/**
 * Paging a query through a whole result, when the caller asks for it with `pageSize`.
 *
 * `MaxReturned` keeps Intuit's meaning: at most N records, one request, no iterator.
 * Paging is explicit: a `pageSize` on the queued request makes the companion send the
 * query with `iterator="Start"` and `MaxReturned` = pageSize, and continue while QuickBooks
 * reports `iteratorRemainingCount > 0` (see FollowUps.continuation). The page size is
 * bounded so one request can never become tens of thousands of Web Connector round trips.
 */
import { ApiError } from '../errors';
import { checkRequestXml } from '../qbxml/builder';
import { planOf } from '../qbxml/builder/plan';
import { ITERATORS_SINCE } from '../qbxml/envelope';
import { loadQbxmlSchema } from '../qbxml/schema/load';

/** Fewest records per page: below this, paging costs a round trip per handful of records. */
export const MIN_PAGE_SIZE = 100;
/** Most records per page: one QuickBooks answer, posted whole by the Web Connector. */
export const MAX_PAGE_SIZE = 10_000;
/** qbXML added iterators in 5.0; an older QuickBooks can't page (it would answer only the first page). */
export const PAGING_MIN_VERSION = ITERATORS_SINCE;

/** A 400 naming the field `pageSize`. */
export const refusePaging = (message: string) => new ApiError(400, 'invalid_page_size', message, 'pageSize');

/** The 400 for a query whose own filters leave no room for MaxReturned: it names its records, there is nothing to page. */
export const notPageableAsWritten = (type: string, why: string) =>
  refusePaging(`${type.replace(/Rq$/, '')} can't be paged as written: ${why} (pageSize adds MaxReturned; a query by ListID, FullName, TxnID or RefNumber returns just those records).`);

export function checkPageSize(pageSize: number): void {
  if (!Number.isInteger(pageSize) || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE) {
    throw refusePaging(`pageSize must be a whole number from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE} (records per page; each page is one Web Connector round trip).`);
  }
}

/** The position of MaxReturned among the request's children, when it is a query that can be paged. */
function maxReturnedPosition(rqType: string): number | null {
  const name = rqType.endsWith('Rq') ? rqType : `${rqType}Rq`;
  const spec = loadQbxmlSchema().requests.get(name);
  if (spec?.type.kind !== 'complex' || !/Query(Rq)?$/.test(name)) return null;
  const plan = planOf(spec.type);
  if (!plan.attrByName.has('iterator')) return null;
  return plan.children.get('MaxReturned')?.position ?? null;
}

/**
 * Refuses what cannot be paged (400 naming `pageSize`): a message set of several requests,
 * a request that is not a query QuickBooks can iterate, or a query that already says
 * `MaxReturned` (which asks for only the first N records: give one or the other), or raw
 * qbXML that sets its own iterator attributes.
 */
export function checkPageable(types: readonly string[], facts: { hasMaxReturned: boolean; hasIterator?: boolean }): void {
  if (types.length !== 1) {
    throw refusePaging(`pageSize pages one query, but this message set holds ${types.length} requests; queue the query on its own.`);
  }
  const type = types[0] as string;
  if (maxReturnedPosition(type) === null) {
    throw refusePaging(`${type.replace(/Rq$/, '')} can't be paged: pageSize is for queries QuickBooks can iterate (e.g. CustomerQuery, InvoiceQuery); leave it out.`);
  }
  if (facts.hasIterator) {
    throw refusePaging('With pageSize the companion sets the iterator attributes itself; leave iterator and iteratorID out of the qbXML.');
  }
  if (facts.hasMaxReturned) {
    throw refusePaging(
      'Give either MaxReturned (at most that many records, in one request) or pageSize (every record, that many per page), not both. ' +
        'To get the first N records, leave pageSize out; to get them all in pages, leave MaxReturned out.',
    );
  }
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;

/** A raw request element's direct children (names and where each starts), and its own attributes. */
function scan(body: string): { attrs: string; children: { name: string; at: number }[]; close: number; selfClosing: boolean } {
  TAG.lastIndex = 0;
  const root = TAG.exec(body);
  if (!root || root.index !== 0) throw new Error('not a request element');
  if (root[4] === '/') return { attrs: root[3] ?? '', children: [], close: root[0].length, selfClosing: true };
  const children: { name: string; at: number }[] = [];
  let depth = 1;
  for (let m = TAG.exec(body); m; m = TAG.exec(body)) {
    if (m[1] === '/') {
      depth--;
      if (depth === 0) return { attrs: root[3] ?? '', children, close: m.index, selfClosing: false };
    } else {
      if (depth === 1) children.push({ name: m[2] as string, at: m.index });
      if (m[4] !== '/') depth++;
    }
  }
  throw new Error('request element not closed');
}

/** Whether one raw request element (as parseRequestDocument stores it) has a MaxReturned child or its own iterator attribute. */
export function rawPagingFacts(body: string): { hasMaxReturned: boolean; hasIterator: boolean } {
  const s = scan(body);
  return { hasMaxReturned: s.children.some((c) => c.name === 'MaxReturned'), hasIterator: /\siterator(ID)?\s*=/.test(s.attrs) };
}

/**
 * One raw request element with `<MaxReturned>pageSize</MaxReturned>` in its schema place.
 * Refused (400 naming pageSize) when the query's own filters leave no room for it (a query
 * by ListID, FullName, TxnID or RefNumber names its records: there is nothing to page).
 */
export function withMaxReturned(type: string, body: string, pageSize: number): string {
  const position = maxReturnedPosition(type) as number;
  const plan = planOf(loadQbxmlSchema().requests.get(type)?.type as Parameters<typeof planOf>[0]);
  const s = scan(body);
  const element = `<MaxReturned>${pageSize}</MaxReturned>`;
  let out: string;
  if (s.selfClosing) {
    out = `${body.slice(0, s.close - 2).trimEnd()}>${element}</${type}>`;
  } else {
    const after = s.children.find((c) => (plan.children.get(c.name)?.position ?? Infinity) > position);
    const at = after ? after.at : s.close;
    out = body.slice(0, at) + element + body.slice(at);
  }
  const before = new Set(checkRequestXml(body).issues.map((i) => i.message));
  const added = checkRequestXml(out).issues.find((i) => !before.has(i.message));
  if (added) throw notPageableAsWritten(type, added.message);
  return out;
}
