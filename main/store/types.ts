/** Domain records as the store returns them (times in epoch milliseconds). */
import type { DELIVERIES, EVENTS, INSTANCES, REQUESTS, SESSIONS } from './tables';
import type { RowOf } from './table';

/** The record types of the tables, derived from their columns (tables.ts). */
export type Instance = RowOf<typeof INSTANCES.columns>;
export type Session = RowOf<typeof SESSIONS.columns>;
export type QueuedRequest = RowOf<typeof REQUESTS.columns>;
export type EventRecord = RowOf<typeof EVENTS.columns>;
export type Delivery = RowOf<typeof DELIVERIES.columns>;

/** An outbox row: waiting (or retrying), delivered, or given up on (dead letter, replayable). */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** When a connection may sync (see main/qbwc/sync-window.ts). */
export interface SyncWindow {
  /** 0 = Sunday … 6 = Saturday: the days a window may start on. */
  days: number[];
  /** "HH:MM", 24-hour, on the PC's clock. */
  start: string;
  end: string;
}

export interface Contact {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
}

/** What the companion learned about the company file an instance talks to. */
export interface LearnedCompany {
  /** QBWC's FileID data extension found under this instance's OwnerID. */
  fileId?: string;
  name?: string;
  path?: string;
  productName?: string;
  majorVersion?: string;
  country?: string;
  supportedVersions?: string[];
  firstSeenAt: number;
  lastSeenAt: number;
}


export type RequestStatus = 'queued' | 'sent' | 'done' | 'error' | 'cancelled' | 'unknown_outcome';
export type RequestKind = 'query' | 'write';

/** One qbXML response element (`…Rs`) as recorded for a request. */
export interface ResponseResult {
  type: string;
  requestID?: string;
  statusCode?: number;
  statusSeverity?: string;
  statusMessage?: string;
  retCount?: number;
  iteratorRemainingCount?: number;
  iteratorID?: string;
}

export interface ErrorInfo {
  code: string;
  type: string | null;
  category: string;
  retryable: boolean;
  userFacingMessage: string;
  developerMessage: string;
}

/** Caller choices that shape how the companion handles a request. */
export interface RequestOptions {
  /** On 3200 (stale EditSequence) re-read the record and send the Mod again with its current EditSequence. */
  retryOnStaleEditSequence?: boolean;
}

/**
 * Paging state of a query the caller asked to page (`pageSize`), sent with an iterator
 * (qbXML iterators live only within one QBWC session). `pages` counts the pages QuickBooks
 * answered, across restarts; they are not attempts.
 */
export interface IteratorState {
  /** QuickBooks' iteratorID while the iterator is open; null before Start and after a session break. */
  id: string | null;
  remaining: number;
  pages: number;
  /** Times the query was restarted because the session ended mid-iteration. */
  restarts: number;
  /** Records per page (the request's `pageSize`, sent as MaxReturned); absent in states stored before it existed. */
  pageSize?: number;
}

/** Requests the companion queues itself on behalf of another (its parent). */
export type RequestPurpose = 'reconcile' | 'refresh';


export type SessionStatus =
  | 'active' // authenticated, exchanging work
  | 'closed' // closeConnection received
  | 'expired' // idle past the timeout
  | 'interrupted' // the companion stopped while it was active
  | 'abandoned' // its Web Connector started a new session without closing this one (it crashed or was closed)
  | 'rejected' // bad credentials (nvu)
  | 'no_work' // authenticate answered none
  | 'busy' // authenticate answered busy
  | 'paused' // authenticate answered none: syncing is paused, or it is outside the connection's sync window
  | 'wrong_company'; // the open company file is not this instance's: nothing may be sent

export interface HostInfo {
  productName?: string;
  majorVersion?: string;
  minorVersion?: string;
  country?: string;
  supportedVersions: string[];
  isAutomaticLogin?: boolean;
  fileMode?: string;
  companyName?: string;
  fileId?: string;
}


