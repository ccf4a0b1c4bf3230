/**
 * Responses past the in-memory threshold: they spill to a file, their text may bypass the
 * SOAP tokenizer as raw bytes, and they are parsed as they stream in.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateInvoiceQueryRs } from '../../bench/qbxml-fixtures';
import { parseResponse } from '../../main/qbxml/parser';
import { RESPONSES_DIR } from '../../main/store/responses';
import { escapeText } from '../../main/xml/escape';
import { FIRST_SEND, type Harness, startHarness, tempDir } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ENVELOPE_HEAD = '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>';

/** Authenticates and takes the request the harness queued; returns the ticket. */
async function sessionFor(harness: Harness): Promise<string> {
  const soap = harness.soap();
  const auth = (await soap.call('authenticate', { strUserName: 'tester', strPassword: harness.password })) as string[];
  const ticket = auth[0] as string;
  await soap.call('sendRequestXML', { ticket, ...FIRST_SEND });
  soap.close();
  return ticket;
}

function receiveEnvelope(ticket: string, responseField: string): Buffer {
  return Buffer.from(
    `${ENVELOPE_HEAD}<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>${ticket}</ticket><response>${responseField}</response><hresult /><message /></receiveResponseXML></soap:Body></soap:Envelope>`,
  );
}

/** POSTs `body` in pieces of the given sizes (cycled), so pieces end inside references and characters. */
function post(harness: Harness, body: Buffer, pieceSizes: number[], stopAfter = Infinity): Promise<{ status: number; body: string }> {
  const url = new URL(`${harness.companion.url}/qbwc`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: '/qbwc', method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    (async () => {
      let at = 0;
      for (let i = 0; at < body.length; i++) {
        if (at >= stopAfter) {
          req.destroy();
          resolve({ status: 0, body: '' });
          return;
        }
        const size = pieceSizes[i % pieceSizes.length] as number;
        if (!req.write(body.subarray(at, at + size))) await new Promise((r) => req.once('drain', r));
        at += size;
        await new Promise((r) => setImmediate(r)); // let each piece arrive on its own
      }
      req.end();
    })().catch(reject);
  });
}

const responseFiles = (harness: Harness) => {
  try {
    return fs.readdirSync(path.join(harness.dataDir, RESPONSES_DIR));
  } catch {
    return [];
  }
};

