/**
 * Resource shapes of the companion's API (REST today, IPC for the desktop UI), with
 * field names following seed 003's QBD Connect models where they overlap. These zod
 * schemas are the single source: they validate input, type the handlers and generate
 * the OpenAPI document.
 */
import { z } from 'zod';
import { hasForbiddenXmlChar } from '../xml/tokenizer';
import { MAX_PAGE_SIZE, MIN_PAGE_SIZE } from '../queue/paging';
import { CONFIG_KEYS, destinationProblems, SECRET_MASK } from '../forward/destination';

/** Text that ends up in XML (a QWC file, a SOAP answer): no character XML cannot carry. */
const xmlText = () =>
  z.string().refine((s) => !hasForbiddenXmlChar(s), { message: 'must not contain control characters (XML cannot carry them)', params: { rule: 'xml_char' } });
const trimmed = (min: number, max: number) => xmlText().trim().min(min).max(max);

export const isoDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO 8601 date-time, e.g. 2026-11-23T10:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be a valid date-time, e.g. 2026-11-23T10:00:00Z', params: { rule: 'format' } })
  .describe('ISO 8601 date-time, e.g. 2026-11-23T10:00:00Z');

export const contactSchema = z
  .object({
    firstName: trimmed(0, 100).optional(),
    lastName: trimmed(0, 100).optional(),
    email: z.email().max(254).optional(),
    phone: trimmed(0, 40).optional(),
  })
  .strict();

export const configurationSchema = z
  .record(z.string().min(1).max(200), z.string().max(4000))
  .refine((m) => Object.keys(m).length <= 200, { message: 'must have at most 200 entries', params: { rule: 'max_items' } })
  .superRefine((m, ctx) => {
    for (const p of destinationProblems(m)) ctx.addIssue({ code: 'custom', path: [p.key], message: p.message, params: { rule: 'destination' } });
  })
  .describe(
    `Free-form string settings, like the "configuration" map of an instance JSON. Webhooks: "${CONFIG_KEYS.enabled}" ("true"/"false"), "${CONFIG_KEYS.url}" (https://, or http:// on this computer: localhost, 127.x.x.x or [::1]), "${CONFIG_KEYS.token}" (the signing key; returned masked), "${CONFIG_KEYS.format}" ("legacy", "cloudevents" or "full"), "${CONFIG_KEYS.objects}" (comma-separated entity names; empty: all): the destination "configuration" of listDestinations. Values of keys naming a secret, token or password are returned as "${SECRET_MASK}"; sending "${SECRET_MASK}" back keeps the stored value.`,
  );

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, e.g. 19:00');

export const syncWindowSchema = z
  .object({
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1, 'must name at least one day')
      .max(7)
      .refine((d) => new Set(d).size === d.length, { message: 'must not repeat a day', params: { rule: 'unique' } })
      .describe('Days the window starts on: 0 = Sunday … 6 = Saturday.'),
    start: hhmm.describe('Opens at this time of day (the PC\'s clock), e.g. "19:00".'),
    end: hhmm.describe('Closes at this time of day; before start means the next morning (19:00–07:00); equal to start means the whole day.'),
  })
  .strict()
  .describe('When the Web Connector may sync this connection; outside it, it is told there is no work and to come back when the window opens.');

/** Settings of an instance that the caller may write. */
const instanceWritable = {
  name: trimmed(1, 100).describe('A name the bookkeeper recognises, e.g. the company name.'),
  username: xmlText()
    .min(1)
    .max(100)
    .regex(/^\S(.*\S)?$/, 'must not start or end with a space')
    .describe('The user name the Web Connector sends; written into the QWC file.'),
  password: xmlText()
    .min(8, 'must be at least 8 characters')
    .max(256)
    .describe('Entered by the bookkeeper in the Web Connector. Write-only: never returned.'),
  qbdPath: xmlText()
    .trim()
    .max(500)
    .nullable()
    .describe('Full path of the company file; null or "" means "whatever company is open in QuickBooks".'),
  frequencyInMinutes: z.number().int().min(1).max(10_080).describe('How often the Web Connector runs (QWC Scheduler).'),
  contact: contactSchema.nullable(),
  configuration: configurationSchema,
  postponeSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .nullable()
    .describe('With nothing to do (or busy), ask the Web Connector to come back after this many seconds (authenticate slot 3).'),
  minRunEverySeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .nullable()
    .describe('Lower limit for the Web Connector\'s run interval (authenticate slot 4).'),
  lingerSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .describe('Keep a session open this long after the queue empties, polling with NoOp, so new work goes out at once.'),
  alternateCompanyFiles: z
    .array(trimmed(1, 500))
    .max(10)
    .describe('Company files to retry with when QuickBooks cannot open the usual one (tried once per session).'),
  readOnly: z.boolean().describe('Ask the Web Connector for read-only access (QWC IsReadOnly).'),
  syncWindow: syncWindowSchema.nullable(),
};

