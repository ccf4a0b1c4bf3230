import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../main/contract/operations';
import { validateQwc } from '../../main/qwc/validate';
import { EchoQuickBooks, type Harness, startHarness } from '../helpers';

let h: Harness;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  base = `${h.companion.url}/api/v1`;
  auth = { Authorization: `Bearer ${h.companion.apiToken}` };
});
afterAll(() => h.stop());

async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(base + route, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') };
}

const newInstance = (over: Record<string, unknown> = {}) => ({ name: 'Acme', username: `u${Math.random().toString(36).slice(2)}`, password: 'long enough pw', ...over });

describe('authentication and request origin', () => {
  it('stores the token owner-readable only and requires it on every call but health', async () => {
    const mode = fs.statSync(path.join(h.dataDir, 'api-token')).mode & 0o777;
    expect(mode).toBe(0o600);
    expect((await api('GET', '/health', undefined, {})).status).toBe(200);
    const anon = await api('GET', '/instances', undefined, {});
    expect(anon.status).toBe(401);
    expect(anon.json.error).toMatchObject({ code: 'unauthorized', field: 'Authorization' });
    expect((await api('GET', '/instances', undefined, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await api('GET', '/instances')).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign browser Origin, accepts its own', async () => {
    const url = new URL(base);
    const raw = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ host: url.hostname, port: url.port, path: '/api/v1/health', headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    expect(await raw({ Host: 'evil.example' })).toBe(403);
    expect(await raw({ Host: '[::1]evil.example' })).toBe(403);
    expect(await raw({ Host: `[::1]:${url.port}` })).toBe(200);
    expect(await raw({ Host: `localhost:${url.port}` })).toBe(200);
    expect(await raw({ Host: `127.0.0.1:${url.port}`, Origin: 'https://evil.example' })).toBe(403);
    expect(await raw({ Host: `localhost:${url.port}`, Origin: `http://localhost:${url.port}` })).toBe(200);
  });
});

describe('instances', () => {
  it('creates with defaults, never returns the password, and round-trips PUT/PATCH/DELETE', async () => {
    const created = await api('POST', '/instances', newInstance({ contact: { firstName: 'Ann', email: 'ann@example.com' }, configuration: { 'event.notification.enabled': 'true' } }));
    expect(created.status).toBe(201);
    const inst = created.json;
    // The harness listens on a temporary port (0): the Web Connector is told the stable default.
    expect(inst).toMatchObject({ name: 'Acme', frequencyInMinutes: 60, qbdPath: null, appUrl: 'http://localhost:8520/qbwc' });
    expect(inst.fileId).toMatch(/^\{[0-9A-F-]{36}\}$/);
    expect(inst.ownerId).toMatch(/^\{[0-9A-F-]{36}\}$/);
    expect(JSON.stringify(inst)).not.toMatch(/password/i);

    const patched = await api('PATCH', `/instances/${inst.instanceId}`, { qbdPath: 'C:\\Books\\acme.qbw', frequencyInMinutes: 5 });
    expect(patched.json).toMatchObject({ qbdPath: 'C:\\Books\\acme.qbw', frequencyInMinutes: 5, name: 'Acme' });
    const cleared = await api('PATCH', `/instances/${inst.instanceId}`, { qbdPath: null });
    expect(cleared.json.qbdPath).toBeNull();

    const put = await api('PUT', `/instances/${inst.instanceId}`, { name: 'Acme 2', username: inst.username });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ name: 'Acme 2', frequencyInMinutes: 60, contact: null, fileId: inst.fileId });

    expect((await api('DELETE', `/instances/${inst.instanceId}`)).status).toBe(204);
    expect((await api('GET', `/instances/${inst.instanceId}`)).status).toBe(404);
  });

  it.each([
    ['a missing name', { username: 'x', password: 'long enough pw' }, 'name'],
    ['a short password', { name: 'n', username: 'x', password: 'short' }, 'password'],
    ['frequencyInMinutes below 1', { ...newInstance(), frequencyInMinutes: 0 }, 'frequencyInMinutes'],
    ['an invalid contact email', { ...newInstance(), contact: { email: 'not-an-email' } }, 'contact.email'],
    ['an unknown field', { ...newInstance(), color: 'red' }, 'color'],
    ['a non-string configuration value', { ...newInstance(), configuration: { a: 1 } }, 'configuration.a'],
  ])('refuses %s with 400 naming the field', async (_label, body, field) => {
    const r = await api('POST', '/instances', body);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'invalid_field', field });
    expect(r.json.error.message).toContain(field);
  });

  it('refuses a taken user name with 409, bad JSON with 400 and non-JSON with 415', async () => {
    const taken = await api('POST', '/instances', newInstance({ username: 'TESTER' }));
    expect(taken.status).toBe(409);
    expect(taken.json.error).toMatchObject({ code: 'username_taken', field: 'username' });
    const badJson = await api('POST', '/instances', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(badJson.json.error.code).toBe('invalid_json');
    const xml = await api('POST', '/instances', '<x/>', { ...auth, 'Content-Type': 'application/xml' });
    expect(xml.status).toBe(415);
  });

  it('refuses characters XML cannot carry in fields that end up in a QWC file or a SOAP answer', async () => {
    for (const [over, field] of [
      [{ username: 'a\u0000b' }, 'username'],
      [{ name: 'Acme\u0001' }, 'name'],
      [{ qbdPath: 'C:\\Co\u0000.qbw' }, 'qbdPath'],
      [{ alternateCompanyFiles: ['C:\\ok.qbw', 'C:\\bad\uFFFF.qbw'] }, 'alternateCompanyFiles[1]'],
      [{ name: 'Lone \uD800 surrogate' }, 'name'],
    ] as const) {
      const r = await api('POST', '/instances', newInstance(over));
      expect([r.status, r.json.error.field]).toEqual([400, field]);
      expect(r.json.error.message).toMatch(/control characters/);
    }
    expect((await api('POST', '/instances', newInstance({ name: 'Café “Zürich” 🙂' }))).status).toBe(201);
  });

  it('serves a QWC file the Web Connector accepts', async () => {
    const r = await api('GET', `/instances/${h.instance.instanceId}/qwc`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/xml/);
    const check = validateQwc(r.text);
    expect(check).toEqual({ valid: true, errors: [], warnings: [] });
    for (const el of ['AppName', 'AppID', 'AppURL', 'AppDescription', 'AppSupport', 'UserName', 'OwnerID', 'FileID', 'QBType', 'Scheduler', 'IsReadOnly', 'PersonalDataPref', 'UnattendedModePref', 'AuthFlags', 'Notify', 'AppDisplayName', 'AppUniqueName', 'Style']) {
      expect(r.text).toContain(`<${el}>`);
    }
    expect(r.text).toContain('<AppURL>http://localhost:8520/qbwc</AppURL>'); // the stable port, not the harness's temporary one
    expect(r.text).toContain(`<OwnerID>${h.instance.ownerId}</OwnerID>`);
    // The AppSupport page answers 200, as the Web Connector requires when adding the QWC.
    const support = /<AppSupport>([^<]+)<\/AppSupport>/.exec(r.text)?.[1] as string;
    expect((await fetch(new URL(new URL(support).pathname, h.companion.url))).status).toBe(200);
  });
});

