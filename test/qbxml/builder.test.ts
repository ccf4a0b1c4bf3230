import { describe, expect, it } from 'vitest';
import {
  type BuildIssue,
  QbxmlBuildError,
  buildRequest,
  checkRequestXml,
} from '../../main/qbxml/builder';
import { parseRequestDocument } from '../../main/qbxml/request-document';
import { sampleInvoiceAdd } from '../../bench/qbxml-fixtures';

function issuesOf(fn: () => unknown): BuildIssue[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof QbxmlBuildError) return err.issues;
    throw err;
  }
  throw new Error('expected a QbxmlBuildError');
}

function errorOf(fn: () => unknown): QbxmlBuildError {
  try {
    fn();
  } catch (err) {
    if (err instanceof QbxmlBuildError) return err;
    throw err;
  }
  throw new Error('expected a QbxmlBuildError');
}

/** Reverses key order at every level (arrays keep their order). */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

const inner = (xml: string, name: string): string => {
  const m = new RegExp(`<${name}>(.*?)</${name}>`).exec(xml);
  if (!m) throw new Error(`no <${name}> in ${xml}`);
  return m[1] as string;
};

describe('buildRequest: shape and order', () => {
  it('emits children in schema order whatever the key order', () => {
    const params = sampleInvoiceAdd(3);
    const a = buildRequest('InvoiceAdd', params);
    const b = buildRequest('InvoiceAddRq', reversed(params));
    expect(b.xml).toBe(a.xml);
    expect(a.type).toBe('InvoiceAddRq');
    expect(a.xml.startsWith('<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>')).toBe(true);
    // TxnDate before RefNumber before BillAddress … Memo … lines, as in the XSD.
    const order = ['<CustomerRef>', '<TxnDate>', '<RefNumber>', '<BillAddress>', '<ShipAddress>', '<PONumber>', '<Memo>', '<InvoiceLineAdd>'];
    const positions = order.map((tag) => a.xml.indexOf(tag));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > (positions[i - 1] as number)))).toBe(true);
    // Inside a line: ItemRef, Desc, Quantity, Rate, Amount.
    const line = inner(a.xml, 'InvoiceLineAdd');
    expect(line).toMatch(/^<ItemRef>.*<\/ItemRef><Desc>.*<\/Desc><Quantity>1<\/Quantity><Rate>19\.99<\/Rate><Amount>19\.99<\/Amount>/);
    expect(a.xml).not.toMatch(/>\s+</);
  });

  it('reports query and iterator support and the request id offset', () => {
    const q = buildRequest('InvoiceQuery', { MaxReturned: 10, IncludeLineItems: true, '@metaData': 'NoMetaData' });
    expect(q).toMatchObject({ type: 'InvoiceQueryRq', isQuery: true, supportsIterator: true });
    expect(q.xml).toBe('<InvoiceQueryRq metaData="NoMetaData"><MaxReturned>10</MaxReturned><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>');
    const add = buildRequest('CustomerAdd', { Name: 'X' });
    expect(add).toMatchObject({ isQuery: false, supportsIterator: false });
    // The stored form is the same element: request-document finds the requestID offset after the name.
    const doc = parseRequestDocument(add.xml);
    expect(doc.body).toBe(add.xml);
    expect(doc.rqOffsets).toEqual(['<CustomerAddRq'.length]);
  });

  it('accepts the wrapper shorthand, keeping Rq-level keys beside it', () => {
    const full = buildRequest('CustomerAdd', { CustomerAdd: { Name: 'X' }, IncludeRetElement: ['ListID'] });
    const short = buildRequest('CustomerAdd', { Name: 'X', IncludeRetElement: ['ListID'] });
    expect(short.xml).toBe(full.xml);
    expect(full.xml).toBe('<CustomerAddRq><CustomerAdd><Name>X</Name></CustomerAdd><IncludeRetElement>ListID</IncludeRetElement></CustomerAddRq>');
    // Not for queries, whose first child is not named after the request.
    expect(buildRequest('CustomerQuery', {}).xml).toBe('<CustomerQueryRq></CustomerQueryRq>');
  });

  it('takes a single value for a repeated element', () => {
    const one = buildRequest('InvoiceQuery', { TxnID: '1-2' });
    const list = buildRequest('InvoiceQuery', { TxnID: ['1-2'] });
    expect(one.xml).toBe(list.xml);
    expect(buildRequest('InvoiceQuery', { TxnID: ['1-2', '3-4'] }).xml).toBe('<InvoiceQueryRq><TxnID>1-2</TxnID><TxnID>3-4</TxnID></InvoiceQueryRq>');
  });

  it('writes the members of a repeated choice in schema order, each as given', () => {
    const xml = buildRequest('InvoiceAdd', {
      CustomerRef: { ListID: '1' },
      InvoiceLineGroupAdd: [{ ItemGroupRef: { FullName: 'Kit' } }],
      InvoiceLineAdd: [{ Desc: 'a' }, { Desc: 'b' }],
    }).xml;
    expect(xml).toContain(
      '<InvoiceLineAdd><Desc>a</Desc></InvoiceLineAdd><InvoiceLineAdd><Desc>b</Desc></InvoiceLineAdd><InvoiceLineGroupAdd><ItemGroupRef><FullName>Kit</FullName></ItemGroupRef></InvoiceLineGroupAdd>',
    );
  });

  it('escapes text and attributes, with non-ASCII as character references', () => {
    const xml = buildRequest('CustomerAdd', { Name: 'Décor & <Co> "quoted" ’s 😀', Notes: 'line1\r\nline2' }).xml;
    expect(xml).toContain('<Name>D&#233;cor &amp; &lt;Co&gt; "quoted" &#8217;s &#128512;</Name>');
    expect(xml).toContain('<Notes>line1&#13;\nline2</Notes>');
    expect(/^[\x00-\x7f]*$/.test(xml)).toBe(true);
    const invoice = buildRequest('InvoiceAdd', { '@defMacro': 'TxnID:a&"b"\u00e9', CustomerRef: { FullName: 'C' } }).xml;
    expect(invoice).toContain('<InvoiceAdd defMacro="TxnID:a&amp;&quot;b&quot;&#233;">');
  });

  it('takes a useMacro value as { "#text", "@useMacro" }', () => {
    const xml = buildRequest('InvoiceAdd', {
      CustomerRef: { FullName: 'C' },
      SetCredit: [{ CreditTxnID: { '#text': '', '@useMacro': 'TxnID:Credit1' }, AppliedAmount: 5 }],
    }).xml;
    expect(xml).toContain('<SetCredit><CreditTxnID useMacro="TxnID:Credit1"></CreditTxnID><AppliedAmount>5.00</AppliedAmount></SetCredit>');
  });

  it('computes minVersion from the newest element used', () => {
    expect(buildRequest('CustomerAdd', { Name: 'X' }).minVersion).toBeNull();
    expect(buildRequest('CustomerAdd', { Name: 'X', ExternalGUID: '0' }).minVersion).toBe('8.0');
    expect(buildRequest('CustomerAdd', { Name: 'X', ExternalGUID: '0', ClassRef: { FullName: 'A' } }).minVersion).toBe('12.0');
    expect(buildRequest('PaycheckQuery', {}).minVersion).toBe('15.0');
  });
});

