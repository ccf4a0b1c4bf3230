/**
 * The columns of the store's record tables, each stated once (see table.ts). The record
 * types in types.ts are derived from these; migrations.ts creates the columns.
 */
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
});
