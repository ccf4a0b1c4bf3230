import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInvoiceQueryRs } from '../../bench/qbxml-fixtures';
import { SoapRequestDecoder } from '../../main/qbwc/soap/decode';
import { buildRequest } from '../../main/qbxml/builder';
import {
  type ParsedResponse,
  QbxmlParseError,
  QbxmlResponseParser,
  type RecordSink,
  type RsInfo,
  parseRequestElement,
  parseRequestElements,
  parseResponse,
} from '../../main/qbxml/parser';
import { decodeEntities, XmlTokenizer } from '../../main/xml/tokenizer';

const FIXTURES = join(__dirname, '..', 'fixtures', 'qbxml');
const HCP = join(__dirname, '..', 'fixtures', 'qbwc', 'hcp_strHCPResponse_QuickBooksPro2014.fixed.xml');

/** The qbXML carried in a receiveResponseXML envelope, via the companion's own SOAP decoder. */
function soapResponse(file: string): string {
  let qbxml = '';
  const decoder = new SoapRequestDecoder((_method, field) =>
    field === 'response' ? { writeEscaped: (r) => void (qbxml += decodeEntities(r)), write: (t) => void (qbxml += t), end() {}, abort() {} } : undefined,
  );
  decoder.write(readFileSync(file, 'utf8'));
  decoder.end();
  return qbxml;
}

function fixture(name: string): ParsedResponse {
  const file = join(FIXTURES, name);
  return parseResponse(name.endsWith('.soap.xml') ? soapResponse(file) : readFileSync(file, 'utf8'));
}

/** Streams `xml` through the parser in chunks of `size` characters; returns what the sink saw. */
function stream(xml: string, size: number): { events: string[]; records: { rs: RsInfo; name: string; value: unknown }[] } {
  const events: string[] = [];
  const records: { rs: RsInfo; name: string; value: unknown }[] = [];
  const sink: RecordSink = {
    responseStart: (rs) => void events.push(`start ${rs.type}`),
    record: (rs, name, value) => {
      events.push(`record ${name}`);
      records.push({ rs, name, value });
    },
    responseEnd: (rs) => void events.push(`end ${rs.type}`),
  };
  const tokenizer = new XmlTokenizer(new QbxmlResponseParser(sink));
  for (let i = 0; i < xml.length; i += size) tokenizer.write(xml.slice(i, i + size));
  tokenizer.end();
  return { events, records };
}

const rsList = (r: ParsedResponse, type: string): Record<string, unknown>[] => r.QBXMLMsgsRs[type] as Record<string, unknown>[];

