/**
 * Compile-time checks of the generated qbXML types: this file is type-checked by
 * `npm run typecheck`; the `@ts-expect-error` lines fail it if a type is too loose.
 */

import { describe, expect, it } from 'vitest';
import type {
  InvoiceQueryRq,
  InvoiceQueryRs,
  JournalEntryAdd,
  QBXMLMsgsRqAttributes,
  RequestTypes,
  ResponseTypes,
} from '../../main/qbxml/schema/generated/types';

const invoiceAdd: RequestTypes['InvoiceAddRq'] = {
  '@requestID': '1',
  InvoiceAdd: {
    CustomerRef: { FullName: 'Acme' },
    TxnDate: '2024-01-31',
    IsPending: false,
    SetCredit: [{ CreditTxnID: { '#text': 'macro', '@useMacro': 'TxnID:1' }, AppliedAmount: '10.00' }],
    InvoiceLineAdd: [{ ItemRef: { FullName: 'Widget' }, Quantity: '2', Rate: '9.99' }],
  },
  IncludeRetElement: ['TxnID'],
};

const byId: InvoiceQueryRq = { TxnID: ['1-2'], IncludeLineItems: true };
const byFilter: InvoiceQueryRq = {
  '@iterator': 'Start',
  MaxReturned: 100,
  ModifiedDateRangeFilter: { FromModifiedDate: '2024-01-01T00:00:00' },
};

// @ts-expect-error TxnID and RefNumber are alternatives of one choice
const bothIds: InvoiceQueryRq = { TxnID: ['1'], RefNumber: ['2'] };

// @ts-expect-error ModifiedDateRangeFilter and TxnDateRangeFilter are alternatives
const bothRanges: InvoiceQueryRq = { ModifiedDateRangeFilter: {}, TxnDateRangeFilter: {} };

// @ts-expect-error MaxReturned is an INTTYPE, i.e. a number
const maxAsString: InvoiceQueryRq = { MaxReturned: '100' };

// @ts-expect-error the iterator attribute is an enumeration
const badIterator: InvoiceQueryRq = { '@iterator': 'Begin' };

// @ts-expect-error CustomerRef is required in InvoiceAdd
const noCustomer: RequestTypes['InvoiceAddRq'] = { InvoiceAdd: {} };

// @ts-expect-error IsHomeCurrencyAdjustment excludes the currency alternative
const mixedCurrency: JournalEntryAdd = { IsHomeCurrencyAdjustment: true, ExchangeRate: '1.1' };

const response: InvoiceQueryRs = {
  '@statusCode': 0,
  '@statusSeverity': 'Info',
  '@iteratorRemainingCount': 0,
  InvoiceRet: [{ TxnID: '1-2', Subtotal: '10.00', InvoiceLineRet: [{ TxnLineID: '3-4', Amount: '10.00' }] }],
};

const numericAmount: ResponseTypes['InvoiceQueryRs'] = {
  '@statusCode': 0,
  '@statusSeverity': 'Info',
  // @ts-expect-error amounts are decimal strings, never numbers
  InvoiceRet: [{ Subtotal: 10 }],
};

const envelope: QBXMLMsgsRqAttributes = { '@onError': 'stopOnError' };

describe('generated qbXML types', () => {
  it('accept schema-shaped values (checked at compile time)', () => {
    const values = [invoiceAdd, byId, byFilter, response, envelope];
    const rejected = [
      bothIds,
      bothRanges,
      maxAsString,
      badIterator,
      noCustomer,
      mixedCurrency,
      numericAmount,
    ];
    expect(values).toHaveLength(5);
    expect(rejected).toHaveLength(7);
  });
});
