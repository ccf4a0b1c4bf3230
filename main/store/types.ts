/** Domain records as the store returns them (times in epoch milliseconds). */

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

export interface Instance {
  id: string;
  name: string;
  username: string;
  passwordHash: string;
  qbdPath: string | null;
  frequencyMinutes: number;
  contact: Contact | null;
  configuration: Record<string, string>;
  fileId: string;
  ownerId: string;
  postponeSeconds: number | null;
  minRunEverySeconds: number | null;
  lingerSeconds: number;
  alternateCompanyFiles: string[];
  readOnly: boolean;
  company: LearnedCompany | null;
  createdAt: number;
  updatedAt: number;
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

/** Paging state of a query sent with an iterator (qbXML iterators live only within one QBWC session). */
export interface IteratorState {
  /** QuickBooks' iteratorID while the iterator is open; null before Start and after a session break. */
  id: string | null;
  remaining: number;
  pages: number;
  /** Times the query was restarted because the session ended mid-iteration. */
  restarts: number;
}

/** Requests the companion queues itself on behalf of another (its parent). */
export type RequestPurpose = 'reconcile' | 'refresh';

export interface QueuedRequest {
  seq: number;
  id: string;
  instanceId: string;
  status: RequestStatus;
  kind: RequestKind;
  priority: number;
  /** A request retried after a lock or busy error waits until then. */
  notBefore: number | null;
  types: string[];
  onError: string;
  body: string;
  rqOffsets: number[];
  source: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  completedAt: number | null;
  sessionId: string | null;
  attempts: number;
  statusCode: number | null;
  statusSeverity: string | null;
  statusMessage: string | null;
  hresult: string | null;
  hresultMessage: string | null;
  results: ResponseResult[] | null;
  error: ErrorInfo | null;
  responseId: number | null;
  /** The structured input ({type, params} items), when the request was given as JSON. */
  requestJson: unknown;
  /** The qbXML version the request needs (newest `since` among its elements). */
  minVersion: string | null;
  idempotencyKey: string | null;
  options: RequestOptions;
  parentId: string | null;
  purpose: RequestPurpose | null;
  iterator: IteratorState | null;
  recordCount: number;
  urgent: boolean;
}

export type SessionStatus =
  | 'active' // authenticated, exchanging work
  | 'closed' // closeConnection received
  | 'expired' // idle past the timeout
  | 'interrupted' // the companion stopped while it was active
  | 'rejected' // bad credentials (nvu)
  | 'no_work' // authenticate answered none
  | 'busy' // authenticate answered busy
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

export interface Session {
  id: string;
  instanceId: string | null;
  user: string;
  status: SessionStatus;
  authResult: string;
  ipAddress: string | null;
  clientVersion: string | null;
  createdAt: number;
  lastSeenAt: number;
  endedAt: number | null;
  companyFile: string | null;
  country: string | null;
  qbxmlVersion: string | null;
  host: HostInfo | null;
  lastError: string | null;
  lastErrorCode: string | null;
  inFlightId: string | null;
  expectedTotal: number;
  requestsSent: number;
  requestsDone: number;
  requestsFailed: number;
  connectionErrors: number;
  alternateTried: string | null;
  interactiveToken: string | null;
  interactiveState: string | null;
  /** When the session started waiting for work with NoOp (see Instance.lingerSeconds). */
  noopSince: number | null;
  closeMessage: string | null;
}

export interface EventRecord {
  logId: number;
  clientId: string | null;
  timestamp: number;
  user: string;
  action: string;
  detail: string | null;
  result: string | null;
  sessionId: string | null;
  requestId: string | null;
}