describe('golden: real qbXML responses', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'));

  it('parses every sample, losing no element', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const f of files) {
      if (f === 'qbwc-qbwc_strHCPResponse_QBPro2014.xml') continue; // the verbatim copy with a redaction typo (not well-formed)
      const xml = f.endsWith('.soap.xml') ? soapResponse(join(FIXTURES, f)) : readFileSync(join(FIXTURES, f), 'utf8');
      const parsed = parseResponse(xml);
      expect(parsed.responses.length, f).toBeGreaterThan(0);
      // Every leaf text of the document is somewhere in the JSON.
      const json = JSON.stringify(parsed.QBXMLMsgsRs);
      for (const m of xml.matchAll(/>([^<>\s][^<>]*)</g)) {
        const text = (m[1] as string).replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'");
        expect(json.includes(JSON.stringify(text).slice(1, -1)) || /^-?\d+$/.test(text) || /^(true|false)$/.test(text), `${f}: ${text}`).toBe(true);
      }
    }
  });

  it('types the flowlink InvoiceAddRs (real QBWC SOAP envelope)', () => {
    const r = fixture('flowlink_invoice_add_rs.soap.xml');
    const rs = rsList(r, 'InvoiceAddRs')[0] as Record<string, unknown>;
    expect(rs).toMatchObject({ '@statusCode': 0, '@statusSeverity': 'Info', '@statusMessage': 'Status OK' });
    const invoice = rs.InvoiceRet as Record<string, unknown>; // InvoiceAddRs holds one InvoiceRet: an object
    expect(invoice).toMatchObject({
      TxnID: 'C5-1417118624',
      TimeCreated: '2014-11-27T18:03:44-02:00',
      TxnNumber: 64,
      TxnDate: '2014-02-03',
      Subtotal: '206.00',
      SalesTaxPercentage: '0.00',
      IsPaid: false,
      IsToBePrinted: true,
      CustomerRef: { ListID: '80000013-1416570432', FullName: 'spree@example.com' },
    });
    expect(invoice.InvoiceLineRet).toEqual([
      {
        TxnLineID: 'C7-1417118624',
        ItemRef: { ListID: '80000034-1415899267', FullName: 'SPREE-T-SHIRT' },
        Quantity: '2',
        Rate: '103.00',
        Amount: '206.00',
        SalesTaxCodeRef: { ListID: '80000002-1414518221', FullName: 'Non' },
      },
    ]);
    expect(r.responses[0]?.info).toEqual({ type: 'InvoiceAddRs', index: 0, statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' });
    expect(r.responses[0]?.value).toBe(rs);
  });

  it('reads the iterator attributes of a CustomerQueryRs', () => {
    const r = fixture('qbwc-qbxml_customer_query_iterator_rs.xml');
    expect(r.responses[0]?.info).toEqual({
      type: 'CustomerQueryRs',
      index: 0,
      requestID: '1',
      statusCode: 0,
      statusSeverity: 'Info',
      statusMessage: 'Status OK',
      iteratorRemainingCount: 18,
      iteratorID: '{eb05f701-e727-472f-8ade-6753c4f67a46}',
    });
    const rs = rsList(r, 'CustomerQueryRs')[0] as Record<string, unknown>;
    expect(rs['@iteratorRemainingCount']).toBe(18);
    expect(rs.CustomerRet).toEqual([
      expect.objectContaining({ Name: '10th Customer', IsActive: true, Sublevel: 0, Balance: '0.00', JobStatus: 'None' }),
    ]);
  });

  it('reads real QuickBooks 2022 output (BillQueryRs)', () => {
    const bills = rsList(fixture('intuit-sdksamples_BillQueryRs_LastResponse.xml'), 'BillQueryRs')[0]?.BillRet as Record<string, unknown>[];
    expect(bills).toHaveLength(3);
    expect(bills.map((b) => [b.TxnNumber, b.AmountDue, b.OpenAmount, b.IsPaid])).toEqual([
      [3, '2000.00', '2000.00', false],
      [8, '70.00', '120.00', false],
      [9, '50.00', '120.00', false],
    ]);
    expect(bills[1]?.Memo).toContain('Quantity ordered reduced to quantity recieved');
  });

  it('reads the statuses of the error snippets', () => {
    const r = fixture('error_status_snippets.xml');
    expect(r.responses.map((x) => [x.info.type, x.info.statusCode, x.info.statusSeverity])).toEqual([
      ['CustomerAddRs', 3180, 'Error'],
      ['CustomerAddRs', 3090, 'Error'],
      ['CustomerQueryRs', 3231, 'Error'],
      ['SalesOrderAddRs', 3140, 'Error'],
      ['ItemInventoryQueryRs', 1, 'Info'],
      ['ItemInventoryModRs', 3200, 'Error'],
    ]);
    expect(r.responses[0]?.info.statusMessage).toContain('element "Newcastle Tenants Federation"');
    expect(rsList(r, 'CustomerAddRs')).toHaveLength(2);
    expect(fixture('flowlink_sales_order_add_rs_invalid_record_ref.soap.xml').responses[0]?.info).toMatchObject({ statusCode: 3140 });
    expect(fixture('flowlink_item_inventory_query_rs_empty.soap.xml').responses[0]?.info).toMatchObject({ statusCode: 1, requestID: '1' });
  });

  it('keeps schema-invalid content of real responses (ReceivePaymentQueryRs)', () => {
    const payment = (rsList(fixture('qbwc-qbxml_receive_payment_query_rs.xml'), 'ReceivePaymentQueryRs')[0]?.ReceivePaymentRet as Record<string, unknown>[])[0];
    expect(payment?.CreditCardTxnInfo).toEqual({
      CreditCardTxnInputInfo: { CreditCardNumber: 'xxxxxxxxxxxx1234', ExpirationMonth: 1, ExpirationYear: 2011, TransactionMode: 'CardNotPresent' },
    });
    expect(payment?.AppliedToTxnRet).toEqual([
      { TxnID: '244B-1263497335', TxnType: 'Invoice', TxnDate: '2009-09-30', RefNumber: 'OP13988', BalanceRemaining: '0.00', Amount: '112.35' },
    ]);
  });

  it('reads other real samples', () => {
    const items = rsList(fixture('flowlink_item_inventory_query_rs_raw.soap.xml'), 'ItemInventoryQueryRs')[0]?.ItemInventoryRet as Record<string, unknown>[];
    expect(items.length).toBeGreaterThan(5);
    expect(items[0]).toMatchObject({ Name: '12797', Sublevel: 0, SalesPrice: '0.00', IsActive: true });
    const po = rsList(fixture('qbwc-qbxml_purchase_order_query_rs.xml'), 'PurchaseOrderQueryRs')[0];
    expect(Array.isArray((po?.PurchaseOrderRet as Record<string, unknown>[])[0]?.PurchaseOrderLineRet)).toBe(true);
    const receipt = rsList(fixture('qbwc-qbxml_sales_receipt_add_rs.xml'), 'SalesReceiptAddRs')[0]?.SalesReceiptRet as Record<string, unknown>;
    expect(Array.isArray(receipt.SalesReceiptLineRet)).toBe(true);
    const accounts = rsList(fixture('qbwc-qbxml_account_query_rs.xml'), 'AccountQueryRs')[0]?.AccountRet as Record<string, unknown>[];
    expect(accounts).toHaveLength(2);
  });

  it('reads the HCP response of QuickBooks Pro 2014', () => {
    const r = parseResponse(readFileSync(HCP, 'utf8'));
    expect(r.responses.map((x) => x.info.type)).toEqual(['HostQueryRs', 'CompanyQueryRs', 'PreferencesQueryRs']);
    const host = rsList(r, 'HostQueryRs')[0]?.HostRet as Record<string, unknown>;
    expect(host).toMatchObject({ ProductName: 'QuickBooks Pro 2014', MajorVersion: '24', MinorVersion: '0', Country: 'US', IsAutomaticLogin: false, QBFileMode: 'SingleUser' });
    expect((host.SupportedQBXMLVersion as string[]).at(-1)).toBe('13.0');
    expect(host.SupportedQBXMLVersion).toHaveLength(16);
    const company = rsList(r, 'CompanyQueryRs')[0]?.CompanyRet as Record<string, unknown>;
    expect((company.DataExtRet as Record<string, unknown>[]).map((d) => d.DataExtName)).toEqual(['AppLock', 'FileID']);
    expect(company.IsSampleCompany).toBe(false);
  });
});

