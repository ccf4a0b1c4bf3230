/**
 * The REST API lets a request in before reading its body, and reads no more of a body than
 * the operation takes (issue 20, item 3): refused requests are answered at once, their
 * bodies never taken in; JSON operations take 1 MB, queueing raw qbXML the configured maximum.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, tempDir } from '../helpers';

const MB = 1024 * 1024;

interface Outcome {
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** From the first byte sent to the answer's headers. */
  answeredMs: number;
  /** Body bytes the client managed to send before it stopped or the server cut it off. */
  sent: number;
  /** The server sent "100 Continue". */
  continued: boolean;
}

/**
 * POSTs a `size`-byte body generated in 64 KB chunks (never held whole), as fast as the
 * server takes it. With `stopOnAnswer` the client stops sending once the answer arrives, as
 * `Connection: close` asks; without, it keeps sending until the server closes the connection.
 */
function streamPost(
  url: string,
  route: string,
  size: number,
  headers: Record<string, string>,
  { stopOnAnswer = true, chunked = false, expectContinue = false } = {},
): Promise<Outcome> {
  const u = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const out: Outcome = { status: undefined, headers: {}, body: '', answeredMs: -1, sent: 0, continued: false };
    let answered = false;
    let answerEnded = false;
    let closed = false;
    const done = () => {
      if (!answerEnded || (!stopOnAnswer && !closed)) return;
      req.destroy();
      resolve(out);
    };
    const req = http.request({
      host: u.hostname,
      port: u.port,
      method: 'POST',
      path: route,
      agent: false,
      headers: {
        'Content-Type': 'application/json',
        ...(chunked ? {} : { 'Content-Length': String(size) }),
        ...(expectContinue ? { Expect: '100-continue' } : {}),
        ...headers,
      },
    });
    req.on('response', (res) => {
      out.status = res.statusCode;
      out.headers = res.headers;
      out.answeredMs = Date.now() - started;
      answered = true;
      res.setEncoding('utf8');
      res.on('data', (c: string) => (out.body += c));
      res.on('end', () => {
        answerEnded = true;
        done();
      });
    });
    req.on('continue', () => {
      out.continued = true;
      pump();
    });
    // After the answer, the server cutting the connection while the client still sends is expected.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.on('close', () => {
      closed = true;
      if (!answered) reject(new Error('The connection closed without an answer.'));
      done();
    });
    const pump = () => {
      while (out.sent < size) {
        if ((answered && stopOnAnswer) || req.destroyed) return;
        const piece = size - out.sent >= chunk.length ? chunk : chunk.subarray(0, size - out.sent);
        out.sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    if (expectContinue) req.flushHeaders();
    else pump();
  });
}

const CLI = path.join(__dirname, '..', '..', 'dist', 'main', 'cli.js');

