/**
 * The columns of the store's record tables, each stated once (see table.ts). The record
 * types in types.ts are derived from these; migrations.ts creates the columns.
 */
import type { PayloadFormat } from '../forward/destination';
import { boolean, Column, integer, json, Table, text } from './table';
import type {
  Contact,
  DeliveryStatus,
  ErrorInfo,
  HostInfo,
  IteratorState,
  LearnedCompany,
  RequestKind,
  RequestOptions,
  RequestPurpose,
  RequestStatus,
  ResponseResult,
  SessionStatus,
  SyncWindow,
} from './types';

export const INSTANCES = new Table('instances', {
  id: text(),
  name: text(),
  username: text(),
  passwordHash: text(),
  qbdPath: text().nullable(),
  frequencyMinutes: integer(),
  contact: json<Contact>().nullable().as('contact_json'),
  configuration: json<Record<string, string>>().as('configuration_json'),
  fileId: text(),
  ownerId: text(),
  postponeSeconds: integer().nullable(),
  minRunEverySeconds: integer().nullable(),
  lingerSeconds: integer(),
  alternateCompanyFiles: json<string[]>().as('alternate_files_json'),
  readOnly: boolean(),
  syncWindow: json<SyncWindow>().nullable(),
  company: json<LearnedCompany>().nullable().as('company_json'),
  createdAt: integer(),
  updatedAt: integer(),
});

export const SESSIONS = new Table('sessions', {
  id: text(),
  ticketHash: text(),
  instanceId: text().nullable(),
  user: text(),
  status: text<SessionStatus>(),
  authResult: text(),
  ipAddress: text().nullable(),
  clientVersion: text().nullable(),
  createdAt: integer(),
  lastSeenAt: integer(),
  endedAt: integer().nullable(),
  companyFile: text().nullable(),
  country: text().nullable(),
  qbxmlVersion: text().nullable(),
  host: json<HostInfo>().nullable().as('host_json'),
  lastError: text().nullable(),
  lastErrorCode: text().nullable(),
  /** The request sent and not yet answered (QBWC has at most one in flight). */
  inFlightId: text().nullable(),
  expectedTotal: integer(),
  requestsSent: integer(),
  requestsDone: integer(),
  requestsFailed: integer(),
  connectionErrors: integer(),
  alternateTried: text().nullable(),
  interactiveToken: text().nullable(),
  interactiveState: text().nullable(),
  /** When the session started waiting for work with NoOp (see Instance.lingerSeconds). */
  noopSince: integer().nullable(),
  closeMessage: text().nullable(),
});

/** A comma-separated list in SQL. */
const list = new Column<string[]>(
  (v) => v.join(','),
  (v) => (v as string).split(','),
);

export const REQUESTS = new Table('requests', {
  seq: integer(),
  id: text(),
  instanceId: text(),
  status: text<RequestStatus>(),
  kind: text<RequestKind>(),
  priority: integer(),
  /** A request retried after a lock or busy error waits until then. */
  notBefore: integer().nullable(),
  types: list,
  onError: text(),
  body: text(),
  rqOffsets: json<number[]>(),
  source: text().nullable(),
  createdAt: integer(),
  updatedAt: integer(),
  sentAt: integer().nullable(),
  completedAt: integer().nullable(),
  sessionId: text().nullable(),
  /** Times the request was sent: an iterated query's Start (and each restart), not its Continue pages (iterator.pages). */
  attempts: integer(),
  statusCode: integer().nullable(),
  statusSeverity: text().nullable(),
  statusMessage: text().nullable(),
  hresult: text().nullable(),
  hresultMessage: text().nullable(),
  results: json<ResponseResult[]>().nullable().as('results_json'),
  error: json<ErrorInfo>().nullable().as('error_json'),
  responseId: integer().nullable(),
  /** The structured input ({type, params} items), when the request was given as JSON. */
  requestJson: json<unknown>().nullable(),
  /** The qbXML version the request needs (newest `since` among its elements). */
  minVersion: text().nullable(),
  idempotencyKey: text().nullable(),
  /** No options is NULL in SQL. */
  options: new Column<RequestOptions>(
    (v) => (Object.keys(v).length > 0 ? JSON.stringify(v) : null),
    (v) => (v === null ? {} : (JSON.parse(v as string) as RequestOptions)),
    'options_json',
  ),
  parentId: text().nullable(),
  purpose: text<RequestPurpose>().nullable(),
  iterator: json<IteratorState>().nullable().as('iterator_json'),
  recordCount: integer(),
  urgent: boolean(),
});

export const EVENTS = new Table('events', {
  logId: integer(),
  clientId: text().nullable(),
  timestamp: integer(),
  user: text(),
  action: text(),
  detail: text().nullable(),
  result: text().nullable(),
  sessionId: text().nullable(),
  requestId: text().nullable(),
});

export const RECORDS = new Table('records', {
  seq: integer(),
  name: text(),
  rsIndex: integer(),
  key: text().nullable().as('record_key'),
  editSequence: text().nullable(),
  data: json<unknown>(),
});

export const DELIVERIES = new Table('deliveries', {
  seq: integer(),
  /** The receiver's dedupe key: the CloudEvents id and webhook-id, the same on every attempt. */
  eventId: text(),
  instanceId: text(),
  /** Entity name and id: deliveries of one record go in order. */
  recordKey: text(),
  /** A Merge's other record, the one merged away (Customer:<deletedId>): its rows go in order with this one too. */
  mergedKey: text().nullable(),
  /** e.g. "Customer.Update". */
  eventType: text(),
  /** The body, exactly as signed and sent. */
  payload: text(),
  status: text<DeliveryStatus>(),
  /** Every attempt made. */
  attempts: integer(),
  /** Failed attempts counted against the retry schedule (not those made while the network was down). */
  failures: integer(),
  nextAttemptAt: integer(),
  lastAttemptAt: integer().nullable(),
  lastStatusCode: integer().nullable(),
  lastError: text().nullable(),
  createdAt: integer(),
  deliveredAt: integer().nullable(),
  /** Where it goes: a destination's id (destinations table), or "configuration" for the instance's event.notification.* keys. */
  destinationId: text(),
});