describe('requests', () => {
  it('queues qbXML (202), reports it, lists it by status and pages with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api('POST', `/instances/${h.instance.instanceId}/requests`, { qbxml: `<CustomerQueryRq><MaxReturned>${i + 1}</MaxReturned></CustomerQueryRq>` });
      expect(r.status).toBe(202);
      expect(r.json).toEqual({ requestId: expect.any(String), status: 'queued', idempotencyKey: null, warnings: [] });
      ids.push(r.json.requestId);
    }
    const one = await api('GET', `/requests/${ids[0]}`);
    expect(one.json).toMatchObject({ requestId: ids[0], status: 'queued', kind: 'query', types: ['CustomerQueryRq'], qbxml: '<CustomerQueryRq><MaxReturned>1</MaxReturned></CustomerQueryRq>' });
    const page1 = await api('GET', `/instances/${h.instance.instanceId}/requests?status=queued&limit=2`);
    expect(page1.json.data.map((r: { requestId: string }) => r.requestId)).toEqual([ids[2], ids[1]]);
    const page2 = await api('GET', `/instances/${h.instance.instanceId}/requests?status=queued&limit=2&cursor=${page1.json.nextCursor}`);
    expect(page2.json.data.map((r: { requestId: string }) => r.requestId)).toContain(ids[0]);

    await h.run(new EchoQuickBooks());
    const done = await api('GET', `/requests/${ids[0]}`);
    expect(done.json).toMatchObject({ status: 'done', statusCode: 0, statusMessage: 'Status OK' });
    expect(done.json.response).toContain('<CustomerQueryRs');
    const raw = await api('GET', `/requests/${ids[0]}/response`);
    expect(raw.type).toMatch(/^application\/xml/);
    expect(raw.text).toBe(done.json.response);
  });

  it.each([
    ['malformed qbXML', { qbxml: '<CustomerQueryRq>' }, 'qbxml', 'invalid_qbxml'],
    ['a response instead of a request', { qbxml: '<CustomerQueryRs/>' }, 'qbxml', 'invalid_qbxml'],
    ['a DOCTYPE', { qbxml: '<!DOCTYPE x><CustomerQueryRq/>' }, 'qbxml', 'invalid_qbxml'],
    ['a bad onError', { qbxml: '<QBXML><QBXMLMsgsRq onError="ignore"><CustomerQueryRq/></QBXMLMsgsRq></QBXML>' }, 'qbxml', 'invalid_qbxml'],
    ['a non-integer priority', { qbxml: '<CustomerQueryRq/>', priority: 1.5 }, 'priority', 'invalid_field'],
    ['a message set of 1,001 requests', { qbxml: '<CustomerQueryRq/>'.repeat(1001) }, 'qbxml', 'invalid_qbxml'],
    // JSON requests: the field named is the JSON shape's, not a missing "qbxml".
    ['a JSON request with a bad onError', { type: 'CustomerQuery', params: {}, onError: 'bogus' }, 'onError', 'invalid_field'],
    ['JSON params that are not an object', { type: 'CustomerQuery', params: [] }, 'params', 'invalid_field'],
    ['JSON params that are null', { type: 'CustomerQuery', params: null }, 'params', 'invalid_field'],
    ['a batch of 101', Array.from({ length: 101 }, () => ({ type: 'CustomerQuery' })), 'body', 'invalid_field'],
    ['a batch with a bad element', { requests: [{ type: 'CustomerQuery' }, { type: 'ItemQuery', params: 5 }] }, 'requests[1].params', 'invalid_field'],
  ])('refuses %s with 400', async (_label, body, field, code) => {
    const r = await api('POST', `/instances/${h.instance.instanceId}/requests`, body);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code, field });
  });

  it('refuses absurdly deep qbXML with a 400 naming it, and reports a response nested that deep as unreadable', async () => {
    const deep = '<a>'.repeat(5000) + '</a>'.repeat(5000);
    const refused = await api('POST', `/instances/${h.instance.instanceId}/requests`, { qbxml: `<CustomerQueryRq>${deep}</CustomerQueryRq>` });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ field: 'qbxml' });
    expect(refused.json.error.message).toMatch(/nested more than/);

    const id = h.enqueue('<CustomerQueryRq/>');
    const qb = new EchoQuickBooks(undefined, () => ({}));
    qb.processRequest = (xml: string) => ({
      response: `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="${/requestID="([^"]+)"/.exec(xml)?.[1]}" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><CustomerRet><ListID>1</ListID>${deep}</CustomerRet></CustomerQueryRs></QBXMLMsgsRs></QBXML>`,
    });
    await h.run(qb);
    const r = await api('GET', `/requests/${id}`);
    expect(r.status).toBe(200);
    expect(r.json.error.developerMessage).toMatch(/nested more than/);
    expect((await api('GET', `/requests/${id}/records`)).json.data).toEqual([]);
  });

  it('cancels a queued request once, and 404s unknown ones', async () => {
    const { json } = await api('POST', `/instances/${h.instance.instanceId}/requests`, { qbxml: '<CustomerQueryRq/>' });
    expect((await api('POST', `/requests/${json.requestId}/cancel`)).json.status).toBe('cancelled');
    const again = await api('POST', `/requests/${json.requestId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('already_finished');
    expect((await api('GET', '/requests/nope')).status).toBe(404);
    expect((await api('POST', '/instances/nope/requests', { qbxml: '<CustomerQueryRq/>' })).json.error).toMatchObject({ code: 'not_found', field: 'instanceId' });
  });

  it('refuses bad list filters with 400', async () => {
    const bad = await api('GET', `/instances/${h.instance.instanceId}/requests?status=finished`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('status');
    expect((await api('GET', `/instances/${h.instance.instanceId}/requests?limit=0`)).json.error.field).toBe('limit');
    expect((await api('GET', `/instances/${h.instance.instanceId}/requests?cursor=@@@`)).json.error.field).toBe('cursor');
    expect((await api('GET', `/instances/${h.instance.instanceId}/requests?colour=red`)).json.error.field).toBe('colour');
  });
});

describe('sessions, events, metrics', () => {
  it('lists sessions and filters events by action and time', async () => {
    await api('POST', `/instances/${h.instance.instanceId}/requests`, { qbxml: '<CustomerQueryRq/>' });
    await h.run(new EchoQuickBooks());
    const sessions = await api('GET', `/instances/${h.instance.instanceId}/sessions?limit=1`);
    expect(sessions.json.data[0]).toMatchObject({ status: 'closed', user: 'tester', instanceId: h.instance.instanceId });
    const events = await api('GET', `/instances/${h.instance.instanceId}/events?action=session.*&limit=100`);
    expect(events.json.data.length).toBeGreaterThan(0);
    for (const e of events.json.data) expect(e.action.startsWith('session.')).toBe(true);
    expect(events.json.data[0]).toEqual(expect.objectContaining({ logId: expect.any(Number), clientId: h.instance.instanceId, user: expect.any(String), timestamp: expect.any(String) }));
    const future = await api('GET', `/instances/${h.instance.instanceId}/events?fromTime=2999-01-01T00:00:00Z`);
    expect(future.json.data).toEqual([]);
    const backwards = await api('GET', `/instances/${h.instance.instanceId}/events?fromTime=2026-02-01T00:00:00Z&toTime=2026-01-01T00:00:00Z`);
    expect(backwards.status).toBe(400);
    expect(backwards.json.error.field).toBe('fromTime');
  });

  it('serves metrics over a time range, and explains bad metric requests', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const m = await api('GET', `/instances/${h.instance.instanceId}/metrics/requests_completed?fromTime=${from}&toTime=${to}`);
    expect(m.status).toBe(200);
    expect(m.json).toMatchObject({ metricId: 'requests_completed', interval: 'hour', unit: 'count' });
    expect(m.json.total).toBeGreaterThan(0);
    expect(m.json.points.reduce((a: number, p: { value: number }) => a + p.value, 0)).toBe(m.json.total);
    expect((await api('GET', `/instances/${h.instance.instanceId}/metrics/requests_completed?toTime=${to}`)).status).toBe(200); // fromTime: 24 h before
    expect((await api('GET', `/instances/${h.instance.instanceId}/metrics/requests_completed?fromTime=yesterday&toTime=${to}`)).json.error.field).toBe('fromTime');
    const unknown = await api('GET', `/instances/${h.instance.instanceId}/metrics/happiness?fromTime=${from}&toTime=${to}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.field).toBe('metricId');
  });
});

