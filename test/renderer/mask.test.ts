import { describe, expect, it } from 'vitest';
import { MASK, maskJson, maskMessage, maskXml } from '../../renderer/src/lib/mask';

const CUSTOMER_ADD = `<?xml version="1.0" encoding="utf-8"?>
<?qbxml version="16.0"?>
<QBXML><QBXMLMsgsRq onError="stopOnError">
<CustomerAddRq requestID="7">
<CustomerAdd>
<Name>Pine Street Bakery</Name>
<CompanyName>Pine Street Bakery LLC</CompanyName>
<FirstName>Ann</FirstName><LastName>O'Neil</LastName>
<BillAddress><Addr1>12 Pine St</Addr1><City>Springfield</City><State>IL</State><PostalCode>62701</PostalCode></BillAddress>
<Phone>555-0100</Phone>
<Email>ann@pine.example</Email>
<Notes><![CDATA[Call <after> 3pm]]></Notes>
<CustomerTypeRef><ListID>80000001-1</ListID></CustomerTypeRef>
<TermsRef><FullName>Net 30</FullName></TermsRef>
<CreditLimit>5000.00</CreditLimit>
</CustomerAdd>
</CustomerAddRq>
</QBXMLMsgsRq></QBXML>`;

describe('maskXml', () => {
  const masked = maskXml(CUSTOMER_ADD);

  it('hides names, addresses, phone numbers, e-mail addresses and notes', () => {
    for (const secret of ['Pine Street', 'Ann', "O'Neil", '12 Pine St', 'Springfield', '62701', '555-0100', 'ann@pine.example', '3pm', 'Net 30']) {
      expect(masked).not.toContain(secret);
    }
    expect(masked).toContain(`<Name>${MASK}</Name>`);
    expect(masked).toContain(`<Notes>${MASK}</Notes>`);
  });

  it('keeps the structure, ids, amounts and everything that is not personal', () => {
    expect(masked).toContain('<CustomerAddRq requestID="7">');
    expect(masked).toContain('<ListID>80000001-1</ListID>');
    expect(masked).toContain('<CreditLimit>5000.00</CreditLimit>');
    expect(masked).toContain('<BillAddress><Addr1>');
    expect(masked.split('\n')).toHaveLength(CUSTOMER_ADD.split('\n').length);
  });

  it('does not mask an element whose name only starts like a personal one', () => {
    expect(maskXml('<NameFilter><MatchCriterion>StartsWith</MatchCriterion><Name>Pi</Name></NameFilter>')).toBe(
      `<NameFilter><MatchCriterion>StartsWith</MatchCriterion><Name>${MASK}</Name></NameFilter>`,
    );
    expect(maskXml('<IsActive>true</IsActive><Name/>')).toBe('<IsActive>true</IsActive><Name/>');
  });

  it('hides the values QuickBooks quotes in a status message, not the message', () => {
    const rs = '<CustomerAddRs requestID="7" statusCode="3100" statusSeverity="Error" statusMessage="The name &quot;Pine Street Bakery&quot; of the list element is already in use." />';
    expect(maskXml(rs)).toBe(
      `<CustomerAddRs requestID="7" statusCode="3100" statusSeverity="Error" statusMessage="The name &quot;${MASK}&quot; of the list element is already in use." />`,
    );
  });

  it('leaves a document without personal data as it was', () => {
    const query = '<InvoiceQueryRq requestID="1"><MaxReturned>10</MaxReturned><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>';
    expect(maskXml(query)).toBe(query);
  });
});

describe('maskJson', () => {
  it('hides personal values at any depth, whole sub-objects under a personal key, and keeps the rest', () => {
    const json = [
      {
        type: 'CustomerAdd',
        params: {
          Name: 'Pine Street Bakery',
          BillAddress: { Addr1: '12 Pine St', City: 'Springfield' },
          Contacts: [{ FirstName: 'Ann' }],
          Contact: { nested: 'Ann' },
          CreditLimit: '5000.00',
          IsActive: true,
          ItemRef: { ListID: '80000002-1' },
        },
      },
    ];
    expect(maskJson(json)).toEqual([
      {
        type: 'CustomerAdd',
        params: {
          Name: MASK,
          BillAddress: { Addr1: MASK, City: MASK },
          Contacts: [{ FirstName: MASK }],
          Contact: { nested: MASK },
          CreditLimit: '5000.00',
          IsActive: true,
          ItemRef: { ListID: '80000002-1' },
        },
      },
    ]);
    // The input is left alone: unticking "Show personal data" needs the original.
    expect(json[0]?.params.Name).toBe('Pine Street Bakery');
  });

  it('hides quoted values in statusMessage', () => {
    expect(maskJson({ statusMessage: 'The name "Pine" is in use.', statusCode: 3100 })).toEqual({ statusMessage: `The name "${MASK}" is in use.`, statusCode: 3100 });
    // The parsed response's attributes carry an "@".
    expect(maskJson({ CustomerAddRs: { '@statusMessage': 'The name "Pine" is in use.', '@statusCode': '3100' } })).toEqual({
      CustomerAddRs: { '@statusMessage': `The name "${MASK}" is in use.`, '@statusCode': '3100' },
    });
    expect(maskMessage('There is an invalid reference to QuickBooks Customer "Ann" in the Invoice.')).toBe(
      `There is an invalid reference to QuickBooks Customer "${MASK}" in the Invoice.`,
    );
  });
});
