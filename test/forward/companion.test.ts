import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers';
import { startHarness } from '../helpers';
import { Receiver, verify } from './receiver';

const TOKEN = 'rest-verifier-token';
const FORWARD = { schedule: [50, 100] };

let receiver: Receiver;
const harnesses: Harness[] = [];

beforeEach(async () => {
  receiver = await new Receiver().up();
});
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop().catch(() => {});
  await receiver.down();
});

async function start(dataDir?: string): Promise<Harness> {
  const h = await startHarness({ dataDir, forward: FORWARD });
  harnesses.push(h);
  return h;
}

function client(h: Harness) {
  return async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${h.companion.url}/api/v1${route}`, {
      method,
      headers: { Authorization: `Bearer ${h.companion.apiToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined, text };
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const destination = () => ({
  'event.notification.enabled': 'true',
  'event.notification.callback.url': receiver.url,
  'event.notification.verifier.token': TOKEN,
});

describe('the REST API', () => {
  it('takes the destination by PATCH, refuses plain http off loopback, masks the token, and sends a test event', async () => {
    const h = await start();
    const api = client(h);
    const id = h.instance.instanceId;

    const refused = await api('PATCH', `/instances/${id}`, { configuration: { ...destination(), 'event.notification.callback.url': 'http://example.com/hooks' } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.field).toBe('configuration["event.notification.callback.url"]');
    const format = await api('PATCH', `/instances/${id}`, { configuration: { ...destination(), 'event.notification.format': 'xml' } });
    expect(format.json.error.field).toBe('configuration["event.notification.format"]');
    // Without a token there is no destination (seed 000's keys alone are accepted, and send nothing).
    expect((await api('PATCH', `/instances/${id}`, { configuration: { ...destination(), 'event.notification.verifier.token': '' } })).status).toBe(200);
    const none = await api('POST', `/instances/${id}/destinations/configuration/test`);
    expect([none.status, none.json.error.code]).toEqual([409, 'destination_off']);
    expect(none.json.error.message).toContain('event.notification.verifier.token');

    const patched = await api('PATCH', `/instances/${id}`, { configuration: destination() });
    expect(patched.status).toBe(200);
    expect(patched.json.configuration['event.notification.verifier.token']).toBe('********');
    // Written back as read, the masked token keeps the stored one (the test event below is signed with it).
    expect((await api('PATCH', `/instances/${id}`, { configuration: patched.json.configuration })).status).toBe(200);
    expect((await api('GET', '/instances')).text).not.toContain(TOKEN);

    const test = await api('POST', `/instances/${id}/destinations/configuration/test`);
    expect(test.status).toBe(202);
    expect(test.json).toMatchObject({ status: 'pending', eventType: 'CompanionTest.Create' });
    await until(() => receiver.received.length === 1);
    const body = verify(receiver.received[0]!, TOKEN) as any;
    expect(body.eventNotifications[0].dataChangeEvent.entities[0]).toMatchObject({ name: 'CompanionTest', operation: 'Create' });
    await until(() => h.companion.store.deliveries.get(test.json.eventId)?.status === 'delivered');
    const delivered = await api('GET', `/instances/${id}/deliveries?status=delivered`);
    expect(delivered.json.data).toMatchObject([{ eventId: test.json.eventId, status: 'delivered', attempts: 1, lastStatusCode: 200 }]);
    expect((await api('GET', `/instances/${id}/deliveries?status=dead`)).json.data).toEqual([]);
    expect((await api('GET', `/instances/${id}/events?action=delivery.*`)).text).not.toContain(TOKEN);

    const openapi = (await api('GET', '/openapi.json')).json;
    for (const path of [
      '/instances/{instanceId}/deliveries',
      '/deliveries/{eventId}/replay',
      '/instances/{instanceId}/deliveries/replay',
      '/instances/{instanceId}/destinations',
      '/instances/{instanceId}/destinations/{destinationId}',
      '/instances/{instanceId}/destinations/{destinationId}/test',
    ]) {
      expect(openapi.paths).toHaveProperty([path]);
    }
  });
});

describe('destinations over REST', () => {
  it('are created, listed with the configuration\'s, tested, changed and deleted', async () => {
    const h = await start();
    const api = client(h);
    const base = `/instances/${h.instance.instanceId}/destinations`;
    const refused = await api('POST', base, { name: 'App', url: 'http://example.com/hooks', verifierToken: TOKEN });
    expect([refused.status, refused.json.error.field]).toEqual([400, 'url']);

    const created = await api('POST', base, { name: 'App', url: receiver.url, verifierToken: TOKEN, format: 'cloudevents', objects: ['Invoice'] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'App', verifierToken: '********', enabled: true, disabledReason: null, lastDelivery: null, counts: { pending: 0, dead: 0, delivered24h: 0 } });
    const id = created.json.destinationId as string;
    await api('PATCH', `/instances/${h.instance.instanceId}`, { configuration: destination() });
    expect((await api('GET', base)).json.data.map((d: { destinationId: string }) => d.destinationId)).toEqual(['configuration', id]);

    const test = await api('POST', `${base}/${id}/test`);
    expect(test.json).toMatchObject({ destinationId: id, eventType: 'CompanionTest.Create' });
    await until(() => h.companion.store.deliveries.get(test.json.eventId)?.status === 'delivered');
    expect((verify(receiver.received[0]!, TOKEN) as any)[0]).toMatchObject({ id: test.json.eventId, type: 'qbd.companiontest.created.v1' });
    expect((await api('GET', `${base}/${id}`)).json).toMatchObject({ lastDelivery: { eventId: test.json.eventId, result: 'delivered', statusCode: 200 }, counts: { delivered24h: 1 } });

    const off = await api('PATCH', `${base}/${id}`, { enabled: false });
    expect(off.json).toMatchObject({ enabled: false, disabledReason: 'Turned off.' });
    expect((await api('POST', `${base}/${id}/test`)).status).toBe(409);
    expect((await api('DELETE', `${base}/${id}`)).status).toBe(204);
    expect((await api('GET', `${base}/${id}`)).status).toBe(404);
    expect((await api('GET', base)).text).not.toContain(TOKEN);
  });
});

describe('a restart', () => {
  it('sends what was pending when the companion stopped, once, with the same event id', async () => {
    let h = await start();
    const id = h.instance.instanceId;
    await client(h)('PATCH', `/instances/${id}`, { configuration: destination() });
    await receiver.down();
    const [d] = h.companion.outbox.enqueue(id, [{ name: 'Customer', id: '80000001-1', operation: 'Create', lastUpdated: new Date().toISOString() }]);
    await until(() => (h.companion.store.deliveries.get(d!.eventId)?.attempts ?? 0) > 0);
    await h.stop();
    harnesses.length = 0;

    await receiver.up();
    h = await start(h.dataDir);
    await until(() => h.companion.store.deliveries.get(d!.eventId)?.status === 'delivered');
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([d!.eventId]);
    verify(receiver.received[0]!, TOKEN);
  });
});
