/**
 * The simulated company file. Plain JSON throughout (toJSON/fromJSON persist it as is).
 * Field names follow qbXML so records read like the responses they produce; times are
 * UTC ISO strings (rendering converts them to the QuickBooks PC's local time), amounts
 * are decimal strings (see decimal.ts). References are stored as ListIDs and resolved to
 * the current FullName when rendered, as QuickBooks does after a rename.
 */
import type { Counters } from './ids';
import type { XNode } from './render';

interface Stamped {
  TimeCreated: string;
  TimeModified: string;
  EditSequence: string;
}

interface ListElement extends Stamped {
  ListID: string;
  Name: string;
  /** "Parent:Child" for sub-elements (jobs, sub-items). */
  FullName: string;
  IsActive: boolean;
  ParentListID?: string;
  Sublevel: number;
  /**
   * Everything else the request gave (addresses, phone, sales/purchase info…), with
   * references already resolved; rendered wherever the …Ret schema has the element.
   */
  fields: XNode[];
}

export type CustomerRecord = ListElement;

export type ItemType = 'ItemService' | 'ItemNonInventory' | 'ItemInventory';

export interface ItemRecord extends ListElement {
  type: ItemType;
}

export interface InvoiceLineRecord {
  TxnLineID: string;
  ItemListID?: string;
  Desc?: string;
  Quantity?: string;
  Rate?: string;
  Amount: string;
  fields: XNode[];
}

export interface InvoiceRecord extends Stamped {
  TxnID: string;
  TxnNumber: number;
  CustomerListID: string;
  ARAccountListID: string;
  TemplateListID: string;
  TxnDate: string;
  RefNumber?: string;
  DueDate: string;
  ShipDate: string;
  Subtotal: string;
  BalanceRemaining: string;
  lines: InvoiceLineRecord[];
  fields: XNode[];
}

/** Lists the simulator only references (accounts, sales tax codes, templates, terms). */
export type RefListKind = 'Account' | 'SalesTaxCode' | 'Template' | 'StandardTerms';

export interface RefListRecord {
  kind: RefListKind;
  ListID: string;
  Name: string;
  TimeCreated: string;
  /** Accounts: AccountType, e.g. "AccountsReceivable". */
  AccountType?: string;
  /** StandardTerms: StdDueDays. */
  StdDueDays?: number;
}

/** A tombstone for ListDeletedQuery/TxnDeletedQuery. */
export interface DeletedRecord {
  kind: 'list' | 'txn';
  /** ListDelType or TxnDelType, e.g. "Customer", "Invoice". */
  type: string;
  id: string;
  TimeCreated: string;
  TimeDeleted: string;
  /** FullName for lists, RefNumber for transactions. */
  name?: string;
}

export interface CompanyState {
  format: 'qbwc-companion/simulated-company';
  version: 1;
  companyName: string;
  companyFile: string;
  counters: Counters;
  /**
   * QBWC's data extensions on the company, per QWC OwnerID: FileID (the first stamp
   * wins) and AppLock ("LOCKED:<machine>:<ticks>" during a session, "UNLOCKED:…" after).
   */
  appData: { ownerId: string; fileId: string; appLock: string }[];
  customers: CustomerRecord[];
  items: ItemRecord[];
  invoices: InvoiceRecord[];
  refLists: RefListRecord[];
  deleted: DeletedRecord[];
}
