/** Synthetic qbXML for `npm run bench` and the tests: a large InvoiceQueryRs and a typical InvoiceAdd. */

/**
 * A schema-valid InvoiceQueryRs of about `targetChars` characters (≈4 KB per invoice,
 * 1–8 lines each, entity references, non-ASCII text, data extensions, iterator attributes),
 * pretty-printed with newlines like QuickBooks' own output. Deterministic.
 */
export function generateInvoiceQueryRs(targetChars: number, options: { requestId?: string; iterator?: boolean } = {}): string {
  const iterator = options.iterator === false ? '' : ' iteratorRemainingCount="0" iteratorID="{7a4b1c2d-0000-4000-8000-000000000001}"';
  const parts: string[] = [
    `<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<InvoiceQueryRs requestID="${options.requestId ?? '1'}" statusCode="0" statusSeverity="Info" statusMessage="Status OK"${iterator}>\n`,
  ];
  let size = (parts[0] as string).length;
  const tail = '</InvoiceQueryRs>\n</QBXMLMsgsRs>\n</QBXML>\n';
  for (let i = 1; size + tail.length < targetChars; i++) {
    const id = `${(0x1000 + i).toString(16).toUpperCase()}-1417118624`;
    let s =
      `<InvoiceRet>\n<TxnID>${id}</TxnID>\n<TimeCreated>2014-11-27T18:03:44-08:00</TimeCreated>\n` +
      `<TimeModified>2014-11-28T09:12:01-08:00</TimeModified>\n<EditSequence>${1417118624 + i}</EditSequence>\n` +
      `<TxnNumber>${i}</TxnNumber>\n<CustomerRef>\n<ListID>80000013-1416570432</ListID>\n` +
      `<FullName>Customer &amp; Sons ${i % 97}:Job &lt;${i % 7}&gt;</FullName>\n</CustomerRef>\n` +
      `<ARAccountRef>\n<ListID>8000001D-1415742793</ListID>\n<FullName>Accounts Receivable</FullName>\n</ARAccountRef>\n` +
      `<TemplateRef>\n<ListID>80000003-1414518220</ListID>\n<FullName>Intuit Service Invoice</FullName>\n</TemplateRef>\n` +
      `<TxnDate>2014-02-${String(1 + (i % 28)).padStart(2, '0')}</TxnDate>\n<RefNumber>R${i}</RefNumber>\n` +
      `<BillAddress>\n<Addr1>${i} Awesome Street</Addr1>\n<City>Hollywood</City>\n<State>CA</State>\n` +
      `<PostalCode>90210</PostalCode>\n<Country>USA</Country>\n</BillAddress>\n` +
      `<IsPending>false</IsPending>\n<IsFinanceCharge>false</IsFinanceCharge>\n<DueDate>2014-03-03</DueDate>\n` +
      `<Subtotal>206.00</Subtotal>\n<SalesTaxPercentage>7.25</SalesTaxPercentage>\n<SalesTaxTotal>14.94</SalesTaxTotal>\n` +
      `<AppliedAmount>0.00</AppliedAmount>\n<BalanceRemaining>220.94</BalanceRemaining>\n` +
      `<Memo>D\u00e9cor \u201cquoted\u201d memo ${i}</Memo>\n<IsPaid>false</IsPaid>\n<IsToBePrinted>true</IsToBePrinted>\n` +
      `<IsToBeEmailed>false</IsToBeEmailed>\n`;
    const lines = 1 + (i % 8);
    for (let l = 0; l < lines; l++) {
      s +=
        `<InvoiceLineRet>\n<TxnLineID>${(0x2000 + l).toString(16).toUpperCase()}-1417118624</TxnLineID>\n` +
        `<ItemRef>\n<ListID>80000001-1416570432</ListID>\n<FullName>Widgets:Widget ${l}</FullName>\n</ItemRef>\n` +
        `<Desc>A widget &quot;deluxe&quot; ${l}</Desc>\n<Quantity>${l + 1}</Quantity>\n<Rate>51.5</Rate>\n` +
        `<Amount>${(51.5 * (l + 1)).toFixed(2)}</Amount>\n<SalesTaxCodeRef>\n<ListID>80000002-1415742793</ListID>\n` +
        `<FullName>Non</FullName>\n</SalesTaxCodeRef>\n</InvoiceLineRet>\n`;
    }
    s +=
      `<DataExtRet>\n<OwnerID>0</OwnerID>\n<DataExtName>Color</DataExtName>\n<DataExtType>STR255TYPE</DataExtType>\n` +
      `<DataExtValue>Blue</DataExtValue>\n</DataExtRet>\n</InvoiceRet>\n`;
    parts.push(s);
    size += s.length;
  }
  parts.push(tail);
  return parts.join('');
}

/** A typical InvoiceAdd: customer ref, addresses, memo, `lines` lines (3–5 in practice). */
export function sampleInvoiceAdd(lines = 4): Record<string, unknown> {
  const InvoiceLineAdd = [];
  for (let i = 0; i < lines; i++) {
    InvoiceLineAdd.push({
      Amount: (19.99 * (i + 1)).toFixed(2),
      ItemRef: { FullName: `Widgets:Widget ${i + 1}` },
      Desc: `Widget “deluxe” #${i + 1} & accessories`,
      Quantity: i + 1,
      Rate: '19.99',
      SalesTaxCodeRef: { FullName: 'Non' },
    });
  }
  return {
    InvoiceAdd: {
      Memo: 'Thank you for your business — Décor order 1042',
      RefNumber: 'INV-1042',
      TxnDate: '2024-05-01',
      CustomerRef: { FullName: 'Acme & Sons:Job 7' },
      BillAddress: { Addr1: 'Acme & Sons', Addr2: '1234 Main St.', City: 'Springfield', State: 'IL', PostalCode: '62701', Country: 'USA' },
      ShipAddress: { Addr1: 'Acme Warehouse', Addr2: '99 Dock Rd.', City: 'Springfield', State: 'IL', PostalCode: '62702' },
      PONumber: 'PO-77',
      InvoiceLineAdd,
    },
  };
}
