/**
 * The QBWC endpoint over HTTPS with the companion's own CA: a client that trusts only the
 * exported CA completes a whole simulated Web Connector session; one without it, or
 * asking for another name, is refused; renewal keeps QWC files good; in LAN mode the
 * LAN listener (bound to 127.0.0.2 here, loopback only) answers the SOAP endpoint only.
 */
import fs from 'node:fs';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCompanion } from '../../main/companion';
import { silentLogger } from '../../main/logger';
import { validateQwc } from '../../main/qwc/validate';
import { ensureServerCertificate, loadOrCreateCa, readCaCertificate, RENEW_WITHIN_DAYS, tlsPaths } from '../../main/tls/ca';
import { EchoQuickBooks, type Harness, QUERY, startHarness, tempDir } from '../helpers';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function start(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const h = await startHarness(options);
  harnesses.push(h);
  return h;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';

/** Resolves every name to one address, as the other PC's DNS would resolve the LAN host name. */
const resolveTo =
  (address: string): LookupFunction =>
  (_host, options, callback) => {
    if (typeof options === 'object' && options?.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]);
    else callback(null, address, 4);
  };

interface Answer {
  status: number;
  body: string;
}

function get(url: string, o: { ca?: string; lookup?: LookupFunction; headers?: Record<string, string>; servername?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: o.ca, lookup: o.lookup, headers: o.headers, agent: false, servername: o.servername }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

const session = (h: Harness, url: string, ca: string | undefined, lookup?: LookupFunction) =>
  h.run(new EchoQuickBooks(), { url, connection: { ca, lookup } });

describe('https with the local CA', () => {
  it('a client trusting only the exported CA completes a whole Web Connector session; the QWC names https://localhost', async () => {
    const h = await start({ https: { port: 0 } });
    const https_ = h.companion.https;
    expect(h.companion.httpsError).toBeNull();
    expect(https_).not.toBeNull();
    const ca = readCaCertificate(h.dataDir)?.pem as string;
    const qwc = h.companion.services.instances.qwc(h.instance.instanceId);
    expect(tag(qwc, 'AppURL')).toBe(`https://localhost:${https_?.port}/qbwc`);
    expect(tag(qwc, 'AppSupport')).toBe(`https://localhost:${https_?.port}/support`);
    expect(validateQwc(qwc)).toMatchObject({ valid: true, errors: [], warnings: [] });
    const id = h.enqueue(QUERY);
    const report = await session(h, tag(qwc, 'AppURL'), ca);
    expect(report.outcome).toBe('completed');
    expect(report.requestsProcessed).toBe(1);
    expect(h.companion.store.requests.get(id)?.status).toBe('done');
    // The support page the Web Connector fetches answers 200 over https too; plain http still works.
    expect((await get(tag(qwc, 'AppSupport'), { ca })).status).toBe(200);
    expect((await fetch(`${h.companion.url}/api/v1/health`)).status).toBe(200);
  });

  it('refuses a client that does not trust the CA, and a client that asks for a name the certificate does not carry', async () => {
    const h = await start({ https: { port: 0 } });
    const port = h.companion.https?.port as number;
    const ca = readCaCertificate(h.dataDir)?.pem as string;
    await expect(get(`https://localhost:${port}/qbwc?wsdl`)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const wrong = await get(`https://not-this-pc.example:${port}/qbwc?wsdl`, { ca, lookup: resolveTo('127.0.0.1') }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    // The names it does carry all verify.
    expect((await get(`https://localhost:${port}/qbwc?wsdl`, { ca })).status).toBe(200);
    expect((await get(`https://127.0.0.1:${port}/qbwc?wsdl`, { ca, headers: { Host: `localhost:${port}` } })).status).toBe(200);
    // A session over https without the CA fails the way the Web Connector fails (no call gets through).
    const refused = await session(h, `https://localhost:${port}/qbwc`, undefined).catch((e: unknown) => e);
    expect(String((refused as Error).message ?? (refused as { message: string }))).toMatch(/certificate/i);
  });

  it('renewal: a server certificate near its end is replaced by the same CA at start; the QWC unchanged still validates and works', async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir, https: { port: 0 } });
    const port = first.companion.https?.port as number;
    const ca = readCaCertificate(dataDir)?.pem as string;
    const qwc = first.companion.services.instances.qwc(first.instance.instanceId);
    await first.stop();
    harnesses.splice(harnesses.indexOf(first), 1);
    // Leave a certificate from the same CA that ends within the renewal window.
    const short = await ensureServerCertificate(dataDir, { hosts: [], force: true, validityDays: RENEW_WITHIN_DAYS - 5 });
    const second = await start({ dataDir, https: { port } });
    const renewed = second.companion.https?.identity;
    expect(renewed?.issued).toBe(true);
    expect(renewed?.issuedBecause).toMatch(/within 30 days/);
    expect(renewed?.server.serialNumber).not.toBe(short.server.serialNumber);
    expect(renewed?.ca.thumbprint).toBe(short.ca.thumbprint);
    expect(second.companion.services.instances.qwc(second.instance.instanceId)).toBe(qwc);
    expect(validateQwc(qwc).valid).toBe(true);
    second.enqueue(QUERY);
    expect((await session(second, tag(qwc, 'AppURL'), ca)).outcome).toBe('completed');
  });

  it('an unreadable CA key is a clear error: https stays off, plain http keeps working, nothing is replaced', async () => {
    const dataDir = tempDir();
    const ca = await loadOrCreateCa(dataDir);
    fs.rmSync(tlsPaths(dataDir).caKey);
    const h = await start({ dataDir, https: { port: 0 } });
    expect(h.companion.https).toBeNull();
    expect(h.companion.httpsError).toMatch(/private key .* can't be read .*plain http on localhost keeps working.*never replaced silently/s);
    expect((await fetch(`${h.companion.url}/api/v1/health`)).status).toBe(200);
    expect(readCaCertificate(dataDir)?.thumbprint).toBe(ca.info.thumbprint);
    expect(fs.existsSync(tlsPaths(dataDir).caKey)).toBe(false);
    h.enqueue(QUERY);
    expect((await h.run(new EchoQuickBooks())).outcome).toBe('completed');
  });

  it('a taken https port fails the start like a taken http port, and lets go of the data folder', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const dataDir = tempDir();
    try {
      await expect(startCompanion({ dataDir, port: 0, logger: silentLogger, https: { port: taken } })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const h = await start({ dataDir, https: { port: 0 } });
    expect(h.companion.https?.port).toBeGreaterThan(0);
  });

  it('a data folder where the certificate cannot be written: https off with the reason, http on', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(tlsPaths(dataDir).dir, 'not a folder');
    const h = await start({ dataDir, https: { port: 0 } });
    expect(h.companion.https).toBeNull();
    expect(h.companion.httpsError).toMatch(/could not be prepared .*HTTPS is off .*Check that the data folder can be written/s);
    expect((await fetch(`${h.companion.url}/api/v1/health`)).status).toBe(200);
  });
});

describe('LAN mode', () => {
  const lanHost = 'qb-office.lan';

  it('the LAN listener answers the SOAP endpoint (a whole session) and the support page, and nothing of the REST API', async () => {
    const h = await start({ https: { port: 0, lanHost, lanAddress: '127.0.0.2' } });
    const running = h.companion.https;
    expect(running?.listening).toEqual([`127.0.0.2:${running?.port}`]);
    expect(running?.notice).toMatch(new RegExp(`https://${lanHost.replace('.', '\\.')}:${running?.port}/qbwc`));
    const ca = readCaCertificate(h.dataDir)?.pem as string;
    const lookup = resolveTo('127.0.0.2');
    const qwc = h.companion.services.instances.qwc(h.instance.instanceId);
    expect(tag(qwc, 'AppURL')).toBe(`https://${lanHost}:${running?.port}/qbwc`);
    expect(tag(qwc, 'AppSupport')).toBe(`https://${lanHost}:${running?.port}/support`);
    expect(validateQwc(qwc)).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(h.instance.appUrl ?? tag(qwc, 'AppURL')).toMatch(/^https:/);

    h.enqueue(QUERY);
    const report = await session(h, tag(qwc, 'AppURL'), ca, lookup);
    expect(report.outcome).toBe('completed');
    expect(report.requestsProcessed).toBe(1);

    const base = `https://${lanHost}:${running?.port}`;
    const wsdl = await get(`${base}/qbwc?wsdl`, { ca, lookup });
    expect(wsdl.status).toBe(200);
    expect(wsdl.body).toContain(`https://${lanHost}:${running?.port}/qbwc`);
    expect((await get(`${base}/support`, { ca, lookup })).status).toBe(200);
    const auth = { Authorization: `Bearer ${h.companion.apiToken}` };
    for (const p of ['/api/v1/health', '/api/v1/instances', `/api/v1/instances/${h.instance.instanceId}/qwc`, '/api/v1/openapi.json', '/interactive/abcdefghijklmnopqrstuvwxyz', '/']) {
      const answer = await get(`${base}${p}`, { ca, lookup, headers: auth });
      expect(answer.status, p).toBe(404);
      expect(answer.body).not.toContain(h.instance.instanceId);
    }
    // Even addressed as localhost, the LAN listener is not the REST API.
    expect((await get(`https://localhost:${running?.port}/api/v1/health`, { ca, lookup, headers: auth })).status).toBe(404);
    // A foreign Host header (DNS rebinding) is refused on the SOAP endpoint.
    expect((await get(`${base}/qbwc?wsdl`, { ca, lookup, servername: lanHost, headers: { Host: `evil.example:${running?.port}` } })).status).toBe(403);
    // The REST API is where it was: loopback http.
    expect((await fetch(`${h.companion.url}/api/v1/instances`, { headers: auth })).status).toBe(200);
    // Nothing of the https port on 127.0.0.1: the LAN listener is only where it was told to be.
    await expect(get(`https://localhost:${running?.port}/qbwc?wsdl`, { ca })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses an IP address as the LAN host name (QBWC1001) and a LAN address without a host name', async () => {
    await expect(startCompanion({ dataDir: tempDir(), port: 0, logger: silentLogger, https: { port: 0, lanHost: '192.168.1.20' } })).rejects.toThrow(/not an IP address.*QBWC1001/);
    await expect(startCompanion({ dataDir: tempDir(), port: 0, logger: silentLogger, https: { port: 0, lanAddress: '127.0.0.2' } })).rejects.toThrow(/--lan-address needs --lan-host/);
  });
});
