/**
 * InvoiceQuery: by TxnID (partial result 500 for unknown IDs), by RefNumber, or by the
 * TxnFilter group. Results come in TxnDate order, then entry order.
 */
import { type XmlElement, child } from '../../../xml/tree';
import { type Ctx, type Outcome, trimmed, value, values } from '../context';
import { isDescendant } from '../lists';
import { type Filter, type Selection, answerQuery, lookup, modifiedFilter, nameMatches } from '../query';
import { sameName } from '../refs';
import { type Status, notImplemented } from '../status';
import type { InvoiceRecord } from '../types';
import { isPaid, renderInvoice } from './invoices';

/** Customers an EntityFilter names, with their jobs for the …WithChildren forms. */
function entityFilter(ctx: Ctx, el: XmlElement): Filter<InvoiceRecord> {
  const customers = ctx.state.customers;
  const ids = new Set(values(el, 'ListID').map((v) => v.trim()));
  const names = values(el, 'FullName');
  const withChildrenId = trimmed(el, 'ListIDWithChildren');
  const withChildrenName = value(el, 'FullNameWithChildren');
  const root = customers.find((c) => c.ListID === withChildrenId || (withChildrenName !== undefined && sameName(c.FullName, withChildrenName)));
  const matching = new Set(
    customers
      .filter((c) => ids.has(c.ListID) || names.some((n) => sameName(n, c.FullName)) || (root && isDescendant(customers, c, root)))
      .map((c) => c.ListID),
  );
  return (inv) => matching.has(inv.CustomerListID);
}

function accountFilter(ctx: Ctx, el: XmlElement): Filter<InvoiceRecord> {
  const keys = [...values(el, 'ListID'), ...values(el, 'ListIDWithChildren')].map((v) => v.trim());
  const names = [...values(el, 'FullName'), ...values(el, 'FullNameWithChildren')];
  // The simulated accounts have no sub-accounts, so "with children" adds nothing.
  const matching = new Set(
    ctx.state.refLists.filter((a) => a.kind === 'Account' && (keys.includes(a.ListID) || names.some((n) => sameName(n, a.Name)))).map((a) => a.ListID),
  );
  return (inv) => matching.has(inv.ARAccountListID);
}

function refNumberRange(from: string | undefined, to: string | undefined): Filter<InvoiceRecord> {
  // Numbers compare as numbers when both sides are numeric, as QuickBooks sorts them.
  const cmp = (a: string, b: string): number =>
    /^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  return (inv) => {
    const n = inv.RefNumber ?? '';
    return (from === undefined || cmp(n, from) >= 0) && (to === undefined || cmp(n, to) <= 0);
  };
}

function invoiceFilter(rq: XmlElement, ctx: Ctx): Filter<InvoiceRecord> | Status {
  const filters: Filter<InvoiceRecord>[] = [];
  for (const el of rq.children) {
    switch (el.name) {
      case 'MaxReturned':
      case 'IncludeLineItems':
      case 'IncludeLinkedTxns': // no linked transactions are modelled, so there is nothing to include
      case 'IncludeRetElement':
      case 'OwnerID':
        break;
      case 'ModifiedDateRangeFilter':
        filters.push(modifiedFilter(ctx, value(el, 'FromModifiedDate'), value(el, 'ToModifiedDate')));
        break;
      case 'TxnDateRangeFilter': {
        if (child(el, 'DateMacro')) return notImplemented('DateMacro in TxnDateRangeFilter');
        const from = trimmed(el, 'FromTxnDate')?.slice(0, 10);
        const to = trimmed(el, 'ToTxnDate')?.slice(0, 10);
        filters.push((inv) => (!from || inv.TxnDate >= from) && (!to || inv.TxnDate <= to));
        break;
      }
      case 'EntityFilter':
        filters.push(entityFilter(ctx, el));
        break;
      case 'AccountFilter':
        filters.push(accountFilter(ctx, el));
        break;
      case 'RefNumberFilter': {
        const criterion = trimmed(el, 'MatchCriterion') as string;
        const wanted = value(el, 'RefNumber') as string;
        filters.push((inv) => nameMatches(criterion, inv.RefNumber ?? '', wanted));
        break;
      }
      case 'RefNumberRangeFilter':
        filters.push(refNumberRange(value(el, 'FromRefNumber'), value(el, 'ToRefNumber')));
        break;
      case 'PaidStatus': {
        const paid = el.text.trim();
        if (paid !== 'All') filters.push((inv) => isPaid(inv) === (paid === 'PaidOnly'));
        break;
      }
      default:
        return notImplemented(`the ${el.name} of InvoiceQueryRq`);
    }
  }
  return (inv) => filters.every((f) => f(inv));
}

function selectInvoices(rq: XmlElement, ctx: Ctx): Selection | Status {
  const invoices = ctx.state.invoices;
  const txnIds = values(rq, 'TxnID').map((v) => v.trim());
  if (txnIds.length) return lookup(txnIds, (id) => invoices.find((i) => i.TxnID === id), (i) => i.TxnID);
  const inOrder = [...invoices].sort((a, b) => (a.TxnDate < b.TxnDate ? -1 : a.TxnDate > b.TxnDate ? 1 : a.TxnNumber - b.TxnNumber));
  const refNumbers = values(rq, 'RefNumber');
  if (refNumbers.length) return { ids: inOrder.filter((i) => refNumbers.some((r) => sameName(r, i.RefNumber ?? ''))).map((i) => i.TxnID) };
  const exact = values(rq, 'RefNumberCaseSensitive');
  if (exact.length) return { ids: inOrder.filter((i) => exact.includes(i.RefNumber ?? '')).map((i) => i.TxnID) };
  const filter = invoiceFilter(rq, ctx);
  if (typeof filter !== 'function') return filter;
  return { ids: inOrder.filter(filter).map((i) => i.TxnID) };
}

export function invoiceQuery(rq: XmlElement, ctx: Ctx): Outcome {
  const includeLines = trimmed(rq, 'IncludeLineItems') === 'true' || trimmed(rq, 'IncludeLineItems') === '1';
  return answerQuery(rq, ctx, {
    select: () => selectInvoices(rq, ctx),
    render: (id) => {
      const inv = ctx.state.invoices.find((i) => i.TxnID === id);
      return inv && renderInvoice(ctx, inv, includeLines);
    },
  });
}
