/**
 * The CLI as a user runs it: the built dist/main/cli.js in its own process (`npm test`
 * builds first). Includes the crash test: kill -9 right after answering the Web Connector.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateInvoiceQueryRs } from '../bench/qbxml-fixtures';
import { isLoopbackUrl } from '../main/companion';
import { parseResponse } from '../main/qbxml/parser';
import { createSoapClient } from '../main/simulator/soap-client';
import { escapeText } from '../main/xml/escape';
import { EchoQuickBooks, HCP_QB2014, tempDir } from './helpers';

const CLI = path.join(__dirname, '..', 'dist', 'main', 'cli.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function run(args: string[], input?: string, env?: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 30_000, env: env ?? process.env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `serve`; resolves with its URL once it printed it. */
function serve(dataDir: string): Promise<{ url: string; proc: ChildProcess; token: string; stderr: () => string }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ url: line, proc, token: fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim(), stderr: () => err });
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
    const paged = JSON.parse(run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerQueryRq/>', '--page-size', '200']).stdout);
    expect(JSON.parse(run(['request', paged.requestId, '--data-dir', dir]).stdout)).toMatchObject({ pageSize: 200, pages: 0, qbxml: '<CustomerQueryRq><MaxReturned>200</MaxReturned></CustomerQueryRq>' });
    expect(run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerQueryRq/>', '--page-size', '5']).stderr).toMatch(/at least 100 records per page.*\(pageSize\)/);
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
    const created = run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme', '--password-stdin'], 'secret password\n');
    expect([created.code, created.stderr]).toEqual([0, '']); // no warning: the password never was an argument
    expect(JSON.parse(created.stdout).password).toBeUndefined(); // given, so not shown back
    run(['enqueue', 'acme', '--data-dir', dir, '--qbxml', '<CustomerQueryRq><MaxReturned>2</MaxReturned></CustomerQueryRq>']);
    const server = await serve(dir);
    const { url } = server;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    // --port 0 took a temporary port: the QWC names the stable default, and both the server and the CLI say so.
    expect(server.stderr()).toMatch(/warning: This companion listens on the temporary port \d+ \(--port 0\), but QWC files name port 8520/);
    const qwcFile = path.join(dir, 'acme.qwc');
    const qwc = run(['qwc', 'acme', '--data-dir', dir]);
    expect(qwc.stdout).toContain('<AppURL>http://localhost:8520/qbwc</AppURL>');
    expect(qwc.stdout).toContain('<AppSupport>http://localhost:8520/support</AppSupport>');
    expect(qwc.stderr).toContain(`warning: the server listens on the temporary port ${new URL(url).port}, but this QWC file names port 8520`);
    fs.writeFileSync(qwcFile, qwc.stdout);
    const sim = spawnSync(process.execPath, [CLI, 'simulate', '--qwc', qwcFile, '--url', `${url}/qbwc`, '--password-stdin', '--noop-ms', '10'], {
      encoding: 'utf8',
      input: 'secret password\n',
      timeout: 30_000,
    });
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

/** A throw-away HTTP server on 127.0.0.1 that records every request it gets. */
async function recorder(): Promise<{ url: string; requests: { method?: string; url?: string; authorization?: string }[]; close: () => Promise<void> }> {
  const requests: { method?: string; url?: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data": []}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Every file and folder under `dir`, with its permission bits. */
function modes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) out[name] = fs.statSync(path.join(dir, name)).mode & 0o777;
  return out;
}

describe('qbwc-companion CLI: data folder and secrets', () => {
  it('takes only loopback http:// URLs from server.json', () => {
    for (const url of ['http://127.0.0.1:8520', 'http://127.3.2.1:1', 'http://localhost:8520', 'http://[::1]:8520', 'http://LOCALHOST:9/']) expect([url, isLoopbackUrl(url)]).toEqual([url, true]);
    for (const url of ['http://10.0.0.1:8520', 'http://0.0.0.0:8520', 'http://example.com', 'http://127.0.0.1.example.com:80', 'https://127.0.0.1:8520', 'http://u:p@127.0.0.1:1', 'http://127.0.0.1:1/evil', 'file:///tmp/x', 'not a url']) {
      expect([url, isLoopbackUrl(url)]).toEqual([url, false]);
    }
  });

  it('does not send the API token where a tampered server.json points', async () => {
    const dir = tempDir();
    run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme']);
    const server = await serve(dir);
    const file = path.join(dir, 'server.json');
    const genuine = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(genuine).toMatchObject({ url: server.url, pid: server.proc.pid, qwcPort: 8520, mac: expect.any(String) });
    expect(JSON.parse(run(['instances', 'list', '--data-dir', dir]).stdout).data).toHaveLength(1); // the genuine one is used
    const trap = await recorder();
    try {
      // Another URL, under the lock holder's pid (its MAC no longer matches).
      fs.writeFileSync(file, JSON.stringify({ ...genuine, url: trap.url }));
      const moved = run(['instances', 'list', '--data-dir', dir]);
      expect(moved.code).toBe(1);
      expect(moved.stderr).toContain(`Not sending the API token: server.json (pointing to ${trap.url}) was not written by the server that holds the data folder`);
      // Another URL and a pid that is not the lock holder's (it waits a moment for the owner to change, then refuses).
      fs.writeFileSync(file, JSON.stringify({ ...genuine, url: trap.url, pid: process.pid }));
      const otherPid = run(['instances', 'list', '--data-dir', dir]);
      expect(otherPid.code).toBe(1);
      expect(otherPid.stderr).toContain(`Not sending the API token: server.json names process ${process.pid}, but the data folder is held by process ${server.proc.pid}`);
      // Not a plain loopback http:// URL, even with the right pid (https here: the recorder is never reached either way).
      fs.writeFileSync(file, JSON.stringify({ ...genuine, url: trap.url.replace('http:', 'https:') }));
      const offLoopback = run(['qwc', 'acme', '--data-dir', dir]);
      expect(offLoopback.code).toBe(1);
      expect(offLoopback.stderr).toContain("which is not a plain http:// address on this computer's loopback");
      expect(trap.requests).toEqual([]);
    } finally {
      await trap.close();
    }
    fs.writeFileSync(file, JSON.stringify(genuine));
    expect(run(['instances', 'list', '--data-dir', dir]).code).toBe(0);
  }, 30_000);

  it('refuses a data folder others may read or write, with the command that fixes it, and leaves it as it was', () => {
    for (const mode of [0o777, 0o755]) {
      const dir = tempDir();
      fs.chmodSync(dir, mode);
      for (const args of [['instances', 'list'], ['instances', 'create', '--name', 'A', '--username', 'a'], ['serve', '--port', '0']]) {
        const r = run([...args, '--data-dir', dir]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`can be ${mode === 0o777 ? 'changed' : 'read'} by other users (mode 0${mode.toString(8)})`);
        expect(r.stderr).toContain(`make it yours only with:\n  chmod 700 ${dir}\n`);
      }
      expect(fs.statSync(dir).mode & 0o777).toBe(mode);
      expect(fs.readdirSync(dir)).toEqual([]);
      fs.chmodSync(dir, 0o700);
      expect(run(['instances', 'list', '--data-dir', dir]).code).toBe(0);
    }
  });

  it('does not create a missing data folder except for serve and instances create, which say where', async () => {
    const parent = tempDir();
    const typo = path.join(parent, 'typo');
    for (const args of [['instances', 'list'], ['qwc', 'acme'], ['enqueue', 'acme', '--qbxml', '<CustomerQueryRq/>'], ['request', 'x'], ['instances', 'forget-company', 'acme']]) {
      const r = run([...args, '--data-dir', typo]);
      expect([r.code, r.stderr]).toEqual([1, `qbwc-companion: The data folder ${typo} does not exist (check --data-dir). "qbwc-companion serve" or "qbwc-companion instances create" creates it.\n`]);
      expect(fs.existsSync(typo)).toBe(false);
    }
    const env = { ...process.env, QBWC_COMPANION_DATA_DIR: typo };
    expect(run(['instances', 'list'], undefined, env).stderr).toContain('(check QBWC_COMPANION_DATA_DIR)');

    const created = run(['instances', 'create', '--data-dir', typo, '--name', 'Acme', '--username', 'acme']);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe(`qbwc-companion: created the data folder ${typo}\n`);
    expect(fs.statSync(typo).mode & 0o777).toBe(0o700);
    expect(run(['instances', 'list', '--data-dir', typo]).stderr).toBe(''); // said once, when it was created

    const fresh = path.join(parent, 'fresh');
    const server = await serve(fresh);
    expect(server.stderr()).toContain(`qbwc-companion: created the data folder ${fresh}\n`);
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
  });

  it('reads passwords from standard input, warns when one is an argument, and never asks without a terminal', () => {
    const dir = tempDir();
    const piped = run(['instances', 'create', '--data-dir', dir, '--name', 'A', '--username', 'a', '--password-stdin'], 'from stdin pw\r\n');
    expect([piped.code, piped.stderr]).toEqual([0, '']);
    const argument = run(['instances', 'create', '--data-dir', dir, '--name', 'B', '--username', 'b', '--password', 'long enough pw']);
    expect(argument.code).toBe(0);
    expect(argument.stderr).toMatch(/warning: a password given with --password can be read by other users of this computer in the process list; use --password-stdin/);
    expect(run(['instances', 'create', '--data-dir', dir, '--name', 'C', '--username', 'c', '--password-stdin'], '').stderr).toContain('standard input held no password');
    expect(run(['instances', 'create', '--data-dir', dir, '--name', 'C', '--username', 'c', '--password-stdin', '--password', 'x']).code).toBe(2);
    const noTerminal = run(['simulate', '--url', 'http://localhost:1/qbwc', '--username', 'a', '--owner-id', '{X}', '--file-id', '{Y}'], '');
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('give the password on standard input with --password-stdin');
  });

  it('runs the demo in a temporary folder of owner-only files and removes it when done or on Ctrl+C', async () => {
    const tmp = tempDir();
    const env = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
    const done = spawnSync(process.execPath, [CLI, 'demo', '--once'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(done.stdout).toContain('temporary data folder, removed when the demo ends');
    expect(done.status).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);

    const proc = spawn(process.execPath, [CLI, 'demo', '--keep-running'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    children.push(proc);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (c: Buffer) => {
        out += c;
        if (out.includes('Press Ctrl+C')) resolve();
      });
      proc.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
    });
    const [folder] = fs.readdirSync(tmp);
    const dataDir = path.join(tmp, folder as string);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = modes(dataDir);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['companion.log', 'api-token', 'companion.db', 'server.json']));
    expect(fs.readFileSync(path.join(dataDir, 'companion.log'), 'utf8')).toContain('QBWC Companion started');
    for (const [name, mode] of Object.entries(files)) {
      expect([name, mode & 0o077]).toEqual([name, 0]); // the owner's only
    }
    const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
  }, 90_000);
});
