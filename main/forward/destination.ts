/**
 * Webhook destinations. An instance has the one its configuration defines (seed 000's keys
 * plus the verifier token, the entity filter and the payload format), with the fixed id
 * "configuration", and any added through the API (the destinations table):
 *
 *   event.notification.enabled         "true" to send
 *   event.notification.callback.url    https://…, or http:// on this computer (localhost, 127.x.x.x, [::1])
 *   event.notification.verifier.token  the signing key (intuit-signature and webhook-signature)
 *   event.notification.format          "legacy" (QBO's eventNotifications, the default), "cloudevents", or
 *                                      "full" (CloudEvents whose data is the whole record, for apps that can't query back)
 *   event.objects                      comma-separated entity names to send; absent or empty: all
 */
import { SECRET_KEY } from '../security/secrets';
import { isLoopbackHost } from '../loopback';
import type { StoredDestination } from '../store/destinations';
import type { Instance } from '../store/types';

export const CONFIG_KEYS = {
  enabled: 'event.notification.enabled',
  url: 'event.notification.callback.url',
  token: 'event.notification.verifier.token',
  format: 'event.notification.format',
  objects: 'event.objects',
} as const;

export const PAYLOAD_FORMATS = ['legacy', 'cloudevents', 'full'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** The id of the destination an instance's configuration defines. */
export const CONFIGURATION_ID = 'configuration';

/** A destination as defined, on or off: stored, or read from the configuration (`configurationDestination`). */
export type DestinationDefinition = StoredDestination;

/** Where events go now: a definition that is on and complete. */
export interface Destination {
  instanceId: string;
  id: string;
  name: string;
  url: string;
  verifierToken: string;
  format: PayloadFormat;
  /** Entity names (lower case) to send; null sends every entity. */
  objects: ReadonlySet<string> | null;
}

type Configuration = Readonly<Record<string, string>>;

/** The configuration's destination, once its callback URL is set; null before. */
export function configurationDestination(instance: Instance): DestinationDefinition | null {
  const config = instance.configuration;
  const url = config[CONFIG_KEYS.url];
  if (!url) return null;
  return {
    id: CONFIGURATION_ID,
    instanceId: instance.id,
    name: 'Connection configuration',
    url,
    verifierToken: config[CONFIG_KEYS.token] ?? '',
    format: PAYLOAD_FORMATS.find((f) => f === config[CONFIG_KEYS.format]) ?? 'legacy',
    objects: (config[CONFIG_KEYS.objects] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
    enabled: config[CONFIG_KEYS.enabled] === 'true',
    createdAt: instance.createdAt,
    updatedAt: instance.updatedAt,
  };
}

/** Why a destination that is on sends nothing (what to set, in plain words); null when it is complete. */
export function incompleteBecause(d: DestinationDefinition): string | null {
  const fromConfiguration = d.id === CONFIGURATION_ID;
  const why = urlProblem(d.url);
  if (why) return fromConfiguration ? `The connection's configuration "${CONFIG_KEYS.url}" ${why}.` : `The URL ${why}.`;
  if (d.verifierToken === '') {
    // A stored token reads as unset only when this data folder's key can't open it.
    return fromConfiguration
      ? `No verifier token: set "${CONFIG_KEYS.token}" in the connection's configuration.`
      : 'The verifier token can\'t be read with this data folder\'s key: set it again.';
  }
  return null;
}

/** Where to send: null when the destination is off or incomplete (nothing is queued for it). */
export function targetOf(d: DestinationDefinition): Destination | null {
  if (!d.enabled || incompleteBecause(d) !== null) return null;
  const names = d.objects.map((n) => n.toLowerCase());
  return {
    instanceId: d.instanceId,
    id: d.id,
    name: d.name,
    url: d.url,
    verifierToken: d.verifierToken,
    format: d.format,
    objects: names.length > 0 ? new Set(names) : null,
  };
}

/** What is wrong with a configuration's destination keys, each with the key at fault. */
export function destinationProblems(config: Configuration): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  const url = config[CONFIG_KEYS.url];
  if (url !== undefined && url !== '') {
    const why = urlProblem(url);
    if (why) problems.push({ key: CONFIG_KEYS.url, message: why });
  }
  const format = config[CONFIG_KEYS.format];
  if (format !== undefined && !(PAYLOAD_FORMATS as readonly string[]).includes(format)) {
    problems.push({ key: CONFIG_KEYS.format, message: `must be ${PAYLOAD_FORMATS.map((f) => `"${f}"`).join(' or ')}` });
  }
  const enabled = config[CONFIG_KEYS.enabled];
  if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') {
    problems.push({ key: CONFIG_KEYS.enabled, message: 'must be "true" or "false"' });
  }
  return problems;
}

/** What is wrong with a destination URL ("must be …"); null when it will do. */
export function urlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be an absolute URL, e.g. https://example.com/webhooks/qbd';
  }
  if (u.username || u.password) return 'must not carry a user name or password';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return null;
  return 'must be an https:// URL (http:// only on this computer: localhost, 127.x.x.x or [::1])';
}

/** Whether a URL names this machine: an answer from it says nothing of the network. */
export function onThisComputer(raw: string): boolean {
  try {
    return isLoopbackHost(new URL(raw).hostname);
  } catch {
    return false;
  }
}

/** How logs and messages name a destination: its name and id, never its token. */
export function destinationLabel(d: { id: string; name: string }): string {
  return `destination "${d.name}" (${d.id})`;
}

/** The URL without its query and fragment (which may carry a key): what logs name. */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export const SECRET_MASK = '********';

export function maskSecrets(config: Configuration): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== '' ? SECRET_MASK : v]));
}

/** A configuration written back as read (with masked secrets) keeps the secrets it had. */
export function keepMaskedSecrets(next: Configuration, current: Configuration): Record<string, string> {
  return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, v === SECRET_MASK && SECRET_KEY.test(k) && current[k] !== undefined ? (current[k] as string) : v]));
}