export const instanceCreateSchema = z
  .object({
    ...instanceWritable,
    password: instanceWritable.password
      .optional()
      .describe('Entered by the bookkeeper in the Web Connector. Write-only; when omitted a strong one is generated and returned once, in the 201 response.'),
    qbdPath: instanceWritable.qbdPath.optional(),
    frequencyInMinutes: instanceWritable.frequencyInMinutes.default(60),
    contact: instanceWritable.contact.optional(),
    configuration: instanceWritable.configuration.default({}),
    postponeSeconds: instanceWritable.postponeSeconds.optional(),
    minRunEverySeconds: instanceWritable.minRunEverySeconds.optional(),
    lingerSeconds: instanceWritable.lingerSeconds.default(0),
    alternateCompanyFiles: instanceWritable.alternateCompanyFiles.default([]),
    readOnly: instanceWritable.readOnly.default(false),
    syncWindow: instanceWritable.syncWindow.default(null),
  })
  .strict();

/** PUT: the whole resource; `password` may be omitted to keep the current one. */
export const instanceReplaceSchema = instanceCreateSchema
  .extend({ password: instanceWritable.password.optional().describe('Omit to keep the current password. Write-only: never returned.') })
  .strict();

/** PATCH: any subset; null clears an optional field. */
export const instancePatchSchema = z.object(instanceWritable).partial().strict();

export const learnedCompanySchema = z.object({
  fileId: z.string().optional(),
  name: z.string().optional(),
  path: z.string().optional(),
  productName: z.string().optional(),
  majorVersion: z.string().optional(),
  country: z.string().optional(),
  supportedVersions: z.array(z.string()).optional(),
  firstSeenAt: isoDateTime,
  lastSeenAt: isoDateTime,
});

export const instanceSchema = z.object({
  instanceId: z.string(),
  name: z.string(),
  username: z.string(),
  qbdPath: z.string().nullable(),
  frequencyInMinutes: z.number().int(),
  contact: contactSchema.nullable(),
  configuration: z.record(z.string(), z.string()),
  fileId: z.string().describe('QWC FileID, generated; stable for the instance.'),
  ownerId: z.string().describe('QWC OwnerID, generated; stable for the instance.'),
  appUrl: z.string().describe('The URL the Web Connector calls.'),
  postponeSeconds: z.number().int().nullable(),
  minRunEverySeconds: z.number().int().nullable(),
  lingerSeconds: z.number().int(),
  alternateCompanyFiles: z.array(z.string()),
  readOnly: z.boolean(),
  syncWindow: syncWindowSchema.nullable(),
  company: learnedCompanySchema.nullable().describe('The company file this instance has learned to talk to.'),
  dateCreated: isoDateTime,
  dateModified: isoDateTime,
});

/** POST /instances: the instance, plus the password when the companion generated it. */
export const instanceCreatedSchema = instanceSchema.extend({
  password: z
    .string()
    .optional()
    .describe('Only when the request gave none: the generated password, returned this once (it is stored only as a hash). Give it to the bookkeeper for the Web Connector.'),
});

export const requestStatusSchema = z.enum(['queued', 'sent', 'done', 'error', 'cancelled', 'unknown_outcome']);

