/** The cloud link's REST shapes (operations getCloudLink, updateCloudLink, syncCloudLinkNow). */
import { z } from 'zod';
import { contactSchema, isoDateTime } from '../contract/schemas';
import { SECRET_MASK } from '../forward/destination';
import { isLoopbackHost } from '../loopback';
import { CLOUD_PATH_NAMES, CLOUD_PATHS, type CloudPathName } from './paths';

function baseUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be an absolute URL, e.g. https://api.example.com/qbdconnect-api';
  }
  if (u.username || u.password) return 'must not carry a user name or password (the API key is sent as a Bearer token)';
  if (u.search || u.hash) return 'must not have a query or fragment: it is the base the API paths are added to';
  if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname))) return null;
  return 'must be an https:// URL (http:// only on this computer: localhost, 127.x.x.x or [::1])';
}

const baseUrl = z
  .string()
  .max(500)
  .superRefine((v, ctx) => {
    const why = baseUrlProblem(v);
    if (why) ctx.addIssue({ code: 'custom', message: why, params: { rule: 'url' } });
  })
  .describe('Where the QBD Connect System API is, without the version, e.g. https://api.example.com/qbdconnect-api (http:// only on this computer).');

const pathTemplate = z
  .string()
  .regex(/^\/[^\s#]*$/, 'must be a path starting with "/", e.g. /eventlogs')
  .max(300);

const paths = z
  .object(Object.fromEntries(CLOUD_PATH_NAMES.map((n) => [n, pathTemplate.optional()])) as Record<CloudPathName, z.ZodOptional<typeof pathTemplate>>)
  .strict()
  .describe(
    `Overrides of the API paths (relative to baseUrl/version; {instanceId} and {metricId} are filled in). Defaults: ${CLOUD_PATH_NAMES.map((n) => `${n} ${CLOUD_PATHS[n].method} ${CLOUD_PATHS[n].path}`).join('; ')}.`,
  );

/** The settings as written (PUT): the whole of them; the API key may be left out to keep it. */
export const cloudLinkUpdateSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe('On: keep the cloud in step. Turned on, it starts from then on (what happened while it was off is not sent). Needs baseUrl, apiKey and customerId.'),
    baseUrl: baseUrl.nullable().default(null),
    version: z.string().regex(/^v\d+$/, 'must look like v1').default('v1').describe('The API version in the path (seed 003: v1).'),
    apiKey: z
      .string()
      .min(1)
      .max(2000)
      .nullable()
      .optional()
      .describe(`Sent as "Authorization: Bearer …". Write-only: returned as "${SECRET_MASK}". Omit it, or send "${SECRET_MASK}", to keep the stored key; null removes it.`),
    customerId: z.string().trim().min(1).max(200).nullable().default(null).describe('The QBD Connect customer the instances belong to (the Instance model\'s customerId).'),
    contact: contactSchema
      .nullable()
      .default(null)
      .describe('The contact sent for an instance whose own contact lacks a first name, last name or email (the Instance model requires them).'),
    pollSeconds: z.number().int().min(1).max(3600).default(30).describe('How often to look for requests queued in the cloud, and push what is new.'),
    paths: paths.default({}),
  })
  .strict();

export const cloudLinkStateSchema = z
  .enum(['off', 'ok', 'retrying', 'offline', 'refused'])
  .describe(
    'off: not turned on; ok: in step; retrying: the cloud failed or did not answer, trying again with backoff; offline: this computer has no network, waiting for it; refused: the cloud refused the API key, nothing is sent until it is changed.',
  );

const count = z.number().int();

export const cloudLinkSchema = cloudLinkUpdateSchema.extend({
  apiKey: z.string().nullable().describe(`"${SECRET_MASK}" when a key is set, null when none.`),
  state: cloudLinkStateSchema,
  message: z.string().describe('How the link is doing, in plain words, with what to do when something is needed.'),
  lastPushAt: isoDateTime.nullable().describe('When the cloud last acknowledged something pushed.'),
  lastPullAt: isoDateTime.nullable().describe('When the link last asked the cloud for queued requests.'),
  lastError: z.object({ at: isoDateTime, message: z.string() }).nullable().describe('The last failure, in plain words.'),
  backlog: z
    .object({ instances: count, sessions: count, requests: count, eventLogs: count })
    .describe('What is waiting to be pushed: instances to register, sessions and requests that changed, event log entries.'),
});

export type CloudLinkUpdate = z.infer<typeof cloudLinkUpdateSchema>;
export type CloudLinkResource = z.infer<typeof cloudLinkSchema>;
export type CloudLinkState = z.infer<typeof cloudLinkStateSchema>;
/** The settings as stored (main/store/cloud.ts seals the key). */
export type CloudLinkSettings = Omit<CloudLinkUpdate, 'apiKey'> & { apiKey: string | null };