describe('QbxmlResponseParser (streaming)', () => {
  it('hands each record to the sink as it ends, whatever the chunking', () => {
    const xml = soapResponse(join(FIXTURES, 'flowlink_item_inventory_query_rs_raw.soap.xml'));
    const whole = stream(xml, xml.length);
    expect(whole.events[0]).toBe('start ItemInventoryQueryRs');
    expect(whole.events.at(-1)).toBe('end ItemInventoryQueryRs');
    for (const size of [1, 7, 64]) {
      const chunked = stream(xml, size);
      expect(chunked.events).toEqual(whole.events);
      expect(chunked.records.map((r) => r.value)).toEqual(whole.records.map((r) => r.value));
    }
  });

  it('reads a generated InvoiceQueryRs: arrays, types and entities', () => {
    const xml = generateInvoiceQueryRs(60_000);
    const { records } = stream(xml, 4096);
    expect(records.length).toBeGreaterThan(10);
    const first = records[0]?.value as Record<string, unknown>;
    expect(records[0]?.rs).toMatchObject({ type: 'InvoiceQueryRs', requestID: '1', iteratorRemainingCount: 0 });
    expect(first).toMatchObject({ TxnNumber: 1, Subtotal: '206.00', SalesTaxPercentage: '7.25', IsPaid: false, Memo: 'Décor “quoted” memo 1' });
    expect((first.CustomerRef as Record<string, unknown>).FullName).toBe('Customer & Sons 1:Job <1>');
    expect(first.InvoiceLineRet).toHaveLength(2);
    expect((first.InvoiceLineRet as Record<string, unknown>[])[0]).toMatchObject({ Quantity: '1', Rate: '51.5', Desc: 'A widget "deluxe" 0' });
    expect(first.DataExtRet).toEqual([{ OwnerID: '0', DataExtName: 'Color', DataExtType: 'STR255TYPE', DataExtValue: 'Blue' }]);
  });

  it('keeps unknown and misplaced content leniently', () => {
    const xml =
      '<?xml version="1.0"?><QBXML><SignonMsgsRs><Ignored/></SignonMsgsRs><QBXMLMsgsRs newMessageSetID="7" messageSetStatusCode="0">\n' +
      '<CustomerQueryRs requestID="r" statusCode="0" statusSeverity="Info">\n  <CustomerRet>\n    <Name>  padded  </Name>\n' +
      '    <Shoe size="9">left</Shoe><Shoe>right</Shoe>\n    <Gadget><Part>a</Part><Part>b</Part>tail</Gadget>\n' +
      '    <IsActive><Odd>x</Odd></IsActive>\n    <Sublevel>two</Sublevel>\n    <__proto__>p</__proto__>\n    <constructor>c</constructor><toString>t</toString>\n' +
      '    <Notes><![CDATA[a <b> & c]]></Notes>\n    <BillAddress>\n      stray\n      <City>X</City>\n    </BillAddress>\n' +
      '    <IsStatementWithParent></IsStatementWithParent>\n  </CustomerRet>\n  <Mystery>m</Mystery>\n</CustomerQueryRs>\n' +
      '<FutureQueryRs statusCode="0" statusSeverity="Info" retCount="2"><FutureRet><A>1</A></FutureRet></FutureQueryRs>\n' +
      '</QBXMLMsgsRs></QBXML>';
    const r = parseResponse(xml);
    expect(r.QBXMLMsgsRs['@newMessageSetID']).toBe('7');
    expect(r.QBXMLMsgsRs['@messageSetStatusCode']).toBe(0);
    const rs = rsList(r, 'CustomerQueryRs')[0] as Record<string, unknown>;
    const customer = (rs.CustomerRet as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(customer.Name).toBe('  padded  ');
    expect(customer.Shoe).toEqual([{ '#text': 'left', '@size': '9' }, 'right']);
    expect(customer.Gadget).toEqual({ Part: ['a', 'b'], '#text': 'tail' });
    expect(customer.IsActive).toEqual({ Odd: 'x' });
    expect(customer.Sublevel).toBe('two');
    expect(Object.getPrototypeOf(customer)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(customer, '__proto__')?.value).toBe('p');
    expect([customer.constructor, customer.toString]).toEqual(['c', 't']); // not Object's, with the text appended
    expect(customer.Notes).toBe('a <b> & c');
    expect(customer.BillAddress).toEqual({ City: 'X', '#text': '\n      stray\n      ' });
    expect(customer.IsStatementWithParent).toBeNull();
    expect(rs.Mystery).toBe('m');
    expect(r.responses[1]?.info).toEqual({ type: 'FutureQueryRs', index: 1, statusCode: 0, statusSeverity: 'Info', retCount: 2 });
    expect(rsList(r, 'FutureQueryRs')[0]).toEqual({ '@statusCode': 0, '@statusSeverity': 'Info', '@retCount': 2, FutureRet: { A: '1' } });
  });

  it('reads report rows and their attributes', () => {
    const xml =
      '<QBXML><QBXMLMsgsRs><GeneralSummaryReportQueryRs statusCode="0" statusSeverity="Info"><ReportRet>' +
      '<ReportTitle>Profit &amp; Loss</ReportTitle><NumRows>1</NumRows><NumColumns>2</NumColumns>' +
      '<ColDesc colID="1" dataType="STRTYPE"><ColTitle titleRow="1" value="Name"/><ColType>Label</ColType></ColDesc>' +
      '<ReportData><DataRow rowNumber="1"><RowData rowType="account" value="Sales"/><ColData colID="1" value="Sales"/><ColData colID="2" value="100.00"/></DataRow></ReportData>' +
      '</ReportRet></GeneralSummaryReportQueryRs></QBXMLMsgsRs></QBXML>';
    const report = rsList(parseResponse(xml), 'GeneralSummaryReportQueryRs')[0]?.ReportRet as Record<string, unknown>;
    expect(report.ReportTitle).toBe('Profit & Loss');
    expect(report.NumRows).toBe(1);
    expect(report.ColDesc).toEqual([{ '@colID': 1, '@dataType': 'STRTYPE', ColTitle: [{ '@titleRow': 1, '@value': 'Name' }], ColType: 'Label' }]);
    expect((report.ReportData as Record<string, unknown>).DataRow).toEqual([
      { '@rowNumber': 1, RowData: { '@rowType': 'account', '@value': 'Sales' }, ColData: [{ '@colID': 1, '@value': 'Sales' }, { '@colID': 2, '@value': '100.00' }] },
    ]);
  });

  it('refuses a document that is not a qbXML response', () => {
    expect(() => parseResponse('<Envelope/>')).toThrow(QbxmlParseError);
    expect(() => parseResponse('<QBXML><QBXMLMsgsRs>')).toThrow(/not closed/);
  });
});

describe('parseRequestElement', () => {
  it('reads a request back into the builder JSON', () => {
    const built = buildRequest('InvoiceQuery', {
      '@metaData': 'MetaDataAndResponseData',
      ModifiedDateRangeFilter: { FromModifiedDate: '2024-01-01T00:00:00' },
      MaxReturned: 100,
      IncludeLineItems: true,
      OwnerID: '0',
    });
    expect(parseRequestElement(built.xml)).toEqual({
      type: 'InvoiceQueryRq',
      params: {
        '@metaData': 'MetaDataAndResponseData',
        MaxReturned: 100,
        ModifiedDateRangeFilter: { FromModifiedDate: '2024-01-01T00:00:00' },
        IncludeLineItems: true,
        OwnerID: ['0'],
      },
    });
  });

  it('reads stored bodies with several requests, and refuses non-requests', () => {
    const body = buildRequest('CustomerAdd', { Name: 'A' }).xml + buildRequest('CustomerQuery', { FullName: 'A' }).xml;
    expect(parseRequestElements(body)).toEqual([
      { type: 'CustomerAddRq', params: { CustomerAdd: { Name: 'A' } } },
      { type: 'CustomerQueryRq', params: { FullName: ['A'] } },
    ]);
    expect(() => parseRequestElement(body)).toThrow(QbxmlParseError);
    expect(() => parseRequestElement('<InvoiceRet/>')).toThrow(/not a qbXML request/);
  });
});

