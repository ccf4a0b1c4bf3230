import { describe, expect, it } from 'vitest';
import { parseHcp } from '../../main/qbxml/hcp';
import { loadQbxmlSchema } from '../../main/qbxml/schema/load';
import { FakeQuickBooks, type FakeQuickBooksOptions } from '../../main/simulator/quickbooks';
import { validateElement } from '../../main/simulator/quickbooks/validate';
import { type XmlElement, child, childText, childrenNamed, parseXml } from '../../main/xml/tree';

const T0 = Date.parse('2024-07-15T16:00:00Z'); // 12:00 in New York, during DST

function setup(options: FakeQuickBooksOptions = {}) {
  const clock = { t: T0 };
  const qb = new FakeQuickBooks({ now: () => new Date(clock.t), timeZone: 'America/New_York', ...options });
  return { qb, clock };
}

const doc = (body: string, version = '16.0', onError = 'stopOnError') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="${version}"?>\n<QBXML>\n<QBXMLMsgsRq onError="${onError}">\n${body}\n</QBXMLMsgsRq>\n</QBXML>`;

const schema = loadQbxmlSchema();

/** Every response must be valid against the qbXML response schema of its version. */
function schemaProblem(rs: XmlElement, version: string): string | null {
  const spec = schema.responses.get(rs.name);
  if (!spec) return `${rs.name} is not a qbXML response`;
  return validateElement(rs, spec, version);
}

/** Sends a document and returns its …Rs elements, each checked against the response schema. */
function send(qb: FakeQuickBooks, body: string, version = '16.0', onError = 'stopOnError'): XmlElement[] {
  const result = qb.processRequest(doc(body, version, onError));
  if (!('response' in result)) throw new Error(`unexpected HRESULT ${result.hresult} (${qb.lastRejection})`);
  const responses = child(parseXml(result.response), 'QBXMLMsgsRs')?.children ?? [];
  for (const rs of responses) {
    const problem = schemaProblem(rs, version);
    if (problem) throw new Error(`schema-invalid response: ${problem}`);
  }
  return responses;
}

const one = (qb: FakeQuickBooks, body: string, version?: string): XmlElement => send(qb, body, version)[0] as XmlElement;
const status = (rs: XmlElement) => ({ code: rs.attrs.statusCode, severity: rs.attrs.statusSeverity, message: rs.attrs.statusMessage });
const names = (rs: XmlElement, ret: string) => childrenNamed(rs, ret).map((r) => childText(r, 'FullName'));

const addCustomer = (name: string, extra = '') => `<CustomerAddRq requestID="a"><CustomerAdd><Name>${name}</Name>${extra}</CustomerAdd></CustomerAddRq>`;

describe('response format', () => {
  it('prints like QuickBooks: prolog, one element per line, status attributes in order, requestID echoed', () => {
    const { qb } = setup();
    const result = qb.processRequest(doc(`${addCustomer('Pine Street Bakery')}<CustomerQueryRq><FullName>Nobody</FullName></CustomerQueryRq>`));
    if (!('response' in result)) throw new Error('HRESULT');
    const lines = result.response.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '<?xml version="1.0" ?>',
      '<QBXML>',
      '<QBXMLMsgsRs>',
      '<CustomerAddRs requestID="a" statusCode="0" statusSeverity="Info" statusMessage="Status OK">',
    ]);
    // Seven seeded list elements came first; ListIDs count up from 0x80000001.
    expect(lines.slice(4, 8)).toEqual(['<CustomerRet>', '<ListID>80000008-1721059200</ListID>', '<TimeCreated>2024-07-15T12:00:00-05:00</TimeCreated>', '<TimeModified>2024-07-15T12:00:00-05:00</TimeModified>']);
    // No requestID on the request, none on the response; an ID lookup missing its ID is warning 500.
    expect(result.response).toContain(
      '<CustomerQueryRs statusCode="500" statusSeverity="Warn" statusMessage="The query request has not been fully completed. There was a required element (&quot;Nobody&quot;) that could not be found in QuickBooks." />',
    );
    expect(result.response.endsWith('</QBXMLMsgsRs>\n</QBXML>\n')).toBe(true);
  });
});

describe('customers', () => {
  it('adds a customer and finds it by name, by NameFilter and by ListID', () => {
    const { qb } = setup();
    const added = one(qb, addCustomer('Pine Street Bakery', '<CompanyName>Pine Street Bakery LLC</CompanyName><Phone>555-0100</Phone>'));
    expect(status(added)).toEqual({ code: '0', severity: 'Info', message: 'Status OK' });
    const ret = child(added, 'CustomerRet');
    expect(childText(ret, 'EditSequence')).toMatch(/^\d{10}$/);
    expect(ret?.children.map((c) => c.name)).toEqual([
      'ListID', 'TimeCreated', 'TimeModified', 'EditSequence', 'Name', 'FullName', 'IsActive', 'Sublevel',
      'CompanyName', 'Phone', 'Balance', 'TotalBalance', 'JobStatus', 'PreferredDeliveryMethod',
    ]);

    const byName = one(qb, '<CustomerQueryRq requestID="q"><FullName>pine street bakery</FullName></CustomerQueryRq>');
    expect(byName.attrs.requestID).toBe('q');
    expect(childText(child(byName, 'CustomerRet'), 'ListID')).toBe(childText(ret, 'ListID'));
    expect(childText(child(byName, 'CustomerRet'), 'CompanyName')).toBe('Pine Street Bakery LLC');

    const filtered = one(qb, '<CustomerQueryRq><NameFilter><MatchCriterion>Contains</MatchCriterion><Name>STREET</Name></NameFilter></CustomerQueryRq>');
    expect(names(filtered, 'CustomerRet')).toEqual(['Pine Street Bakery']);
    const byId = one(qb, `<CustomerQueryRq><ListID>${childText(ret, 'ListID')}</ListID></CustomerQueryRq>`);
    expect(names(byId, 'CustomerRet')).toEqual(['Pine Street Bakery']);
    expect(qb.customers().map((c) => c.FullName)).toContain('Pine Street Bakery');
  });

  it('refuses a duplicate name, whatever its case (3100), and a colon (3090)', () => {
    const { qb } = setup();
    one(qb, addCustomer('Pine Street Bakery'));
    expect(status(one(qb, addCustomer('PINE STREET BAKERY')))).toEqual({
      code: '3100',
      severity: 'Error',
      message: 'The name "PINE STREET BAKERY" of the list element is already in use.',
    });
    expect(status(one(qb, addCustomer('Incorrect : Name'))).code).toBe('3090');
    expect(qb.customers().filter((c) => c.Name.toLowerCase() === 'pine street bakery')).toHaveLength(1);
  });

  it('modifies with the current EditSequence only (3200 when stale), bumping it every time', () => {
    const { qb } = setup();
    const ret = child(one(qb, addCustomer('Pine Street Bakery')), 'CustomerRet');
    const listId = childText(ret, 'ListID') as string;
    const first = childText(ret, 'EditSequence') as string;
    const mod = (seq: string, name: string) => `<CustomerModRq><CustomerMod><ListID>${listId}</ListID><EditSequence>${seq}</EditSequence><Name>${name}</Name></CustomerMod></CustomerModRq>`;

    const renamed = child(one(qb, mod(first, 'Pine St Bakery')), 'CustomerRet');
    const second = childText(renamed, 'EditSequence') as string;
    expect(Number(second)).toBeGreaterThan(Number(first));
    expect(childText(renamed, 'FullName')).toBe('Pine St Bakery');

    expect(status(one(qb, mod(first, 'Stale Write')))).toEqual({
      code: '3200',
      severity: 'Error',
      message: `The provided edit sequence "${first}" is out-of-date. `,
    });
    expect(qb.customers().find((c) => c.ListID === listId)?.Name).toBe('Pine St Bakery');
    expect(status(one(qb, mod(second, 'Pine Street Bakery'))).code).toBe('0');
    expect(status(one(qb, mod(second, 'Again'))).code).toBe('3200');
  });

  it('answers a Mod of an unknown ListID with 3120 and a malformed one with 3000', () => {
    const { qb } = setup();
    const mod = (id: string) => `<CustomerModRq><CustomerMod><ListID>${id}</ListID><EditSequence>1</EditSequence></CustomerMod></CustomerModRq>`;
    expect(status(one(qb, mod('8000ABCD-1234567890')))).toEqual({
      code: '3120',
      severity: 'Error',
      message: 'Object "8000ABCD-1234567890" specified in the request cannot be found.',
    });
    expect(status(one(qb, mod('not-an-id'))).code).toBe('3000');
  });

  it('lists active customers by default (ActiveStatus ActiveOnly), in name order with jobs under their customer', () => {
    const { qb } = setup();
    one(qb, addCustomer('Zed Dormant', '<IsActive>false</IsActive>'));
    const active = one(qb, '<CustomerQueryRq/>');
    expect(names(active, 'CustomerRet')).toEqual(['Abercrombie, Kristy', 'Abercrombie, Kristy:Remodel Bathroom', 'Cook, Brian', 'Jacobsen, Doug']);
    expect(names(one(qb, '<CustomerQueryRq><ActiveStatus>All</ActiveStatus></CustomerQueryRq>'), 'CustomerRet')).toContain('Zed Dormant');
    expect(names(one(qb, '<CustomerQueryRq><ActiveStatus>InactiveOnly</ActiveStatus></CustomerQueryRq>'), 'CustomerRet')).toEqual(['Zed Dormant']);
    const range = one(qb, '<CustomerQueryRq><MaxReturned>2</MaxReturned><NameRangeFilter><FromName>b</FromName><ToName>k</ToName></NameRangeFilter></CustomerQueryRq>');
    expect(names(range, 'CustomerRet')).toEqual(['Cook, Brian', 'Jacobsen, Doug']);
    const none = one(qb, '<CustomerQueryRq><NameFilter><MatchCriterion>StartsWith</MatchCriterion><Name>Q</Name></NameFilter></CustomerQueryRq>');
    expect(status(none)).toEqual({ code: '1', severity: 'Info', message: 'A query request did not find a matching object in QuickBooks' });
  });

  it('filters by modification time, inclusively, accepting the offset it printed', () => {
    const { qb, clock } = setup();
    clock.t += 3600_000;
    const ret = child(one(qb, addCustomer('Later Customer')), 'CustomerRet');
    const modified = childText(ret, 'TimeModified') as string;
    expect(modified).toBe('2024-07-15T13:00:00-05:00');
    const from = (v: string) => names(one(qb, `<CustomerQueryRq><FromModifiedDate>${v}</FromModifiedDate></CustomerQueryRq>`), 'CustomerRet');
    expect(from(modified)).toEqual(['Later Customer']);
    expect(from('2024-07-15T13:00:00')).toEqual(['Later Customer']);
    expect(from('2024-07-15T13:00:01-05:00')).toEqual([]);
    expect(names(one(qb, '<CustomerQueryRq><ToModifiedDate>2024-07-15T12:30:00</ToModifiedDate></CustomerQueryRq>'), 'CustomerRet')).not.toContain('Later Customer');
  });
});

describe('items', () => {
  it('adds each item type and returns them mixed in one ItemQueryRs, in name order', () => {
    const { qb } = setup({ seed: false });
    const accounts = '<IncomeAccountRef><FullName>Materials Income</FullName></IncomeAccountRef><COGSAccountRef><FullName>Cost of Goods Sold</FullName></COGSAccountRef><AssetAccountRef><FullName>Inventory Asset</FullName></AssetAccountRef>';
    const results = send(
      qb,
      '<ItemServiceAddRq><ItemServiceAdd><Name>Labor</Name><SalesOrPurchase><Price>50</Price><AccountRef><FullName>Construction Income</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>' +
        `<ItemInventoryAddRq><ItemInventoryAdd><Name>Hinge</Name><SalesPrice>2.5</SalesPrice>${accounts}</ItemInventoryAdd></ItemInventoryAddRq>` +
        '<ItemNonInventoryAddRq><ItemNonInventoryAdd><Name>Permit</Name><SalesAndPurchase><SalesPrice>100</SalesPrice><IncomeAccountRef><FullName>Materials Income</FullName></IncomeAccountRef><ExpenseAccountRef><FullName>Job Expenses</FullName></ExpenseAccountRef></SalesAndPurchase></ItemNonInventoryAdd></ItemNonInventoryAddRq>',
    );
    expect(results.map((r) => r.attrs.statusCode)).toEqual(['0', '0', '0']);
    expect(childText(child(child(results[0], 'ItemServiceRet'), 'SalesOrPurchase'), 'Price')).toBe('50.00');
    const query = one(qb, '<ItemQueryRq/>');
    expect(query.children.map((c) => `${c.name}:${childText(c, 'Name')}`)).toEqual(['ItemInventoryRet:Hinge', 'ItemServiceRet:Labor', 'ItemNonInventoryRet:Permit']);
    expect(childText(child(query, 'ItemInventoryRet'), 'QuantityOnHand')).toBe('0');
    expect(qb.items().map((i) => i.type)).toEqual(['ItemService', 'ItemInventory', 'ItemNonInventory']);
  });

  it('requires the accounts an item posts to (3150) and refuses unknown ones (3140)', () => {
    const { qb } = setup();
    const missing = one(qb, '<ItemInventoryAddRq><ItemInventoryAdd><Name>Hinge</Name><IncomeAccountRef><FullName>Materials Income</FullName></IncomeAccountRef></ItemInventoryAdd></ItemInventoryAddRq>');
    expect(status(missing)).toMatchObject({ code: '3150', severity: 'Error' });
    const unknown = one(qb, '<ItemServiceAddRq><ItemServiceAdd><Name>Labor</Name><SalesOrPurchase><AccountRef><FullName>Nope</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>');
    expect(status(unknown)).toEqual({
      code: '3140',
      severity: 'Error',
      message: 'There is an invalid reference to QuickBooks Account "Nope" in the ItemService.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.',
    });
    expect(status(one(qb, '<ItemServiceAddRq><ItemServiceAdd><Name>installation</Name><SalesOrPurchase><AccountRef><FullName>Construction Income</FullName></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>')).code).toBe('3100');
  });
});

const invoice = (customer: string, lines: string, extra = '') =>
  `<InvoiceAddRq requestID="inv"><InvoiceAdd><CustomerRef><FullName>${customer}</FullName></CustomerRef>${extra}${lines}</InvoiceAdd></InvoiceAddRq>`;
const line = (item: string, qty: string, rate: string) => `<InvoiceLineAdd><ItemRef><FullName>${item}</FullName></ItemRef><Quantity>${qty}</Quantity><Rate>${rate}</Rate></InvoiceLineAdd>`;

describe('invoices', () => {
  it('refuses an unknown customer or item with 3140 and writes nothing', () => {
    const { qb } = setup();
    expect(status(one(qb, invoice('Nobody Inc', line('Installation', '1', '1'))))).toEqual({
      code: '3140',
      severity: 'Error',
      message: 'There is an invalid reference to QuickBooks Customer "Nobody Inc" in the Invoice.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.',
    });
    expect(status(one(qb, invoice('Cook, Brian', line('Sooo Wrong', '1', '1')))).message).toBe(
      'There is an invalid reference to QuickBooks Item "Sooo Wrong" in the Invoice line.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.',
    );
    expect(qb.invoices()).toHaveLength(0);
  });

  it('computes line amounts and the subtotal exactly, numbers the invoice and defaults the date to today', () => {
    const { qb } = setup();
    const guid = '{6b1f4c0e-93a2-4d7b-8d21-0c5e3f7a9b12}';
    const rs = one(qb, invoice('Cook, Brian', line('Installation', '3', '19.99') + line('Installation', '1', '45.50'), `<ExternalGUID>${guid}</ExternalGUID>`));
    const ret = child(rs, 'InvoiceRet');
    expect(status(rs).code).toBe('0');
    expect(childText(ret, 'TxnID')).toMatch(/^[0-9A-F]+-1721059200$/);
    expect(childText(ret, 'TxnNumber')).toBe('1');
    expect(childText(ret, 'TxnDate')).toBe('2024-07-15');
    expect(childText(ret, 'RefNumber')).toBe('1');
    expect(childText(ret, 'Subtotal')).toBe('105.47');
    expect(childText(ret, 'BalanceRemaining')).toBe('105.47');
    expect(childText(ret, 'ExternalGUID')).toBe(guid);
    const lines = childrenNamed(ret, 'InvoiceLineRet');
    expect(lines.map((l) => [childText(l, 'Quantity'), childText(l, 'Rate'), childText(l, 'Amount'), childText(l, 'Desc')])).toEqual([
      ['3', '19.99', '59.97', 'Installation labor'],
      ['1', '45.50', '45.50', 'Installation labor'],
    ]);
    expect(new Set(lines.map((l) => childText(l, 'TxnLineID'))).size).toBe(2);

    const next = child(one(qb, invoice('Cook, Brian', line('Permit Fee', '1', '150'))), 'InvoiceRet');
    expect(childText(next, 'RefNumber')).toBe('2');
    expect(childText(next, 'TxnNumber')).toBe('2');
    expect(childText(child(one(qb, invoice('Cook, Brian', '', '<RefNumber>INV-0099</RefNumber>')), 'InvoiceRet'), 'RefNumber')).toBe('INV-0099');
    expect(childText(child(one(qb, invoice('Cook, Brian', '')), 'InvoiceRet'), 'RefNumber')).toBe('INV-0100');
    // The customer's balance follows its open invoices.
    const cook = child(one(qb, '<CustomerQueryRq><FullName>Cook, Brian</FullName></CustomerQueryRq>'), 'CustomerRet');
    expect(childText(cook, 'Balance')).toBe('255.47');
  });

  it('takes price, description and terms from the item and customer when not given', () => {
    const { qb } = setup();
    const ret = child(one(qb, invoice('Abercrombie, Kristy:Remodel Bathroom', '<InvoiceLineAdd><ItemRef><FullName>Cabinet Pulls</FullName></ItemRef><Quantity>10</Quantity></InvoiceLineAdd>')), 'InvoiceRet');
    const l = child(ret, 'InvoiceLineRet');
    expect([childText(l, 'Desc'), childText(l, 'Rate'), childText(l, 'Amount')]).toEqual(['Cabinet Pulls', '4.50', '45.00']);
    expect(childText(child(ret, 'TermsRef'), 'FullName')).toBe('Net 30');
    expect(childText(ret, 'DueDate')).toBe('2024-08-14');
    expect(childText(child(ret, 'BillAddress'), 'City')).toBe('Bayshore');
  });

  it('modifies with the current EditSequence only; lines not named are removed, amounts recomputed', () => {
    const { qb } = setup();
    const ret = child(one(qb, invoice('Cook, Brian', line('Installation', '3', '19.99') + line('Permit Fee', '1', '150'))), 'InvoiceRet');
    const [first] = childrenNamed(ret, 'InvoiceLineRet');
    const txnId = childText(ret, 'TxnID');
    const seq = childText(ret, 'EditSequence') as string;
    const mod = (s: string) =>
      `<InvoiceModRq><InvoiceMod><TxnID>${txnId}</TxnID><EditSequence>${s}</EditSequence><Memo>Revised</Memo>` +
      `<InvoiceLineMod><TxnLineID>${childText(first, 'TxnLineID')}</TxnLineID><Quantity>4</Quantity></InvoiceLineMod>` +
      '<InvoiceLineMod><TxnLineID>-1</TxnLineID><Desc>Cleanup</Desc><Amount>20.00</Amount></InvoiceLineMod></InvoiceMod></InvoiceModRq>';
    const modified = child(one(qb, mod(seq)), 'InvoiceRet');
    expect(childText(modified, 'Memo')).toBe('Revised');
    expect(childrenNamed(modified, 'InvoiceLineRet').map((l) => childText(l, 'Amount'))).toEqual(['79.96', '20.00']);
    expect(childText(modified, 'Subtotal')).toBe('99.96');
    expect(status(one(qb, mod(seq)))).toMatchObject({ code: '3200', message: `The provided edit sequence "${seq}" is out-of-date. ` });
  });

  it('queries by filters, with lines only when IncludeLineItems is true', () => {
    const { qb, clock } = setup();
    one(qb, invoice('Cook, Brian', line('Installation', '1', '10'), '<TxnDate>2024-07-01</TxnDate><RefNumber>A-1</RefNumber>'));
    clock.t += 60_000;
    one(qb, invoice('Abercrombie, Kristy:Remodel Bathroom', line('Installation', '1', '20'), '<TxnDate>2024-07-10</TxnDate><RefNumber>B-1</RefNumber>'));
    const refs = (rs: XmlElement) => childrenNamed(rs, 'InvoiceRet').map((r) => childText(r, 'RefNumber'));

    const all = one(qb, '<InvoiceQueryRq/>');
    expect(refs(all)).toEqual(['A-1', 'B-1']);
    expect(childrenNamed(child(all, 'InvoiceRet'), 'InvoiceLineRet')).toHaveLength(0);
    expect(childrenNamed(child(one(qb, '<InvoiceQueryRq><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>'), 'InvoiceRet'), 'InvoiceLineRet')).toHaveLength(1);
    expect(refs(one(qb, '<InvoiceQueryRq><EntityFilter><FullNameWithChildren>Abercrombie, Kristy</FullNameWithChildren></EntityFilter></InvoiceQueryRq>'))).toEqual(['B-1']);
    expect(refs(one(qb, '<InvoiceQueryRq><TxnDateRangeFilter><FromTxnDate>2024-07-05</FromTxnDate></TxnDateRangeFilter></InvoiceQueryRq>'))).toEqual(['B-1']);
    expect(refs(one(qb, '<InvoiceQueryRq><ModifiedDateRangeFilter><ToModifiedDate>2024-07-15T12:00:30</ToModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>'))).toEqual(['A-1']);
    expect(refs(one(qb, '<InvoiceQueryRq><RefNumberFilter><MatchCriterion>StartsWith</MatchCriterion><RefNumber>b</RefNumber></RefNumberFilter></InvoiceQueryRq>'))).toEqual(['B-1']);
    expect(refs(one(qb, '<InvoiceQueryRq><RefNumber>a-1</RefNumber></InvoiceQueryRq>'))).toEqual(['A-1']);
    const b1 = childText(childrenNamed(all, 'InvoiceRet')[1], 'TxnID');
    const byId = one(qb, `<InvoiceQueryRq><TxnID>${b1}</TxnID><TxnID>99-1721059200</TxnID></InvoiceQueryRq>`);
    expect([status(byId).code, refs(byId)]).toEqual(['500', ['B-1']]);
    expect(refs(one(qb, '<InvoiceQueryRq><MaxReturned>1</MaxReturned><PaidStatus>NotPaidOnly</PaidStatus></InvoiceQueryRq>'))).toEqual(['A-1']);
    const limited = child(one(qb, '<InvoiceQueryRq><IncludeRetElement>TxnID</IncludeRetElement><IncludeRetElement>RefNumber</IncludeRetElement></InvoiceQueryRq>'), 'InvoiceRet');
    expect(limited?.children.map((c) => c.name)).toEqual(['TxnID', 'RefNumber']);
  });

  it('deletes and reports deletions for 90 days', () => {
    const { qb, clock } = setup();
    const txnId = childText(child(one(qb, invoice('Cook, Brian', line('Installation', '1', '10'))), 'InvoiceRet'), 'TxnID');
    const cook = qb.customers().find((c) => c.Name === 'Cook, Brian')?.ListID;
    expect(status(one(qb, `<ListDelRq><ListDelType>Customer</ListDelType><ListID>${cook}</ListID></ListDelRq>`)).code).toBe('3160');
    expect(status(one(qb, `<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>${txnId}</TxnID></TxnDelRq>`)).code).toBe('0');
    expect(status(one(qb, `<ListDelRq><ListDelType>Customer</ListDelType><ListID>${cook}</ListID></ListDelRq>`)).code).toBe('0');
    const deleted = one(qb, '<ListDeletedQueryRq><ListDelType>Customer</ListDelType><ListDelType>Vendor</ListDelType></ListDeletedQueryRq>');
    expect(childrenNamed(deleted, 'ListDeletedRet').map((d) => [childText(d, 'ListID'), childText(d, 'FullName')])).toEqual([[cook, 'Cook, Brian']]);
    expect(childrenNamed(one(qb, '<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType></TxnDeletedQueryRq>'), 'TxnDeletedRet')).toHaveLength(1);
    clock.t += 91 * 24 * 3600_000;
    expect(status(one(qb, '<ListDeletedQueryRq><ListDelType>Customer</ListDelType></ListDeletedQueryRq>')).code).toBe('1');
  });
});

describe('document processing', () => {
  const PARSE_ERROR = { hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' };

  it('refuses a document without <?qbxml version?>, or not well-formed, with 0x80040400', () => {
    const { qb } = setup();
    expect(qb.processRequest(`<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">${addCustomer('X')}</QBXMLMsgsRq></QBXML>`)).toEqual(PARSE_ERROR);
    expect(qb.processRequest(doc(addCustomer('X').replace('</Name>', '</Nam>')))).toEqual(PARSE_ERROR);
    expect(qb.processRequest(doc(addCustomer('Tom & Jerry')))).toEqual(PARSE_ERROR);
    expect(qb.processRequest(doc(addCustomer('X')).replace(' onError="stopOnError"', ''))).toEqual(PARSE_ERROR);
    expect(qb.customers().map((c) => c.Name)).not.toContain('X');
  });

  it('refuses the whole document when any request breaks the schema, processing nothing', () => {
    const { qb } = setup();
    const misordered = '<CustomerAddRq><CustomerAdd><FirstName>Pat</FirstName><Name>Pat Doe</Name></CustomerAdd></CustomerAddRq>';
    expect(qb.processRequest(doc(addCustomer('Valid First') + misordered))).toEqual(PARSE_ERROR);
    expect(qb.lastRejection).toMatch(/<FirstName> is not expected/);
    expect(qb.customers().map((c) => c.Name)).not.toContain('Valid First');
    for (const bad of [
      '<CustomerAddRq><CustomerAdd><Name>X</Name><Nickname>Y</Nickname></CustomerAdd></CustomerAddRq>',
      '<CustomerAddRq><CustomerAdd><CompanyName>No name</CompanyName></CustomerAdd></CustomerAddRq>',
      addCustomer('x'.repeat(42)),
      '<CustomerQueryRq><MaxReturned>ten</MaxReturned></CustomerQueryRq>',
      '<FrobnicateRq/>',
    ]) {
      expect(qb.processRequest(doc(bad)), bad).toEqual(PARSE_ERROR);
    }
  });

  it('refuses elements newer than the document version', () => {
    const { qb } = setup();
    const withClass = '<CustomerQueryRq><ListID>80000001-1</ListID><IncludeRetElement>Name</IncludeRetElement></CustomerQueryRq>';
    expect(qb.processRequest(doc(withClass, '3.0'))).toEqual(PARSE_ERROR); // IncludeRetElement is 4.0
    expect(qb.lastRejection).toMatch(/needs qbXML 4.0/);
    expect('response' in qb.processRequest(doc(withClass, '4.0'))).toBe(true);
  });

  it('rejects a version the host does not list: a QuickBooks 2014 host refuses 16.0', () => {
    const { qb } = setup({ productName: 'QuickBooks Pro 2014', majorVersion: '24', supportedVersions: ['1.0', '2.0', '3.0', '4.0', '5.0', '6.0', '7.0', '8.0', '9.0', '10.0', '11.0', '12.0', '13.0'] });
    expect(qb.processRequest(doc('<CustomerQueryRq/>', '16.0'))).toEqual({
      hresult: '0x80040423',
      message: 'The version of QBXML that was requested is not supported or is unknown.',
    });
    expect(qb.processRequest(doc('<CustomerQueryRq/>', 'banana'))).toMatchObject({ hresult: '0x80040423' });
    expect(status(one(qb, '<CustomerQueryRq/>', '13.0')).code).toBe('0');
    // And it does not print 14.0+ elements in a 13.0 answer.
    const host = parseHcp(qb.hcpResponse('{11111111-2222-3333-4444-555555555555}', '{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}'), '{11111111-2222-3333-4444-555555555555}');
    expect(host.supportedVersions.at(-1)).toBe('13.0');
  });

  it('stopOnError: requests after the first error answer 3231, unprocessed', () => {
    const { qb } = setup();
    const rs = send(qb, addCustomer('Cook, Brian') + addCustomer('After Error') + '<CustomerQueryRq requestID="z"/>');
    expect(rs.map((r) => r.attrs.statusCode)).toEqual(['3100', '3231', '3231']);
    expect(status(rs[1] as XmlElement)).toEqual({ code: '3231', severity: 'Error', message: 'The request has not been processed.' });
    expect(rs[2]?.attrs.requestID).toBe('z');
    expect(qb.customers().map((c) => c.Name)).not.toContain('After Error');
  });

  it('continueOnError processes everything; rollbackOnError undoes the set when anything failed', () => {
    const { qb } = setup();
    expect(send(qb, addCustomer('Cook, Brian') + addCustomer('Kept'), '16.0', 'continueOnError').map((r) => r.attrs.statusCode)).toEqual(['3100', '0']);
    expect(qb.customers().map((c) => c.Name)).toContain('Kept');
    expect(send(qb, addCustomer('Rolled Back') + addCustomer('Kept'), '16.0', 'rollbackOnError').map((r) => r.attrs.statusCode)).toEqual(['0', '3100']);
    expect(qb.customers().map((c) => c.Name)).not.toContain('Rolled Back');
    send(qb, addCustomer('Committed'), '16.0', 'rollbackOnError');
    expect(qb.customers().map((c) => c.Name)).toContain('Committed');
  });

  it('answers a valid request it does not implement with an honest 1030', () => {
    const { qb } = setup();
    expect(status(one(qb, '<VendorAddRq requestID="v"><VendorAdd><Name>Acme</Name></VendorAdd></VendorAddRq>'))).toEqual({
      code: '1030',
      severity: 'Error',
      message: 'This request is not supported by this implementation: the QuickBooks simulator does not implement VendorAddRq.',
    });
    expect(status(one(qb, '<CustomerQueryRq><ClassFilter><FullName>X</FullName></ClassFilter></CustomerQueryRq>')).code).toBe('1030');
  });

  it('injects statuses and HRESULTs for the next N requests of a type', () => {
    const { qb } = setup();
    const lock = 'There was an error when saving a Customer list, element "X". QuickBooks error message: This list has been modified by another user.';
    qb.injectFailure({ requestType: 'CustomerAddRq', times: 2, statusCode: 3180, statusMessage: lock });
    expect(status(one(qb, addCustomer('X')))).toEqual({ code: '3180', severity: 'Error', message: lock });
    expect(status(one(qb, '<CustomerQueryRq/>')).code).toBe('0');
    expect(status(one(qb, addCustomer('X'))).code).toBe('3180');
    expect(status(one(qb, addCustomer('X'))).code).toBe('0');
    qb.injectFailure({ requestType: 'CustomerQueryRq', hresult: '0x80040408', message: 'Could not start QuickBooks.' });
    expect(qb.processRequest(doc('<CustomerQueryRq/>'))).toEqual({ hresult: '0x80040408', message: 'Could not start QuickBooks.' });
    expect(status(one(qb, '<CustomerQueryRq/>')).code).toBe('0');
  });

  it('leaves the data out for responseData="includeNone"', () => {
    const { qb } = setup();
    const result = qb.processRequest(doc(addCustomer('Quiet')).replace('onError="stopOnError"', 'onError="stopOnError" responseData="includeNone"'));
    expect('response' in result && result.response).toContain('<CustomerAddRs requestID="a" statusCode="0" statusSeverity="Info" statusMessage="Status OK" />');
    expect(qb.customers().map((c) => c.Name)).toContain('Quiet');
  });

  it('refuses a requestID over 50 characters (1060)', () => {
    const { qb } = setup();
    expect(status(one(qb, `<CustomerQueryRq requestID="${'r'.repeat(51)}"/>`)).code).toBe('1060');
  });
});

