/** The requests the simulated company answers; any other valid request gets status 1030. */
import type { XmlElement } from '../../../xml/tree';
import type { Ctx, Outcome } from '../context';
import { customerAdd, customerMod, customerQuery } from './customers';
import { listDel, listDeletedQuery, txnDel, txnDeletedQuery } from './deleted';
import { companyQuery, hostQuery, preferencesQuery } from './host';
import { invoiceQuery } from './invoice-query';
import { invoiceAdd, invoiceMod } from './invoices';
import { itemAdd, itemQuery } from './items';
import { listMerge } from './merge';
import { txnVoid } from './void';

export type Handler = (rq: XmlElement, ctx: Ctx) => Outcome;

export const HANDLERS: Readonly<Record<string, Handler>> = {
  HostQueryRq: hostQuery,
  CompanyQueryRq: companyQuery,
  PreferencesQueryRq: preferencesQuery,
  CustomerAddRq: customerAdd,
  CustomerModRq: customerMod,
  CustomerQueryRq: customerQuery,
  ItemServiceAddRq: itemAdd('ItemService'),
  ItemNonInventoryAddRq: itemAdd('ItemNonInventory'),
  ItemInventoryAddRq: itemAdd('ItemInventory'),
  ItemQueryRq: itemQuery(),
  ItemServiceQueryRq: itemQuery('ItemService'),
  ItemNonInventoryQueryRq: itemQuery('ItemNonInventory'),
  ItemInventoryQueryRq: itemQuery('ItemInventory'),
  InvoiceAddRq: invoiceAdd,
  InvoiceModRq: invoiceMod,
  InvoiceQueryRq: invoiceQuery,
  ListDelRq: listDel,
  TxnDelRq: txnDel,
  ListDeletedQueryRq: listDeletedQuery,
  TxnDeletedQueryRq: txnDeletedQuery,
  ListMergeRq: listMerge,
  TxnVoidRq: txnVoid,
};
