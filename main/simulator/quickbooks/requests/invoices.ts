/**
 * InvoiceAdd and InvoiceMod, and the InvoiceRet they answer with. Amounts are exact
 * decimals (Amount = Quantity × Rate to the cent). Defaults follow the real InvoiceAddRs
 * in shared/reference/qbxml/samples/flowlink_invoice_add_rs.soap.xml: the A/R account,
 * the service invoice template, DueDate/ShipDate = TxnDate, to be printed, not pending.
 */
import { type XmlElement, child, childrenNamed } from '../../../xml/tree';
import { type Ctx, type Outcome, fail, iso, ms, requestSpec, trimmed, value } from '../context';
import { addDays, formatDate, formatDateTime } from '../datetime';
import { type Decimal, ONE, ZERO, divide, formatAmount, formatPrice, formatQuantity, multiply, parseDecimal, sum } from '../decimal';
import { copyChildren, fieldNode, mergeFields } from '../fields';
import { isWellFormedId, nextEditSequence, nextTxnId } from '../ids';
import { touch } from '../lists';
import { isStatus, pick, refText, resolveAnyRef, resolveRefList } from '../refs';
import { type XNode, leaf, leaves, node, ref } from '../render';
import { OK, type Status, invalidObjectId, invalidReference, notImplemented, objectNotFound, staleEditSequence } from '../status';
import type { CompanyState, CustomerRecord, InvoiceLineRecord, InvoiceRecord, RefListRecord } from '../types';
import { itemSalesDefaults } from './items';
import { addressBlock, withDefaults } from './shared';

const decimal = (text: string | undefined): Decimal | undefined => (text ? parseDecimal(text) : undefined);

/** Interpreted here, not stored as given. */
const HEADER = new Set([
  'TxnID',
  'EditSequence',
  'CustomerRef',
  'ARAccountRef',
  'TemplateRef',
  'TxnDate',
  'RefNumber',
  'DueDate',
  'ShipDate',
  'InvoiceLineAdd',
  'InvoiceLineMod',
]);
const LINE = new Set(['TxnLineID', 'ItemRef', 'Desc', 'Quantity', 'Rate', 'Amount']);
/** Valid qbXML the simulator does not model; refusing beats silently ignoring. */
const UNMODELLED = ['InvoiceLineGroupAdd', 'InvoiceLineGroupMod', 'LinkToTxnID', 'SetCredit', 'RatePercent'];

function unmodelled(el: XmlElement): Status | undefined {
  for (const c of el.children) {
    if (UNMODELLED.includes(c.name)) return notImplemented(`${c.name} in ${el.name}`);
    const inLine = c.name === 'InvoiceLineAdd' || c.name === 'InvoiceLineMod' ? unmodelled(c) : undefined;
    if (inLine) return inLine;
  }
  return undefined;
}

/** QuickBooks numbers the next invoice after the last one: "1041" → "1042", "INV-009" → "INV-010". */
function nextRefNumber(state: CompanyState): string {
  for (let i = state.invoices.length - 1; i >= 0; i--) {
    const m = /^(.*?)(\d+)$/.exec(state.invoices[i]?.RefNumber ?? '');
    if (m) return `${m[1]}${String(Number(m[2]) + 1).padStart((m[2] as string).length, '0')}`;
  }
  return '1';
}

function resolveCustomer(ctx: Ctx, customerRef: XmlElement): CustomerRecord | Status {
  return pick(ctx.state.customers, customerRef, (c) => c.FullName, () => invalidReference('Customer', refText(customerRef), 'Invoice'));
}

function resolveList(ctx: Ctx, el: XmlElement, name: string, kind: 'Account' | 'Template'): RefListRecord | Status | undefined {
  const r = child(el, name);
  return r && resolveRefList(ctx.state, kind, r, 'Invoice');
}

/**
 * One line from InvoiceLineAdd, or InvoiceLineMod applied to `existing`. A line takes
 * its description, price and tax code from a newly chosen item; Amount is Quantity ×
 * Rate unless given, and a given Amount without a Rate sets Rate = Amount ÷ Quantity.
 */
