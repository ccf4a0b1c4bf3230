/**
 * ItemServiceAdd, ItemNonInventoryAdd, ItemInventoryAdd, and the item queries. Item names
 * are unique across all item types. QuickBooks needs the accounts an item posts to even
 * though the schema makes them optional; a missing one is refused (3150, simulator
 * wording), an unknown one is 3140.
 */
import { type XmlElement, child } from '../../../xml/tree';
import { type Ctx, type Outcome, fail, flag, requestSpec, value } from '../context';
import { copyChildren, fieldNode, fieldText } from '../fields';
import { checkName, created, listHeader, place } from '../lists';
import { answerQuery, selectList } from '../query';
import { isStatus, pick, refText, resolveAnyRef } from '../refs';
import { type XNode, node } from '../render';
import { OK, invalidReference, missingElement } from '../status';
import type { ItemRecord, ItemType } from '../types';
import { withDefaults } from './shared';

const CORE = new Set(['Name', 'IsActive', 'ParentRef']);

/** The account references each way of selling/buying an item must carry. */
function missingAccount(type: ItemType, add: XmlElement): string | undefined {
  if (type === 'ItemInventory') return ['IncomeAccountRef', 'COGSAccountRef', 'AssetAccountRef'].find((a) => !child(add, a));
  const salesOrPurchase = child(add, 'SalesOrPurchase');
  if (salesOrPurchase) return child(salesOrPurchase, 'AccountRef') ? undefined : 'AccountRef';
  const both = child(add, 'SalesAndPurchase');
  return ['IncomeAccountRef', 'ExpenseAccountRef'].find((a) => !child(both, a));
}

/** What a new inventory item starts with (flowlink item_inventory_query_rs sample). */
const INVENTORY_DEFAULTS = { SalesPrice: '0.00', PurchaseCost: '0.00', QuantityOnHand: '0', QuantityOnOrder: '0', QuantityOnSalesOrder: '0' };

export const itemAdd =
  (type: ItemType) =>
  (rq: XmlElement, ctx: Ctx): Outcome => {
    const add = child(rq, `${type}Add`) as XmlElement;
    const items = ctx.state.items;
    const parentRef = child(add, 'ParentRef');
    let parent: ItemRecord | undefined;
    if (parentRef) {
      const found = pick(items, parentRef, (i) => i.FullName, () => invalidReference('Item', refText(parentRef), type));
      if (isStatus(found)) return fail(found);
      parent = found;
    }
    const name = value(add, 'Name') as string;
    const problem = checkName(items, name, parent, 'name');
    if (problem) return fail(problem);
    const account = missingAccount(type, add);
    if (account) return fail(missingElement(account, type));
    const copied = copyChildren(add, requestSpec(ctx, [`${type}AddRq`, `${type}Add`]), CORE, (r) => resolveAnyRef(ctx.state, r, type));
    if (isStatus(copied)) return fail(copied);
    let fields = copied;
    if (type === 'ItemInventory') {
      fields = withDefaults(fields, INVENTORY_DEFAULTS);
      fields = withDefaults(fields, { AverageCost: fieldText(fields, 'PurchaseCost') as string });
    }
    const record: ItemRecord = { type, ...created(ctx), Name: name, FullName: name, IsActive: flag(add, 'IsActive') ?? true, Sublevel: 0, fields };
    items.push(record);
    place(items, record, name, parent);
    return { status: OK, rets: [renderItem(ctx, record)] };
  };

/** ItemQuery (every type, mixed in one list) or ItemServiceQuery & co. (one type). */
export const itemQuery =
  (type?: ItemType) =>
  (rq: XmlElement, ctx: Ctx): Outcome => {
    const items = ctx.state.items.filter((i) => type === undefined || i.type === type);
    return answerQuery(rq, ctx, {
      select: () => selectList(rq, ctx, items),
      render: (id) => {
        const item = ctx.state.items.find((i) => i.ListID === id);
        return item && renderItem(ctx, item);
      },
    });
  };

export function renderItem(ctx: Ctx, item: ItemRecord): XNode {
  return node(`${item.type}Ret`, [
    ...listHeader(ctx, item, ctx.state.items),
    ...item.fields,
  ]);
}

/** What an invoice line takes from its item when the request leaves it out. */
export function itemSalesDefaults(item: ItemRecord): { desc?: string; price?: string; salesTaxCode?: XNode } {
  const salesOrPurchase = fieldNode(item.fields, 'SalesOrPurchase')?.children ?? [];
  const salesAndPurchase = fieldNode(item.fields, 'SalesAndPurchase')?.children ?? [];
  return {
    desc: fieldText(salesOrPurchase, 'Desc') ?? fieldText(salesAndPurchase, 'SalesDesc') ?? fieldText(item.fields, 'SalesDesc'),
    price: fieldText(salesOrPurchase, 'Price') ?? fieldText(salesAndPurchase, 'SalesPrice') ?? fieldText(item.fields, 'SalesPrice'),
    salesTaxCode: fieldNode(item.fields, 'SalesTaxCodeRef'),
  };
}

