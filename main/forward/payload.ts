/**
 * Webhook bodies: QBO's legacy `eventNotifications` (seed 002's QboWebhooksRequest), QBO's
 * CloudEvents array (cloud.md §1.3, with `qbd.` in place of `qbo.`), or "full": the same
 * CloudEvents whose `data` is the record as the engine parsed it (what Intuit's CloudEvents
 * are moving to), for apps that can't query back. One change per body: its event id is
 * the receiver's dedupe key. A change's `origin`, when known, is one more member of the
 * entity (legacy) or one more attribute (CloudEvents): receivers that don't know it ignore it.
 */
import type { PayloadFormat } from './destination';

export const OPERATIONS = ['Create', 'Update', 'Delete', 'Merge', 'Void'] as const;
export type ChangeOperation = (typeof OPERATIONS)[number];

/** Who made a change: the companion's own write (an app's echo, to ignore), or anyone else in QuickBooks. */
export type ChangeOrigin = 'companion' | 'quickbooks';

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
  origin?: ChangeOrigin;
  /** The record as QuickBooks returned it (Create, Update, Void): the "full" format's data. */
  record?: unknown;
}

const VERBS: Record<ChangeOperation, string> = { Create: 'created', Update: 'updated', Delete: 'deleted', Merge: 'merged', Void: 'voided' };

/**
 * `accountId` names the company: the connection's FileID (QBO's realmId / intuitaccountid).
 * Returns the exact bytes to sign and send.
 */
export function buildPayload(format: PayloadFormat, accountId: string, eventId: string, e: ChangeEvent): string {
  const origin = e.origin !== undefined ? { origin: e.origin } : {};
  if (format !== 'legacy') {
    const merged = e.deletedId !== undefined ? { deletedid: e.deletedId } : {};
    const record = format === 'full' && typeof e.record === 'object' && e.record !== null ? e.record : {};
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
        ...origin,
        data: { ...record, ...merged },
      },
    ]);
  }
  const entity = { name: e.name, id: e.id, operation: e.operation, lastUpdated: e.lastUpdated, ...(e.deletedId !== undefined ? { deletedId: e.deletedId } : {}), ...origin };
  return JSON.stringify({ eventNotifications: [{ realmId: accountId, dataChangeEvent: { entities: [entity] } }] });
}
