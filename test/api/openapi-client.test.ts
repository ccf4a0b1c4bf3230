/**
 * A client generated from the served OpenAPI document calls the real URLs (issue 20,
 * item 2): openapi-typescript turns the live /api/v1/openapi.json into TypeScript types,
 * the TypeScript compiler checks a small program written against them, and that same
 * program drives the live server through openapi-fetch — create an instance, queue a
 * request, read it back. Everything is local: the document comes from the server under test.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');

let h: Harness;
/** Under the repository (git-ignored .tmp/) so that the program resolves openapi-fetch from node_modules. */
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'openapi-client-'));
});
afterAll(async () => {
  await h?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.rmdirSync(path.join(ROOT, '.tmp')); // only if nothing else uses it
  } catch {
    // not empty: leave it
  }
});

/** The program: written against the generated `paths`, type-checked, then run. */
const DRIVER = `
import createClient from 'openapi-fetch';
import type { components, paths } from './api';

type Problem = components['schemas']['Error']['error']['problems'][number];

export async function drive(baseUrl: string, token: string, username: string) {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${token}\` } });

  const created = await client.POST('/instances', { body: { name: 'Typed Company', username, password: 'long enough pw' } });
  if (!created.data) throw new Error(\`createInstance: \${created.response.status} \${JSON.stringify(created.error)}\`);
  const instanceId: string = created.data.instanceId;
  const frequency: number = created.data.frequencyInMinutes;

  const queued = await client.POST('/instances/{instanceId}/requests', {
    params: { path: { instanceId } },
    body: { type: 'CustomerQuery', params: { MaxReturned: 5 }, idempotencyKey: 'typed-1' },
  });
  if (!queued.data) throw new Error(\`enqueueRequest: \${queued.response.status} \${JSON.stringify(queued.error)}\`);
  const requestId: string = queued.data.requestId;

  const read = await client.GET('/requests/{requestId}', { params: { path: { requestId } } });
  if (!read.data) throw new Error(\`getRequest: \${read.response.status} \${JSON.stringify(read.error)}\`);
  const status: 'queued' | 'sent' | 'done' | 'error' | 'cancelled' | 'unknown_outcome' = read.data.status;

  const listed = await client.GET('/instances/{instanceId}/requests', { params: { path: { instanceId }, query: { status: 'queued', limit: 10 } } });
  const listedIds: string[] = listed.data?.data.map((r) => r.requestId) ?? [];

  const refused = await client.POST('/instances', { body: { name: '', username: ' padded' } });
  const problems: Problem[] = refused.error?.error.problems ?? [];

  return {
    urls: [created.response.url, queued.response.url, read.response.url],
    instanceId,
    frequency,
    requestId,
    status,
    types: read.data.types,
    qbxml: read.data.qbxml,
    listedIds,
    refusedStatus: refused.response.status,
    problems: problems.map((p) => [p.field, p.rule]),
  };
}

/** Never run: what the generated types must refuse. */
export function refusedByTheTypes(client: ReturnType<typeof createClient<paths>>) {
  // @ts-expect-error the paths are relative to the server URL, which already ends in /api/v1
  void client.GET('/api/v1/instances');
  // @ts-expect-error name and username are required
  void client.POST('/instances', { body: { password: 'long enough pw' } });
  // @ts-expect-error the path parameter is required
  void client.GET('/requests/{requestId}', {});
  // @ts-expect-error status is an enum
  void client.GET('/instances/{instanceId}/requests', { params: { path: { instanceId: 'x' }, query: { status: 'finished' } } });
}
`;

function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    esModuleInterop: true,
    skipLibCheck: true,
    noUnusedLocals: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

describe('a client generated from the OpenAPI document', () => {
  it('is typed from the live document, type-checks, and drives the live server at the real URLs', async () => {
    const docUrl = `${h.companion.url}/api/v1/openapi.json`;
    const doc = (await (await fetch(docUrl)).json()) as { servers: { url: string }[]; paths: Record<string, unknown> };
    const baseUrl = doc.servers[0]?.url as string;
    expect(baseUrl).toBe(`http://localhost:${h.companion.port}/api/v1`);
    for (const p of Object.keys(doc.paths)) expect(p.startsWith('/api/')).toBe(false);

    // openapi-typescript's Node API, reading the document from the server itself.
    const { default: openapiTS, astToString } = await import('openapi-typescript');
    const types = astToString(await openapiTS(new URL(docUrl)));
    expect(types).toContain('"/instances/{instanceId}/requests"');
    fs.writeFileSync(path.join(dir, 'api.d.ts'), types);
    const driver = path.join(dir, 'driver.ts');
    fs.writeFileSync(driver, DRIVER);

    expect(typeErrors([driver])).toEqual([]);

    const { drive } = (await import(driver)) as { drive: (baseUrl: string, token: string, username: string) => Promise<Record<string, any>> };
    const out = await drive(baseUrl, h.companion.apiToken, 'typed-client');
    const api = `http://localhost:${h.companion.port}/api/v1`;
    expect(out.urls).toEqual([`${api}/instances`, `${api}/instances/${out.instanceId}/requests`, `${api}/requests/${out.requestId}`]);
    expect(out).toMatchObject({ frequency: 60, status: 'queued', types: ['CustomerQueryRq'], refusedStatus: 400 });
    expect(out.qbxml).toContain('<MaxReturned>5</MaxReturned>');
    expect(out.listedIds).toEqual([out.requestId]);
    expect(out.problems).toEqual([
      ['name', 'min_length'],
      ['username', 'format'],
    ]);
  });
});