function buildLine(ctx: Ctx, el: XmlElement, specPath: [string, ...string[]], existing?: InvoiceLineRecord): InvoiceLineRecord | Status {
  const itemRef = child(el, 'ItemRef');
  let itemListId = existing?.ItemListID;
  let defaults: ReturnType<typeof itemSalesDefaults> = {};
  if (itemRef) {
    const item = pick(ctx.state.items, itemRef, (i) => i.FullName, () => invalidReference('Item', refText(itemRef), 'Invoice line'));
    if (isStatus(item)) return item;
    itemListId = item.ListID;
    defaults = itemSalesDefaults(item);
  }
  const copied = copyChildren(el, requestSpec(ctx, specPath), LINE, (r) => resolveAnyRef(ctx.state, r, 'Invoice line'));
  if (isStatus(copied)) return copied;

  const given = { quantity: decimal(trimmed(el, 'Quantity')), rate: decimal(trimmed(el, 'Rate')), amount: decimal(trimmed(el, 'Amount')) };
  const quantity = given.quantity ?? decimal(existing?.Quantity);
  let rate = given.rate ?? (itemRef ? decimal(defaults.price) : decimal(existing?.Rate));
  let amount: Decimal;
  if (given.amount !== undefined) {
    amount = given.amount;
    rate ??= quantity ? divide(amount, quantity, 5) : amount;
  } else if (existing && !itemRef && given.quantity === undefined && given.rate === undefined) {
    amount = decimal(existing.Amount) ?? ZERO;
  } else {
    amount = rate === undefined ? ZERO : multiply(quantity ?? ONE, rate, 2);
  }

  let fields = existing ? mergeFields(existing.fields, copied) : copied;
  if (defaults.salesTaxCode && !fieldNode(fields, 'SalesTaxCodeRef')) fields = [...fields, defaults.salesTaxCode];
  const line: InvoiceLineRecord = {
    TxnLineID: existing?.TxnLineID ?? nextTxnId(ctx.state.counters, ctx.now),
    Amount: formatAmount(amount),
    fields,
  };
  const desc = value(el, 'Desc') ?? (itemRef ? defaults.desc : existing?.Desc);
  if (itemListId !== undefined) line.ItemListID = itemListId;
  if (desc !== undefined) line.Desc = desc;
  if (quantity !== undefined) line.Quantity = formatQuantity(quantity);
  if (rate !== undefined) line.Rate = formatPrice(rate);
  return line;
}

export function totals(inv: InvoiceRecord): void {
  inv.Subtotal = formatAmount(sum(inv.lines.map((l) => decimal(l.Amount) ?? ZERO)));
  // No payments are modelled, so nothing has been applied yet.
  inv.BalanceRemaining = inv.Subtotal;
}

/** DueDate as given, else TxnDate plus the days of the invoice's terms (perhaps its customer's). */
function dueDate(ctx: Ctx, el: XmlElement, txnDate: string, fields: readonly XNode[]): string {
  const given = trimmed(el, 'DueDate');
  if (given) return given;
  const termsId = fieldNode(fields, 'TermsRef')?.children?.find((c) => c.name === 'ListID')?.text;
  const days = ctx.state.refLists.find((r) => r.ListID === termsId)?.StdDueDays;
  return days ? addDays(txnDate, days) : txnDate;
}

/** A customer's field, else its nearest ancestor's: a job bills like its customer. */
function inherited(ctx: Ctx, customer: CustomerRecord, name: string): XNode | undefined {
  for (let c: CustomerRecord | undefined = customer; c; c = ctx.state.customers.find((p) => p.ListID === c?.ParentListID)) {
    const field = fieldNode(c.fields, name);
    if (field) return field;
  }
  return undefined;
}

