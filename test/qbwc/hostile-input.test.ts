/**
 * Hostile input at the SOAP endpoint, which anyone who can reach it may call without a
 * ticket: a start tag with a hundred thousand attributes must be refused with a SOAP 1.1
 * Fault in time linear in its size, and while one arrives slowly the server must go on
 * answering everyone else (one Node thread serves every call).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../../main/companion';
import { silentLogger } from '../../main/logger';
import { buildRequestEnvelope } from '../../main/simulator/soap-client';
import { MAX_ATTRIBUTES, MAX_NAMESPACE_DECLARATIONS, MAX_TOKEN } from '../../main/xml/tokenizer';
import { attrName, tempDir } from '../helpers';

let companion: Companion;
let port: number;
beforeAll(async () => {
  companion = await startCompanion({ dataDir: tempDir(), port: 0, logger: silentLogger });
  port = companion.port;
});
afterAll(() => companion.stop());

const serverVersion = buildRequestEnvelope('serverVersion', {}, 'Document');

/** A serverVersion call whose body element carries `attributes` (each with its leading space). */
const withAttributes = (attributes: string): string => {
  const at = serverVersion.indexOf('<serverVersion ') + '<serverVersion'.length;
  return serverVersion.slice(0, at) + attributes + serverVersion.slice(at);
};

/** ` A="v" B="v" …`: 8 bytes an attribute or less. */
const attributes = (n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += ` ${attrName(i)}="v"`;
  return s;
};

interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** POSTs `body` on a connection of its own; resolves with the reply and how long it took. */
function post(body: string): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/qbwc', method: 'POST', agent: false, headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
      },
    );
    // The server may close the connection before it has read a body it refused.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

async function expectStillUp(): Promise<void> {
  const r = await post(serverVersion);
  expect(r.status).toBe(200);
  expect(r.body).toContain('<serverVersionResult>QBWC Companion');
}

/**
 * Sends `body` as a POST on a socket of its own, `piece` bytes every `delayMs`, until the
 * server answers; meanwhile, every few pieces, another client calls serverVersion on a
 * connection of its own. Resolves with the answer, those calls' latencies and the bytes sent.
 */
async function slowPost(body: Buffer, piece: number, delayMs: number): Promise<{ reply: string; latencies: number[]; sent: number }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  socket.on('error', () => undefined); // writing on after the server refused and closed
  let reply = '';
  socket.on('data', (d: Buffer) => (reply += d.toString('utf8')));
  let closed = false;
  const close = new Promise<void>((resolve) => socket.once('close', () => resolve((closed = true) && undefined)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`POST /qbwc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  const latencies: number[] = [];
  let sent = 0;
  try {
    for (let i = 1; sent < body.length && !closed; i++) {
      socket.write(body.subarray(sent, sent + piece));
      sent = Math.min(body.length, sent + piece);
      await new Promise((r) => setTimeout(r, delayMs));
      if (i % 8 === 0 || (i < 8 && i % 2 === 0)) {
        const r = await post(serverVersion);
        expect(r.status).toBe(200);
        latencies.push(r.ms);
        if (r.ms > 1000) break; // the server is stuck: no point sending the rest
      }
    }
    await Promise.race([close, new Promise((_, reject) => setTimeout(() => reject(new Error('no answer 5 s after the last piece')), 5000))]);
  } finally {
    socket.destroy();
  }
  return { reply, latencies, sent };
}

const FAULT = /^<\?xml version="1\.0" encoding="utf-8"\?><soap:Envelope [^>]*><soap:Body><soap:Fault><faultcode>soap:Client<\/faultcode><faultstring>/;
const TOO_MANY_ATTRIBUTES = new RegExp(`&lt;serverVersion&gt; has more than ${MAX_ATTRIBUTES} attributes, the limit`);

describe('the SOAP endpoint on hostile input', () => {
  it(`answers a body element with ${MAX_ATTRIBUTES} attributes, and refuses one more with a SOAP Fault`, async () => {
    // The xmlns already there makes MAX_ATTRIBUTES with MAX_ATTRIBUTES - 1 more.
    const ok = await post(withAttributes(attributes(MAX_ATTRIBUTES - 1)));
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<serverVersionResult>QBWC Companion');
    const refused = await post(withAttributes(attributes(MAX_ATTRIBUTES)));
    expect(refused.status).toBe(500);
    expect(refused.body).toMatch(FAULT);
    expect(refused.body).toMatch(TOO_MANY_ATTRIBUTES);
  });

  it(`refuses an Envelope with more than ${MAX_NAMESPACE_DECLARATIONS} namespace declarations with a SOAP Fault`, async () => {
    let declarations = '';
    for (let i = 0; i < MAX_NAMESPACE_DECLARATIONS; i++) declarations += ` xmlns:${attrName(i)}="urn:x"`;
    const r = await post(serverVersion.replace('<soap:Envelope ', `<soap:Envelope${declarations} `));
    expect(r.status).toBe(500);
    expect(r.body).toMatch(FAULT);
    expect(r.body).toMatch(new RegExp(`&lt;soap:Envelope&gt; has more than ${MAX_NAMESPACE_DECLARATIONS} namespace declarations, the limit`));
    await expectStillUp();
  });

  it('answers other calls while a megabyte start tag of 125,000 attributes arrives slowly, and refuses it before its end', async () => {
    const body = Buffer.from(withAttributes(attributes(125_000)));
    // Pieces of 256 bytes (32 attributes): the limit is passed after a few of them.
    const r = await slowPost(body, 256, 10);
    expect(r.latencies.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...r.latencies)).toBeLessThan(1000);
    expect(r.reply).toMatch(/^HTTP\/1\.1 500 /);
    expect(r.reply.slice(r.reply.indexOf('\r\n\r\n') + 4)).toMatch(FAULT);
    expect(r.reply).toMatch(TOO_MANY_ATTRIBUTES);
    // Refused once past the limit, not after the whole megabyte has come in.
    expect(r.sent).toBeLessThan(body.length / 2);
    await expectStillUp();
  });

  it('answers other calls while a megabyte start tag within the limits arrives slowly, then answers it', async () => {
    let big = '';
    for (let i = 0; i < 200; i++) big += ` ${attrName(i)}="${'v'.repeat(5000)}"`;
    const body = Buffer.from(withAttributes(big));
    expect(body.length).toBeGreaterThan(1_000_000);
    const r = await slowPost(body, 16 * 1024, 5);
    expect(r.latencies.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...r.latencies)).toBeLessThan(1000);
    expect(r.reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.reply).toContain('<serverVersionResult>QBWC Companion');
  });

  it('refuses a serverVersion call whose megabyte start tag holds 125,000 attributes within 2 s, and stays up', async () => {
    const body = withAttributes(attributes(125_000));
    expect(body.length).toBeGreaterThan(990_000);
    expect(body.length).toBeLessThan(MAX_TOKEN);
    const r = await post(body);
    expect(r.status).toBe(500);
    expect(r.body).toMatch(FAULT);
    expect(r.body).toMatch(TOO_MANY_ATTRIBUTES);
    expect(r.ms).toBeLessThan(2000);
    await expectStillUp();
  });
});
