/** Companion-wide settings, stored in SQLite and editable through the API. */
import { z } from 'zod';
import type { SettingsStore } from './store/settings';

export const settingsSchema = z
  .object({
    minimumClientVersion: z
      .string()
      .regex(/^\d+(\.\d+){0,3}$/, 'must look like 2.1.0.30')
      .nullable()
      .describe('Oldest QuickBooks Web Connector version accepted (null accepts all).'),
    belowMinimumAnswer: z
      .enum(['O', 'W', 'E'])
      .describe('clientVersion answer below the minimum: O (tell the version needed), W (warn), E (refuse).'),
    sessionIdleTimeoutSeconds: z
      .number()
      .int()
      .min(60)
      .max(86_400)
      .describe('A session with no call for this long is over; its in-flight request is recovered.'),
    interactiveWrongCompany: z
      .boolean()
      .describe('When the wrong company file is open, offer the Web Connector interactive page to accept it.'),
    paused: z
      .boolean()
      .describe('Syncing paused: the Web Connector is told there is no work (nothing queued is lost) until resumed.'),
  })
  .strict();

export type CompanionSettings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: CompanionSettings = {
  minimumClientVersion: null,
  belowMinimumAnswer: 'O',
  // QuickBooks can take minutes between sendRequestXML and receiveResponseXML on a big query.
  sessionIdleTimeoutSeconds: 900,
  interactiveWrongCompany: false,
  paused: false,
};

const KEY = 'companion';

export class Settings {
  private cached: CompanionSettings | undefined;

  constructor(
    private readonly store: SettingsStore,
    private readonly changed: (settings: CompanionSettings) => void = () => {},
  ) {}

  get(): CompanionSettings {
    this.cached ??= { ...DEFAULT_SETTINGS, ...(this.store.get<Partial<CompanionSettings>>(KEY) ?? {}) };
    return this.cached;
  }

  update(patch: Partial<CompanionSettings>): CompanionSettings {
    const next = settingsSchema.parse({ ...this.get(), ...patch });
    this.store.set(KEY, next);
    this.cached = next;
    this.changed(next);
    return next;
  }
}
