/**
 * The cloud link end to end: a real companion, a simulated Web Connector session, and a
 * fake QBD Connect service (fake-cloud.ts) that checks what it gets against seed 003's models.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/logger';
import type { CompanionOptions } from '../../main/companion';
import { EchoQuickBooks, type Harness, QUERY, startHarness } from '../helpers';
import { FakeCloud } from './fake-cloud';

/** Timers a test can wait for: the schedule in ms, metrics pushed every 300 ms. */
const TUNING = { retrySchedule: [50, 100], metricsEveryMs: 300, timeoutMs: 3000, offlineRetryMs: 100 };
const CONTACT = { firstName: 'Dana', lastName: 'Books', email: 'dana@example.com' };

const harnesses: Harness[] = [];
const clouds: FakeCloud[] = [];

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop().catch(() => {});
  for (const c of clouds.splice(0)) await c.down();
});

async function cloudUp(overrides?: ConstructorParameters<typeof FakeCloud>[0]): Promise<FakeCloud> {
  const cloud = await new FakeCloud(overrides).up();
  clouds.push(cloud);
  return cloud;
}

async function start(options: Partial<CompanionOptions> = {}): Promise<Harness> {
  const h = await startHarness({ ...options, cloud: { ...TUNING, ...options.cloud } });
  harnesses.push(h);
  return h;
}