describe('buildRequest: values', () => {
  const amount = (value: unknown): string => inner(buildRequest('InvoiceAdd', { CustomerRef: { ListID: '1' }, InvoiceLineAdd: [{ Amount: value }] }).xml, 'Amount');
  const quantity = (value: unknown): string =>
    inner(buildRequest('InvoiceAdd', { CustomerRef: { ListID: '1' }, InvoiceLineAdd: [{ Quantity: value }] }).xml, 'Quantity');

  it('normalises amounts to two decimals, from strings and exact numbers', () => {
    expect(amount('100')).toBe('100.00');
    expect(amount('100.5')).toBe('100.50');
    expect(amount('-0100.25')).toBe('-100.25');
    expect(amount('.5')).toBe('0.50');
    expect(amount('+7')).toBe('7.00');
    expect(amount('-0')).toBe('0.00');
    expect(amount('12.300')).toBe('12.30'); // extra zeros are exact
    expect(amount(19.99)).toBe('19.99');
    expect(amount(1e12)).toBe('1000000000000.00');
    expect(amount(0)).toBe('0.00');
    expect(amount('')).toBe('');
  });

  it('refuses amounts that are inexact, too precise or too large', () => {
    const refused = (value: unknown): BuildIssue => {
      const issues = issuesOf(() => amount(value));
      expect(issues).toHaveLength(1);
      return issues[0] as BuildIssue;
    };
    expect(refused(0.1 + 0.2)).toMatchObject({ path: 'InvoiceAdd.InvoiceLineAdd[0].Amount', rule: 'type:AMTTYPE' });
    expect(refused(0.1 + 0.2).message).toContain('0.30000000000000004');
    expect(refused('1.005').message).toContain('at most 2');
    expect(refused(19.999).rule).toBe('type:AMTTYPE');
    expect(refused('12345678901234').message).toContain('integer digits');
    expect(refused('1e3').rule).toBe('type:AMTTYPE');
    expect(refused('12,50').rule).toBe('type:AMTTYPE');
    expect(refused(Number.NaN).rule).toBe('type:AMTTYPE');
    expect(refused(true).rule).toBe('type:AMTTYPE');
  });

  it('keeps up to five decimals for quantities, prices and percentages', () => {
    expect(quantity('2')).toBe('2');
    expect(quantity(2.5)).toBe('2.5');
    expect(quantity('0.12345')).toBe('0.12345');
    expect(quantity(1e-5)).toBe('0.00001');
    expect(issuesOf(() => quantity('0.123456'))[0]?.rule).toBe('type:QUANTYPE');
    expect(issuesOf(() => quantity(1e-7))[0]?.rule).toBe('type:QUANTYPE');
    expect(issuesOf(() => quantity('12345678901'))[0]?.rule).toBe('type:QUANTYPE');
  });

  it('checks integers, booleans, dates, GUIDs, durations and enums', () => {
    const q = (params: Record<string, unknown>) => buildRequest('InvoiceQuery', params).xml;
    expect(q({ MaxReturned: '042' })).toContain('<MaxReturned>42</MaxReturned>');
    expect(issuesOf(() => q({ MaxReturned: 1.5 }))[0]).toMatchObject({ path: 'MaxReturned', rule: 'type:INTTYPE' });
    expect(issuesOf(() => q({ MaxReturned: '1.0' }))[0]?.rule).toBe('type:INTTYPE');
    expect(q({ IncludeLineItems: 'false' })).toContain('<IncludeLineItems>false</IncludeLineItems>');
    expect(issuesOf(() => q({ IncludeLineItems: 1 }))[0]?.rule).toBe('type:BOOLTYPE');
    expect(q({ TxnDateRangeFilter: { FromTxnDate: '2024-02-29' } })).toContain('<FromTxnDate>2024-02-29</FromTxnDate>');
    expect(issuesOf(() => q({ TxnDateRangeFilter: { FromTxnDate: '2023-02-29' } }))[0]).toMatchObject({
      path: 'TxnDateRangeFilter.FromTxnDate',
      rule: 'type:DATETYPE',
    });
    expect(issuesOf(() => q({ TxnDateRangeFilter: { FromTxnDate: '2024-2-1' } }))[0]?.rule).toBe('type:DATETYPE');
    expect(q({ TxnDateRangeFilter: { DateMacro: 'ThisMonth' } })).toContain('<DateMacro>ThisMonth</DateMacro>');
    const e = issuesOf(() => q({ TxnDateRangeFilter: { DateMacro: 'thisMonth' } }))[0];
    expect(e).toMatchObject({ path: 'TxnDateRangeFilter.DateMacro', rule: 'enum' });
    expect(e?.message).toContain('"ThisMonth"');
    expect(issuesOf(() => q({ PaidStatus: 'Sometimes' }))[0]?.message).toContain('All, PaidOnly, NotPaidOnly');

    const c = (params: Record<string, unknown>) => buildRequest('CustomerAdd', { Name: 'X', ...params }).xml;
    expect(c({ ExternalGUID: '6B29FC40-CA47-1067-B31D-00DD010662DA' })).toContain('<ExternalGUID>{6B29FC40-CA47-1067-B31D-00DD010662DA}</ExternalGUID>');
    expect(c({ ExternalGUID: '0' })).toContain('<ExternalGUID>0</ExternalGUID>');
    expect(issuesOf(() => c({ ExternalGUID: 'abc' }))[0]?.rule).toBe('type:GUIDTYPE');
    const t = (Duration: unknown) => buildRequest('TimeTrackingAdd', { TxnDate: '2024-01-02', EntityRef: { FullName: 'E' }, Duration }).xml;
    expect(t('PT1H30M0S')).toContain('<Duration>PT1H30M0S</Duration>');
    expect(issuesOf(() => t('PT'))[0]?.rule).toBe('type:TIMEINTERVALTYPE');
    expect(issuesOf(() => t('1:30'))[0]?.rule).toBe('type:TIMEINTERVALTYPE');
  });

  it('counts maxLength in characters of the unescaped value', () => {
    // CustomerAdd.Name is at most 41 characters.
    expect(buildRequest('CustomerAdd', { Name: '&'.repeat(41) }).xml).toContain('&amp;'.repeat(41));
    expect(buildRequest('CustomerAdd', { Name: '😀'.repeat(41) }).xml).toContain('&#128512;'.repeat(41));
    const issue = issuesOf(() => buildRequest('CustomerAdd', { Name: 'x'.repeat(42) }))[0];
    expect(issue).toEqual({ path: 'CustomerAdd.Name', rule: 'max_length:41', message: 'CustomerAdd.Name is too long: 42 characters, at most 41.' });
    // IDTYPE: 36.
    expect(issuesOf(() => buildRequest('InvoiceQuery', { TxnID: 'x'.repeat(37) }))[0]).toMatchObject({ path: 'TxnID', rule: 'max_length:36' });
  });

  it('refuses characters XML cannot carry and values of the wrong JSON type', () => {
    expect(issuesOf(() => buildRequest('CustomerAdd', { Name: 'a\u0001b' }))[0]?.rule).toBe('xml_char');
    expect(issuesOf(() => buildRequest('CustomerAdd', { Name: 42 }))[0]).toMatchObject({ path: 'CustomerAdd.Name', rule: 'type:STRTYPE' });
    expect(issuesOf(() => buildRequest('CustomerAdd', { Name: 'X', BillAddress: 'Main St' }))[0]).toMatchObject({
      path: 'CustomerAdd.BillAddress',
      rule: 'type:object',
    });
    expect(issuesOf(() => buildRequest('CustomerAdd', { Name: ['X'] }))[0]).toMatchObject({ path: 'CustomerAdd.Name', rule: 'max_occurs' });
    expect(issuesOf(() => buildRequest('CustomerAdd', { Name: 'X', BillAddress: new Date() }))[0]?.rule).toBe('type:object');
    expect(issuesOf(() => buildRequest('InvoiceQuery', { TxnDateRangeFilter: { FromTxnDate: new Date() } }))[0]?.rule).toBe('type:DATETYPE');
  });

  it('sends null as an empty element (clearing a field in a Mod)', () => {
    const xml = buildRequest('CustomerMod', { ListID: '1', EditSequence: '2', Phone: null, IsActive: null }).xml;
    expect(xml).toContain('<IsActive></IsActive>');
    expect(xml).toContain('<Phone></Phone>');
  });
});