describe('iterators', () => {
  function withCustomers(n: number) {
    const s = setup({ seed: false });
    send(s.qb, Array.from({ length: n }, (_, i) => addCustomer(`Customer ${String(i + 1).padStart(2, '0')}`)).join(''));
    return s;
  }
  const page = (qb: FakeQuickBooks, attrs: string, body = '') => one(qb, `<CustomerQueryRq requestID="p" ${attrs}>${body}</CustomerQueryRq>`);

  it('pages through a fixed result set: Start, Continue, Continue', () => {
    const { qb } = withCustomers(7);
    const first = page(qb, 'iterator="Start"', '<MaxReturned>3</MaxReturned>');
    const id = first.attrs.iteratorID as string;
    expect(id).toMatch(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/);
    expect(Object.keys(first.attrs)).toEqual(['requestID', 'statusCode', 'statusSeverity', 'statusMessage', 'iteratorRemainingCount', 'iteratorID']);
    expect([first.attrs.iteratorRemainingCount, names(first, 'CustomerRet')]).toEqual(['4', ['Customer 01', 'Customer 02', 'Customer 03']]);

    // Added after Start: not part of the iterator's result set.
    one(qb, addCustomer('Customer 00'));
    const second = page(qb, `iterator="Continue" iteratorID="${id}"`, '<MaxReturned>3</MaxReturned>');
    expect([second.attrs.iteratorRemainingCount, second.attrs.iteratorID, names(second, 'CustomerRet')]).toEqual(['1', id, ['Customer 04', 'Customer 05', 'Customer 06']]);
    const third = page(qb, `iterator="Continue" iteratorID="${id}"`, '<MaxReturned>3</MaxReturned>');
    expect([third.attrs.iteratorRemainingCount, names(third, 'CustomerRet')]).toEqual(['0', ['Customer 07']]);

    expect(status(page(qb, `iterator="Continue" iteratorID="${id}"`, '<MaxReturned>3</MaxReturned>'))).toEqual({
      code: '3391',
      severity: 'Error',
      message: `The iteratorID "${id}" is not valid.`,
    });
  });

  it('dies when the session ends', () => {
    const { qb } = withCustomers(5);
    const id = page(qb, 'iterator="Start"', '<MaxReturned>2</MaxReturned>').attrs.iteratorID;
    qb.endSession();
    expect(status(page(qb, `iterator="Continue" iteratorID="${id}"`)).code).toBe('3391');
    expect(status(page(qb, 'iterator="Continue" iteratorID="{00000000-0000-4000-a000-000000000000}"')).code).toBe('3391');
  });

  it('reports counts only for metaData="MetaDataOnly"', () => {
    const { qb } = withCustomers(4);
    const rs = page(qb, 'metaData="MetaDataOnly"');
    expect([rs.attrs.retCount, rs.children.length]).toEqual(['4', 0]);
  });
});

