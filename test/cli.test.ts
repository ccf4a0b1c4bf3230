/**
 * The CLI as a user runs it: the built dist/main/cli.js in its own process (`npm test`
 * builds first). Includes the crash test: kill -9 right after answering the Web Connector.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateInvoiceQueryRs } from '../bench/qbxml-fixtures';
import { parseResponse } from '../main/qbxml/parser';
import { createSoapClient } from '../main/simulator/soap-client';
import { escapeText } from '../main/xml/escape';
import { EchoQuickBooks, HCP_QB2014, tempDir } from './helpers';

const CLI = path.join(__dirname, '..', 'dist', 'main', 'cli.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `serve`; resolves with its URL once it printed it. */
function serve(dataDir: string): Promise<{ url: string; proc: ChildProcess; token: string }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ url: line, proc, token: fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim() });
    });
    proc.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

describe('qbwc-companion CLI', () => {
  it('prints usage and its version; refuses unknown commands with exit code 2', () => {
    expect(run(['--help']).stdout).toContain('Usage: qbwc-companion <command>');
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = run(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
    expect(run(['serve', '--port', 'eighty']).code).toBe(2);
    const outOfRange = run(['serve', '--port', '99999']);
    expect([outOfRange.code, outOfRange.stderr]).toEqual([2, expect.stringContaining('--port must be between 0 and 65535')]);
    expect(run(['serve', '--max-body-mb', '0']).stderr).toContain('--max-body-mb must be between 1 and 4096');
  });

  it('creates and lists instances, prints a QWC and queues qbXML or JSON, with clear errors', () => {
    const dir = tempDir();
    const created = run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme']);
    expect(created.code).toBe(0);
    const inst = JSON.parse(created.stdout);
    expect(inst.password).toMatch(/^(\w{5}-){3}\w{5}$/); // generated once, shown once
    expect(JSON.parse(run(['instances', 'list', '--data-dir', dir]).stdout).data[0].instanceId).toBe(inst.instanceId);
    const qwc = run(['qwc', 'acme', '--data-dir', dir]);
    expect(qwc.stdout).toContain(`<FileID>${inst.fileId}</FileID>`);
    expect(qwc.stdout).toContain('<AppURL>http://localhost:8520/qbwc</AppURL>');
    const queued = JSON.parse(run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerQueryRq/>']).stdout);
    expect(queued.status).toBe('queued');
    const fromStdin = JSON.parse(run(['enqueue', 'acme', '-', '--data-dir', dir], '<ItemQueryRq/>').stdout);
    expect(JSON.parse(run(['request', fromStdin.requestId, '--data-dir', dir]).stdout).types).toEqual(['ItemQueryRq']);

    const json = JSON.parse(run(['enqueue', 'acme', '--data-dir', dir, '--json', '{"type": "CustomerQuery", "params": {"MaxReturned": 2}}']).stdout);
    expect(JSON.parse(run(['request', json.requestId, '--data-dir', dir]).stdout).qbxml).toContain('<MaxReturned>2</MaxReturned>');
    const batch = JSON.parse(run(['enqueue', 'acme', '-', '--data-dir', dir], '[{"type": "ItemQuery"}, {"type": "VendorQuery"}]').stdout);
    expect(JSON.parse(run(['request', batch.requestId, '--data-dir', dir]).stdout).types).toEqual(['ItemQueryRq', 'VendorQueryRq']);
    const unknownField = run(['enqueue', 'acme', '--data-dir', dir, '--json', '{"type": "CustomerQuery", "params": {"MaxReturnd": 2}}']);
    expect(unknownField.code).toBe(1);
    expect(unknownField.stderr).toMatch(/MaxReturnd is not a field of CustomerQueryRq/);
    expect(run(['enqueue', 'acme', '--data-dir', dir, '--json', '{"type": ']).stderr).toMatch(/not valid JSON/);

    const bad = run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerQueryRq>']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not well-formed.*\(qbxml\)/);
    const dup = run(['instances', 'create', '--data-dir', dir, '--name', 'B', '--username', 'ACME', '--password', 'long enough pw']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already used.*\(username\)/);
    expect(run(['qwc', 'nobody', '--data-dir', dir]).stderr).toMatch(/No instance/);
  });

  it('serves: prints its URL when ready, answers health, and runs a simulated session against it', async () => {
    const dir = tempDir();
    run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme', '--password', 'secret password']);
    run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerQueryRq><MaxReturned>2</MaxReturned></CustomerQueryRq>']);
    const { url } = await serve(dir);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    const qwcFile = path.join(dir, 'acme.qwc');
    const port = new URL(url).port;
    fs.writeFileSync(qwcFile, run(['qwc', 'acme', '--data-dir', dir, '--port', port]).stdout);
    const sim = spawnSync(process.execPath, [CLI, 'simulate', '--qwc', qwcFile, '--password', 'secret password', '--noop-ms', '10'], { encoding: 'utf8', timeout: 30_000 });
    expect(sim.stderr).toBe('');
    expect(sim.stdout).toContain('closeConnection()');
    expect(sim.stdout).toMatch(/Result: completed — Done. 1 request completed./);
    expect(sim.status).toBe(0);
    // The session taught the instance its company file; the bookkeeper can make it forget (over REST here).
    expect(JSON.parse(run(['instances', 'list', '--data-dir', dir]).stdout).data[0].company.fileId).toMatch(/^\{[0-9A-F-]{36}\}$/);
    const forgot = run(['instances', 'forget-company', 'acme', '--data-dir', dir]);
    expect(forgot.stderr).toBe('');
    expect(JSON.parse(forgot.stdout).company).toBeNull();
  });

  it('keeps whatever it acknowledged to the Web Connector when killed with SIGKILL', async () => {
    const dir = tempDir();
    const inst = JSON.parse(run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme', '--password', 'secret password']).stdout);
    const query = JSON.parse(run(['enqueue', 'acme', '--data-dir', dir, '--priority', '1', '--qbxml', '<CustomerQueryRq/>']).stdout).requestId;
    const write = JSON.parse(run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerAddRq><CustomerAdd><Name>X</Name></CustomerAdd></CustomerAddRq>']).stdout).requestId;
    const first = await serve(dir);
    const soap = createSoapClient(`${first.url}/qbwc`);
    const [ticket] = (await soap.call('authenticate', { strUserName: 'acme', strPassword: 'secret password' })) as string[];
    const send = (hcp: string) => soap.call('sendRequestXML', { ticket: ticket as string, strHCPResponse: hcp, strCompanyFileName: 'C:\\Company\\test.qbw', qbXMLCountry: 'US', qbXMLMajorVers: 13, qbXMLMinorVers: 0 });
    const qb = new EchoQuickBooks();
    const queryXml = String(await send(HCP_QB2014));
    const answer = qb.processRequest(queryXml) as { response: string };
    expect(await soap.call('receiveResponseXML', { ticket: ticket as string, response: answer.response, hresult: '', message: '' })).toBe(50);
    expect(String(await send(''))).toContain(write); // acknowledged: the write is with QuickBooks
    first.proc.kill('SIGKILL');
    soap.close();
    await new Promise((r) => first.proc.once('exit', r));

    const second = await serve(dir);
    const get = async (id: string) => (await (await fetch(`${second.url}/api/v1/requests/${id}`, { headers: { Authorization: `Bearer ${second.token}` } })).json()) as { status: string; response: string; error: { userFacingMessage: string } };
    const q = await get(query);
    expect(q.status).toBe('done');
    expect(q.response).toBe(answer.response);
    const w = await get(write);
    expect(w.status).toBe('unknown_outcome');
    expect(w.error.userFacingMessage).toMatch(/not be sent again until we have checked QuickBooks/);
    // The session's own figures are rebuilt from its requests, whatever the crash cut off.
    const sessions = (await (await fetch(`${second.url}/api/v1/instances/${inst.instanceId}/sessions`, { headers: { Authorization: `Bearer ${second.token}` } })).json()) as { data: { status: string; requestsDone: number }[] };
    expect(sessions.data[0]).toMatchObject({ status: 'interrupted', requestsDone: 1 });
  });

  it('sends a query again, once, if it was killed right after handing it to the Web Connector', async () => {
    const dir = tempDir();
    run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme', '--password', 'secret password']);
    const query = JSON.parse(run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerQueryRq/>']).stdout).requestId as string;
    const session = async (url: string) => {
      const soap = createSoapClient(`${url}/qbwc`);
      const [ticket] = (await soap.call('authenticate', { strUserName: 'acme', strPassword: 'secret password' })) as string[];
      const sent = String(await soap.call('sendRequestXML', { ticket: ticket as string, strHCPResponse: HCP_QB2014, strCompanyFileName: 'C:\\Company\\test.qbw', qbXMLCountry: 'US', qbXMLMajorVers: 13, qbXMLMinorVers: 0 }));
      return { soap, ticket: ticket as string, sent };
    };
    const first = await serve(dir);
    const handed = await session(first.url);
    expect(handed.sent).toContain(query);
    first.proc.kill('SIGKILL');
    handed.soap.close();
    await new Promise((r) => first.proc.once('exit', r));

    const second = await serve(dir);
    const get = async () => (await (await fetch(`${second.url}/api/v1/requests/${query}`, { headers: { Authorization: `Bearer ${second.token}` } })).json()) as { status: string; attempts: number };
    expect((await get()).status).toBe('queued');
    const again = await session(second.url);
    expect(again.sent).toContain(query);
    const answer = new EchoQuickBooks().processRequest(again.sent) as { response: string };
    expect(await again.soap.call('receiveResponseXML', { ticket: again.ticket, response: answer.response, hresult: '', message: '' })).toBe(100);
    again.soap.close();
    expect(await get()).toMatchObject({ status: 'done' });
  });

  it('parses a multi-megabyte response on its worker thread, and keeps it when killed right after answering', async () => {
    const dir = tempDir();
    run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme', '--password', 'secret password']);
    const id = JSON.parse(run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<InvoiceQueryRq/>']).stdout).requestId as string;
    const first = await serve(dir);
    const soap = createSoapClient(`${first.url}/qbwc`);
    const [ticket] = (await soap.call('authenticate', { strUserName: 'acme', strPassword: 'secret password' })) as string[];
    await soap.call('sendRequestXML', { ticket: ticket as string, strHCPResponse: HCP_QB2014, strCompanyFileName: 'C:\\Company\\test.qbw', qbXMLCountry: 'US', qbXMLMajorVers: 13, qbXMLMinorVers: 0 });
    soap.close();
    const qbxml = generateInvoiceQueryRs(6_000_000, { requestId: id, iterator: false });
    const invoices = parseResponse(qbxml).responses[0]?.value.InvoiceRet as unknown[];
    const envelope =
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
      `<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>${ticket}</ticket><response>${escapeText(qbxml)}</response>` +
      '<hresult /><message /></receiveResponseXML></soap:Body></soap:Envelope>';
    const answer = await fetch(`${first.url}/qbwc`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: envelope });
    expect(await answer.text()).toContain('<receiveResponseXMLResult>100</receiveResponseXMLResult>');
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    const second = await serve(dir);
    const api = async (p: string) => (await fetch(`${second.url}/api/v1${p}`, { headers: { Authorization: `Bearer ${second.token}` } })).json();
    const request = (await api(`/requests/${id}`)) as { status: string; recordCount: number };
    expect(request).toMatchObject({ status: 'done', recordCount: invoices.length });
    const records: unknown[] = [];
    for (let cursor = ''; ; ) {
      const page = (await api(`/requests/${id}/records?limit=500${cursor ? `&cursor=${cursor}` : ''}`)) as { data: { data: unknown }[]; nextCursor: string | null };
      records.push(...page.data.map((r) => r.data));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(records).toEqual(invoices);
    const raw = await fetch(`${second.url}/api/v1/requests/${id}/response`, { headers: { Authorization: `Bearer ${second.token}` } });
    expect(await raw.text()).toBe(qbxml);
  }, 60_000);
});