/** The resident and peak resident memory of a process, in bytes (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

describe.runIf(process.platform === 'linux')('refused requests, served by the CLI in its own process', () => {
  let proc: ChildProcess;
  let url: string;
  let token: string;

  beforeAll(async () => {
    const dataDir = tempDir();
    proc = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (c: Buffer) => {
        out += c;
        if (out.includes('\n')) resolve(out.split('\n')[0] as string);
      });
      proc.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
  });
  afterAll(() => {
    proc?.kill('SIGKILL');
  });

  it('answers eight parallel unauthenticated 60 MB POSTs with 401 within a second each, without taking their bodies in', async () => {
    const size = 60 * MB;
    // Warm up: the server's code paths run once before its memory is measured.
    for (let i = 0; i < 3; i++) {
      const warm = await streamPost(url, '/api/v1/instances/x/requests', MB, {});
      expect(warm.status).toBe(401);
    }
    const before = memoryOf(proc.pid as number);

    // Half stop sending when answered (as Connection: close asks); half keep sending until cut off.
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        streamPost(url, i % 4 === 0 ? '/api/v1/instances' : '/api/v1/instances/x/requests', size, {}, { stopOnAnswer: i % 2 === 0, chunked: i % 3 === 0 }),
      ),
    );
    const after = memoryOf(proc.pid as number);

    for (const o of outcomes) {
      expect(o.status).toBe(401);
      expect(o.answeredMs).toBeLessThan(1000);
      expect(o.headers.connection).toBe('close');
      expect(JSON.parse(o.body).error).toMatchObject({ code: 'unauthorized', field: 'Authorization' });
      // The server ended the connection: far less than the body got through.
      expect(o.sent).toBeLessThan(size);
    }
    // Nothing of ~480 MB was buffered: the server's peak memory stayed where it was.
    expect(after.peak - before.rss).toBeLessThan(100 * MB);

    // And the server is fine afterwards.
    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    const ok = await fetch(`${url}/api/v1/instances`, { headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
  });

  it('refuses a foreign Host the same way, before any of the body', async () => {
    const o = await streamPost(url, '/api/v1/instances', 60 * MB, { Host: 'evil.example' }, { stopOnAnswer: false });
    expect(o.status).toBe(403);
    expect(o.answeredMs).toBeLessThan(1000);
    expect(o.headers.connection).toBe('close');
    expect(o.sent).toBeLessThan(60 * MB);
  });
});

describe('body limits that fit each operation', () => {
  let h: Harness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness({ maxBodyBytes: 8 * MB });
    auth = { Authorization: `Bearer ${h.companion.apiToken}` };
  });
  afterAll(() => h.stop());

  it('answers an oversized JSON body to a small-limit operation with 413 naming body, before reading it', async () => {
    for (const chunked of [false, true]) {
      const o = await streamPost(h.companion.url, '/api/v1/instances', 2 * MB, auth, { chunked, stopOnAnswer: false });
      expect(o.status).toBe(413);
      expect(o.headers.connection).toBe('close');
      const error = JSON.parse(o.body).error;
      expect(error).toMatchObject({ code: 'body_too_large', field: 'body', problems: [{ field: 'body', rule: 'max_size' }] });
      expect(error.message).toBe('The body is larger than the 1 MB this operation accepts.');
    }
    // A declared length over the limit is refused before the client sends a byte of it.
    const declared = await streamPost(h.companion.url, '/api/v1/instances', 100 * MB, auth, { expectContinue: true });
    expect(declared).toMatchObject({ status: 413, continued: false, sent: 0 });
  });

  it('takes raw qbXML up to the configured maximum where it is queued, and no more', async () => {
    const element = `<CustomerQueryRq><FullName>${'x'.repeat(2000)}</FullName></CustomerQueryRq>`;
    const qbxml = element.repeat(700); // ~1.4 MB: over the JSON operations' limit
    const r = await fetch(`${h.companion.url}/api/v1/instances/${h.instance.instanceId}/requests`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ qbxml }),
    });
    expect(r.status).toBe(202);
    const over = await streamPost(h.companion.url, `/api/v1/instances/${h.instance.instanceId}/requests`, 9 * MB, auth, { chunked: true });
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body).error.message).toBe('The body is larger than the 8 MB this operation accepts.');
  });

  it('keeps the connection of a refused request without a body open', async () => {
    const u = new URL(h.companion.url);
    const agent = new http.Agent({ keepAlive: true });
    const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      http.get({ host: u.hostname, port: u.port, path: '/api/v1/instances', agent }, (res) => {
        res.resume();
        resolve(res.headers);
      }).on('error', reject);
    });
    agent.destroy();
    expect(headers.connection).toBe('keep-alive');
  });

  it('says "100 Continue" only to a request it lets in', async () => {
    const refused = await streamPost(h.companion.url, '/api/v1/instances', 10 * MB, {}, { expectContinue: true });
    expect(refused).toMatchObject({ status: 401, continued: false, sent: 0 });
    const body = JSON.stringify({ name: 'Continued', username: 'continued', password: 'long enough pw' });
    const admitted = await new Promise<{ status: number | undefined; continued: boolean }>((resolve, reject) => {
      const u = new URL(h.companion.url);
      let continued = false;
      const req = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/instances', headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, continued }));
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(admitted).toEqual({ status: 201, continued: true });
  });

  it('refuses compressed bodies and other charsets with 415, and still parses UTF-8 JSON with a BOM', async () => {
    const post = (headers: Record<string, string>, body: string | Buffer) =>
      fetch(`${h.companion.url}/api/v1/qwc/validate`, { method: 'POST', headers: { ...auth, ...headers }, body });
    const gz = await post({ 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, '{}');
    expect([gz.status, ((await gz.json()) as { error: { field: string } }).error.field]).toEqual([415, 'Content-Encoding']);
    const latin = await post({ 'Content-Type': 'application/json; charset=iso-8859-1' }, '{}');
    expect(latin.status).toBe(415);
    const bom = await post({ 'Content-Type': 'application/json; charset=utf-8' }, Buffer.from('\uFEFF{"qwc": "<QBWCXML/>"}', 'utf8'));
    expect(bom.status).toBe(200);
  });
});
