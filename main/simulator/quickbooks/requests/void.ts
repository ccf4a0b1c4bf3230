/**
 * TxnVoid. QuickBooks keeps a voided transaction — modified, not deleted (qbxml.md §4):
 * its amounts become zero and its memo starts with "VOID:".
 */
import type { XmlElement } from '../../../xml/tree';
import { type Ctx, type Outcome, fail, ms, trimmed } from '../context';
import { formatDateTime } from '../datetime';
import { fieldText, mergeFields } from '../fields';
import { isWellFormedId } from '../ids';
import { touch } from '../lists';
import { leaf, leaves } from '../render';
import { OK, invalidObjectId, notImplemented, objectNotFound } from '../status';
import { totals } from './invoices';

export function txnVoid(rq: XmlElement, ctx: Ctx): Outcome {
  const type = trimmed(rq, 'TxnVoidType') as string;
  const txnId = trimmed(rq, 'TxnID') as string;
  if (type !== 'Invoice') return fail(notImplemented(`TxnVoid of ${type}`));
  if (!isWellFormedId(txnId)) return fail(invalidObjectId(txnId, 'txn id'));
  const invoice = ctx.state.invoices.find((i) => i.TxnID === txnId);
  if (!invoice) return fail(objectNotFound(txnId));
  for (const line of invoice.lines) line.Amount = '0.00';
  const memo = fieldText(invoice.fields, 'Memo');
  invoice.fields = mergeFields(invoice.fields, [leaf('Memo', memo ? `VOID: ${memo}` : 'VOID:')]);
  totals(invoice);
  touch(ctx, invoice);
  const time = (t: string) => formatDateTime(ms(t), ctx.clock);
  return {
    status: OK,
    rets: leaves({ TxnVoidType: type, TxnID: txnId, TimeCreated: time(invoice.TimeCreated), TimeModified: time(invoice.TimeModified), RefNumber: invoice.RefNumber }),
  };
}
