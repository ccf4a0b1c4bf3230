/**
 * What the cloud link sends: the companion's own resources (what its REST API returns, so
 * secrets are masked the same way) shaped as seed 003's models (main/cloud/models.ts).
 */
import type { InstanceResource } from '../services/instances';
import type { RequestService } from '../services/requests';
import type { Contact, QueuedRequest } from '../store/types';
import type { CloudLinkSettings } from './contract';
import { type CloudInstance, cloudInstanceSchema } from './models';

/** `source` of the requests pulled from the cloud; their idempotency key is the cloud's request id. */
export const CLOUD_SOURCE = 'cloud';

/** Without its null members: seed 003's optional fields are strings, left out when unknown. */
export function present<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as { [K in keyof T]?: Exclude<T[K], null> };
}

/** The contact the cloud is told: the connection's own, its gaps filled from the link's. */
function contactOf(own: Contact | null, fallback: Contact | null): Contact {
  const filled = (field: keyof Contact) => (own?.[field] ? own[field] : fallback?.[field]);
  return present({ firstName: filled('firstName') ?? null, lastName: filled('lastName') ?? null, email: filled('email') ?? null, phone: filled('phone') ?? null });
}

/** The Instance model for an instance, or why the cloud can't take it (in plain words). */
export function instancePayload(instance: InstanceResource, settings: CloudLinkSettings): { payload: CloudInstance } | { problem: string } {
  const payload = present({
    ...instance,
    customerId: settings.customerId,
    contact: contactOf(instance.contact, settings.contact),
    // Seed 003's dateCreated is a date only.
    dateCreated: instance.dateCreated.slice(0, 10),
  });
  const checked = cloudInstanceSchema.safeParse(payload);
  if (checked.success) return { payload: checked.data };
  const contact = checked.error.issues.some((i) => i.path[0] === 'contact');
  return {
    problem: contact
      ? `The cloud service needs a contact with a first name, last name and email for "${instance.name}": set the connection's contact, or the cloud link's.`
      : `"${instance.name}" can't be registered with the cloud service: ${checked.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`,
  };
}

/**
 * The Request model for a request: what the REST API's summary says of it; for one pulled
 * from the cloud, under the cloud's own request id and with its qbXML and QuickBooks'
 * response (inline up to the API's limit) — its results, pushed back.
 */
export function requestPayload(r: QueuedRequest, requests: RequestService): object {
  const cloudId = r.source === CLOUD_SOURCE ? r.idempotencyKey : null;
  // The links to the companion's own API mean nothing to the cloud.
  const { recordsUrl: _records, responseUrl: _response, ...resource } = cloudId ? requests.get(r.id) : requests.summary(r);
  return present({ ...resource, requestId: cloudId ?? r.id, companionRequestId: r.id });
}
