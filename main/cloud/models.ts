/**
 * Seed 003's models (QBD Connect System API v1) that the cloud link sends and reads, field
 * for field: `*` in the seed is required here; "Additional properties: Yes" is `.loose()`,
 * which is how the link adds what the seed doesn't name (a request's status and results, a
 * session's end). Optional seed fields are strings, not null: the link leaves out what it
 * doesn't know. The metric is the companion's own resource (metricSchema): seed 003 shows
 * the metrics path, not the model.
 */
import { z } from 'zod';
import { structuredRequestSchema } from '../contract/schemas';

const dateTime = z.iso.datetime({ offset: true });

export const cloudContactSchema = z
  .object({ firstName: z.string().min(1), lastName: z.string().min(1), email: z.string().min(1), phone: z.string().optional() })
  .loose();

export const cloudInstanceSchema = z
  .object({
    instanceId: z.string().optional(),
    name: z.string(),
    customerId: z.string(),
    contact: cloudContactSchema,
    qbdPath: z.string().optional(),
    appUrl: z.string().optional(),
    frequencyInMinutes: z.number().int().min(1).optional(),
    fileId: z.string().optional(),
    validated: z.boolean().optional(),
    sla: z.object({ supportHours: z.number(), transactionLimit: z.number().int(), defaultHourlyRate: z.number() }).loose().optional(),
    dateCreated: z.iso.date().optional(),
  })
  .loose();

export const cloudSessionSchema = z
  .object({ sessionId: z.string(), timestamp: dateTime, user: z.string(), instanceId: z.string(), ipAddress: z.string().optional() })
  .loose();

export const cloudRequestSchema = z.object({ requestId: z.string(), sessionId: z.string().optional(), timestamp: dateTime }).loose();

export const cloudEventLogSchema = z
  .object({
    logId: z.number().int().optional(),
    clientId: z.string(),
    timestamp: dateTime,
    user: z.string(),
    action: z.string(),
    detail: z.string().optional(),
    result: z.string().optional(),
  })
  .loose();

/**
 * A request a cloud app queued for an instance, as the link pulls it: the Request model
 * plus the work, as the companion's own request resource shows it — `qbxml`, or `json`
 * (qbXML requests as {type, params}) — and optionally a priority.
 */
export const pulledRequestSchema = cloudRequestSchema.extend({
  qbxml: z.string().optional(),
  json: z.array(structuredRequestSchema).optional(),
  priority: z.number().int().optional(),
});

export type CloudInstance = z.infer<typeof cloudInstanceSchema>;
export type PulledRequest = z.infer<typeof pulledRequestSchema>;
