/** Webhook destinations' REST shapes (operations listDestinations … testDestination). */
import { z } from 'zod';
import { isoDateTime } from '../contract/schemas';
import { ATTEMPT_RESULTS } from '../store/tables';
import { DETECTABLE_NAMES } from './detection/catalog';
import { CONFIG_KEYS, CONFIGURATION_ID, PAYLOAD_FORMATS, SECRET_MASK, urlProblem } from './destination';

const url = z
  .string()
  .max(2000)
  .superRefine((v, ctx) => {
    const why = urlProblem(v);
    if (why) ctx.addIssue({ code: 'custom', message: why, params: { rule: 'destination' } });
  })
  .describe('Where events are POSTed: https://…, or http:// on this computer (localhost, 127.x.x.x or [::1]).');

/** What the caller writes; create fills the defaults, update takes any of them. */
const writable = {
  name: z.string().trim().min(1).max(100).describe('A name the bookkeeper recognises, e.g. the app it feeds.'),
  url,
  verifierToken: z
    .string()
    .min(1)
    .max(500)
    .describe(
      `The signing key of intuit-signature and webhook-signature (a "whsec_…" Standard Webhooks secret is used as such). Write-only: returned as "${SECRET_MASK}"; sending "${SECRET_MASK}" back keeps it.`,
    ),
  format: z
    .enum(PAYLOAD_FORMATS)
    .describe('"legacy": QuickBooks Online\'s eventNotifications; "cloudevents": QuickBooks Online\'s CloudEvents (type qbd.<entity>.<verb>.v1); "full": CloudEvents whose data is the whole record.'),
  objects: z.array(z.enum(DETECTABLE_NAMES as [string, ...string[]])).max(DETECTABLE_NAMES.length).describe('The entity types to send, by qbXML name; empty: all.'),
  enabled: z.boolean().describe('Off, nothing is queued for it, and what waits stays until it is on again.'),
};

export const destinationCreateSchema = z
  .object({
    ...writable,
    format: writable.format.default('legacy'),
    objects: writable.objects.default([]),
    enabled: writable.enabled.default(true),
  })
  .strict();

export const destinationUpdateSchema = z.object(writable).partial().strict();

export const destinationSchema = z.object({
  destinationId: z.string().describe(`"${CONFIGURATION_ID}" for the one the connection's configuration defines (${CONFIG_KEYS.url} and the other event.* keys).`),
  instanceId: z.string(),
  name: z.string(),
  url: z.string(),
  verifierToken: z.string().describe(`"${SECRET_MASK}" when set, "" when not.`),
  format: z.enum(PAYLOAD_FORMATS),
  objects: z.array(z.string()).describe('The entity types sent; empty: all.'),
  enabled: z.boolean(),
  disabledReason: z
    .string()
    .nullable()
    .describe('Why nothing is sent to it, in plain words (turned off, the receiver answered 410 Gone, a setting missing); null while it sends.'),
  fromConfiguration: z
    .boolean()
    .describe(`Defined by the connection's configuration keys: change it there (PATCH /instances/{instanceId}); here only enabled can be changed, and it can't be deleted.`),
  createdAt: isoDateTime.describe('For the configuration\'s destination: when the connection was created.'),
  updatedAt: isoDateTime,
  lastDelivery: z
    .object({
      at: isoDateTime,
      eventId: z.string(),
      result: z.enum(ATTEMPT_RESULTS).describe('delivered; failed (retried on the schedule); dead (given up; replayable); gone (410: turned off); offline (no network here; retried, not counted).'),
      statusCode: z.number().int().nullable().describe('The receiver\'s HTTP status; null when none came.'),
      error: z.string().nullable(),
    })
    .nullable()
    .describe('Its latest attempt; null before the first.'),
  counts: z.object({
    pending: z.number().int().describe('Waiting to be sent or retried.'),
    dead: z.number().int().describe('Given up on: replay them with replayDeadDeliveries.'),
    delivered24h: z.number().int().describe('Delivered in the last 24 hours.'),
  }),
});

export const destinationIdParams = z.object({ instanceId: z.string().min(1).max(100), destinationId: z.string().min(1).max(100) });

export type DestinationCreate = z.infer<typeof destinationCreateSchema>;
export type DestinationUpdate = z.infer<typeof destinationUpdateSchema>;
export type DestinationResource = z.infer<typeof destinationSchema>;