describe('buildRequest: structure errors', () => {
  it('collects required, unknown, choice and max-occurs problems with paths', () => {
    const err = errorOf(() =>
      buildRequest('InvoiceAdd', {
        InvoiceAdd: {
          customerRef: { FullName: 'C' },
          Bogus: 1,
          InvoiceLineAdd: [{ Quantity: '1' }, { ItemRef: { ListID: '1', FullName: 'both' }, Quantity: 'many' }],
        },
      }),
    );
    const byRule = (rule: string) => err.issues.filter((i) => i.rule === rule).map((i) => i.path);
    expect(byRule('unknown_field')).toEqual(['InvoiceAdd.customerRef', 'InvoiceAdd.Bogus']);
    expect(err.issues.find((i) => i.path === 'InvoiceAdd.customerRef')?.message).toContain('did you mean CustomerRef?');
    expect(err.issues.find((i) => i.path === 'InvoiceAdd.Bogus')?.message).toContain('allowed: CustomerRef, ClassRef');
    expect(byRule('required')).toEqual(['InvoiceAdd.CustomerRef']);
    expect(byRule('type:QUANTYPE')).toEqual(['InvoiceAdd.InvoiceLineAdd[1].Quantity']);
    expect(err.message).toMatch(/^Invalid InvoiceAddRq: 4 problems: InvoiceAdd\.customerRef is not a field of InvoiceAdd \(did you mean CustomerRef\?\) \[unknown_field\]; /);
    expect(err.message).toContain('InvoiceAdd.CustomerRef is required [required]');
    expect(err.message).toMatch(/\(and 1 more problem\)\.$/);
    expect(err.name).toBe('QbxmlBuildError');
  });

  it('refuses keys from two alternatives of a choice', () => {
    const issues = issuesOf(() => buildRequest('InvoiceQuery', { TxnID: ['1'], MaxReturned: 5 }));
    expect(issues).toEqual([
      { path: 'MaxReturned', rule: 'choice', message: 'InvoiceQueryRq: use either TxnID or MaxReturned, not both (they are alternatives).' },
    ]);
    const nested = issuesOf(() =>
      buildRequest('InvoiceQuery', { ModifiedDateRangeFilter: { FromModifiedDate: '2024-01-01' }, TxnDateRangeFilter: { FromTxnDate: '2024-01-01' } }),
    );
    expect(nested[0]).toMatchObject({ path: 'TxnDateRangeFilter', rule: 'choice' });
  });

  it('requires one alternative of a required choice, and the whole of a chosen one', () => {
    // DepositLineAdd: (PaymentTxnID …) | (… AccountRef …)
    const none = issuesOf(() => buildRequest('DepositAdd', { DepositToAccountRef: { FullName: 'Bank' }, DepositLineAdd: [{ Memo: 'm' }] }));
    expect(none[0]).toMatchObject({ path: 'DepositAdd.DepositLineAdd[0].AccountRef', rule: 'required' });
    const billing = issuesOf(() => buildRequest('BillingRateAdd', { Name: 'R', BillingRatePerItem: [{ ItemRef: { FullName: 'I' } }] }));
    expect(billing[0]).toMatchObject({ path: 'BillingRateAdd.BillingRatePerItem[0]', rule: 'required' });
    expect(billing[0]?.message).toContain('needs one of CustomRate, CustomRatePercent or AdjustPercentage + AdjustBillingRateRelativeTo');
  });

  it('requires at least one line where the schema does', () => {
    const issues = issuesOf(() => buildRequest('SalesReceiptAdd', { CustomerRef: { FullName: 'C' } }));
    expect(issues[0]).toMatchObject({ rule: 'required' });
    expect(issues[0]?.message).toContain('needs at least one SalesReceiptLineAdd or SalesReceiptLineGroupAdd');
  });

  it('enforces the integer ranges of the XSD', () => {
    expect(issuesOf(() => buildRequest('InvoiceQuery', { MaxReturned: 0 }))[0]).toEqual({
      path: 'MaxReturned',
      rule: 'range:1..',
      message: 'MaxReturned must be at least 1 (got 0).',
    });
    const card = (ExpirationMonth: number) =>
      buildRequest('CustomerAdd', { Name: 'X', CreditCardInfo: { CreditCardNumber: '4111', ExpirationMonth, ExpirationYear: 2030 } });
    expect(card(12).xml).toContain('<ExpirationMonth>12</ExpirationMonth>');
    expect(issuesOf(() => card(13))[0]).toMatchObject({ path: 'CustomerAdd.CreditCardInfo.ExpirationMonth', rule: 'range:1..12' });
    expect(checkRequestXml('<InvoiceQueryRq><MaxReturned>0</MaxReturned></InvoiceQueryRq>').issues[0]?.rule).toBe('range:1..');
  });

  it('refuses elements the XSD prohibits (maxOccurs="0")', () => {
    const adjust = (ValueAdjustment: Record<string, unknown>) =>
      buildRequest('InventoryAdjustmentAdd', { AccountRef: { FullName: 'A' }, InventoryAdjustmentLineAdd: [{ ItemRef: { FullName: 'I' }, ValueAdjustment }] });
    expect(adjust({ NewQuantity: '3' }).xml).toContain('<ValueAdjustment><NewQuantity>3</NewQuantity></ValueAdjustment>');
    expect(issuesOf(() => adjust({ NewQuantity: '3', NewValue: '5' }))[0]).toMatchObject({ rule: 'unknown_field' });
  });

  it('enforces max occurs', () => {
    const issues = issuesOf(() =>
      buildRequest('CustomerAdd', { Name: 'X', AdditionalContactRef: Array.from({ length: 9 }, (_, i) => ({ ContactName: `c${i}`, ContactValue: 'v' })) }),
    );
    expect(issues[0]).toMatchObject({ path: 'CustomerAdd.AdditionalContactRef', rule: 'max_occurs' });
  });

  it('refuses the attributes the companion sets, and checks the others', () => {
    const issues = issuesOf(() => buildRequest('InvoiceQuery', { '@requestID': '1', '@iterator': 'Start', '@iteratorID': 'x', '@metaData': 'Bogus' }));
    expect(issues.map((i) => [i.path, i.rule])).toEqual([
      ['@requestID', 'companion_attribute'],
      ['@iterator', 'companion_attribute'],
      ['@iteratorID', 'companion_attribute'],
      ['@metaData', 'enum'],
    ]);
    expect(issues[1]?.message).toBe('@iterator is set by the companion when it sends InvoiceQueryRq; leave it out.');
  });

  it('caps the number of issues', () => {
    const params = { InvoiceAdd: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`Unknown${i}`, 1])) };
    const err = errorOf(() => buildRequest('InvoiceAdd', params));
    expect(err.issues).toHaveLength(20);
    expect(err.message).toContain('20+ problems');
  });

  it('refuses unknown request types and bad options', () => {
    expect(issuesOf(() => buildRequest('InvoiceAddd', {}))[0]).toMatchObject({ rule: 'unknown_request' });
    expect(issuesOf(() => buildRequest('invoiceAdd', {}))[0]?.message).toBe('invoiceAdd is not a qbXML 16.0 request type (did you mean "InvoiceAdd"?).');
    expect(() => buildRequest('CustomerAdd', { Name: 'X' }, { version: 'latest' })).toThrow(RangeError);
    expect(() => buildRequest('CustomerAdd', { Name: 'X' }, { timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(issuesOf(() => buildRequest('CustomerAdd', 'Name=X'))[0]).toMatchObject({ path: '', rule: 'type:object' });
  });
});

describe('buildRequest: version gating', () => {
  // EmployeeAdd.EmployeePayrollInfo.PayScheduleRef arrived in qbXML 15.0.
  const params = { Name: 'E', FirstName: 'Ada', EmployeePayrollInfo: { PayScheduleRef: { FullName: 'Weekly' } } };

  it('refuses fields newer than the connected QuickBooks', () => {
    const issues = issuesOf(() => buildRequest('EmployeeAdd', { FirstName: 'Ada', EmployeePayrollInfo: params.EmployeePayrollInfo }, { version: '13.0' }));
    expect(issues).toEqual([
      {
        path: 'EmployeeAdd.EmployeePayrollInfo.PayScheduleRef',
        rule: 'since:15.0',
        message: 'EmployeeAdd.EmployeePayrollInfo.PayScheduleRef needs qbXML 15.0 or later; the connected QuickBooks supports 13.0.',
      },
    ]);
  });

  it('accepts them for a newer QuickBooks and reports minVersion', () => {
    const built = buildRequest('EmployeeAdd', { FirstName: 'Ada', EmployeePayrollInfo: params.EmployeePayrollInfo }, { version: '16.0' });
    expect(built.minVersion).toBe('15.0');
    expect(built.xml).toContain('<PayScheduleRef><FullName>Weekly</FullName></PayScheduleRef>');
  });

  it('gates whole requests and older fields too', () => {
    expect(issuesOf(() => buildRequest('PaycheckQuery', {}, { version: '14.0' }))[0]).toMatchObject({ path: '', rule: 'since:15.0' });
    expect(issuesOf(() => buildRequest('CustomerAdd', { Name: 'X', ExternalGUID: '0' }, { version: 'CA3.0' }))[0]?.rule).toBe('since:8.0');
    expect(buildRequest('CustomerAdd', { Name: 'X', ExternalGUID: '0' }, { version: '8.0' }).minVersion).toBe('8.0');
  });
});

describe('buildRequest: date-times', () => {
  const from = (value: string, timeZone = 'America/New_York'): string =>
    inner(buildRequest('InvoiceQuery', { ModifiedDateRangeFilter: { FromModifiedDate: value } }, { timeZone }).xml, 'FromModifiedDate');

  it('converts an instant to QuickBooks wall time without offset, across DST', () => {
    // Spring forward: 02:00 EST → 03:00 EDT at 07:00Z.
    expect(from('2024-03-10T06:59:59Z')).toBe('2024-03-10T01:59:59');
    expect(from('2024-03-10T07:30:00Z')).toBe('2024-03-10T03:30:00');
    // Fall back: 01:00–02:00 happens twice; both instants become the same wall time.
    expect(from('2024-11-03T05:30:00Z')).toBe('2024-11-03T01:30:00');
    expect(from('2024-11-03T06:30:00Z')).toBe('2024-11-03T01:30:00');
    expect(from('2024-07-01T12:00:00-04:00')).toBe('2024-07-01T12:00:00');
    expect(from('2024-01-15T09:15:00.999+01:00')).toBe('2024-01-15T03:15:00');
    expect(from('2024-01-15T09:15:00Z', 'Asia/Kolkata')).toBe('2024-01-15T14:45:00');
  });

  it("reads the zone's standard offset as QuickBooks does: a TimeModified echoed back keeps its wall time, DST or not", () => {
    // QuickBooks in New York writes 10:00 EDT as "10:00:00-05:00"; as a true instant that
    // would be 11:00 EDT, and a FromModifiedDate watermark would skip the record.
    expect(from('2024-07-01T10:00:00-05:00')).toBe('2024-07-01T10:00:00');
    expect(from('2024-01-15T10:00:00-05:00')).toBe('2024-01-15T10:00:00');
    expect(from('2024-07-01T10:00-05:00')).toBe('2024-07-01T10:00');
    // The southern hemisphere's standard offset is its winter one.
    expect(from('2024-01-15T10:00:00+10:00', 'Australia/Sydney')).toBe('2024-01-15T10:00:00');
    expect(from('2024-01-15T10:00:00+11:00', 'Australia/Sydney')).toBe('2024-01-15T10:00:00');
    expect(from('2024-01-15T00:00:00Z', 'Australia/Sydney')).toBe('2024-01-15T11:00:00');
  });

  it('passes wall times and dates through, and refuses impossible ones', () => {
    expect(from('2024-03-10T02:30:00')).toBe('2024-03-10T02:30:00');
    expect(from('2024-03-10')).toBe('2024-03-10');
    expect(from('2024-3-1T9:05')).toBe('2024-3-1T9:05');
    expect(from('2024-01-15T09:15:00.5')).toBe('2024-01-15T09:15:00');
    for (const bad of ['2024-02-30T00:00:00', '2024-01-01T24:00:00', '2024-01-01 10:00:00', 'yesterday', '2024-01-01T10:00:00+25:00']) {
      expect(issuesOf(() => from(bad))[0]).toMatchObject({ path: 'ModifiedDateRangeFilter.FromModifiedDate', rule: 'type:DATETIMETYPE' });
    }
  });
});

describe('checkRequestXml', () => {
  it('accepts valid raw requests and reports their minVersion', () => {
    const xml = buildRequest('CustomerAdd', { Name: 'X', ClassRef: { FullName: 'A' } }).xml + buildRequest('InvoiceQuery', { MaxReturned: 1 }).xml;
    expect(checkRequestXml(xml)).toEqual({ issues: [], minVersion: '12.0' });
    const wrapped = `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">${xml}</QBXMLMsgsRq></QBXML>`;
    expect(checkRequestXml(wrapped).issues).toEqual([]);
  });

  it('reports order, required, type, unknown and version problems without throwing', () => {
    const raw =
      '<InvoiceAddRq requestID="9"><InvoiceAdd><RefNumber>1</RefNumber><CustomerRef><FullName>C</FullName></CustomerRef>' +
      '<InvoiceLineAdd><Amount>10.5</Amount><Color>red</Color></InvoiceLineAdd><ExternalGUID>0</ExternalGUID></InvoiceAdd></InvoiceAddRq>';
    const { issues, minVersion } = checkRequestXml(raw, { version: '8.0' });
    expect(issues.map((i) => [i.path, i.rule])).toEqual([
      ['InvoiceAddRq.InvoiceAdd.CustomerRef', 'order'],
      ['InvoiceAddRq.InvoiceAdd.ExternalGUID', 'order'],
      ['InvoiceAddRq.InvoiceAdd.ExternalGUID', 'since:9.0'],
      ['InvoiceAddRq.InvoiceAdd.InvoiceLineAdd[0].Color', 'unknown_field'],
      ['InvoiceAddRq.InvoiceAdd.InvoiceLineAdd[0].Amount', 'type:AMTTYPE'],
    ]);
    expect(issues[0]?.message).toBe('InvoiceAddRq.InvoiceAdd.CustomerRef is out of order: CustomerRef must come before RefNumber.');
    expect(minVersion).toBe('9.0');
  });

  it('holds values to the exact XSD rules (no normalisation)', () => {
    const q = (inner: string) => checkRequestXml(`<InvoiceQueryRq>${inner}</InvoiceQueryRq>`).issues.map((i) => i.rule);
    expect(q('<MaxReturned> 5 </MaxReturned>')).toEqual([]);
    expect(q('<IncludeLineItems>1</IncludeLineItems>')).toEqual([]);
    expect(q('<IncludeLineItems>yes</IncludeLineItems>')).toEqual(['type:BOOLTYPE']);
    expect(q('<ModifiedDateRangeFilter><FromModifiedDate>2024-01-01T10:00:00-05:00</FromModifiedDate></ModifiedDateRangeFilter>')).toEqual([]);
    expect(q('<ModifiedDateRangeFilter><FromModifiedDate>2024-01-01T10:00:00Z</FromModifiedDate></ModifiedDateRangeFilter>')).toEqual(['type:DATETIMETYPE']);
    expect(q('<TxnID>1</TxnID><TxnID>2</TxnID>')).toEqual([]);
    expect(q('<MaxReturned>1</MaxReturned><MaxReturned>2</MaxReturned>')).toEqual(['max_occurs']);
    expect(q('text')).toEqual(['text']);
  });

  it('reports unknown requests and malformed XML as issues', () => {
    expect(checkRequestXml('<FooRq/>').issues[0]).toMatchObject({ path: 'FooRq', rule: 'unknown_request' });
    expect(checkRequestXml('<CustomerQueryRq>').issues[0]).toMatchObject({ rule: 'xml' });
    const two = checkRequestXml('<CustomerQueryRq/><CustomerAddRq><CustomerAdd/></CustomerAddRq>').issues;
    expect(two[0]).toMatchObject({ path: 'CustomerAddRq[1].CustomerAdd.Name', rule: 'required' });
  });
});