const requestOptions = {
  priority: z.number().int().min(-1000).max(1000).default(0).describe('Higher goes first; equal priorities go in order.'),
  idempotencyKey: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('Queueing again with the same key returns the first request instead of a duplicate. Writes get one generated when absent.'),
  onError: z.enum(['stopOnError', 'continueOnError', 'rollbackOnError']).optional().describe('For several requests in one message set.'),
  retryOnStaleEditSequence: z
    .boolean()
    .default(false)
    .describe('On status 3200 (the record changed since it was read), re-read its EditSequence and send the Mod again.'),
  pageSize: z
    .number()
    .int('must be a whole number of records per page')
    .min(MIN_PAGE_SIZE, { message: `must be at least ${MIN_PAGE_SIZE} records per page (each page is one Web Connector round trip)` })
    .max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE} records per page (each page is one QuickBooks answer)` })
    .optional()
    .describe(
      `Page one query through its whole result: sent with iterator="Start" and MaxReturned = pageSize, continued with iterator="Continue" until QuickBooks has no more (restarted, without duplicates, if a session ends mid-way); the records of every page are one result at GET /requests/{requestId}/records. ${MIN_PAGE_SIZE}–${MAX_PAGE_SIZE}. Only for one query that supports iterators (e.g. CustomerQuery, InvoiceQuery), not a query by ListID/FullName/TxnID/RefNumber, and not together with MaxReturned (which keeps Intuit's meaning: at most that many records, in one request, no iterator) — each refused with a 400 naming pageSize. Needs qbXML 5.0 (QuickBooks 2006) or later.`,
    ),
};

export const structuredRequestSchema = z
  .object({
    type: z.string().min(1).max(100).describe('The qbXML request, e.g. "InvoiceAdd" or "InvoiceQueryRq".'),
    params: z.record(z.string(), z.unknown()).default({}).describe('The request element\'s content in qbXML names; see the generated types.'),
  })
  .strict();

export const requestCreateSchema = z
  .union([
    z
      .object({
        qbxml: z
          .string()
          .min(1)
          .max(50 * 1024 * 1024)
          .describe('A whole qbXML document or just the request elements (e.g. <CustomerQueryRq>…</CustomerQueryRq>).'),
        ...requestOptions,
      })
      .strict(),
    structuredRequestSchema.extend(requestOptions).strict(),
    z.object({ requests: z.array(structuredRequestSchema).min(1).max(100), ...requestOptions }).strict(),
    z.array(structuredRequestSchema).min(1).max(100),
  ])
  .describe('Raw qbXML, one request as JSON ({type, params}), or several in one message set (an array, or {requests: [...]}).');

export const errorInfoSchema = z.object({
  code: z.string(),
  type: z.string().nullable(),
  category: z.string(),
  retryable: z.boolean(),
  userFacingMessage: z.string(),
  developerMessage: z.string(),
});

export const responseResultSchema = z.object({
  type: z.string(),
  requestID: z.string().optional(),
  statusCode: z.number().int().optional(),
  statusSeverity: z.string().optional(),
  statusMessage: z.string().optional(),
  retCount: z.number().int().optional(),
  iteratorRemainingCount: z.number().int().optional(),
  iteratorID: z.string().optional(),
});

export const iteratorProgressSchema = z.object({
  pages: z.number().int(),
  remaining: z.number().int().describe('iteratorRemainingCount of the last page.'),
  restarts: z.number().int().describe('Restarts after a session ended mid-iteration (records are not duplicated).'),
});

export const requestSchema = z.object({
  requestId: z.string(),
  instanceId: z.string(),
  status: requestStatusSchema,
  idempotencyKey: z.string().nullable(),
  kind: z.enum(['query', 'write']),
  types: z.array(z.string()),
  priority: z.number().int(),
  timestamp: isoDateTime.describe('When the request was queued.'),
  sentAt: isoDateTime.nullable(),
  completedAt: isoDateTime.nullable(),
  sessionId: z.string().nullable(),
  attempts: z
    .number()
    .int()
    .describe('Times the request was sent to QuickBooks (retries and iterator restarts count; the pages of a paged query do not, see pages).'),
  pageSize: z.number().int().nullable().describe('Records per page, for a query queued with pageSize; null otherwise.'),
  pages: z.number().int().nullable().describe('Pages QuickBooks has answered for a query queued with pageSize (across restarts); null otherwise.'),
  statusCode: z.number().int().nullable(),
  statusSeverity: z.string().nullable(),
  statusMessage: z.string().nullable(),
  hresult: z.string().nullable(),
  hresultMessage: z.string().nullable(),
  results: z.array(responseResultSchema),
  error: errorInfoSchema.nullable(),
  parentRequestId: z.string().nullable().describe('For requests the companion queued itself (reconciliation, re-reads).'),
  purpose: z.enum(['reconcile', 'refresh']).nullable(),
  iterator: iteratorProgressSchema.nullable(),
  recordCount: z.number().int().describe('Records (…Ret elements) parsed from the responses so far.'),
  recordsUrl: z.string(),
  qbxml: z.string().optional().describe('The request elements as queued (requestIDs and version are added when sent).'),
  json: z.array(z.object({ type: z.string(), params: z.unknown() })).optional().describe('The request as JSON.'),
  response: z.string().optional().describe('QuickBooks\' qbXML response, when done and not larger than the inline limit.'),
  parsed: z.unknown().optional().describe('The response as typed JSON (qbXML names; decimals as strings), beside `response`.'),
  responseSize: z.number().int().nullable().describe('Size in bytes of the stored response.'),
  responseUrl: z.string().nullable().describe('Where to download the raw response.'),
});

