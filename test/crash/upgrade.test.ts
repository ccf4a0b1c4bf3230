/**
 * An upgrade after an unclean shutdown: the server is killed with SIGKILL in the middle of
 * a Web Connector session, and the next version to open the folder brings one more schema
 * migration. It must migrate and start cleanly, end the session left active as
 * interrupted, keep everything acknowledged before the kill, and settle the write that was
 * with QuickBooks when the server died without sending it again.
 *
 * "The next version" is the same build with a migration appended to MIGRATIONS: for the
 * CLI through a `--require` preload that pushes onto the built module's exported array,
 * in process by pushing onto the source module's.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { REQUEST_ID_SEPARATOR } from '../../main/qbxml/envelope';
import { FakeQuickBooks } from '../../main/simulator/quickbooks';
import { type QuickBooksHost, runWebConnectorSession } from '../../main/simulator/web-connector';
import { Store } from '../../main/store';
import { MIGRATIONS } from '../../main/store/migrations';
import { type Api, crashScratch, listAll, restClient, type ServerProcess, SoapProxy, startServer } from './cli-server';

const EXTRA_MIGRATION = 'ALTER TABLE settings ADD COLUMN note TEXT;';
const BUILT_MIGRATIONS = path.join(__dirname, '..', '..', 'dist', 'main', 'store', 'migrations.js');
const PASSWORD = 'upgrade test password';
/**
 * An earlier build's dist/main/cli.js, for the test of a real upgrade (skipped without it), e.g.
 *   git archive 6d6a2e2 | tar -x -C /tmp/old && ln -s "$PWD/node_modules" /tmp/old/ && (cd /tmp/old && npm run build)
 *   QBWC_OLD_CLI=/tmp/old/dist/main/cli.js npx vitest run test/crash/upgrade.test.ts
 */
const OLD_CLI = process.env.QBWC_OLD_CLI;

const { cleanup, tempDir } = crashScratch('qbwc-upgrade-');

const requestIdsIn = (qbxml: string) =>
  [...qbxml.matchAll(/requestID="([^"]+)"/g)].map((m) => {
    const id = m[1] as string;
    const sep = id.lastIndexOf(REQUEST_ID_SEPARATOR);
    return sep === -1 ? id : id.slice(0, sep);
  });

/**
 * The simulated company, which outlives the server, and a Web Connector session against it
 * through the proxy; `inQuickBooks` names the requests of the last message set QuickBooks processed.
 */
function watchedCompany(proxy: SoapProxy, instance: { ownerId: string; fileId: string }) {
  const qb = new FakeQuickBooks();
  let last: string[] = [];
  const host: QuickBooksHost = {
    companyFile: qb.companyFile,
    hcpResponse: (o, f) => qb.hcpResponse(o, f),
    processRequest: (xml) => {
      last = requestIdsIn(xml);
      return qb.processRequest(xml);
    },
    endSession: () => qb.endSession(),
  };
  const session = () =>
    runWebConnectorSession({ url: proxy.url, username: 'upgrade', password: PASSWORD, ownerId: instance.ownerId, fileId: instance.fileId, quickbooks: host, noopDelayMs: 10 });
  return { qb, inQuickBooks: () => last, session };
}

