/**
 * The simulated company changing over time, as change detection sees it: every change
 * moves TimeModified and EditSequence, merges and deletions land in the deleted-objects
 * log, voids keep the transaction.
 */
import { describe, expect, it } from 'vitest';
import { loadQbxmlSchema } from '../../main/qbxml/schema/load';
import { Bookkeeper, FakeQuickBooks } from '../../main/simulator/quickbooks';
import { validateElement } from '../../main/simulator/quickbooks/validate';
import { type XmlElement, child, childText, childrenNamed, parseXml } from '../../main/xml/tree';
import { seededRandom } from '../helpers';

const T0 = Date.parse('2024-07-15T16:00:00Z'); // 12:00 in New York

function setup() {
  const clock = { t: T0 };
  const qb = new FakeQuickBooks({ now: () => new Date(clock.t), timeZone: 'America/New_York' });
  return { qb, clock, bookkeeper: new Bookkeeper(qb, seededRandom(7)) };
}

/** One request's …Rs, checked against the response schema. */
function one(qb: FakeQuickBooks, body: string): XmlElement {
  const result = qb.processRequest(`<?xml version="1.0"?>\n<?qbxml version="16.0"?>\n<QBXML><QBXMLMsgsRq onError="stopOnError">${body}</QBXMLMsgsRq></QBXML>`);
  if (!('response' in result)) throw new Error(`HRESULT ${result.hresult} (${qb.lastRejection})`);
  const rs = child(parseXml(result.response), 'QBXMLMsgsRs')?.children[0] as XmlElement;
  const problem = validateElement(rs, loadQbxmlSchema().responses.get(rs.name) as never, '16.0');
  if (problem) throw new Error(`schema-invalid response: ${problem}`);
  return rs;
}

const code = (rs: XmlElement) => rs.attrs.statusCode;
const deletedLog = (qb: FakeQuickBooks) =>
  childrenNamed(one(qb, '<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>'), 'ListDeletedRet').map((d) => [childText(d, 'ListID'), childText(d, 'FullName')]);

describe('ListMerge', () => {
  it('merges one customer into another: its invoices move, the survivor is modified, the merged one is in the deleted log', () => {
    const { qb, clock, bookkeeper } = setup();
    const [kristy, , brian] = qb.customers();
    const invoice = bookkeeper.addInvoice(brian!.ListID);
    clock.t += 60_000;
    const merge = (from = brian!, to = kristy!) =>
      one(
        qb,
        `<ListMergeRq><ListMergeType>Customer</ListMergeType><MergeFrom><ListID>${from.ListID}</ListID><EditSequence>${from.EditSequence}</EditSequence></MergeFrom>` +
          `<MergeTo><ListID>${to.ListID}</ListID><EditSequence>${to.EditSequence}</EditSequence></MergeTo></ListMergeRq>`,
      );
    expect(code(merge(kristy, kristy))).toBe('3160');
    expect(code(merge({ ...brian!, EditSequence: '1' }))).toBe('3200');
    // A customer with jobs can't be merged away.
    expect(code(merge(kristy, brian))).toBe('3160');

    const rs = merge();
    expect(code(rs)).toBe('0');
    const survivor = qb.customers().find((c) => c.ListID === kristy!.ListID)!;
    expect(childText(child(rs, 'MergedFrom'), 'ListID')).toBe(brian!.ListID);
    expect(childText(child(rs, 'MergedFrom'), 'FullName')).toBe('Cook, Brian');
    expect(childText(child(rs, 'MergedTo'), 'EditSequence')).toBe(survivor.EditSequence);
    expect(childText(child(rs, 'MergedTo'), 'TimeModified')).toBe('2024-07-15T12:01:00-05:00');
    expect(survivor.EditSequence).not.toBe(kristy!.EditSequence);
    expect(qb.customers().some((c) => c.ListID === brian!.ListID)).toBe(false);
    expect(qb.invoices().find((i) => i.TxnID === invoice.id)?.CustomerListID).toBe(kristy!.ListID);
    expect(deletedLog(qb)).toEqual([[brian!.ListID, 'Cook, Brian']]);
  });

  it('in the QuickBooks window is a rename to the survivor\'s name: the deleted log shows that name', () => {
    const { qb, bookkeeper } = setup();
    const [kristy, , brian] = qb.customers();
    bookkeeper.mergeCustomers(brian!.ListID, kristy!.ListID);
    expect(deletedLog(qb)).toEqual([[brian!.ListID, 'Abercrombie, Kristy']]);
    expect(() => bookkeeper.mergeCustomers(kristy!.ListID, kristy!.ListID)).toThrow(/cannot be merged/);
  });
});

describe('TxnVoid', () => {
  it('keeps the invoice, zeroed, its memo starting with VOID:, and modified', () => {
    const { qb, clock, bookkeeper } = setup();
    const { id } = bookkeeper.addInvoice(qb.customers()[0]!.ListID, '99.00', { Memo: 'Deck repair' });
    clock.t += 60_000;
    const rs = one(qb, `<TxnVoidRq><TxnVoidType>Invoice</TxnVoidType><TxnID>${id}</TxnID></TxnVoidRq>`);
    expect([code(rs), childText(rs, 'TxnID'), childText(rs, 'TimeModified')]).toEqual(['0', id, '2024-07-15T12:01:00-05:00']);
    const ret = child(one(qb, `<InvoiceQueryRq><TxnID>${id}</TxnID></InvoiceQueryRq>`), 'InvoiceRet');
    expect([childText(ret, 'Memo'), childText(ret, 'Subtotal'), childText(ret, 'BalanceRemaining')]).toEqual(['VOID: Deck repair', '0.00', '0.00']);
    expect(code(one(qb, `<TxnVoidRq><TxnVoidType>Bill</TxnVoidType><TxnID>${id}</TxnID></TxnVoidRq>`))).toBe('1030');
  });
});

describe('the bookkeeper', () => {
  it('changes the company over time: each change at the company clock, with a new EditSequence', () => {
    const { qb, clock, bookkeeper } = setup();
    const kristy = qb.customers()[0]!;
    clock.t += 3_600_000;
    const saved = bookkeeper.editCustomer(kristy.ListID, { Phone: '555-0199', IsActive: false });
    const after = qb.customers()[0]!;
    expect([after.EditSequence, after.IsActive, after.TimeModified]).toEqual([saved.editSequence, false, '2024-07-15T17:00:00Z']);
    expect(saved.editSequence).not.toBe(kristy.EditSequence);
    expect(() => bookkeeper.deleteCustomer(kristy.ListID)).toThrow(/cannot be deleted/);

    const done: string[] = [];
    for (let i = 0; i < 30; i++) {
      clock.t += 60_000;
      done.push(bookkeeper.someChange());
    }
    // A seeded bookkeeper does the same work every time: adds, edits, invoices and voids.
    for (const kind of [/^added customer/, /^changed the phone/, /^invoiced/, /^voided invoice/]) expect(done.some((d) => kind.test(d))).toBe(true);
    expect(qb.invoices().some((i) => i.fields.some((f) => f.name === 'Memo' && f.text?.startsWith('VOID:')))).toBe(true);
  });
});