export function invoiceAdd(rq: XmlElement, ctx: Ctx): Outcome {
  const add = child(rq, 'InvoiceAdd') as XmlElement;
  const state = ctx.state;
  const refused = unmodelled(add);
  if (refused) return fail(refused);
  const customer = resolveCustomer(ctx, child(add, 'CustomerRef') as XmlElement);
  if (isStatus(customer)) return fail(customer);
  const ar = resolveList(ctx, add, 'ARAccountRef', 'Account') ?? state.refLists.find((r) => r.AccountType === 'AccountsReceivable');
  const template = resolveList(ctx, add, 'TemplateRef', 'Template') ?? state.refLists.find((r) => r.kind === 'Template');
  if (!ar || !template) throw new Error('the simulated company has no A/R account or invoice template');
  if (isStatus(ar)) return fail(ar);
  if (isStatus(template)) return fail(template);
  const header = copyChildren(add, requestSpec(ctx, ['InvoiceAddRq', 'InvoiceAdd']), HEADER, (r) => resolveAnyRef(state, r, 'Invoice'));
  if (isStatus(header)) return fail(header);

  const txnId = nextTxnId(state.counters, ctx.now);
  const lines: InvoiceLineRecord[] = [];
  for (const el of childrenNamed(add, 'InvoiceLineAdd')) {
    const line = buildLine(ctx, el, ['InvoiceAddRq', 'InvoiceAdd', 'InvoiceLineAdd']);
    if (isStatus(line)) return fail(line);
    lines.push(line);
  }
  const txnDate = trimmed(add, 'TxnDate') || formatDate(ctx.now, ctx.clock.timeZone);
  // QuickBooks fills the invoice in from the customer: addresses and terms.
  const fromCustomer = ['BillAddress', 'ShipAddress', 'TermsRef'].flatMap((name) => {
    const field = fieldNode(header, name) ? undefined : inherited(ctx, customer, name);
    return field ? [field] : [];
  });
  const fields = withDefaults([...header, ...fromCustomer], { IsPending: 'false', IsFinanceCharge: 'false', IsToBePrinted: 'true', IsToBeEmailed: 'false' });
  const time = iso(ctx.now);
  const invoice: InvoiceRecord = {
    TxnID: txnId,
    TimeCreated: time,
    TimeModified: time,
    EditSequence: nextEditSequence(state.counters, ctx.now),
    TxnNumber: state.counters.txnNumber++,
    CustomerListID: customer.ListID,
    ARAccountListID: ar.ListID,
    TemplateListID: template.ListID,
    TxnDate: txnDate,
    RefNumber: value(add, 'RefNumber') ?? nextRefNumber(state),
    DueDate: dueDate(ctx, add, txnDate, fields),
    ShipDate: trimmed(add, 'ShipDate') || txnDate,
    Subtotal: '0.00',
    BalanceRemaining: '0.00',
    lines,
    fields,
  };
  totals(invoice);
  state.invoices.push(invoice);
  return { status: OK, rets: [renderInvoice(ctx, invoice, true)] };
}

