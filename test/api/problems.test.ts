/**
 * Validation errors list every problem at once, each named by its path in the caller's
 * own body and said in plain words (issue 20, item 6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/contract/invoke';
import { fieldPath, forbiddenKeyProblems } from '../../main/contract/problems';
import { ApiError } from '../../main/errors';
import { buildRequest, QbxmlBuildError } from '../../main/qbxml/builder';
import { type Harness, startHarness } from '../helpers';

let h: Harness;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  base = `${h.companion.url}/api/v1`;
  auth = { Authorization: `Bearer ${h.companion.apiToken}` };
});
afterAll(() => h.stop());

interface ErrorBody {
  error: { code: string; message: string; field: string | null; problems: { field: string | null; message: string; rule: string }[] };
}

/** Every message a test saw: none may be zod's own wording. */
const seen: string[] = [];

async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(base + route, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as ErrorBody & Record<string, unknown>;
  if (json.error) {
    // The shape every 4xx has: the top level is the first problem.
    expect(json.error.problems.length).toBeGreaterThan(0);
    expect(json.error.message).toBe(json.error.problems[0]?.message);
    expect(json.error.field).toBe(json.error.problems[0]?.field);
    seen.push(...json.error.problems.map((p) => p.message));
  }
  return { status: res.status, json };
}

const fieldsAndRules = (e: ErrorBody) => e.error.problems.map((p) => [p.field, p.rule]);

