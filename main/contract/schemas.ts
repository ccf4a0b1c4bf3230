/**
 * Resource shapes of the companion's API (REST today, IPC for the desktop UI), with
 * field names following seed 003's QBD Connect models where they overlap. These zod
 * schemas are the single source: they validate input, type the handlers and generate
 * the OpenAPI document.
 */
import { z } from 'zod';
import { hasForbiddenXmlChar } from '../xml/tokenizer';

/** Text that ends up in XML (a QWC file, a SOAP answer): no character XML cannot carry. */
const xmlText = () => z.string().refine((s) => !hasForbiddenXmlChar(s), 'must not contain control characters (XML cannot carry them)');
const trimmed = (min: number, max: number) => xmlText().trim().min(min).max(max);

export const isoDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO 8601 date-time')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a valid date-time')
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
  .refine((m) => Object.keys(m).length <= 200, 'at most 200 entries')
  .describe('Free-form string settings, like the "configuration" map of an instance JSON.');

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
};

export const instanceCreateSchema = z
  .object({
    ...instanceWritable,
    qbdPath: instanceWritable.qbdPath.optional(),
    frequencyInMinutes: instanceWritable.frequencyInMinutes.default(60),
    contact: instanceWritable.contact.optional(),
    configuration: instanceWritable.configuration.default({}),
    postponeSeconds: instanceWritable.postponeSeconds.optional(),
    minRunEverySeconds: instanceWritable.minRunEverySeconds.optional(),
    lingerSeconds: instanceWritable.lingerSeconds.default(0),
    alternateCompanyFiles: instanceWritable.alternateCompanyFiles.default([]),
    readOnly: instanceWritable.readOnly.default(false),
  })
  .strict();

/** PUT: the whole resource; `password` may be omitted to keep the current one. */
export const instanceReplaceSchema = instanceCreateSchema.extend({ password: instanceWritable.password.optional() }).strict();

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
  company: learnedCompanySchema.nullable().describe('The company file this instance has learned to talk to.'),
  dateCreated: isoDateTime,
  dateModified: isoDateTime,
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
  attempts: z.number().int(),
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

export const METRIC_IDS = [
  'sessions',
  'requests_completed',
  'requests_failed',
  'request_latency_ms',
  'response_bytes',
  'auth_failures',
  'connection_errors',
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

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().nullable(),
  }),
});