export const enqueueResultSchema = z.object({
  requestId: z.string(),
  status: requestStatusSchema,
  idempotencyKey: z.string().nullable(),
  warnings: z
    .array(z.object({ path: z.string(), rule: z.string(), message: z.string() }))
    .describe('For raw qbXML: where it does not follow the qbXML schema (QuickBooks will probably reject it).'),
});

export const recordSchema = z.object({
  seq: z.number().int(),
  type: z.string().describe('The record element, e.g. "InvoiceRet".'),
  data: z.unknown(),
});

export const requestSummarySchema = requestSchema.omit({ qbxml: true, json: true, response: true, parsed: true });

export const sessionSchema = z.object({
  sessionId: z.string(),
  instanceId: z.string().nullable(),
  timestamp: isoDateTime.describe('When the session started.'),
  user: z.string(),
  ipAddress: z.string().nullable(),
  status: z.string(),
  authResult: z.string(),
  clientVersion: z.string().nullable(),
  lastSeenAt: isoDateTime,
  endedAt: isoDateTime.nullable(),
  companyFile: z.string().nullable(),
  qbxmlVersion: z.string().nullable(),
  productName: z.string().nullable(),
  requestsSent: z.number().int(),
  requestsDone: z.number().int(),
  requestsFailed: z.number().int(),
  connectionErrors: z.number().int(),
  lastError: z.string().nullable(),
});

export const eventSchema = z.object({
  logId: z.number().int(),
  clientId: z.string().nullable(),
  timestamp: isoDateTime,
  user: z.string(),
  action: z.string(),
  detail: z.string().nullable(),
  result: z.string().nullable(),
  sessionId: z.string().nullable(),
  requestId: z.string().nullable(),
});

export const deliveryStatusSchema = z.enum(['pending', 'delivered', 'dead']);

export const deliverySchema = z.object({
  eventId: z.string().describe('The receiver\'s dedupe key: the CloudEvents id and the webhook-id header, the same on every attempt.'),
  instanceId: z.string(),
  destinationId: z.string().describe('Where it goes (listDestinations); "configuration" for the connection\'s configuration keys.'),
  eventType: z.string().describe('Entity and operation, e.g. "Customer.Update".'),
  status: deliveryStatusSchema.describe('pending (waiting or retrying), delivered, or dead (gave up; replayable).'),
  attempts: z.number().int().describe('Every attempt made.'),
  failures: z.number().int().describe('Failed attempts counted against the retry schedule (not those while the network was down).'),
  timestamp: isoDateTime.describe('When the event was queued.'),
  nextAttemptAt: isoDateTime.nullable(),
  lastAttemptAt: isoDateTime.nullable(),
  lastStatusCode: z.number().int().nullable().describe('The HTTP status of the last answer; null when none came.'),
  lastError: z.string().nullable(),
  deliveredAt: isoDateTime.nullable(),
  payload: z.unknown().describe('The body, as sent (legacy eventNotifications or a CloudEvents array).'),
});

export const connectionStateSchema = z
  .enum(['new', 'idle', 'syncing', 'attention', 'error', 'paused'])
  .describe(
    'new: the Web Connector has not connected yet; idle: all is well; syncing: a session is running; attention: the bookkeeper must act (password refused, wrong company file, writes with an unknown outcome, Web Connector overdue); error: the last sync failed or requests failed in the last 24 hours; paused: syncing paused, or outside the sync window.',
  );