describe('every problem at once', () => {
  it('answers a body with five problems with all five, each naming its field and rule', async () => {
    const r = await api('POST', '/instances', { name: '', username: ' padded', password: 'short', frequencyInMinutes: 'often', color: 'red' });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_field');
    expect(fieldsAndRules(r.json)).toEqual([
      ['name', 'min_length'],
      ['username', 'format'],
      ['password', 'min_length'],
      ['frequencyInMinutes', 'type'],
      ['color', 'unknown_field'],
    ]);
    const byField = Object.fromEntries(r.json.error.problems.map((p) => [p.field, p.message]));
    expect(byField.name).toBe('name must not be empty.');
    expect(byField.username).toBe('username must not start or end with a space.');
    expect(byField.password).toBe('password must be at least 8 characters.');
    expect(byField.frequencyInMinutes).toBe('frequencyInMinutes must be a number (got "often").');
    expect(byField.color).toMatch(/^color is not a field of the body\. Allowed: name, username, password, /);
    expect(r.json.error.message).toBe('name must not be empty.');
  });

  it('says what to send in plain words, not in the schema library\'s', async () => {
    const typed = await api('POST', `/instances/${h.instance.instanceId}/requests`, { type: 123 });
    expect(typed.status).toBe(400);
    expect(typed.json.error).toMatchObject({ field: 'type', message: 'type must be a string (got 123).' });
    expect(typed.json.error.problems).toHaveLength(1);

    const kinds = await api('POST', `/instances/${h.instance.instanceId}/requests`, '"just text"');
    expect(kinds.json.error).toMatchObject({ field: 'body', message: 'The body must be an object or an array (got "just text").' });

    // A raw qbXML body with two wrong fields is judged as one, not as "not an array".
    const raw = await api('POST', `/instances/${h.instance.instanceId}/requests`, { qbxml: 5, priority: 'high' });
    expect(fieldsAndRules(raw.json)).toEqual([
      ['qbxml', 'type'],
      ['priority', 'type'],
    ]);

    const batch = await api('POST', `/instances/${h.instance.instanceId}/requests`, { requests: [{ type: 'CustomerQuery' }, { type: 'ItemQuery', params: 5, extra: 1 }], onError: 'sometimes' });
    expect(fieldsAndRules(batch.json)).toEqual([
      ['requests[1].params', 'type'],
      ['requests[1].extra', 'unknown_field'],
      ['onError', 'enum'],
    ]);
    expect(batch.json.error.problems[2]?.message).toBe('onError must be one of "stopOnError", "continueOnError", "rollbackOnError" (got "sometimes").');

    const config = await api('POST', '/instances', { name: 'n', username: 'cfg', configuration: { '': 'x', 'a.b': 5 } });
    expect(fieldsAndRules(config.json)).toEqual([
      ['configuration[""]', 'min_length'],
      ['configuration["a.b"]', 'type'],
    ]);
    expect(config.json.error.problems[0]?.message).toBe('The key "" of configuration must not be empty.');

    const query = await api('GET', `/instances/${h.instance.instanceId}/events?fromTime=yesterday&limit=lots&colour=red`);
    expect(fieldsAndRules(query.json)).toEqual([
      ['fromTime', 'format'],
      ['limit', 'type'],
      ['colour', 'unknown_field'],
    ]);
    expect(query.json.error.problems[1]?.message).toBe('limit must be a number (got "lots").');
    expect(query.json.error.problems[2]?.message).toBe('colour is not a query parameter of this operation. Allowed: fromTime, toTime, action, sessionId, q, limit, cursor.');
  });

  it('names an unknown field of a PATCH by its own name, one problem per field', async () => {
    const one = await api('PATCH', `/instances/${h.instance.instanceId}`, { fileId: '{x}' });
    expect(one.status).toBe(400);
    expect(one.json.error).toMatchObject({ field: 'fileId', code: 'invalid_field' });
    expect(one.json.error.message).toMatch(/^fileId is not a field of the body\./);
    const two = await api('PATCH', `/instances/${h.instance.instanceId}`, { instanceId: 'x', fileId: '{x}', frequencyInMenutes: 5 });
    expect(fieldsAndRules(two.json)).toEqual([
      ['instanceId', 'unknown_field'],
      ['fileId', 'unknown_field'],
      ['frequencyInMenutes', 'unknown_field'],
    ]);
    expect(two.json.error.problems[2]?.message).toBe('frequencyInMenutes is not a field of the body. Did you mean frequencyInMinutes?');
  });

  it('lists every problem the qbXML builder finds, by their paths in the body', async () => {
    const r = await api('POST', `/instances/${h.instance.instanceId}/requests`, {
      type: 'InvoiceAdd',
      params: { CustomerRef: { FullName: 'A' }, InvoiceLineAdd: [{ Amount: '1.00' }, { Amount: 'abc' }], Bogus: 1 },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_qbxml_request');
    expect(fieldsAndRules(r.json)).toEqual([
      ['params.Bogus', 'unknown_field'],
      ['params.InvoiceLineAdd[1].Amount', 'type:AMTTYPE'],
    ]);
    expect(r.json.error.problems[1]?.message).toBe('params.InvoiceLineAdd[1].Amount must be an amount with at most 13 digits and 2 decimals, e.g. "1234.50" (got "abc").');
    for (const p of r.json.error.problems) expect(p.message).not.toMatch(/more problems?\)/);

    const inBatch = await api('POST', `/instances/${h.instance.instanceId}/requests`, [{ type: 'CustomerQuery' }, { type: 'CustomerAdd', params: { Nmae: 'x' } }]);
    expect(fieldsAndRules(inBatch.json)).toEqual([
      ['[1].params.Nmae', 'unknown_field'],
      ['[1].params.Name', 'required'],
    ]);
    const unknownType = await api('POST', `/instances/${h.instance.instanceId}/requests`, { requests: [{ type: 'FrobnicateAdd' }] });
    expect(unknownType.json.error).toMatchObject({ field: 'requests[0].type', problems: [{ rule: 'unknown_request' }] });
  });

  it('gives every other 4xx the same shape, with one problem', async () => {
    const anon = await api('GET', '/instances', undefined, {});
    expect(anon.json.error).toEqual({ code: 'unauthorized', field: 'Authorization', message: expect.any(String), problems: [{ field: 'Authorization', rule: 'unauthorized', message: anon.json.error.message }] });
    const missing = await api('GET', '/requests/nope');
    expect(missing.json.error.problems).toEqual([{ field: 'requestId', rule: 'not_found', message: missing.json.error.message }]);
    const taken = await api('POST', '/instances', { name: 'Twin', username: h.instance.username });
    expect(taken.json.error).toMatchObject({ code: 'username_taken', field: 'username', problems: [{ field: 'username', rule: 'username_taken' }] });
    const badJson = await api('POST', '/instances', '{"name": ');
    expect(badJson.json.error).toMatchObject({ code: 'invalid_json', field: 'body', problems: [{ field: 'body', rule: 'json' }] });
  });

  it('documents the error shape in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { components: { schemas: { Error: any } } };
    const error = doc.components.schemas.Error.properties.error;
    expect(error.required).toEqual(expect.arrayContaining(['code', 'message', 'field', 'problems']));
    expect(error.properties.problems.items.required).toEqual(expect.arrayContaining(['field', 'message', 'rule']));
  });
});

