/**
 * Identifiers shaped like QuickBooks': ListID/TxnID/TxnLineID are "<hex counter>-<unix
 * seconds of creation>" ("80000013-1416570432", "C5-1417118624"), EditSequence is the
 * unix seconds of the last change ("1417118624"), iterator IDs are braced GUIDs.
 * All derive from the injected clock and persisted counters, so runs are reproducible.
 */
import { createHash } from 'node:crypto';

export interface Counters {
  /** Next ListID counter for user list elements (QuickBooks starts at 0x80000001). */
  list: number;
  /** Next counter shared by TxnIDs and TxnLineIDs. */
  txn: number;
  /** Next TxnNumber. */
  txnNumber: number;
  /** The last EditSequence handed out, in unix seconds. */
  editSequence: number;
}

export function newCounters(): Counters {
  return { list: 0x80000001, txn: 1, txnNumber: 1, editSequence: 0 };
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

export const hexId = (counter: number, ms: number): string => `${counter.toString(16).toUpperCase()}-${seconds(ms)}`;

export function nextListId(c: Counters, ms: number): string {
  return hexId(c.list++, ms);
}

export function nextTxnId(c: Counters, ms: number): string {
  return hexId(c.txn++, ms);
}

/**
 * Every change gets a larger EditSequence even within one second, so a client holding
 * the previous value always sees 3200 — never a false "still current".
 */
export function nextEditSequence(c: Counters, ms: number): string {
  c.editSequence = Math.max(seconds(ms), c.editSequence + 1);
  return String(c.editSequence);
}

/** Well-formed as QuickBooks would accept it (status 3000 otherwise). */
export const isWellFormedId = (id: string): boolean => /^[0-9A-F]{1,8}-\d{1,10}$/i.test(id);

/** A braced lowercase GUID derived from `seed`, like "{eb05f701-e727-472f-8ade-6753c4f67a46}". */
export function guidFrom(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}}`;
}