/** Stops a companion as a restart would, leaving its data folder. */
async function stop(h: Harness): Promise<void> {
  await h.stop();
  harnesses.splice(harnesses.indexOf(h), 1);
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

async function until(check: () => boolean, what = 'a condition', ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const linkSettings = (cloud: FakeCloud, extra: Record<string, unknown> = {}) => ({
  enabled: true,
  baseUrl: cloud.url,
  apiKey: cloud.apiKey,
  customerId: 'cus_TEST123',
  contact: CONTACT,
  pollSeconds: 1,
  ...extra,
});

async function link(h: Harness, cloud: FakeCloud, extra: Record<string, unknown> = {}) {
  const res = await client(h)('PUT', '/cloud-link', linkSettings(cloud, extra));
  expect(res.status).toBe(200);
  return res.json;
}

const statusOf = async (h: Harness) => (await client(h)('GET', '/cloud-link')).json;

describe('the cloud link', () => {
  it('registers the instance, runs a request queued in the cloud through QuickBooks and pushes back its result, sessions, requests, event log and metrics', async () => {
    const cloud = await cloudUp();
    const h = await start();
    const id = h.instance.instanceId;
    const linked = await link(h, cloud);
    expect(linked).toMatchObject({ enabled: true, apiKey: '********', version: 'v1', customerId: 'cus_TEST123' });

    await until(() => cloud.instances.has(id), 'the instance to be registered');
    expect(cloud.instances.get(id)).toMatchObject({
      instanceId: id,
      name: 'Test Company',
      customerId: 'cus_TEST123',
      contact: CONTACT,
      fileId: h.instance.fileId,
      ownerId: h.instance.ownerId,
      appUrl: h.instance.appUrl,
      frequencyInMinutes: 60,
    });
    expect(cloud.instances.get(id)?.dateCreated).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // A change of the instance is registered too.
    await client(h)('PATCH', `/instances/${id}`, { name: 'Rock Castle' });
    await until(() => cloud.instances.get(id)?.name === 'Rock Castle', 'the renamed instance');

    // A cloud app queues a request; "sync now" pulls it into the queue at once.
    const cloudRequestId = cloud.queue(id, { qbxml: QUERY });
    const synced = await client(h)('POST', '/cloud-link/sync');
    expect(synced.status).toBe(200);
    expect(synced.json.state).toBe('ok');
    const local = h.companion.store.requests.byIdempotencyKey(id, cloudRequestId);
    expect(local).toMatchObject({ status: 'queued', source: 'cloud' });
    // Pulled again, it is not queued twice.
    await client(h)('POST', '/cloud-link/sync');
    expect(h.companion.store.requests.page(id, {}, 10, null).requests.filter((r) => r.idempotencyKey === cloudRequestId)).toHaveLength(1);
    await until(() => cloud.requests.get(cloudRequestId)?.companionRequestId === local?.id, 'the request to be reported queued');

    // A local app's request goes up under its own id.
    const localId = h.enqueue(QUERY.replace('1', '2'));

    const quickbooks = new EchoQuickBooks();
    expect((await h.run(quickbooks)).outcome).toBe('completed');
    expect(quickbooks.received.join('')).toContain('<CustomerQueryRq requestID=');

    await until(() => cloud.requests.get(cloudRequestId)?.status === 'done', 'the result to be pushed back');
    const result = cloud.requests.get(cloudRequestId) as Record<string, any>;
    expect(result).toMatchObject({ requestId: cloudRequestId, instanceId: id, companionRequestId: local?.id, statusCode: 0, results: [{ type: 'CustomerQueryRs', statusCode: 0 }] });
    expect(result.response).toContain('<CustomerQueryRs');
    expect(result.sessionId).toBeTruthy();
    await until(() => cloud.requests.get(localId)?.status === 'done', 'the local request');

    const session = h.companion.store.sessions.latestFor(id);
    await until(() => cloud.sessions.get(session!.id)?.status === 'closed', 'the session');
    expect(cloud.sessions.get(session!.id)).toMatchObject({ sessionId: session!.id, instanceId: id, user: 'tester', requestsDone: 2 });

    await until(() => [...cloud.eventLogs.values()].some((e) => e.action === 'session.closeConnection'), 'the session\'s events');
    const actions = [...cloud.eventLogs.values()].filter((e) => e.clientId === id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['cloud.request.pulled', 'request.queued']));
    // The link's own start (of no instance) is not an instance's to report.
    expect([...cloud.eventLogs.values()].every((e) => typeof e.clientId === 'string')).toBe(true);

    await until(() => [...cloud.metric(id, 'sessions').values()].some((v) => v >= 1), 'the sessions metric');
    await until(() => [...cloud.metric(id, 'requests_completed').values()].some((v) => v >= 2), 'the requests_completed metric');

    expect(cloud.invalid).toEqual([]);
    const status = await statusOf(h);
    expect(status).toMatchObject({ state: 'ok', lastError: null });
    expect(status.lastPushAt).not.toBeNull();
    expect(status.lastPullAt).not.toBeNull();
  });

  it('looks for requests queued in the cloud right after a session ends, not only every pollSeconds', async () => {
    const cloud = await cloudUp();
    const h = await start();
    const id = h.instance.instanceId;
    await link(h, cloud, { pollSeconds: 3600 });
    await until(() => h.companion.services.cloud.status().lastPullAt !== null, 'the first pull');
    const cloudRequestId = cloud.queue(id, { qbxml: QUERY });
    h.enqueue(QUERY);
    await h.run(new EchoQuickBooks());
    await until(() => h.companion.store.requests.byIdempotencyKey(id, cloudRequestId) !== undefined, 'the pull after the session', 3000);
  });

  it('refuses a queued request it can\'t run, telling the cloud why in plain words', async () => {
    const cloud = await cloudUp();
    const h = await start();
    const id = h.instance.instanceId;
    await link(h, cloud);
    const bad = cloud.queue(id, { qbxml: '<NotARealRq>' });
    const empty = cloud.queue(id, {});
    await client(h)('POST', '/cloud-link/sync');
    await until(() => cloud.requests.get(bad)?.status === 'error' && cloud.requests.get(empty)?.status === 'error', 'the refusals');
    expect((cloud.requests.get(empty) as any).error.userFacingMessage).toBe("The companion can't queue this request: it has neither qbxml nor json to send to QuickBooks");
    expect((cloud.requests.get(bad) as any).error.userFacingMessage).toMatch(/^The companion can't queue this request: /);
    expect(h.companion.store.requests.byIdempotencyKey(id, bad)).toBeUndefined();
    const events = (await client(h)('GET', `/instances/${id}/events?action=cloud.request.refused`)).json.data;
    expect(events.map((e: any) => e.detail)).toEqual(expect.arrayContaining([expect.stringContaining(bad), expect.stringContaining(empty)]));
  });

  it('says when an instance lacks the contact the cloud requires, and registers it once it has one', async () => {
    const cloud = await cloudUp();
    const h = await start();
    const id = h.instance.instanceId;
    await link(h, cloud, { contact: { email: 'office@example.com' } });
    await until(() => h.companion.services.cloud.status().lastError !== null, 'the problem');
    const problem = 'The cloud service needs a contact with a first name, last name and email for "Test Company": set the connection\'s contact, or the cloud link\'s.';
    expect(h.companion.services.cloud.status()).toMatchObject({ state: 'ok', message: `In step with the cloud service, but: ${problem}`, lastError: { message: problem } });
    expect((await client(h)('GET', `/instances/${id}/events?action=cloud.instance.refused`)).json.data).toMatchObject([{ detail: problem }]);
    expect(cloud.instances.size).toBe(0);
    // The connection's own names, the link's email: enough.
    await client(h)('PATCH', `/instances/${id}`, { contact: { firstName: 'Sam', lastName: 'Ledger' } });
    await until(() => cloud.instances.has(id), 'the registration');
    expect(cloud.instances.get(id)?.contact).toEqual({ firstName: 'Sam', lastName: 'Ledger', email: 'office@example.com' });
    await until(() => h.companion.services.cloud.status().message === 'In step with the cloud service.', 'the problem to be gone');
    expect(cloud.invalid).toEqual([]);
  });

  it('uses the paths it is given in place of the defaults', async () => {
    const paths = { pushEventLogs: '/event-logs', pullRequests: '/instances/{instanceId}/queued-requests' };
    const cloud = await cloudUp(paths);
    const h = await start();
    await link(h, cloud, { paths });
    h.enqueue(QUERY);
    await until(() => cloud.callsTo('pushEventLogs') > 0 && cloud.callsTo('pullRequests') > 0, 'calls to the overridden paths');
    expect(cloud.calls.map((c) => c.line)).toEqual(expect.arrayContaining([expect.stringMatching(/^POST \/qbdconnect-api\/v1\/event-logs → 204$/)]));
    expect(cloud.calls.some((c) => c.path.endsWith('/eventlogs'))).toBe(false);
  });
});

describe('when the cloud is down', () => {
  it('keeps everything, resumes from its cursors after a restart, and sends it all once the cloud is back — events once each', async () => {
    const cloud = await cloudUp();
    let h = await start();
    const id = h.instance.instanceId;
    await link(h, cloud);
    h.enqueue(QUERY);
    await h.run(new EchoQuickBooks());
    const first = h.companion.store.sessions.latestFor(id)!;
    await until(() => cloud.sessions.get(first.id)?.status === 'closed', 'the first session');
    await until(() => h.companion.services.cloud.status().backlog.eventLogs === 0, 'the first events');
    const eventsBefore = cloud.received.eventLogs.length;

    await cloud.down();
    h.enqueue(QUERY.replace('1', '3'));
    await h.run(new EchoQuickBooks());
    await until(() => h.companion.services.cloud.status().state === 'retrying', 'the link to retry');
    const retrying = h.companion.services.cloud.status();
    expect(retrying.message).toMatch(/^Could not reach the cloud service at http:\/\/127\.0\.0\.1:\d+\/qbdconnect-api for .+ \(ECONNREFUSED\)\. Trying again at .+; nothing is lost meanwhile\.$/);
    expect(retrying.backlog.sessions + retrying.backlog.requests + retrying.backlog.eventLogs).toBeGreaterThan(0);
    expect((await client(h)('GET', '/events?action=cloud.failed')).json.data).toHaveLength(1);

    // Restarted while the cloud is still down: the journal and cursors are in SQLite.
    await stop(h);
    h = await start({ dataDir: h.dataDir });
    h.enqueue(QUERY.replace('1', '4'));
    await h.run(new EchoQuickBooks());
    await new Promise((r) => setTimeout(r, 200));
    await cloud.up();

    await until(() => {
      const s = h.companion.services.cloud.status();
      return s.state === 'ok' && s.backlog.sessions + s.backlog.requests + s.backlog.eventLogs + s.backlog.instances === 0;
    }, 'the backlog to drain');
    const sessions = h.companion.store.sessions.page(id, 100, null).sessions;
    expect(sessions).toHaveLength(3);
    for (const s of sessions) expect(cloud.sessions.get(s.id)).toMatchObject({ status: s.status, endedAt: new Date(s.endedAt!).toISOString() });
    const requests = h.companion.store.requests.page(id, {}, 100, null).requests;
    expect(requests).toHaveLength(3);
    for (const r of requests) expect(cloud.requests.get(r.id)).toMatchObject({ status: 'done' });
    // Every event of the instance since the link was turned on, each sent once: none lost, none repeated.
    const local = [...h.companion.store.events.all({ clientId: id })].filter((e) => e.action !== 'instance.created');
    expect(new Set(cloud.received.eventLogs)).toEqual(new Set(local.map((e) => `${id}:${e.logId}`)));
    expect(cloud.received.eventLogs).toHaveLength(local.length);
    expect(cloud.received.eventLogs.length).toBeGreaterThan(eventsBefore);
    // Only ids the companion has: repeats (at least once) carry the same ids.
    expect(cloud.received.sessions.every((s) => sessions.some((l) => l.id === s))).toBe(true);
    expect(cloud.invalid).toEqual([]);
    expect((await client(h)('GET', '/events?action=cloud.recovered')).json.data.length).toBeGreaterThanOrEqual(1);
  });

  it('waits as long as a 429 or 503 Retry-After asks, then sends', async () => {
    const cloud = await cloudUp();
    const h = await start();
    const id = h.instance.instanceId;
    cloud.answer = { status: 429, headers: { 'retry-after': '1' } };
    await link(h, cloud);
    await until(() => cloud.calls.length > 0, 'a first call');
    const firstAt = cloud.calls[0]!.at;
    await until(() => h.companion.services.cloud.status().state === 'retrying', 'the retry');
    expect(h.companion.services.cloud.status().message).toMatch(/^The cloud service answered HTTP 429 to .+\. Trying again at .+; nothing is lost meanwhile\.$/);
    cloud.answer = { status: 503, headers: { 'retry-after': '1' } };
    await until(() => cloud.instances.has(id) || cloud.calls.filter((c) => c.line.endsWith('503')).length > 0, 'the second answer');
    cloud.answer = null;
    await until(() => cloud.instances.has(id), 'the registration');
    const registerCalls = cloud.calls.filter((c) => c.path.endsWith(`/instances/${id}`) || c.path.endsWith('/instances'));
    // The schedule alone would have tried again after 50 ms; Retry-After made it wait about a second each time.
    for (let i = 1; i < registerCalls.length - 1; i++) expect(registerCalls[i]!.at - registerCalls[i - 1]!.at).toBeGreaterThanOrEqual(750);
    expect(registerCalls[0]!.at).toBe(firstAt);
  });

  it('waits for the network without using up its schedule while this computer is offline', async () => {
    const cloud = await cloudUp();
    let offline = true;
    const attempts: number[] = [];
    const fakeFetch: typeof fetch = (input, init) => {
      attempts.push(Date.now());
      if (offline) return Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' } }));
      return fetch(input, init);
    };
    // A schedule of a minute: only the offline rule (every 100 ms) can make the attempts below.
    const h = await start({ cloud: { retrySchedule: [60_000], fetch: fakeFetch } });
    await link(h, cloud);
    await until(() => attempts.length >= 5, 'attempts while offline');
    expect(h.companion.services.cloud.status()).toMatchObject({ state: 'offline', message: 'This computer seems to be offline; the cloud link sends what waited when the network is back.' });
    offline = false;
    await until(() => cloud.instances.has(h.instance.instanceId), 'the registration once online', 3000);
    await until(() => h.companion.services.cloud.status().state === 'ok', 'the link to be in step', 3000);
  });
});

describe('a refused API key', () => {
  it('stops the link with a plain message until the key is changed; the key never shows in answers, logs or the database', async () => {
    const cloud = await cloudUp();
    const lines: string[] = [];
    const h = await start({ logger: createLogger((line) => lines.push(line), 'debug') });
    const api = client(h);
    const wrongKey = 'qbdc-wrong-key-93f1aa';
    await link(h, cloud, { apiKey: wrongKey });
    await until(() => h.companion.services.cloud.status().state === 'refused', 'the refusal');
    const refused = await statusOf(h);
    expect(refused.message).toBe('The cloud service refused the API key (HTTP 401). Set a valid API key for the cloud link; nothing is sent until then.');
    const logged = (await api('GET', '/events?action=cloud.refused')).json.data;
    expect(logged).toMatchObject([{ result: 'refused', detail: refused.message }]);
    // Stopped: no more calls, however long it waits.
    const calls = cloud.calls.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(cloud.calls.length).toBe(calls);

    // The masked key written back keeps the stored (wrong) one; a new key is tried at once.
    expect((await api('PUT', '/cloud-link', { ...linkSettings(cloud), apiKey: '********' })).json.apiKey).toBe('********');
    await until(() => cloud.calls.length > calls, 'another try');
    await until(() => h.companion.services.cloud.status().state === 'refused', 'the refusal again');
    const settings = { ...linkSettings(cloud) } as Record<string, unknown>;
    delete settings.apiKey;
    expect((await api('PUT', '/cloud-link', settings)).status).toBe(200);
    await until(() => h.companion.services.cloud.status().state === 'refused', 'the refusal, key kept');
    // The stored key is never sent to a new address unless given again.
    const elsewhere = await api('PUT', '/cloud-link', { ...linkSettings(cloud), baseUrl: 'https://elsewhere.example/qbdconnect-api', apiKey: '********' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json.error.field).toBe('apiKey');
    await api('PUT', '/cloud-link', linkSettings(cloud));
    await until(() => cloud.instances.has(h.instance.instanceId), 'the registration with the right key');
    expect((await statusOf(h)).state).toBe('ok');

    const everything = [
      ...lines,
      (await api('GET', '/cloud-link')).text,
      (await api('GET', '/events?limit=500')).text,
      (await api('GET', '/openapi.json')).text,
    ].join('\n');
    for (const key of [wrongKey, cloud.apiKey]) expect(everything).not.toContain(key);
    // Sealed at rest: not in the database file or its write-ahead log.
    for (const file of fs.readdirSync(h.dataDir).filter((f) => f.startsWith('companion.db'))) {
      const bytes = fs.readFileSync(path.join(h.dataDir, file)).toString('latin1');
      for (const key of [wrongKey, cloud.apiKey]) expect(bytes).not.toContain(key);
    }
  });
});

describe('the settings', () => {
  it('take https (or http on this computer), need a key and a customer to be on, and say what is wrong in plain words', async () => {
    const h = await start();
    const api = client(h);
    expect(await statusOf(h)).toMatchObject({ enabled: false, state: 'off', apiKey: null, backlog: { instances: 0, sessions: 0, requests: 0, eventLogs: 0 } });
    const http = await api('PUT', '/cloud-link', { enabled: true, baseUrl: 'http://cloud.example.com/qbdconnect-api', apiKey: 'k', customerId: 'c' });
    expect([http.status, http.json.error.field, http.json.error.message]).toEqual([400, 'baseUrl', 'baseUrl must be an https:// URL (http:// only on this computer: localhost, 127.x.x.x or [::1])']);
    const noKey = await api('PUT', '/cloud-link', { enabled: true, baseUrl: 'https://cloud.example.com/qbdconnect-api', customerId: 'c' });
    expect([noKey.status, noKey.json.error.field, noKey.json.error.message]).toEqual([400, 'apiKey', 'The cloud link needs an API key to be turned on.']);
    const version = await api('PUT', '/cloud-link', { version: '1' });
    expect([version.status, version.json.error.field]).toEqual([400, 'version']);
    const unknownPath = await api('PUT', '/cloud-link', { paths: { pushEverything: '/x' } });
    expect(unknownPath.status).toBe(400);
    const sync = await api('POST', '/cloud-link/sync');
    expect([sync.status, sync.json.error.code]).toEqual([409, 'cloud_link_off']);
    const off = await api('PUT', '/cloud-link', { baseUrl: 'https://cloud.example.com/qbdconnect-api', apiKey: 'a-key', customerId: 'cus_1' });
    expect(off.json).toMatchObject({ enabled: false, apiKey: '********', pollSeconds: 30, version: 'v1', state: 'off' });
    const openapi = (await api('GET', '/openapi.json')).json;
    expect(openapi.paths).toHaveProperty(['/cloud-link']);
    expect(openapi.paths).toHaveProperty(['/cloud-link/sync']);
  });
});