describe('a large response', () => {
  it('is stored exactly and parsed into every record, however its bytes are cut', async () => {
    h = await startHarness();
    const id = h.enqueue('<InvoiceQueryRq><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>');
    const ticket = await sessionFor(h);
    const qbxml = generateInvoiceQueryRs(3_000_000, { requestId: id, iterator: false });
    // Odd piece sizes: pieces end inside &lt; references and inside the UTF-8 of é and “.
    const r = await post(h, receiveEnvelope(ticket, escapeText(qbxml)), [65_537, 4_093, 1, 131_071, 7]);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<receiveResponseXMLResult>100</receiveResponseXMLResult>');

    const expected = parseResponse(qbxml).responses[0]?.value.InvoiceRet as unknown[];
    const stored = await h.companion.handlers.getRequest({ requestId: id });
    expect(stored).toMatchObject({ status: 'done', recordCount: expected.length, responseSize: Buffer.byteLength(qbxml) });
    const first = await h.companion.handlers.listRecords({ requestId: id, limit: 2 } as never);
    expect(first.data.map((rec) => rec.data)).toEqual(expected.slice(0, 2));
    expect([...h.companion.services.requests.responseChunks(id)].join('')).toBe(qbxml);
    expect(responseFiles(h)).toHaveLength(1);
  }, 60_000);

  it('closes its file when a client stops downloading it midway', async () => {
    h = await startHarness();
    const id = h.enqueue('<InvoiceQueryRq/>');
    const ticket = await sessionFor(h);
    expect((await post(h, receiveEnvelope(ticket, escapeText(generateInvoiceQueryRs(6_000_000, { requestId: id, iterator: false }))), [65_536])).status).toBe(200);
    const [file] = responseFiles(h);
    const openOnIt = () =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith(file as string);
        } catch {
          return false; // closed meanwhile
        }
      }).length;
    const token = fs.readFileSync(path.join(h.dataDir, 'api-token'), 'utf8').trim();
    const url = new URL(`${h.companion.url}/api/v1/requests/${id}/response`);
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, headers: { Authorization: `Bearer ${token}` } }, (res) => {
          // Read one piece, then hang up while the server still has megabytes to send.
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', reject);
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(openOnIt()).toBe(0);
  }, 60_000);

  it('sent twice is kept twice, but its records are counted once', async () => {
    h = await startHarness();
    const id = h.enqueue('<InvoiceQueryRq/>');
    const ticket = await sessionFor(h);
    const qbxml = generateInvoiceQueryRs(1_500_000, { requestId: id, iterator: false });
    const body = receiveEnvelope(ticket, escapeText(qbxml));
    expect((await post(h, body, [65_536])).status).toBe(200);
    const once = await h.companion.handlers.getRequest({ requestId: id });
    expect((await post(h, body, [65_536])).status).toBe(200); // e.g. QBWC retrying after a network error
    const twice = await h.companion.handlers.getRequest({ requestId: id });
    expect(twice.recordCount).toBe(once.recordCount);
    expect(twice.recordCount).toBeGreaterThan(300);
    const page = await h.companion.handlers.listRecords({ requestId: id, limit: 500 } as never);
    expect(page.data).toHaveLength(once.recordCount);
    expect(responseFiles(h)).toHaveLength(2);
  }, 60_000);

  it('also arrives whole in a CDATA section, as some clients send it', async () => {
    h = await startHarness();
    const id = h.enqueue('<InvoiceQueryRq/>');
    const ticket = await sessionFor(h);
    const qbxml = generateInvoiceQueryRs(1_500_000, { requestId: id, iterator: false });
    const r = await post(h, receiveEnvelope(ticket, `<![CDATA[${qbxml}]]>`), [32_768]);
    expect(r.status).toBe(200);
    const stored = await h.companion.handlers.getRequest({ requestId: id });
    expect(stored.recordCount).toBe((parseResponse(qbxml).responses[0]?.value.InvoiceRet as unknown[]).length);
    expect([...h.companion.services.requests.responseChunks(id)].join('')).toBe(qbxml);
  }, 60_000);

  it('with a malformed reference deep inside is refused with a SOAP Fault, leaves nothing behind, and the server stays up', async () => {
    h = await startHarness();
    const id = h.enqueue('<InvoiceQueryRq/>');
    const ticket = await sessionFor(h);
    const qbxml = generateInvoiceQueryRs(2_000_000, { requestId: id, iterator: false });
    const field = escapeText(qbxml).replace(/&amp;quot;/g, (m, at: number) => (at > 1_500_000 ? '&bogus;' : m));
    const r = await post(h, receiveEnvelope(ticket, field), [65_536]);
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/not well-formed XML: Undefined entity "&amp;bogus;"/);
    expect(responseFiles(h)).toEqual([]);
    const stored = await h.companion.handlers.getRequest({ requestId: id });
    expect(stored.recordCount).toBe(0);
    expect(stored.responseSize).toBeNull();
    const soap = h.soap();
    expect(await soap.call('serverVersion', {})).toMatch(/QBWC Companion/);
    soap.close();
  }, 60_000);

  it('cut off mid-upload leaves no file and no records once the companion restarts', async () => {
    const dataDir = tempDir();
    h = await startHarness({ dataDir });
    const id = h.enqueue('<InvoiceQueryRq/>');
    const ticket = await sessionFor(h);
    const qbxml = generateInvoiceQueryRs(4_000_000, { requestId: id, iterator: false });
    await post(h, receiveEnvelope(ticket, escapeText(qbxml)), [65_536], 3_000_000);
    // Whatever the abort left (this process may not have noticed the socket yet), a restart cleans up.
    await h.stop();
    fs.mkdirSync(path.join(dataDir, RESPONSES_DIR), { recursive: true });
    fs.writeFileSync(path.join(dataDir, RESPONSES_DIR, 'stray.xml'), 'left by a crash before its row was written');
    h = await startHarness({ dataDir });
    expect(responseFiles(h)).toEqual([]);
    const stored = await h.companion.handlers.getRequest({ requestId: id });
    expect(stored.recordCount).toBe(0);
    expect(stored.responseSize).toBeNull();
  }, 60_000);

  describe('when the disk fails while it is stored', () => {
    const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

    /** Posts the answer once with `fail` in place, then again without it: the second is stored whole, exactly once. */
    async function failsThenStoresWhole(fail: (harness: Harness) => () => void, compiled = false) {
      h = await startHarness({ compiled });
      const id = h.enqueue('<InvoiceQueryRq/>');
      const ticket = await sessionFor(h);
      const qbxml = generateInvoiceQueryRs(2_000_000, { requestId: id, iterator: false });
      const body = receiveEnvelope(ticket, escapeText(qbxml));
      const restore = fail(h);
      const refused = await post(h, body, [65_536]);
      restore();
      expect(refused.status).toBe(500);
      expect(refused.body).toMatch(/cannot save to its data folder/);
      expect(responseFiles(h)).toEqual([]);
      expect(await h.companion.handlers.getRequest({ requestId: id })).toMatchObject({ status: 'sent', recordCount: 0, responseSize: null });
      const soap = h.soap();
      expect(await soap.call('serverVersion', {})).toMatch(/QBWC Companion/);
      soap.close();

      expect((await post(h, body, [65_536])).status).toBe(200);
      const expected = (parseResponse(qbxml).responses[0]?.value.InvoiceRet as unknown[]).length;
      expect(await h.companion.handlers.getRequest({ requestId: id })).toMatchObject({ status: 'done', recordCount: expected });
      const page = await h.companion.handlers.listRecords({ requestId: id, limit: 1000 } as never);
      expect(page.data.map((r) => r.seq)).toEqual([...Array(expected).keys()]);
      expect(responseFiles(h)).toHaveLength(1);
    }

    it.each([
      ['on this thread', false],
      ['on the parsing thread (the built companion)', true],
    ])('while its records stream in, parsed %s: a SOAP Fault, nothing of it kept, the server up, and the answer sent again stored whole', async (_, compiled) => {
      await failsThenStoresWhole((harness) => {
        const records = harness.companion.store.records;
        const upsert = records.upsert.bind(records);
        let calls = 0;
        records.upsert = (r) => {
          if (++calls === 150) throw diskFull();
          return upsert(r);
        };
        return () => {
          records.upsert = upsert;
        };
      }, compiled);
    }, 60_000);

    it('as the unit that completes it commits: the records stored so far are dropped with it', async () => {
      await failsThenStoresWhole((harness) => {
        const responses = harness.companion.store.responses;
        const finish = responses.finish.bind(responses);
        responses.finish = () => {
          throw diskFull();
        };
        return () => {
          responses.finish = finish;
        };
      });
    }, 60_000);
  });
});
