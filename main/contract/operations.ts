/**
 * Every operation the companion exposes — to cloud apps over REST, to the desktop UI
 * over IPC, to scripts through the CLI — declared once. Handlers receive one input
 * object (path parameters, query and body merged, already validated) and return the
 * output; transports only translate.
 */
import { z } from 'zod';
import { settingsSchema } from '../settings';
import { changeDetectionRunSchema, changeDetectionSchema, changeDetectionUpdateSchema } from '../forward/detection/contract';
import { cloudLinkSchema, cloudLinkUpdateSchema } from '../cloud/contract';
import { destinationCreateSchema, destinationIdParams, destinationSchema, destinationUpdateSchema } from '../forward/contract';
import {
  METRIC_IDS,
  deliverySchema,
  deliveryStatusSchema,
  environmentSchema,
  eventSchema,
  healthSchema,
  instanceCreateSchema,
  instanceCreatedSchema,
  instancePatchSchema,
  instanceReplaceSchema,
  instanceSchema,
  isoDateTime,
  loginCodeSchema,
  overviewSchema,
  qwcOpenedSchema,
  metricSchema,
  page,
  pageQuery,
  qwcValidationSchema,
  enqueueResultSchema,
  recordSchema,
  requestCreateSchema,
  requestSchema,
  requestStatusSchema,
  requestSummarySchema,
  sessionSchema,
} from './schemas';

/** Where the REST transport mounts the operations. */
export const API_PREFIX = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OperationDef {
  method: HttpMethod;
  /** Relative to /api/v1; `{name}` marks a path parameter. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success response body; omitted for 204. */
  output?: z.ZodType;
  /** Non-JSON success responses (e.g. the QWC file) carry this content type. */
  rawContentType?: string;
  /** A raw response a browser should save rather than show, under this file name (Content-Disposition). */
  attachment?: string;
  status: 200 | 201 | 202 | 204;
  /** False only for the health check and the OpenAPI document. */
  auth: boolean;
}

const instanceId = z.object({ instanceId: z.string().min(1).max(100) });

/** The event log's filters (listEvents, listAllEvents, exportEvents). */
const eventFilter = {
  fromTime: isoDateTime.optional(),
  toTime: isoDateTime.optional(),
  action: z.string().max(100).optional().describe('An action, or a prefix ending in * ("session.*").'),
  sessionId: z.string().min(1).max(100).optional(),
  q: z.string().min(1).max(200).optional().describe('Text found in the action, detail, result or user (case ignored).'),
};
const requestId = z.object({ requestId: z.string().min(1).max(100) });