describe('the API surface', () => {
  it('publishes an OpenAPI document covering every operation', async () => {
    const doc = await api('GET', '/openapi.json', undefined, {});
    expect(doc.json.openapi).toBe('3.1.0');
    const ops = Object.values(doc.json.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    // Every operation, and the live-update stream beside them.
    expect(ops.sort()).toEqual([...Object.keys(operations), 'streamEvents'].sort());
    expect(Object.keys(doc.json.paths['/stream'].get.responses['200'].content)).toEqual(['text/event-stream']);
    // Paths are relative to the server URL, which ends in /api/v1.
    expect(doc.json.servers).toEqual([{ url: `http://localhost:${h.companion.port}/api/v1` }]);
    const create = doc.json.paths['/instances'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['name', 'username']));
    expect(create.requestBody.content['application/json'].schema.required).not.toContain('password'); // generated when omitted
    expect(create.responses['201'].content['application/json'].schema.properties.password.type).toBe('string');
  });

  it('answers unknown paths with 404 and wrong methods with 405, as JSON', async () => {
    const missing = await api('GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
    const wrong = await api('DELETE', '/health');
    expect(wrong.status).toBe(405);
    expect(wrong.json.error.code).toBe('method_not_allowed');
  });

  it('reads and validates settings', async () => {
    expect((await api('GET', '/settings')).json).toMatchObject({ sessionIdleTimeoutSeconds: 900, belowMinimumAnswer: 'O' });
    const bad = await api('PATCH', '/settings', { sessionIdleTimeoutSeconds: 5 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('sessionIdleTimeoutSeconds');
    const ok = await api('PATCH', '/settings', { minimumClientVersion: '2.1.0.30', belowMinimumAnswer: 'W' });
    expect(ok.json).toMatchObject({ minimumClientVersion: '2.1.0.30', belowMinimumAnswer: 'W' });
    const soap = h.soap();
    expect(await soap.call('clientVersion', { strVersion: '2.0.1.4' })).toMatch(/^W:.*2\.1\.0\.30/);
    expect(await soap.call('clientVersion', { strVersion: '2.3.0.215' })).toBe('');
    soap.close();
    await api('PATCH', '/settings', { minimumClientVersion: null });
  });
});