describe('HCP response', () => {
  const OWNER = '{512349B1-1111-2222-3333-000DE1813D20}';
  const FILE = '{00000ee0-1111-ffff-cccc-5ff123456047}';

  it('parses with the companion HCP parser and carries the FileID stamped for that OwnerID', () => {
    const { qb } = setup();
    const hcp = qb.hcpResponse(OWNER, FILE);
    const host = parseHcp(hcp, OWNER);
    expect(host).toMatchObject({
      productName: 'QuickBooks Enterprise Solutions 24.0',
      majorVersion: '34',
      country: 'US',
      companyName: 'Rock Castle Construction (simulated)',
      fileId: FILE,
      isAutomaticLogin: false,
      fileMode: 'SingleUser',
    });
    expect(host.supportedVersions.slice(-3)).toEqual(['14.0', '15.0', '16.0']);
    const rs = child(parseXml(hcp), 'QBXMLMsgsRs')?.children ?? [];
    expect(rs.map((r) => [r.name, r.attrs.requestID])).toEqual([['HostQueryRs', '0'], ['CompanyQueryRs', '1'], ['PreferencesQueryRs', '2']]);
    for (const r of rs) expect(schemaProblem(r, '16.0')).toBeNull();
    expect(hcp).toMatch(/<DataExtName>AppLock<\/DataExtName>\n<DataExtType>STR255TYPE<\/DataExtType>\n<DataExtValue>LOCKED:/);
  });

  it('keeps the first FileID per OwnerID and never shows one owner another owner\'s', () => {
    const { qb } = setup();
    const other = '{99999999-8888-7777-6666-555555555555}';
    qb.hcpResponse(OWNER, FILE);
    expect(parseHcp(qb.hcpResponse(other, '{11111111-1111-1111-1111-111111111111}'), other).fileId).toBe('{11111111-1111-1111-1111-111111111111}');
    const again = qb.hcpResponse(OWNER.toLowerCase(), '{22222222-2222-2222-2222-222222222222}');
    expect(parseHcp(again, OWNER).fileId).toBe(FILE);
    expect(again).not.toContain('11111111-1111');
  });
});