export const connectionStatusSchema = z.object({
  instanceId: z.string(),
  name: z.string(),
  state: connectionStateSchema,
  headline: z.string().describe('How it is doing, in plain words.'),
  action: z.string().nullable().describe('The one thing to do, in plain words; null when nothing is needed.'),
  company: z
    .object({ name: z.string().nullable(), path: z.string().nullable(), productName: z.string().nullable(), qbxmlVersion: z.string().nullable() })
    .nullable()
    .describe('The company file and QuickBooks product last seen; null before the first exchange.'),
  lastSession: z
    .object({
      sessionId: z.string(),
      startedAt: isoDateTime,
      endedAt: isoDateTime.nullable(),
      status: z.string(),
      requestsDone: z.number().int(),
      requestsFailed: z.number().int(),
      lastError: z.string().nullable(),
    })
    .nullable(),
  lastSuccessAt: isoDateTime.nullable().describe('When it last synced without a problem (or found nothing to do).'),
  nextExpectedAt: isoDateTime.nullable().describe('When the Web Connector should come next: the last session\'s start plus the run interval.'),
  overdueMinutes: z.number().int().nullable().describe('Minutes since the Web Connector last connected, when it is more than two runs (and half an hour) late.'),
  progress: z.object({ percent: z.number().int() }).nullable().describe('The running session\'s progress.'),
  queue: z.object({
    queued: z.number().int(),
    sent: z.number().int(),
    error: z.number().int().describe('Failed in the last 24 hours.'),
    unknown_outcome: z.number().int(),
  }),
  frequencyInMinutes: z.number().int(),
  syncWindow: syncWindowSchema.nullable(),
  inSyncWindow: z.boolean(),
});

export const overviewSchema = z.object({
  paused: z.boolean(),
  generatedAt: isoDateTime,
  connections: z.array(connectionStatusSchema),
});

export const qwcOpenedSchema = z.object({
  opened: z.boolean().describe('Whether the file was handed to the program that opens QWC files (Web Connector, on Windows).'),
  path: z.string().describe('Where the QWC file was saved.'),
  message: z.string().describe('What happens next, in plain words.'),
});

export const loginCodeSchema = z.object({
  url: z.string().describe('Open this in a browser on this computer; it works once.'),
  expiresAt: isoDateTime,
});

export const METRIC_IDS = [
  'sessions',
  'requests_completed',
  'requests_failed',
  'request_latency_ms',
  'response_bytes',
  'auth_failures',
  'connection_errors',
  'deliveries',
  'delivery_failures',
  'delivery_lag_ms',
] as const;

export const metricSchema = z.object({
  metricId: z.enum(METRIC_IDS),
  instanceId: z.string(),
  fromTime: isoDateTime,
  toTime: isoDateTime,
  interval: z.enum(['hour', 'day']),
  unit: z.string(),
  total: z.number(),
  points: z.array(z.object({ timestamp: isoDateTime, value: z.number() })),
});

export const environmentSchema = z.object({
  version: z.string(),
  dataDir: z.string().describe('The data folder: the database, stored responses, the API token, the certificates.'),
  port: z.number().int().describe('Where this server listens (http, this computer only).'),
  webConnectorUrl: z.string().describe('The address QWC files give the Web Connector (https when it is on).'),
  durability: z.enum(['normal', 'full']).describe('normal: each change survives the process being killed; full: also a power cut (a disk flush per change).'),
});

export const healthSchema = z.object({
  status: z.enum(['ok']),
  version: z.string(),
  uptimeSeconds: z.number(),
  instances: z.number().int(),
  activeSessions: z.number().int(),
  queuedRequests: z.number().int(),
});

export const qwcValidationSchema = z.object({
  valid: z.boolean(),
  errors: z.array(z.object({ element: z.string(), code: z.string(), message: z.string() })),
  warnings: z.array(z.object({ element: z.string(), code: z.string(), message: z.string() })),
});

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
};

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const problemSchema = z.object({
  field: z
    .string()
    .nullable()
    .describe('Where, as a path in the caller\'s own input: "name", "params.InvoiceLineAdd[1].Amount", "limit", "Authorization"; null when no one field is at fault.'),
  message: z.string().describe('What is wrong and what to send instead, in plain words.'),
  rule: z.string().describe('The rule that failed: "required", "type", "max_length", "unknown_field", "enum", "type:AMTTYPE", …'),
});

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string().describe('e.g. "invalid_field", "invalid_qbxml_request", "unauthorized", "not_found", "body_too_large".'),
    message: z.string().describe('The first problem\'s message.'),
    field: z.string().nullable().describe('The first problem\'s field.'),
    problems: z.array(problemSchema).min(1).describe('Every problem found (the first is `message`/`field`), so a caller can fix them all at once.'),
  }),
});
