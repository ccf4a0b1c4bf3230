/** CustomerAdd, CustomerMod, CustomerQuery. Jobs are customers with a ParentRef. */
import { type XmlElement, child } from '../../../xml/tree';
import { type Ctx, type Outcome, fail, flag, requestSpec, trimmed, value } from '../context';
import { type Decimal, ZERO, formatAmount, parseDecimal, sum } from '../decimal';
import { copyChildren, mergeFields } from '../fields';
import { isWellFormedId } from '../ids';
import { checkName, created, isDescendant, listHeader, place, touch } from '../lists';
import { answerQuery, selectList } from '../query';
import { isStatus, pick, refText, resolveAnyRef } from '../refs';
import { type XNode, leaf, node } from '../render';
import { OK, type Status, invalidObjectId, invalidReference, notImplemented, objectNotFound, staleEditSequence } from '../status';
import type { CompanyState, CustomerRecord } from '../types';
import { addressBlock, withDefaults } from './shared';

/** Interpreted by the handlers; everything else is stored as given. */
const CORE = new Set(['ListID', 'EditSequence', 'Name', 'IsActive', 'ParentRef']);

function parentOf(ctx: Ctx, el: XmlElement, where: string): CustomerRecord | undefined | Status {
  const parentRef = child(el, 'ParentRef');
  if (!parentRef) return undefined;
  return pick(ctx.state.customers, parentRef, (c) => c.FullName, () => invalidReference('Customer', refText(parentRef), where));
}

export function customerAdd(rq: XmlElement, ctx: Ctx): Outcome {
  const add = child(rq, 'CustomerAdd') as XmlElement;
  const customers = ctx.state.customers;
  const parent = parentOf(ctx, add, 'Customer');
  if (parent && isStatus(parent)) return fail(parent);
  const name = value(add, 'Name') as string;
  const nameProblem = checkName(customers, name, parent, 'customer name');
  if (nameProblem) return fail(nameProblem);
  const fields = copyChildren(add, requestSpec(ctx, ['CustomerAddRq', 'CustomerAdd']), CORE, (r) => resolveAnyRef(ctx.state, r, 'Customer'));
  if (isStatus(fields)) return fail(fields);
  const record: CustomerRecord = { ...created(ctx), Name: name, FullName: name, IsActive: flag(add, 'IsActive') ?? true, Sublevel: 0, fields };
  customers.push(record);
  place(customers, record, name, parent);
  return { status: OK, rets: [renderCustomer(ctx, record)] };
}

export function customerMod(rq: XmlElement, ctx: Ctx): Outcome {
  const mod = child(rq, 'CustomerMod') as XmlElement;
  const customers = ctx.state.customers;
  const listId = trimmed(mod, 'ListID') as string;
  if (!isWellFormedId(listId)) return fail(invalidObjectId(listId, 'list id'));
  const record = customers.find((c) => c.ListID === listId);
  if (!record) return fail(objectNotFound(listId));
  const editSequence = value(mod, 'EditSequence') as string;
  if (editSequence.trim() !== record.EditSequence) return fail(staleEditSequence(editSequence));

  let parent = customers.find((c) => c.ListID === record.ParentListID);
  if (child(mod, 'ParentRef')) {
    const wanted = parentOf(ctx, mod, 'Customer');
    if (wanted && isStatus(wanted)) return fail(wanted);
    if (wanted && isDescendant(customers, wanted, record)) return fail(notImplemented('moving a customer below itself or its own jobs'));
    parent = wanted;
  }
  const name = value(mod, 'Name') ?? record.Name;
  const nameProblem = checkName(customers, name, parent, 'customer name', record);
  if (nameProblem) return fail(nameProblem);
  const changes = copyChildren(mod, requestSpec(ctx, ['CustomerModRq', 'CustomerMod']), CORE, (r) => resolveAnyRef(ctx.state, r, 'Customer'));
  if (isStatus(changes)) return fail(changes);

  place(customers, record, name, parent);
  record.IsActive = flag(mod, 'IsActive') ?? record.IsActive;
  record.fields = mergeFields(record.fields, changes);
  touch(ctx, record);
  return { status: OK, rets: [renderCustomer(ctx, record)] };
}

export function customerQuery(rq: XmlElement, ctx: Ctx): Outcome {
  const customers = ctx.state.customers;
  return answerQuery(rq, ctx, {
    select: () =>
      selectList(rq, ctx, customers, {
        TotalBalanceFilter: (el) => {
          const operator = trimmed(el, 'Operator') as string;
          const amount = parseDecimal(value(el, 'Amount') as string) ?? ZERO;
          return (c) => compare(totalBalance(ctx.state, c), operator, amount);
        },
      }),
    render: (id) => {
      const c = customers.find((x) => x.ListID === id);
      return c && renderCustomer(ctx, c);
    },
  });
}

function compare(a: Decimal, operator: string, b: Decimal): boolean {
  switch (operator) {
    case 'LessThan':
      return a < b;
    case 'LessThanEqual':
      return a <= b;
    case 'Equal':
      return a === b;
    case 'GreaterThan':
      return a > b;
    default:
      return a >= b;
  }
}

/** Open invoice balances of the customer itself (Balance). */
function balance(state: CompanyState, c: CustomerRecord): Decimal {
  return sum(state.invoices.filter((i) => i.CustomerListID === c.ListID).map((i) => parseDecimal(i.BalanceRemaining) ?? ZERO));
}

/** Balance of the customer and all its jobs (TotalBalance). */
function totalBalance(state: CompanyState, c: CustomerRecord): Decimal {
  const jobs = state.customers.filter((j) => j.ParentListID === c.ListID);
  return balance(state, c) + sum(jobs.map((j) => totalBalance(state, j)));
}

export function renderCustomer(ctx: Ctx, c: CustomerRecord): XNode {
  const fields = withDefaults(c.fields, { JobStatus: 'None', PreferredDeliveryMethod: 'None' });
  return node('CustomerRet', [
    ...listHeader(ctx, c, ctx.state.customers),
    ...fields,
    ...addressBlock(fields, 'BillAddress'),
    ...addressBlock(fields, 'ShipAddress'),
    leaf('Balance', formatAmount(balance(ctx.state, c))),
    leaf('TotalBalance', formatAmount(totalBalance(ctx.state, c))),
  ]);
}