describe('clock', () => {
  const created = (options: FakeQuickBooksOptions) => childText(child(one(setup(options).qb, addCustomer('Summer')), 'CustomerRet'), 'TimeCreated');

  it('prints July in New York with the standard offset (-05:00) by default, like QuickBooks, and -04:00 without the bug', () => {
    expect(created({})).toBe('2024-07-15T12:00:00-05:00');
    expect(created({ dstOffsetBug: false })).toBe('2024-07-15T12:00:00-04:00');
    expect(created({ timeZone: 'UTC' })).toBe('2024-07-15T16:00:00+00:00');
  });

  it('is deterministic for an injected clock', () => {
    const a = setup().qb.processRequest(doc(addCustomer('Same') + invoice('Same', line('Installation', '2', '3.333'))));
    const b = setup().qb.processRequest(doc(addCustomer('Same') + invoice('Same', line('Installation', '2', '3.333'))));
    expect(a).toEqual(b);
  });
});

describe('persistence', () => {
  it('round-trips through JSON and carries on numbering where it left off', () => {
    const { qb, clock } = setup();
    send(qb, addCustomer('Pine Street Bakery') + invoice('Pine Street Bakery', line('Installation', '3', '19.99')));
    qb.hcpResponse('{512349B1-1111-2222-3333-000DE1813D20}', '{00000ee0-1111-ffff-cccc-5ff123456047}');
    const json = JSON.parse(JSON.stringify(qb.toJSON()));
    const restored = FakeQuickBooks.fromJSON(json, { now: () => new Date(clock.t), timeZone: 'America/New_York' });
    expect(restored.toJSON()).toEqual(qb.toJSON());
    expect(restored.companyFile).toBe(qb.companyFile);
    const query = '<CustomerQueryRq><ActiveStatus>All</ActiveStatus></CustomerQueryRq><InvoiceQueryRq><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>';
    expect(restored.processRequest(doc(query))).toEqual(qb.processRequest(doc(query)));
    expect(parseHcp(restored.hcpResponse('{512349B1-1111-2222-3333-000DE1813D20}', '{x}'), '{512349B1-1111-2222-3333-000DE1813D20}').fileId).toBe('{00000ee0-1111-ffff-cccc-5ff123456047}');

    const before = new Set(restored.customers().map((c) => c.ListID));
    const added = childText(child(one(restored, addCustomer('Another')), 'CustomerRet'), 'ListID') as string;
    expect(before.has(added)).toBe(false);
    expect(() => FakeQuickBooks.fromJSON({ customers: [] })).toThrow(/not a simulated QuickBooks company/);
  });
});