/** Change detection's settings, one row per instance (main/forward/detection). */
export const DETECTION_SETTINGS = new Table('detection_settings', {
  instanceId: text(),
  enabled: boolean(),
  /** Entity names, e.g. ["Customer", "Invoice"] (main/forward/detection/catalog.ts). */
  types: json<string[]>().as('types_json'),
  /** The first run of a type: "snapshot" (every record as Create) or "now" (changes from then on). */
  startMode: text<'snapshot' | 'now'>(),
  intervalMinutes: integer(),
  /** When the last run was queued. */
  lastRunAt: integer().nullable(),
  updatedAt: integer(),
});

/**
 * How far change detection got, per instance and entity type. QuickBooks times are its
 * local wall times without offset ("2024-11-03T01:25:00"): what it means, and what it
 * takes back. The `changes…` fields describe the changes query in flight, saved with
 * every page of it, in the transaction that queued that page's events.
 */
export const WATERMARKS = new Table('watermarks', {
  instanceId: text(),
  type: text(),
  /** The newest TimeModified of completed runs: the next changes query starts there (less an overlap). */
  changedSince: text().nullable(),
  /** Deletions before this are known: the next deleted-objects query starts there (less an overlap). */
  deletedSince: text().nullable(),
  /** When the type's first run (snapshot or baseline) completed; null: the next run is a first run. */
  startedAt: integer().nullable(),
  /** When the last completed changes query was queued: writes of the companion before it were already seen. */
  checkedAt: integer().nullable(),
  /** Deletions up to this time are known (QuickBooks keeps them ~90 days: past that, reconcile by id list). */
  deletionsCheckedAt: integer(),
  changesRequestId: text().nullable(),
  changesKind: text<'snapshot' | 'baseline' | 'changes'>().nullable(),
  /** The FromModifiedDate the changes query was sent with; null: none (every record). */
  changesFrom: text().nullable(),
  /** The last record (its seq in the request's records) turned into events. */
  changesSeq: integer(),
  /** The newest TimeModified the changes query in flight has returned so far. */
  changesMax: text().nullable(),
  deletedRequestId: text().nullable(),
  /**
   * changedSince when the deleted-objects query (or the reconcile) in flight was queued:
   * QuickBooks answers it later, so once it completes, deletions before this are known too.
   */
  deletedBasis: text().nullable(),
  reconcileRequestId: text().nullable(),
  updatedAt: integer(),
});

/** Every record change detection has reported, at its last EditSequence: dedupe, Create vs Update, merges, vanished ids. */
export const DETECTED_RECORDS = new Table('detected_records', {
  instanceId: text(),
  type: text(),
  recordId: text(),
  editSequence: text().nullable(),
  /** FullName (or Name) of a list element, RefNumber of a transaction: a merge leaves two elements of one name. */
  name: text().nullable(),
  /** TimeCreated (wall time): a merge's survivor existed before the merge. */
  timeCreated: text().nullable(),
  voided: boolean(),
  seenAt: integer(),
  /** Reported deleted (or merged away) then; kept ~90 days so QuickBooks' deletion log can't report it twice. */
  deletedAt: integer().nullable(),
});

/**
 * The cloud link's journal (main/cloud): one row per instance, session or request that
 * changed while the link was on, written by triggers (migration 10) in the transaction
 * that made the change. A change to an entity already in it moves it to the end (a new seq).
 */
export const CLOUD_CHANGES = new Table('cloud_changes', {
  seq: integer(),
  kind: text<'instance' | 'session' | 'request'>(),
  entityId: text(),
});

/** How far the cloud link pushed each kind: a journal seq, an event log_id, or (metrics) a time. */
export const CLOUD_CURSORS = new Table('cloud_cursors', {
  kind: text(),
  position: integer(),
  updatedAt: integer(),
});

/** Webhook destinations added through the API (main/forward/destinations.ts); the configuration's own is not stored here. */
export const DESTINATIONS = new Table('destinations', {
  id: text(),
  instanceId: text(),
  name: text(),
  url: text(),
  /** The signing key, sealed at rest (store.secrets): DestinationStore seals and opens it. */
  verifierToken: text(),
  format: text<PayloadFormat>(),
  /** Entity names to send; empty: all. */
  objects: json<string[]>().as('objects_json'),
  enabled: boolean(),
  createdAt: integer(),
  updatedAt: integer(),
});

/**
 * How an attempt went: delivered (2xx); failed (any other answer, or none, counted against
 * the schedule); dead (the failure that ended it); gone (410: the destination was turned
 * off); offline (no network here: not counted).
 */
export const ATTEMPT_RESULTS = ['delivered', 'failed', 'dead', 'gone', 'offline'] as const;
export type AttemptResult = (typeof ATTEMPT_RESULTS)[number];

/** Every delivery attempt, one row each (the event log tells the same in words): metrics and a destination's last delivery. */
export const DELIVERY_ATTEMPTS = new Table('delivery_attempts', {
  id: integer(),
  instanceId: text(),
  destinationId: text(),
  deliverySeq: integer(),
  at: integer(),
  result: text<AttemptResult>(),
});