describe('__proto__, constructor and prototype', () => {
  it('refuses __proto__ inside params like any unknown key, and queues nothing', async () => {
    const before = (await api('GET', `/instances/${h.instance.instanceId}/requests?limit=500`)).json as unknown as { data: unknown[] };
    const r = await api('POST', `/instances/${h.instance.instanceId}/requests`, '{"type": "CustomerQuery", "params": {"__proto__": {"MaxReturned": 1}}}');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'invalid_field', field: 'params.__proto__', problems: [{ field: 'params.__proto__', rule: 'unknown_field' }] });
    const after = (await api('GET', `/instances/${h.instance.instanceId}/requests?limit=500`)).json as unknown as { data: unknown[] };
    expect(after.data.length).toBe(before.data.length);
  });

  it('refuses them anywhere in a body: top level, nested objects, arrays, free-form maps', async () => {
    const top = await api('POST', '/instances', '{"name": "n", "username": "protouser", "__proto__": {"readOnly": true}}');
    expect(fieldsAndRules(top.json)).toEqual([['__proto__', 'unknown_field']]);
    const nested = await api('POST', '/instances', '{"name": "n", "username": "protouser", "constructor": 1, "configuration": {"prototype": "x"}, "contact": {"__proto__": {}}}');
    expect(nested.json.error.problems.map((p) => p.field).sort()).toEqual(['configuration.prototype', 'contact.__proto__', 'constructor'].sort());
    const inBatch = await api('POST', `/instances/${h.instance.instanceId}/requests`, '[{"type": "CustomerQuery", "params": {"NameFilter": {"constructor": "x"}}}]');
    expect(inBatch.json.error).toMatchObject({ field: '[0].params.NameFilter.constructor' });
    // Through the contract directly (the CLI's and the desktop UI's way), the same.
    const err = await invoke(h.companion.handlers, 'enqueueRequest', {
      params: { instanceId: h.instance.instanceId },
      body: JSON.parse('{"type": "CustomerAdd", "params": {"__proto__": {"Name": "Inherited"}}}'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).problems).toEqual([expect.objectContaining({ field: 'params.__proto__', rule: 'unknown_field' })]);
  });

  it('never lets a __proto__ key of builder input become a prototype', () => {
    // Built from what JSON.parse gives: without the check, the shorthand's copy would take
    // {"Name": …} as its prototype and send a CustomerAdd the caller never wrote.
    let err: unknown;
    try {
      buildRequest('CustomerAdd', JSON.parse('{"__proto__": {"Name": "Inherited"}}'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QbxmlBuildError);
    expect((err as QbxmlBuildError).issues.map((i) => [i.path, i.rule])).toEqual([
      ['CustomerAdd.__proto__', 'unknown_field'],
      ['CustomerAdd.Name', 'required'],
    ]);
  });

  it('finds them at any depth without recursion', () => {
    let deep: unknown = JSON.parse('{"__proto__": 1}');
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const problems = forbiddenKeyProblems({ a: deep });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe(`a${'[0]'.repeat(100_000)}.__proto__`);
  });
});

describe('field paths', () => {
  it('writes paths as a caller would', () => {
    expect(fieldPath(['params', 'InvoiceLineAdd', 1, 'Amount'])).toBe('params.InvoiceLineAdd[1].Amount');
    expect(fieldPath([0, 'params'])).toBe('[0].params');
    expect(fieldPath(['configuration', 'event.notification.enabled'])).toBe('configuration["event.notification.enabled"]');
    expect(fieldPath(['params', '@iterator'])).toBe('params.@iterator');
  });
});

afterAll(() => {
  // No message may be the schema library's own wording.
  for (const m of seen) expect(m).not.toMatch(/Invalid input|expected \w+, received|Too (small|big)|Unrecognized key|Invalid option/);
  expect(seen.length).toBeGreaterThan(20);
});
