/**
 * An independent TLS client, Debian's openssl, against the https listener: TLS 1.2 and 1.3
 * are accepted with a chain that verifies against the exported CA, TLS 1.1 and 1.0 are
 * refused, and the certificate lists the expected names.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaCertificate } from '../../main/tls/ca';
import { type Harness, startHarness, tempDir } from '../helpers';

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
const haveOpenssl = openssl.status === 0;

describe.skipIf(!haveOpenssl)(`openssl s_client (${openssl.stdout?.trim()})`, () => {
  let h: Harness;
  let port: number;
  let caFile: string;
  beforeAll(async () => {
    h = await startHarness({ https: { port: 0 } });
    port = h.companion.https?.port as number;
    caFile = path.join(tempDir(), 'ca.crt');
    fs.writeFileSync(caFile, readCaCertificate(h.dataDir)?.pem as string);
  });
  afterAll(() => h?.stop());

  /** Asynchronous: the server answers from this very process, so nothing here may block. */
  const sClient = (...args: string[]) =>
    new Promise<{ status: number; out: string }>((resolve) => {
      const child = execFile(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, ...args],
        { encoding: 'utf8', timeout: 20_000 },
        (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, out: `${stdout}\n${stderr}` }),
      );
      child.stdin?.end();
    });

  it('TLS 1.2 is accepted and verifies against the exported CA (name checked too)', async () => {
    const r = await sClient('-tls1_2', '-verify_hostname', 'localhost', '-verify_return_error');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/Protocol\s*: TLSv1\.2/);
    expect(r.out).toMatch(/Verify return code: 0 \(ok\)/);
  });

  it('the default handshake is TLS 1.3', async () => {
    const r = await sClient('-verify_return_error');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/TLSv1\.3/);
  });

  it.each([['-tls1_1'], ['-tls1']])('%s is refused by the server', async (flag) => {
    // SECLEVEL=0 lets this openssl offer the old protocol at all: the refusal is the server's.
    const r = await sClient(flag, '-cipher', 'DEFAULT:@SECLEVEL=0');
    expect(r.status).not.toBe(0);
    // The server's alert (70, protocol_version), not a client-side refusal.
    expect(r.out).toMatch(/alert protocol version/);
    expect(r.out).toMatch(/no peer certificate available/);
    expect(r.out).toMatch(/Cipher is \(NONE\)/);
  });

  it('the server certificate lists localhost, 127.0.0.1, ::1 and this PC\'s name, signed with SHA-256 by the CA', async () => {
    const r = await sClient('-tls1_2');
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.out)?.[0] as string;
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    const sans = execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], { input: pem, encoding: 'utf8' });
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', `DNS:${os.hostname().toLowerCase()}`]) expect(sans).toContain(name);
    const leaf = path.join(tempDir(), 'server.crt');
    fs.writeFileSync(leaf, pem);
    expect(execFileSync('openssl', ['verify', '-CAfile', caFile, '-purpose', 'sslserver', leaf], { encoding: 'utf8' })).toMatch(/: OK/);
  });
});
