import { describe, expect, it } from 'vitest';
import { loadQbxmlSchema } from '../../main/qbxml/schema/load';
import { formatDateTime, parseDateTime } from '../../main/simulator/quickbooks/datetime';
import { divide, formatAmount, formatPrice, formatQuantity, multiply, parseDecimal } from '../../main/simulator/quickbooks/decimal';
import { conform, leaf, node } from '../../main/simulator/quickbooks/render';
import { validateElement } from '../../main/simulator/quickbooks/validate';
import { parseXml } from '../../main/xml/tree';

const d = (s: string): bigint => {
  const v = parseDecimal(s);
  if (v === undefined) throw new Error(`bad decimal ${s}`);
  return v;
};

describe('decimal', () => {
  it('multiplies exactly and rounds half away from zero to the cent', () => {
    expect(formatAmount(multiply(d('3'), d('19.99'), 2))).toBe('59.97');
    expect(formatAmount(multiply(d('0.1'), d('0.2'), 2))).toBe('0.02');
    expect(formatAmount(multiply(d('1.5'), d('0.33'), 2))).toBe('0.50'); // 0.495
    expect(formatAmount(multiply(d('-1.5'), d('0.33'), 2))).toBe('-0.50');
    expect(formatAmount(multiply(d('3'), d('1.00001'), 2))).toBe('3.00');
    expect(formatPrice(divide(d('10.00'), d('3'), 5))).toBe('3.33333');
  });

  it('prints like QuickBooks: amounts with two decimals, rates with two to five, quantities bare', () => {
    expect(formatAmount(d('206'))).toBe('206.00');
    expect(formatPrice(d('103'))).toBe('103.00');
    expect(formatPrice(d('1.23450'))).toBe('1.2345');
    expect(formatQuantity(d('2.000'))).toBe('2');
    expect(formatQuantity(d('0.5'))).toBe('0.5');
    expect(parseDecimal('1.234567')).toBeUndefined();
    expect(parseDecimal('12a')).toBeUndefined();
  });
});

describe('datetime', () => {
  const ny = { timeZone: 'America/New_York', dstOffsetBug: false };
  const nyBug = { ...ny, dstOffsetBug: true };
  const july = Date.parse('2024-07-15T16:00:00Z');
  const january = Date.parse('2024-01-15T17:00:00Z');

  it('prints local wall time with the standard offset during DST when the bug is on', () => {
    expect(formatDateTime(july, nyBug)).toBe('2024-07-15T12:00:00-05:00');
    expect(formatDateTime(july, ny)).toBe('2024-07-15T12:00:00-04:00');
    expect(formatDateTime(january, nyBug)).toBe('2024-01-15T12:00:00-05:00');
    expect(formatDateTime(january, ny)).toBe('2024-01-15T12:00:00-05:00');
  });

  it('reads back what it printed, and local times without an offset', () => {
    expect(parseDateTime('2024-07-15T12:00:00-05:00', nyBug)).toBe(july);
    expect(parseDateTime('2024-07-15T12:00:00-04:00', ny)).toBe(july);
    expect(parseDateTime('2024-07-15T12:00:00', nyBug)).toBe(july);
    // The true offset, sent to a buggy QuickBooks, lands an hour early (quickbooks-sync #19).
    expect(parseDateTime('2024-07-15T12:00:00-04:00', nyBug)).toBe(july - 3600_000);
    expect(parseDateTime('2024-07-15', ny)).toBe(Date.parse('2024-07-15T04:00:00Z'));
    expect(parseDateTime('2024-07-15', ny, true)).toBe(Date.parse('2024-07-16T03:59:59Z'));
  });
});

describe('validate', () => {
  const schema = loadQbxmlSchema();
  const check = (xml: string, version = '16.0'): string | null => {
    const el = parseXml(xml);
    const spec = schema.requests.get(el.name);
    if (!spec) throw new Error(`no ${el.name}`);
    return validateElement(el, spec, version);
  };

  it('accepts schema-valid requests, including the choice between IDs and filters', () => {
    expect(check('<CustomerQueryRq><ListID>80000001-1</ListID><ListID>80000002-1</ListID><OwnerID>0</OwnerID></CustomerQueryRq>')).toBeNull();
    expect(check('<CustomerQueryRq><MaxReturned>5</MaxReturned><NameFilter><MatchCriterion>StartsWith</MatchCriterion><Name>A</Name></NameFilter></CustomerQueryRq>')).toBeNull();
    expect(check('<CustomerQueryRq/>')).toBeNull();
  });

  it('names what is wrong', () => {
    expect(check('<CustomerQueryRq><ListID>1</ListID><MaxReturned>5</MaxReturned></CustomerQueryRq>')).toMatch(/<MaxReturned> is not expected/);
    expect(check('<CustomerAddRq><CustomerAdd><FirstName>A</FirstName><Name>B</Name></CustomerAdd></CustomerAddRq>')).toMatch(/<FirstName> is not expected/);
    expect(check('<CustomerAddRq><CustomerAdd/></CustomerAddRq>')).toMatch(/missing a required element/);
    expect(check(`<CustomerAddRq><CustomerAdd><Name>${'x'.repeat(42)}</Name></CustomerAdd></CustomerAddRq>`)).toMatch(/longer than 41/);
    expect(check('<CustomerQueryRq><MaxReturned>many</MaxReturned></CustomerQueryRq>')).toMatch(/not a valid INTTYPE/);
    expect(check('<CustomerQueryRq><ActiveStatus>Some</ActiveStatus></CustomerQueryRq>')).toMatch(/not one of/);
    expect(check('<CustomerQueryRq iterator="Begin"/>')).toMatch(/not one of/);
    expect(check('<CustomerQueryRq colour="red"/>')).toMatch(/no attribute "colour"/);
    expect(check('<CustomerAddRq><CustomerAdd><Name>A</Name><ClassRef><FullName>C</FullName></ClassRef></CustomerAdd></CustomerAddRq>', '11.0')).toMatch(/needs qbXML 12.0/);
    expect(check('<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>A</FullName></CustomerRef><TxnDate>2024-02-30</TxnDate></InvoiceAdd></InvoiceAddRq>')).toMatch(/calendar date/);
    expect(check('<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>A</FullName></CustomerRef><InvoiceLineAdd><Amount>10.5</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>')).toMatch(/not a valid AMTTYPE/);
  });
});

describe('render', () => {
  const schema = loadQbxmlSchema();

  it('puts children in schema order, keeps the interleaving of an unbounded choice, drops what the version lacks', () => {
    const spec = schema.responses.get('ItemQueryRs');
    if (!spec) throw new Error('no ItemQueryRs');
    const item = (type: string, name: string) => node(type, [leaf('Sublevel', '0'), leaf('Name', name), leaf('BarCodeValue', 'x'), leaf('ListID', name)]);
    const out = conform(node('ItemQueryRs', [item('ItemServiceRet', 'b'), item('ItemInventoryRet', 'a'), item('ItemServiceRet', 'c')]), spec, '11.0');
    expect(out.children?.map((c) => c.name)).toEqual(['ItemServiceRet', 'ItemInventoryRet', 'ItemServiceRet']);
    // BarCodeValue is qbXML 12.0.
    expect(out.children?.[0]?.children?.map((c) => c.name)).toEqual(['ListID', 'Name', 'Sublevel']);
  });
});
