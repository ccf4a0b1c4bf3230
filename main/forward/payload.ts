/**
 * Webhook bodies: QBO's legacy `eventNotifications` (seed 002's QboWebhooksRequest) or
 * QBO's CloudEvents array (cloud.md §1.3, with `qbd.` in place of `qbo.`). One change per
 * body: its event id is the receiver's dedupe key.
 */
import type { PayloadFormat } from './destination';

export const OPERATIONS = ['Create', 'Update', 'Delete', 'Merge', 'Void'] as const;
export type ChangeOperation = (typeof OPERATIONS)[number];

/** One entity change, as QBO's legacy format names it. */
export interface ChangeEvent {
  /** The entity, e.g. "Customer", "Invoice". */
  name: string;
  /** QuickBooks' ListID or TxnID (opaque). */
  id: string;
  operation: ChangeOperation;
  /** ISO 8601. */
  lastUpdated: string;
  /** On Merge: the record merged away (`id` is the one that survives). */
  deletedId?: string;
}

const VERBS: Record<ChangeOperation, string> = { Create: 'created', Update: 'updated', Delete: 'deleted', Merge: 'merged', Void: 'voided' };

/**
 * `accountId` names the company: the instance id (QBO's realmId / intuitaccountid).
 * Returns the exact bytes to sign and send.
 */
export function buildPayload(format: PayloadFormat, accountId: string, eventId: string, e: ChangeEvent): string {
  if (format === 'cloudevents') {
    return JSON.stringify([
      {
        specversion: '1.0',
        id: eventId,
        source: `qbwc-companion.${accountId}`,
        type: `qbd.${e.name.toLowerCase()}.${VERBS[e.operation]}.v1`,
        datacontenttype: 'application/json',
        time: e.lastUpdated,
        intuitentityid: e.id,
        intuitaccountid: accountId,
        data: e.deletedId !== undefined ? { deletedid: e.deletedId } : {},
      },
    ]);
  }
  const entity = { name: e.name, id: e.id, operation: e.operation, lastUpdated: e.lastUpdated, ...(e.deletedId !== undefined ? { deletedId: e.deletedId } : {}) };
  return JSON.stringify({ eventNotifications: [{ realmId: accountId, dataChangeEvent: { entities: [entity] } }] });
}
