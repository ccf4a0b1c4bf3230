/** Change detection's REST shapes (operations getChangeDetection, updateChangeDetection, runChangeDetection). */
import { z } from 'zod';
import { isoDateTime } from '../../contract/schemas';
import { DETECTABLE_NAMES } from './catalog';

export const START_MODES = ['snapshot', 'now'] as const;
export const QUERY_PURPOSES = ['snapshot', 'baseline', 'changes', 'deleted', 'reconcile'] as const;

const typeName = z.enum(DETECTABLE_NAMES as [string, ...string[]]);

export const changeDetectionUpdateSchema = z
  .object({
    enabled: z.boolean().describe('Queue the queries when due; off, nothing is queued (what is in flight finishes).'),
    types: z
      .array(typeName)
      .min(1)
      .default([...DETECTABLE_NAMES])
      .describe('The QuickBooks types to watch, by qbXML name (events carry it as `name`; name + "QueryRq" reads the record back). Default: all of them.'),
    startMode: z
      .enum(START_MODES)
      .default('now')
      .describe(
        'A type\'s first run: "snapshot" reports every record as a Create; "now" only learns the ids and reports changes from then on. Types already started keep their watermark.',
      ),
    intervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(15)
      .describe('How often the queries are queued. They run when the Web Connector next connects: no run is queued while the last one waits.'),
  })
  .strict();

export const changeDetectionSchema = changeDetectionUpdateSchema.extend({
  instanceId: z.string(),
  lastRunAt: isoDateTime.nullable().describe('When the last run was queued.'),
  nextRunAt: isoDateTime.nullable().describe('When the next run is due (null while off).'),
  watermarks: z
    .array(
      z.object({
        type: typeName,
        started: z.boolean().describe('Its first run (snapshot or baseline) completed.'),
        changedSince: z.string().nullable().describe('The newest TimeModified seen, in QuickBooks\' local time: the next query starts a little before it.'),
        deletionsCheckedAt: isoDateTime.describe('Deletions up to then are known; past ~90 days (QuickBooks\' deletion log) the ids are reconciled instead.'),
        running: z.array(z.enum(QUERY_PURPOSES)).describe('Queries of the type waiting for QuickBooks.'),
      }),
    )
    .describe('Progress per type watched so far.'),
});

export const changeDetectionRunSchema = z.object({
  queued: z
    .array(z.object({ requestId: z.string(), types: z.array(typeName), purpose: z.enum(QUERY_PURPOSES) }))
    .describe('The queries queued now (a type whose last query still waits gets none); follow them in listRequests.'),
});

export type ChangeDetectionUpdate = z.infer<typeof changeDetectionUpdateSchema>;
export type ChangeDetectionResource = z.infer<typeof changeDetectionSchema>;
export type ChangeDetectionRun = z.infer<typeof changeDetectionRunSchema>;
export type QueryPurpose = (typeof QUERY_PURPOSES)[number];