export const operations = {
  listInstances: {
    method: 'GET',
    path: '/instances',
    summary: 'List company connections (instances).',
    output: z.object({ data: z.array(instanceSchema) }),
    status: 200,
    auth: true,
  },
  createInstance: {
    method: 'POST',
    path: '/instances',
    summary: 'Create an instance: a Web Connector user for one company file. Without a password, one is generated and returned once.',
    body: instanceCreateSchema,
    output: instanceCreatedSchema,
    status: 201,
    auth: true,
  },
  getInstance: {
    method: 'GET',
    path: '/instances/{instanceId}',
    summary: 'Get an instance.',
    params: instanceId,
    output: instanceSchema,
    status: 200,
    auth: true,
  },
  replaceInstance: {
    method: 'PUT',
    path: '/instances/{instanceId}',
    summary: 'Replace an instance\'s settings (omit password to keep it).',
    params: instanceId,
    body: instanceReplaceSchema,
    output: instanceSchema,
    status: 200,
    auth: true,
  },
  updateInstance: {
    method: 'PATCH',
    path: '/instances/{instanceId}',
    summary: 'Change some of an instance\'s settings.',
    params: instanceId,
    body: instancePatchSchema,
    output: instanceSchema,
    status: 200,
    auth: true,
  },
  deleteInstance: {
    method: 'DELETE',
    path: '/instances/{instanceId}',
    summary: 'Delete an instance; its queued requests are cancelled, its history is kept.',
    params: instanceId,
    status: 204,
    auth: true,
  },
  forgetCompany: {
    method: 'DELETE',
    path: '/instances/{instanceId}/company',
    summary: 'Forget the company file the instance learned, so the next session may use another.',
    params: instanceId,
    output: instanceSchema,
    status: 200,
    auth: true,
  },
  openQwcInWebConnector: {
    method: 'POST',
    path: '/instances/{instanceId}/qwc/open',
    summary: 'Save the QWC file in the data folder and open it, which on Windows hands it to QuickBooks Web Connector; elsewhere opened is false and message says what to do.',
    params: instanceId,
    output: qwcOpenedSchema,
    status: 200,
    auth: true,
  },
  getInstanceQwc: {
    method: 'GET',
    path: '/instances/{instanceId}/qwc',
    summary: 'The QWC file to add this instance to QuickBooks Web Connector.',
    params: instanceId,
    output: z.string(),
    rawContentType: 'application/xml',
    status: 200,
    auth: true,
  },
  enqueueRequest: {
    method: 'POST',
    path: '/instances/{instanceId}/requests',
    summary:
      'Queue work for QuickBooks: raw qbXML, or JSON ({type, params}, or an array of them for one message set) built in schema order and validated. The companion sets the version, onError (if absent) and requestIDs.',
    params: instanceId,
    body: requestCreateSchema,
    output: enqueueResultSchema,
    status: 202,
    auth: true,
  },
  listRecords: {
    method: 'GET',
    path: '/requests/{requestId}/records',
    summary: 'The records of a request\'s response(s) — one logical result across iterator pages — in order, paged.',
    params: requestId,
    query: z.object(pageQuery),
    output: page(recordSchema),
    status: 200,
    auth: true,
  },
  listRequests: {
    method: 'GET',
    path: '/instances/{instanceId}/requests',
    summary: 'Requests of an instance, newest first; filter by status, and by the session that (last) sent them.',
    params: instanceId,
    query: z.object({ status: requestStatusSchema.optional(), sessionId: z.string().min(1).max(100).optional(), ...pageQuery }),
    output: page(requestSummarySchema),
    status: 200,
    auth: true,
  },
  getRequest: {
    method: 'GET',
    path: '/requests/{requestId}',
    summary: 'A request: its status and, when done, QuickBooks\' response.',
    params: requestId,
    output: requestSchema,
    status: 200,
    auth: true,
  },
  getRequestResponse: {
    method: 'GET',
    path: '/requests/{requestId}/response',
    summary: 'The raw qbXML response of a request, however large.',
    params: requestId,
    output: z.string(),
    rawContentType: 'application/xml',
    status: 200,
    auth: true,
  },
  cancelRequest: {
    method: 'POST',
    path: '/requests/{requestId}/cancel',
    summary: 'Cancel a queued request (or give up on one whose outcome is unknown).',
    params: requestId,
    output: requestSummarySchema,
    status: 200,
    auth: true,
  },
  retryRequest: {
    method: 'POST',
    path: '/requests/{requestId}/retry',
    summary: 'Queue a failed or cancelled request again, as a new request (409 for any other status).',
    params: requestId,
    output: enqueueResultSchema,
    status: 202,
    auth: true,
  },
  reconcileRequest: {
    method: 'POST',
    path: '/requests/{requestId}/reconcile',
    summary: 'For a write whose outcome is unknown: ask QuickBooks at the next sync whether it happened (409 for any other status).',
    params: requestId,
    output: requestSummarySchema,
    status: 202,
    auth: true,
  },
  listSessions: {
    method: 'GET',
    path: '/instances/{instanceId}/sessions',
    summary: 'Web Connector sessions of an instance, newest first.',
    params: instanceId,
    query: z.object(pageQuery),
    output: page(sessionSchema),
    status: 200,
    auth: true,
  },
  listEvents: {
    method: 'GET',
    path: '/instances/{instanceId}/events',
    summary: 'The event log of an instance, newest first; filter by time, action ("session.*" matches a prefix), session and text.',
    params: instanceId,
    query: z.object({ ...eventFilter, ...pageQuery }),
    output: page(eventSchema),
    status: 200,
    auth: true,
  },
  listAllEvents: {
    method: 'GET',
    path: '/events',
    summary: 'The event log of every connection (or of instanceId), newest first, with the filters of listEvents.',
    query: z.object({ instanceId: z.string().min(1).max(100).optional(), ...eventFilter, ...pageQuery }),
    output: page(eventSchema),
    status: 200,
    auth: true,
  },
  exportEvents: {
    method: 'GET',
    path: '/events/export',
    summary: 'The events listAllEvents would list, all of them, as CSV.',
    query: z.object({ instanceId: z.string().min(1).max(100).optional(), ...eventFilter }),
    output: z.string(),
    rawContentType: 'text/csv',
    attachment: 'qbwc-companion-events.csv',
    status: 200,
    auth: true,
  },
  getMetric: {
    method: 'GET',
    path: '/instances/{instanceId}/metrics/{metricId}',
    summary: `A metric over time: ${METRIC_IDS.join(', ')}. The window defaults to the last 24 hours.`,
    params: z.object({ instanceId: z.string().min(1).max(100), metricId: z.enum(METRIC_IDS) }),
    query: z.object({
      fromTime: isoDateTime.optional().describe('Default: 24 hours before toTime.'),
      toTime: isoDateTime.optional().describe('Default: now.'),
      destinationId: z.string().min(1).max(100).optional().describe('deliveries, delivery_failures and delivery_lag_ms of one webhook destination only.'),
    }),
    output: metricSchema,
    status: 200,
    auth: true,
  },
  listDeliveries: {
    method: 'GET',
    path: '/instances/{instanceId}/deliveries',
    summary: 'Webhook deliveries of an instance (the outbox), newest first; filter by status and destination.',
    params: instanceId,
    query: z.object({ status: deliveryStatusSchema.optional(), destinationId: z.string().min(1).max(100).optional(), ...pageQuery }),
    output: page(deliverySchema),
    status: 200,
    auth: true,
  },
  replayDelivery: {
    method: 'POST',
    path: '/deliveries/{eventId}/replay',
    summary: 'Send a dead delivery again: pending, with a fresh retry schedule and the same event id. 409 unless it is dead.',
    params: z.object({ eventId: z.string().min(1).max(100) }),
    output: deliverySchema,
    status: 202,
    auth: true,
  },
  replayDeadDeliveries: {
    method: 'POST',
    path: '/instances/{instanceId}/deliveries/replay',
    summary: 'Send every dead delivery of an instance, or of one of its destinations, again (see replayDelivery).',
    params: instanceId,
    query: z.object({ destinationId: z.string().min(1).max(100).optional() }),
    output: z.object({ replayed: z.number().int() }),
    status: 202,
    auth: true,
  },
  listDestinations: {
    method: 'GET',
    path: '/instances/{instanceId}/destinations',
    summary:
      'Webhook destinations of an instance, each with its last delivery and what waits for it: the one its configuration keys define (id "configuration", first, once event.notification.callback.url is set) and those added here.',
    params: instanceId,
    output: z.object({ data: z.array(destinationSchema) }),
    status: 200,
    auth: true,
  },
  createDestination: {
    method: 'POST',
    path: '/instances/{instanceId}/destinations',
    summary: 'Add a webhook destination: from now on, change events of the types it names are signed and sent to it, in its format.',
    params: instanceId,
    body: destinationCreateSchema,
    output: destinationSchema,
    status: 201,
    auth: true,
  },
  getDestination: {
    method: 'GET',
    path: '/instances/{instanceId}/destinations/{destinationId}',
    summary: 'A webhook destination, with its last delivery and what waits for it.',
    params: destinationIdParams,
    output: destinationSchema,
    status: 200,
    auth: true,
  },
  updateDestination: {
    method: 'PATCH',
    path: '/instances/{instanceId}/destinations/{destinationId}',
    summary:
      'Change a webhook destination; turned back on, what waits for it goes. The configuration\'s destination takes only enabled (409 otherwise): change the rest in the instance\'s configuration.',
    params: destinationIdParams,
    body: destinationUpdateSchema,
    output: destinationSchema,
    status: 200,
    auth: true,
  },
  deleteDestination: {
    method: 'DELETE',
    path: '/instances/{instanceId}/destinations/{destinationId}',
    summary: 'Delete a webhook destination with the events not delivered to it (pending and dead); its delivered ones stay listed. 409 for the configuration\'s destination.',
    params: destinationIdParams,
    status: 204,
    auth: true,
  },
  testDestination: {
    method: 'POST',
    path: '/instances/{instanceId}/destinations/{destinationId}/test',
    summary:
      'Queue a signed test event (entity "CompanionTest", operation Create) to a webhook destination; follow it in listDeliveries. 409, saying why, when the destination sends nothing now.',
    params: destinationIdParams,
    output: deliverySchema,
    status: 202,
    auth: true,
  },
  getOverview: {
    method: 'GET',
    path: '/overview',
    summary: 'How every connection is doing, in plain words: state, last and next sync, what is waiting, and the one thing to do.',
    output: overviewSchema,
    status: 200,
    auth: true,
  },
  createLoginCode: {
    method: 'POST',
    path: '/login-codes',
    summary: 'A one-time link that signs a browser on this computer in to the companion\'s pages (valid for 5 minutes).',
    output: loginCodeSchema,
    status: 201,
    auth: true,
  },
  getSettings: {
    method: 'GET',
    path: '/settings',
    summary: 'Companion-wide settings.',
    output: settingsSchema,
    status: 200,
    auth: true,
  },
  updateSettings: {
    method: 'PATCH',
    path: '/settings',
    summary: 'Change companion-wide settings.',
    body: settingsSchema.partial(),
    output: settingsSchema,
    status: 200,
    auth: true,
  },
  validateQwc: {
    method: 'POST',
    path: '/qwc/validate',
    summary: 'Check a QWC file the way QuickBooks Web Connector does.',
    body: z.object({ qwc: z.string().min(1).max(1_000_000) }).strict(),
    output: qwcValidationSchema,
    status: 200,
    auth: true,
  },
  getEnvironment: {
    method: 'GET',
    path: '/environment',
    summary: 'How this companion runs: version, data folder, port, the Web Connector\'s address, durability (set when it starts).',
    output: environmentSchema,
    status: 200,
    auth: true,
  },
  getHealth: {
    method: 'GET',
    path: '/health',
    summary: 'Liveness and a few counts.',
    output: healthSchema,
    status: 200,
    auth: false,
  },
  // Change detection in QuickBooks (issue 18 §1, main/forward/detection).
  getChangeDetection: {
    method: 'GET',
    path: '/instances/{instanceId}/change-detection',
    summary: 'Change detection of an instance: whether it is on, the types it watches, how it starts, how often it runs, and how far each type got. Off until turned on.',
    params: instanceId,
    output: changeDetectionSchema,
    status: 200,
    auth: true,
  },
  updateChangeDetection: {
    method: 'PUT',
    path: '/instances/{instanceId}/change-detection',
    summary:
      'Set change detection of an instance. When on, it queues queries for changes, deletions and merges of the types it watches every intervalMinutes (they run when the Web Connector connects) and sends what changed to the instance\'s webhook destination as Create, Update, Delete, Merge and Void events.',
    params: instanceId,
    body: changeDetectionUpdateSchema,
    output: changeDetectionSchema,
    status: 200,
    auth: true,
  },
  runChangeDetection: {
    method: 'POST',
    path: '/instances/{instanceId}/change-detection/run',
    summary: 'Queue change detection\'s queries now rather than when next due; they run when the Web Connector next connects. 409 while change detection is off.',
    params: instanceId,
    output: changeDetectionRunSchema,
    status: 202,
    auth: true,
  },
  // The cloud link to a QBD Connect service (issue 18 §2, main/cloud).
  getCloudLink: {
    method: 'GET',
    path: '/cloud-link',
    summary:
      'The cloud link: its settings (the API key masked), how it is doing in plain words (off, ok, retrying, offline, or the API key refused), when it last pushed and pulled, its last error, and what waits to be sent.',
    output: cloudLinkSchema,
    status: 200,
    auth: true,
  },
  updateCloudLink: {
    method: 'PUT',
    path: '/cloud-link',
    summary:
      'Set the cloud link. On, it registers the instances with a QBD Connect System API, pushes their sessions, requests (with results), event log and metrics as they happen, and queues the requests a cloud app queued for them — calling out only. Turned on, it starts from then on. Leave apiKey out to keep the stored one.',
    body: cloudLinkUpdateSchema,
    output: cloudLinkSchema,
    status: 200,
    auth: true,
  },
  syncCloudLinkNow: {
    method: 'POST',
    path: '/cloud-link/sync',
    summary: 'Push and pull now, trying again at once after a failure or a refused API key; answers when done, with the link\'s state. 409 while the link is off.',
    output: cloudLinkSchema,
    status: 200,
    auth: true,
  },
} as const satisfies Record<string, OperationDef>;

export type Operations = typeof operations;
export type OperationName = keyof Operations;

type Infer<T> = T extends z.ZodType ? z.infer<T> : unknown;
type InferObj<T> = T extends z.ZodType ? z.infer<T> : object;

/** The merged, validated input of an operation. */
export type OperationInput<K extends OperationName> = InferObj<Operations[K] extends { params: infer P } ? P : undefined> &
  InferObj<Operations[K] extends { query: infer Q } ? Q : undefined> &
  (Operations[K] extends { body: infer B } ? { body: Infer<B> } : object);

export type OperationOutput<K extends OperationName> = Operations[K] extends { rawContentType: string }
  ? string | Iterable<string> // raw bodies may be streamed in chunks
  : Operations[K] extends { output: infer O }
    ? Infer<O>
    : void;

export type OperationHandlers = {
  [K in OperationName]: (input: OperationInput<K>) => OperationOutput<K> | Promise<OperationOutput<K>>;
};
