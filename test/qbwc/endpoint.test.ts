import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequestEnvelope } from '../../main/simulator/soap-client';
import { FIRST_SEND, type Harness, startHarness } from '../helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: 200 * 1024 * 1024 });
});
afterAll(() => h.stop());

interface Reply {
  status: number;
  type: string;
  body: string;
}

function post(body: string | Buffer | (() => AsyncGenerator<Buffer>), headers: Record<string, string | number> = {}, method = 'POST'): Promise<Reply> {
  const url = new URL(`${h.companion.url}/qbwc`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: '/qbwc', method, headers: { 'Content-Type': 'text/xml; charset=utf-8', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    if (typeof body === 'function') {
      (async () => {
        for await (const chunk of body()) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(() => req.destroy());
    } else req.end(body);
  });
}

const serverVersion = buildRequestEnvelope('serverVersion', {}, 'Document');

async function stillUp(): Promise<void> {
  const r = await post(serverVersion);
  expect(r.status).toBe(200);
  expect(r.body).toContain('<serverVersionResult>QBWC Companion');
}

describe('the QBWC endpoint over HTTP', () => {
  it('answers with text/xml; charset=utf-8 whatever the SOAPAction (quoted, unquoted, absent)', async () => {
    for (const action of ['"http://developer.intuit.com/serverVersion"', 'http://developer.intuit.com/serverVersion', 'http://developer.intuit.com/getLastError', undefined]) {
      const r = await post(serverVersion, action ? { SOAPAction: action } : {});
      expect(r.status).toBe(200);
      expect(r.type).toBe('text/xml; charset=utf-8');
      expect(r.body.startsWith('<?xml version="1.0" encoding="utf-8"?><soap:Envelope')).toBe(true);
    }
  });

  it('serves its WSDL at GET /qbwc?wsdl', async () => {
    const r = await post('', {}, 'GET').catch(() => null);
    expect(r?.status).toBe(200);
    const wsdl = await fetch(`${h.companion.url}/qbwc?wsdl`);
    expect(wsdl.status).toBe(200);
    expect(wsdl.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const text = await wsdl.text();
    expect(text).toContain(`<soap:address location="http://localhost:${h.companion.port}/qbwc"/>`);
    expect(text.match(/<wsdl:operation name="/g)).toHaveLength(24); // 12 in portType, 12 in binding
  });

  it.each([
    ['not XML', 'this is not xml', /not well-formed/],
    ['a billion-laughs DOCTYPE', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>', /DOCTYPE/],
    ['an unknown method', serverVersion.replace(/serverVersion/g, 'formatDisk'), /Unknown method/],
    ['a missing field', buildRequestEnvelope('authenticate', { strUserName: 'x' }, 'Document'), /strPassword/],
    ['a truncated envelope', serverVersion.slice(0, 120), /not well-formed/],
  ])('answers %s with a SOAP 1.1 Fault (HTTP 500) and stays up', async (_label, body, message) => {
    const r = await post(body);
    expect(r.status).toBe(500);
    expect(r.type).toBe('text/xml; charset=utf-8');
    expect(r.body).toMatch(/<soap:Fault><faultcode>soap:Client<\/faultcode><faultstring>/);
    expect(r.body).toMatch(message);
    await stillUp();
  });

  it('refuses a body over the limit, declared or streamed, and stays up', async () => {
    const small = await startHarness({ maxBodyBytes: 64 * 1024 });
    try {
      const url = new URL(`${small.companion.url}/qbwc`);
      // The filler goes in the one field without a length limit of its own (it is streamed).
      const head = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>t</ticket><response>';
      const big = Buffer.concat([Buffer.from(head), Buffer.alloc(200 * 1024 - head.length, 'a')]);
      const send = (headers: Record<string, string | number>) =>
        new Promise<Reply>((resolve, reject) => {
          const req = http.request({ host: url.hostname, port: url.port, path: '/qbwc', method: 'POST', headers }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
          });
          req.on('error', reject);
          req.write(big.subarray(0, 100 * 1024));
          req.end(big.subarray(100 * 1024));
        });
      const declared = await send({ 'Content-Length': big.length });
      expect(declared.status).toBe(500);
      expect(declared.body).toMatch(/larger than the 65536-byte limit/);
      const chunked = await send({ 'Transfer-Encoding': 'chunked' });
      expect(chunked.status).toBe(500);
      expect(chunked.body).toMatch(/larger than/);
      const ok = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: serverVersion });
      expect(ok.status).toBe(200);
    } finally {
      await small.stop();
    }
  });

  it('lets a client that disconnects mid-request go quietly (a warning, not an error) and stays up', async () => {
    const logged: { level: string; message: string }[] = [];
    const record = (level: string) => (message: string) => void logged.push({ level, message });
    const quiet = await startHarness({ logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } });
    try {
      const url = new URL(`${quiet.companion.url}/qbwc`);
      const socket = net.connect(Number(url.port), url.hostname);
      await new Promise((r) => socket.once('connect', r));
      socket.write(`POST /qbwc HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: ${serverVersion.length}\r\n\r\n${serverVersion.slice(0, 80)}`);
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      await expect.poll(() => logged.map((l) => l.message)).toContain('The Web Connector disconnected before its request arrived whole');
      expect(logged.filter((l) => l.level === 'error')).toEqual([]);
      const ok = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: serverVersion });
      expect(ok.status).toBe(200);
    } finally {
      await quiet.stop();
    }
  });

  it('refuses an unsupported charset and a non-POST method', async () => {
    const r = await post(serverVersion, { 'Content-Type': 'text/xml; charset=shift_jis' });
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/Unsupported charset/);
    expect((await post(serverVersion, {}, 'PUT')).status).toBe(405);
  });

  it('is found whatever the case of its path or a trailing slash (a hand-typed AppURL)', async () => {
    for (const path of ['/QBWC', '/qbwc/', '/Qbwc/']) {
      const res = await fetch(`${h.companion.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: serverVersion });
      expect([path, res.status, await res.text()]).toEqual([path, 200, expect.stringContaining('<serverVersionResult>')]);
    }
  });

  it('refuses requests for another host name (DNS rebinding) and from foreign web origins', async () => {
    const evilHost = await post(serverVersion, { Host: 'attacker.example:80' });
    expect(evilHost.status).toBe(403);
    expect(evilHost.body).toContain('<soap:Fault>');
    const evilOrigin = await post(serverVersion, { Origin: 'https://attacker.example' });
    expect(evilOrigin.status).toBe(403);
    await stillUp();
  });

  it('accepts a 100 MB receiveResponseXML and stores the response for the in-flight request', async () => {
    const id = h.enqueue('<InvoiceQueryRq><MaxReturned>1</MaxReturned></InvoiceQueryRq>');
    const soap = h.soap();
    const auth = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    const ticket = auth[0] as string;
    await soap.call('sendRequestXML', { ticket, ...FIRST_SEND });
    soap.close();

    // An InvoiceQueryRs of ~100 MB, escaped inside the SOAP body as QBWC sends it, streamed in.
    const record = '&lt;InvoiceRet&gt;&lt;TxnID&gt;1-1&lt;/TxnID&gt;&lt;Memo&gt;' + 'x'.repeat(900) + ' &amp;amp; ok&lt;/Memo&gt;&lt;/InvoiceRet&gt;';
    const count = 110_000;
    const head = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>${ticket}</ticket><response>&lt;?xml version="1.0" ?&gt;&lt;QBXML&gt;&lt;QBXMLMsgsRs&gt;&lt;InvoiceQueryRs requestID="${id}" statusCode="0" statusSeverity="Info" statusMessage="Status OK"&gt;`;
    const tail = '&lt;/InvoiceQueryRs&gt;&lt;/QBXMLMsgsRs&gt;&lt;/QBXML&gt;</response><hresult /><message /></receiveResponseXML></soap:Body></soap:Envelope>';
    const total = Buffer.byteLength(head) + Buffer.byteLength(tail) + count * Buffer.byteLength(record);
    expect(total).toBeGreaterThan(100 * 1024 * 1024);
    const r = await post(
      async function* () {
        yield Buffer.from(head);
        const block = Buffer.from(record.repeat(1000));
        for (let i = 0; i < count / 1000; i++) yield block;
        yield Buffer.from(tail);
      },
      { 'Content-Length': total },
    );
    expect(r.status).toBe(200);
    expect(r.body).toContain('<receiveResponseXMLResult>100</receiveResponseXMLResult>');
    const stored = await h.companion.handlers.getRequest({ requestId: id });
    expect(stored.status).toBe('done');
    expect(stored.responseSize).toBeGreaterThan(90 * 1024 * 1024);
    expect(stored.response).toBeUndefined(); // too big to inline; download it from responseUrl
    expect(stored.responseUrl).toBe(`/api/v1/requests/${id}/response`);
  }, 120_000);
});

describe('connections that stall', () => {
  it('are closed (headers too slow, or a body that stops coming) while other clients are served', async () => {
    const slow = await startHarness({ httpTimeouts: { headersMs: 300, idleMs: 600, requestMs: 60_000, checkMs: 100 } });
    try {
      const { port } = new URL(slow.companion.url);
      /** Opens a socket, sends `text`, and resolves with how long until the server closed it. */
      const stall = (text: string) =>
        new Promise<number>((resolve, reject) => {
          const started = Date.now();
          const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
          socket.on('data', () => undefined);
          socket.on('close', () => resolve(Date.now() - started));
          socket.on('error', () => undefined);
          setTimeout(() => reject(new Error('still open after 5 s')), 5000).unref();
        });
      const headers = stall('POST /qbwc HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const body = stall(`POST /qbwc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<soap:Envelope`);
      expect((await fetch(`${slow.companion.url}/api/v1/health`)).status).toBe(200);
      expect(await headers).toBeLessThan(3000);
      expect(await body).toBeLessThan(3000);
    } finally {
      await slow.stop();
    }
  });
});
