/**
 * A bookkeeper working in the simulated company's QuickBooks window between Web Connector
 * sessions: adds, edits, deactivations, deletions, voids and merges the companion did not
 * make and only learns of by asking QuickBooks (change detection). Changes go through the
 * company's own rules (as qbXML, except the window's rename-to-merge), at the company's
 * clock — so tests and the demo make changes happen over time by moving that clock.
 */
import { buildRequest } from '../../qbxml/builder';
import { type XmlElement, child, childText, parseXml } from '../../xml/tree';
import type { FakeQuickBooks } from './index';

export interface Saved {
  id: string;
  editSequence: string;
}

export class Bookkeeper {
  constructor(
    private readonly company: FakeQuickBooks,
    private readonly random: () => number = Math.random,
  ) {}

  /** Saves one request as the window would; returns the …Rs, or throws with QuickBooks' status message. */
  private save(type: string, params: Record<string, unknown>): XmlElement {
    const { xml } = buildRequest(type, params);
    const doc = `<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="${this.company.qbxmlVersion}"?>\n<QBXML><QBXMLMsgsRq onError="stopOnError">${xml}</QBXMLMsgsRq></QBXML>`;
    const result = this.company.processRequest(doc);
    if (!('response' in result)) throw new Error(`QuickBooks refused ${type}: ${result.message}`);
    const rs = child(child(parseXml(result.response), 'QBXMLMsgsRs'), type.replace(/Rq$/, 'Rs')) as XmlElement;
    if (rs.attrs.statusSeverity === 'Error') throw new Error(`QuickBooks refused ${type}: ${rs.attrs.statusMessage}`);
    return rs;
  }

  private saved(rs: XmlElement, ret: string, idField: 'ListID' | 'TxnID'): Saved {
    const r = child(rs, ret);
    return { id: childText(r, idField) as string, editSequence: childText(r, 'EditSequence') as string };
  }

  private customer(id: string) {
    const c = this.company.customers().find((x) => x.ListID === id);
    if (!c) throw new Error(`no customer ${id}`);
    return c;
  }

  private invoice(id: string) {
    const i = this.company.invoices().find((x) => x.TxnID === id);
    if (!i) throw new Error(`no invoice ${id}`);
    return i;
  }

  addCustomer(name: string, fields: Record<string, unknown> = {}): Saved {
    return this.saved(this.save('CustomerAddRq', { CustomerAdd: { Name: name, ...fields } }), 'CustomerRet', 'ListID');
  }

  /** Changes the fields named (Name, Phone, IsActive: false to deactivate, …). */
  editCustomer(id: string, fields: Record<string, unknown>): Saved {
    const mod = { ListID: id, EditSequence: this.customer(id).EditSequence, ...fields };
    return this.saved(this.save('CustomerModRq', { CustomerMod: mod }), 'CustomerRet', 'ListID');
  }

  deleteCustomer(id: string): void {
    this.save('ListDelRq', { ListDelType: 'Customer', ListID: id });
  }

  /** The window's merge: `fromId` renamed to the name of `intoId`, and merged into it. */
  mergeCustomers(fromId: string, intoId: string): void {
    this.company.mergeInWindow('Customer', fromId, intoId);
  }

  addInvoice(customerId: string, amount = '100.00', fields: Record<string, unknown> = {}): Saved {
    const item = this.company.items()[0];
    const add = { CustomerRef: { ListID: customerId }, ...fields, InvoiceLineAdd: [{ ItemRef: { ListID: item?.ListID }, Desc: 'Work', Amount: amount }] };
    return this.saved(this.save('InvoiceAddRq', { InvoiceAdd: add }), 'InvoiceRet', 'TxnID');
  }

  editInvoice(id: string, fields: Record<string, unknown>): Saved {
    const mod = { TxnID: id, EditSequence: this.invoice(id).EditSequence, ...fields };
    return this.saved(this.save('InvoiceModRq', { InvoiceMod: mod }), 'InvoiceRet', 'TxnID');
  }

  voidInvoice(id: string): void {
    this.save('TxnVoidRq', { TxnVoidType: 'Invoice', TxnID: id });
  }

  deleteInvoice(id: string): void {
    this.save('TxnDelRq', { TxnDelType: 'Invoice', TxnID: id });
  }

  /** One ordinary change, picked at random (the demo's bookkeeper at work); says what it did. */
  someChange(): string {
    const customers = this.company.customers().filter((c) => c.Sublevel === 0 && c.IsActive);
    const invoices = this.company.invoices().filter((i) => !i.lines.every((l) => l.Amount === '0.00'));
    const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(this.random() * xs.length)];
    const customer = pick(customers);
    const invoice = pick(invoices);
    const roll = this.random();
    if (roll < 0.3 || !customer) {
      const name = `Walk-in ${Math.floor(this.random() * 1e6)}`;
      this.addCustomer(name);
      return `added customer "${name}"`;
    }
    if (roll < 0.55) {
      this.editCustomer(customer.ListID, { Phone: `555-${String(Math.floor(this.random() * 1e4)).padStart(4, '0')}` });
      return `changed the phone number of "${customer.FullName}"`;
    }
    if (roll < 0.8 || !invoice) {
      const saved = this.addInvoice(customer.ListID, `${(10 + Math.floor(this.random() * 990)).toFixed(2)}`);
      return `invoiced "${customer.FullName}" (${saved.id})`;
    }
    if (roll < 0.9) {
      this.editInvoice(invoice.TxnID, { Memo: 'Updated by the bookkeeper' });
      return `edited invoice ${invoice.RefNumber ?? invoice.TxnID}`;
    }
    this.voidInvoice(invoice.TxnID);
    return `voided invoice ${invoice.RefNumber ?? invoice.TxnID}`;
  }
}
