/**
 * The QuickBooks types change detection can watch, each queried with its own
 * `<Type>QueryRq` and reported under its qbXML name ("ItemInventory", "ReceivePayment"):
 * name + "QueryRq" is the query that reads the record back, by its ListID or TxnID.
 */
import { loadQbxmlSchema } from '../../qbxml/schema/load';

export type TypeKind = 'list' | 'txn';

export interface DetectableType {
  name: string;
  kind: TypeKind;
}

const list = (name: string): DetectableType => ({ name, kind: 'list' });
const txn = (name: string): DetectableType => ({ name, kind: 'txn' });

export const DETECTABLE_TYPES: readonly DetectableType[] = [
  list('Customer'),
  list('Vendor'),
  list('Employee'),
  list('Account'),
  list('ItemService'),
  list('ItemNonInventory'),
  list('ItemOtherCharge'),
  list('ItemInventory'),
  list('ItemInventoryAssembly'),
  list('ItemFixedAsset'),
  list('ItemSubtotal'),
  list('ItemDiscount'),
  list('ItemPayment'),
  list('ItemSalesTax'),
  list('ItemSalesTaxGroup'),
  list('ItemGroup'),
  txn('Invoice'),
  txn('Bill'),
  txn('ReceivePayment'),
  txn('SalesReceipt'),
  txn('CreditMemo'),
  txn('Estimate'),
  txn('PurchaseOrder'),
  txn('JournalEntry'),
  txn('Deposit'),
  txn('Check'),
  txn('BillPaymentCheck'),
];

export const DETECTABLE_NAMES: readonly string[] = DETECTABLE_TYPES.map((t) => t.name);

const byName = new Map(DETECTABLE_TYPES.map((t) => [t.name, t]));

export function detectableType(name: string): DetectableType | undefined {
  return byName.get(name);
}

/** ListID for list elements, TxnID for transactions. */
export const idField = (kind: TypeKind): 'ListID' | 'TxnID' => (kind === 'list' ? 'ListID' : 'TxnID');

/** Whether QuickBooks can page the type's query with an iterator (EmployeeQuery and AccountQuery can't: those lists are small). */
export function canPage(type: string): boolean {
  const spec = loadQbxmlSchema().requests.get(`${type}QueryRq`);
  return spec?.type.kind === 'complex' && spec.type.attributes.some((a) => a.name === 'iterator');
}

/** The element that names a record: what a merge leaves two records sharing (Vendor and Employee have Name, not FullName). */
export function nameOf(kind: TypeKind, record: Record<string, unknown>): string | null {
  const name = kind === 'list' ? (record.FullName ?? record.Name) : record.RefNumber;
  return typeof name === 'string' ? name : null;
}