describe('upgrades', () => {
  it('an upgrade (a migration added) after an unclean shutdown starts cleanly', async () => {
    const dir = tempDir();
    const proxy = new SoapProxy();
    await proxy.listen();
    cleanup.push(() => proxy.close());
    let server: ServerProcess = await startServer(dir);
    let api: Api = restClient(server);
    proxy.retarget(server.url);

    const instance = await api('POST', '/instances', { name: 'Upgrade Co', username: 'upgrade', password: PASSWORD });
    await api('PATCH', '/settings', { sessionIdleTimeoutSeconds: 1234 });
    const enqueue = async (body: unknown) => (await api<{ requestId: string }>('POST', `/instances/${instance.instanceId}/requests`, body)).requestId;
    const query = await enqueue({ type: 'CustomerQuery', params: {} });
    const addA = await enqueue({ type: 'CustomerAdd', params: { Name: 'Upgrade A' } });
    const invoice = await enqueue({
      type: 'InvoiceAdd',
      params: { CustomerRef: { FullName: 'Cook, Brian' }, RefNumber: 'UP-1', InvoiceLineAdd: [{ ItemRef: { FullName: 'Installation' }, Amount: '70.00' }] },
    });
    const addB = await enqueue({ type: 'CustomerAdd', params: { Name: 'Upgrade B' } });
    const status = async (id: string) => (await api<{ status: string }>('GET', `/requests/${id}`)).status;

    // The simulated company outlives the server; it tells which requests QuickBooks has processed.
    const { qb, inQuickBooks, session } = watchedCompany(proxy, instance);

    // Killed once QuickBooks has added "Upgrade B", before its response reaches the server.
    let before: Record<string, string> | undefined;
    proxy.hooks = {
      beforeForward: async (call) => {
        if (before || call.method !== 'receiveResponseXML' || !inQuickBooks().includes(addB)) return;
        before = { query: await status(query), addA: await status(addA), invoice: await status(invoice), addB: await status(addB) };
        proxy.target = null;
        await server.kill();
      },
    };
    const crashed = await session();
    proxy.hooks = {};
    expect(proxy.errors).toEqual([]);
    expect(crashed.outcome).toBe('protocol_error');
    expect(before).toEqual({ query: 'done', addA: 'done', invoice: 'done', addB: 'sent' });
    expect(qb.customers().filter((c) => c.Name === 'Upgrade B')).toHaveLength(1);

    // The upgrade: the same build, one migration more.
    const preload = path.join(tempDir(), 'add-migration.cjs');
    fs.writeFileSync(preload, `require(${JSON.stringify(BUILT_MIGRATIONS)}).MIGRATIONS.push(${JSON.stringify(EXTRA_MIGRATION)});\n`);
    server = await startServer(dir, { nodeArgs: ['--require', preload] });
    api = restClient(server);
    proxy.retarget(server.url);
    expect(await api('GET', '/health')).toMatchObject({ status: 'ok', instances: 1, activeSessions: 0 });
    const sessions = await listAll<{ status: string; requestsDone: number }>(api, `/instances/${instance.instanceId}/sessions`);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: 'interrupted', requestsDone: 3 });
    expect({ query: await status(query), addA: await status(addA), invoice: await status(invoice), addB: await status(addB) }).toEqual({
      query: 'done',
      addA: 'done',
      invoice: 'done',
      addB: 'unknown_outcome',
    });
    expect((await api('GET', '/settings')).sessionIdleTimeoutSeconds).toBe(1234);

    // The next run settles "Upgrade B" by asking QuickBooks, and new work goes through.
    const addC = await enqueue({ type: 'CustomerAdd', params: { Name: 'Upgrade C' } });
    const next = await session();
    expect(next.outcome).toBe('completed');
    expect(await api('GET', `/requests/${addB}`)).toMatchObject({ status: 'done', statusMessage: expect.stringMatching(/Confirmed in QuickBooks/) });
    expect(await status(addC)).toBe('done');
    const names = qb.customers().map((c) => c.Name);
    for (const name of ['Upgrade A', 'Upgrade B', 'Upgrade C']) expect(names.filter((n) => n === name), name).toHaveLength(1);
    expect(qb.invoices().filter((i) => i.RefNumber === 'UP-1')).toHaveLength(1);
    await server.stop();

    // The folder is at the new schema now: the build without the migration refuses it, clearly…
    await expect(startServer(dir)).rejects.toThrow(/newer version of QBWC Companion/);

    // …and the store with it opens it, with everything in it.
    (MIGRATIONS as string[]).push(EXTRA_MIGRATION);
    try {
      const store = Store.open(dir);
      try {
        for (const id of [query, addA, invoice, addB, addC]) expect(store.requests.get(id)?.status, id).toBe('done');
      } finally {
        store.close();
      }
      const db = new Database(path.join(dir, 'companion.db'), { readonly: true });
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
        expect((db.pragma('table_info(settings)') as { name: string }[]).map((c) => c.name)).toContain('note');
      } finally {
        db.close();
      }
    } finally {
      (MIGRATIONS as string[]).pop();
    }
  }, 60_000);

  it.runIf(Boolean(OLD_CLI))('an upgrade from an earlier build (QBWC_OLD_CLI) after an unclean shutdown keeps what it acknowledged and writes nothing twice', async () => {
    const dir = tempDir();
    const proxy = new SoapProxy();
    await proxy.listen();
    cleanup.push(() => proxy.close());
    let server = await startServer(dir, { cli: OLD_CLI });
    let api = restClient(server);
    proxy.retarget(server.url);
    const instance = await api('POST', '/instances', { name: 'Upgrade Co', username: 'upgrade', password: PASSWORD });
    const enqueue = async (body: unknown) => (await api<{ requestId: string }>('POST', `/instances/${instance.instanceId}/requests`, body)).requestId;
    const addA = await enqueue({ type: 'CustomerAdd', params: { Name: 'Upgrade A' } });
    const invoice = await enqueue({
      type: 'InvoiceAdd',
      params: { CustomerRef: { FullName: 'Cook, Brian' }, RefNumber: 'UP-1', InvoiceLineAdd: [{ ItemRef: { FullName: 'Installation' }, Amount: '70.00' }] },
    });
    const status = async (id: string) => (await api<{ status: string }>('GET', `/requests/${id}`)).status;

    const { qb, inQuickBooks, session } = watchedCompany(proxy, instance);

    // The earlier build is killed once QuickBooks has added the invoice, before its response reaches the server.
    let before: Record<string, string> | undefined;
    proxy.hooks = {
      beforeForward: async (call) => {
        if (before || call.method !== 'receiveResponseXML' || !inQuickBooks().includes(invoice)) return;
        before = { addA: await status(addA), invoice: await status(invoice) };
        proxy.target = null;
        await server.kill();
      },
    };
    await session();
    proxy.hooks = {};
    expect(before).toEqual({ addA: 'done', invoice: 'sent' });
    expect(qb.invoices().filter((i) => i.RefNumber === 'UP-1')).toHaveLength(1);

    // This build opens the folder.
    server = await startServer(dir);
    api = restClient(server);
    proxy.retarget(server.url);
    expect(await api('GET', '/health')).toMatchObject({ status: 'ok', instances: 1, activeSessions: 0 });
    expect({ addA: await status(addA), invoice: await status(invoice) }).toEqual({ addA: 'done', invoice: 'unknown_outcome' });
    await session();
    expect(await status(invoice)).toBe('done');
    expect(qb.invoices().filter((i) => i.RefNumber === 'UP-1')).toHaveLength(1);
    expect(qb.customers().filter((c) => c.Name === 'Upgrade A')).toHaveLength(1);
  }, 60_000);
});
