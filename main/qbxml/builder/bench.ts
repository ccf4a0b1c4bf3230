/** Micro-benchmark of the request builder, for `npm run bench`. */
import { buildRequest } from './build';

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

/** Builds the sample InvoiceAdd `iterations` times; returns requests per second. */
export function benchmarkInvoiceAdd(iterations = 20000): number {
  const params = sampleInvoiceAdd();
  let size = 0;
  for (let i = 0; i < Math.min(1000, iterations); i++) size += buildRequest('InvoiceAdd', params).xml.length; // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) size += buildRequest('InvoiceAdd', params, { version: '16.0' }).xml.length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (size === 0) throw new Error('unreachable');
  return iterations / seconds;
}