export function invoiceMod(rq: XmlElement, ctx: Ctx): Outcome {
  const mod = child(rq, 'InvoiceMod') as XmlElement;
  const state = ctx.state;
  const txnId = trimmed(mod, 'TxnID') as string;
  if (!isWellFormedId(txnId)) return fail(invalidObjectId(txnId, 'txn id'));
  const invoice = state.invoices.find((i) => i.TxnID === txnId);
  if (!invoice) return fail(objectNotFound(txnId));
  const editSequence = value(mod, 'EditSequence') as string;
  if (editSequence.trim() !== invoice.EditSequence) return fail(staleEditSequence(editSequence));
  const refused = unmodelled(mod);
  if (refused) return fail(refused);

  const customerRef = child(mod, 'CustomerRef');
  const customer = customerRef && resolveCustomer(ctx, customerRef);
  if (customer && isStatus(customer)) return fail(customer);
  const ar = resolveList(ctx, mod, 'ARAccountRef', 'Account');
  if (ar && isStatus(ar)) return fail(ar);
  const template = resolveList(ctx, mod, 'TemplateRef', 'Template');
  if (template && isStatus(template)) return fail(template);
  const changes = copyChildren(mod, requestSpec(ctx, ['InvoiceModRq', 'InvoiceMod']), HEADER, (r) => resolveAnyRef(state, r, 'Invoice'));
  if (isStatus(changes)) return fail(changes);

  // Any InvoiceLineMod replaces the line list: lines not named are deleted (qbXML Mod rules).
  const lineMods = childrenNamed(mod, 'InvoiceLineMod');
  let lines = invoice.lines;
  if (lineMods.length) {
    lines = [];
    for (const el of lineMods) {
      const lineId = trimmed(el, 'TxnLineID') as string;
      const existing = lineId === '-1' ? undefined : invoice.lines.find((l) => l.TxnLineID === lineId);
      if (lineId !== '-1' && !existing) return fail(objectNotFound(lineId));
      const line = buildLine(ctx, el, ['InvoiceModRq', 'InvoiceMod', 'InvoiceLineMod'], existing);
      if (isStatus(line)) return fail(line);
      lines.push(line);
    }
  }

  if (customer) invoice.CustomerListID = customer.ListID;
  if (ar) invoice.ARAccountListID = ar.ListID;
  if (template) invoice.TemplateListID = template.ListID;
  invoice.TxnDate = trimmed(mod, 'TxnDate') || invoice.TxnDate;
  invoice.RefNumber = value(mod, 'RefNumber') ?? invoice.RefNumber;
  invoice.DueDate = trimmed(mod, 'DueDate') || invoice.DueDate;
  invoice.ShipDate = trimmed(mod, 'ShipDate') || invoice.ShipDate;
  invoice.lines = lines;
  invoice.fields = mergeFields(invoice.fields, changes);
  totals(invoice);
  touch(ctx, invoice);
  return { status: OK, rets: [renderInvoice(ctx, invoice, true)] };
}

export const isPaid = (inv: InvoiceRecord): boolean => (decimal(inv.BalanceRemaining) ?? ZERO) <= ZERO;

function refTo(ctx: Ctx, name: string, listId: string): XNode[] {
  const r = ctx.state.refLists.find((x) => x.ListID === listId);
  return r ? [ref(name, r.ListID, r.Name)] : [];
}

function renderLine(ctx: Ctx, line: InvoiceLineRecord): XNode {
  const item = ctx.state.items.find((i) => i.ListID === line.ItemListID);
  return node('InvoiceLineRet', [
    leaf('TxnLineID', line.TxnLineID),
    ...(item ? [ref('ItemRef', item.ListID, item.FullName)] : []),
    ...leaves({ Desc: line.Desc, Quantity: line.Quantity, Rate: line.Rate, Amount: line.Amount }),
    ...line.fields,
  ]);
}

export function renderInvoice(ctx: Ctx, inv: InvoiceRecord, includeLines: boolean): XNode {
  const customer = ctx.state.customers.find((c) => c.ListID === inv.CustomerListID) as CustomerRecord;
  return node('InvoiceRet', [
    ...leaves({
      TxnID: inv.TxnID,
      TimeCreated: formatDateTime(ms(inv.TimeCreated), ctx.clock),
      TimeModified: formatDateTime(ms(inv.TimeModified), ctx.clock),
      EditSequence: inv.EditSequence,
      TxnNumber: String(inv.TxnNumber),
    }),
    ref('CustomerRef', customer.ListID, customer.FullName),
    ...refTo(ctx, 'ARAccountRef', inv.ARAccountListID),
    ...refTo(ctx, 'TemplateRef', inv.TemplateListID),
    ...leaves({ TxnDate: inv.TxnDate, RefNumber: inv.RefNumber, DueDate: inv.DueDate, ShipDate: inv.ShipDate }),
    ...inv.fields,
    ...addressBlock(inv.fields, 'BillAddress'),
    ...addressBlock(inv.fields, 'ShipAddress'),
    ...leaves({
      Subtotal: inv.Subtotal,
      SalesTaxPercentage: '0.00',
      SalesTaxTotal: '0.00',
      AppliedAmount: '0.00',
      BalanceRemaining: inv.BalanceRemaining,
      IsPaid: String(isPaid(inv)),
    }),
    ...(includeLines ? inv.lines.map((l) => renderLine(ctx, l)) : []),
  ]);
}
