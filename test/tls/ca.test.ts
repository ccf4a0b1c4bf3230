import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ensureServerCertificate, RENEW_WITHIN_DAYS, readCaCertificate, SERVER_VALIDITY_DAYS, TlsError, tlsPaths } from '../../main/tls/ca';
import { tempDir } from '../helpers';

const DAY = 86_400_000;

describe('the local certificate authority', () => {
  it('is made on first use: CA ~10 years, server certificate <= 397 days signed by it, SANs for loopback and this PC, keys 0600', async () => {
    const dir = tempDir();
    const id = await ensureServerCertificate(dir, { hosts: ['books.lan'] });
    expect(id.caCreated).toBe(true);
    expect(id.issued).toBe(true);
    const paths = tlsPaths(dir);
    const ca = new crypto.X509Certificate(fs.readFileSync(paths.caCert));
    expect(ca.ca).toBe(true);
    const caYears = (new Date(ca.validTo).getTime() - Date.now()) / (365 * DAY);
    expect(caYears).toBeGreaterThan(9.9);
    expect(caYears).toBeLessThan(10.1);
    const server = new crypto.X509Certificate(id.cert);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect((new Date(server.validTo).getTime() - Date.now()) / DAY).toBeLessThanOrEqual(SERVER_VALIDITY_DAYS);
    expect(server.publicKey.asymmetricKeyType).toBe('rsa');
    expect(server.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:books.lan', `DNS:${os.hostname().toLowerCase()}`]) {
      expect(server.subjectAltName?.split(', ')).toContain(name);
    }
    if (process.platform !== 'win32') {
      expect(fs.statSync(paths.caKey).mode & 0o777).toBe(0o600);
      expect(fs.statSync(paths.server).mode & 0o777).toBe(0o600);
      expect(fs.statSync(paths.caDir).mode & 0o777).toBe(0o700);
    }
    // Nothing private in what is reported.
    expect(JSON.stringify({ ca: id.ca, server: id.server })).not.toMatch(/PRIVATE KEY/);
    expect(readCaCertificate(dir)?.thumbprint).toBe(ca.fingerprint.replace(/:/g, ''));
  });

  it('keeps the stored certificate while it is good, and renews it with the same CA within 30 days of its end', async () => {
    const dir = tempDir();
    const first = await ensureServerCertificate(dir, { hosts: [] });
    const again = await ensureServerCertificate(dir, { hosts: [] });
    expect(again.issued).toBe(false);
    expect(again.server.serialNumber).toBe(first.server.serialNumber);
    // New names: a new certificate from the same CA.
    const named = await ensureServerCertificate(dir, { hosts: ['qb-office.lan'] });
    expect(named.issued).toBe(true);
    expect(named.issuedBecause).toMatch(/qb-office\.lan/);
    expect(named.ca.thumbprint).toBe(first.ca.thumbprint);
    const later = named.server.notAfter.getTime() - (RENEW_WITHIN_DAYS - 1) * DAY;
    const renewed = await ensureServerCertificate(dir, { hosts: ['qb-office.lan'], now: () => later });
    expect(renewed.issued).toBe(true);
    expect(renewed.issuedBecause).toMatch(/within 30 days/);
    expect(renewed.server.serialNumber).not.toBe(named.server.serialNumber);
    expect(renewed.ca.thumbprint).toBe(first.ca.thumbprint);
  });

  it('never replaces a CA whose key is missing or unreadable: a clear error with the fix', async () => {
    const dir = tempDir();
    const first = await ensureServerCertificate(dir, { hosts: [] });
    const paths = tlsPaths(dir);
    const key = fs.readFileSync(paths.caKey);
    fs.rmSync(paths.caKey);
    const err = await ensureServerCertificate(dir, { hosts: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).message).toMatch(/private key .* can't be read \(it does not exist\).*never replaced silently/s);
    expect(fs.existsSync(paths.caKey)).toBe(false);
    expect(readCaCertificate(dir)?.thumbprint).toBe(first.ca.thumbprint);

    fs.writeFileSync(paths.caKey, 'not a key', { mode: 0o600 });
    await expect(ensureServerCertificate(dir, { hosts: [] })).rejects.toThrow(/damaged/);
    expect(fs.readFileSync(paths.caKey, 'utf8')).toBe('not a key');

    if (process.platform !== 'win32' && process.getuid?.() !== 0) {
      fs.writeFileSync(paths.caKey, key, { mode: 0o000 });
      fs.chmodSync(paths.caKey, 0o000);
      await expect(ensureServerCertificate(dir, { hosts: [] })).rejects.toThrow(/permission denied/);
      fs.chmodSync(paths.caKey, 0o600);
    } else {
      fs.writeFileSync(paths.caKey, key);
    }
    expect((await ensureServerCertificate(dir, { hosts: [] })).ca.thumbprint).toBe(first.ca.thumbprint);
  });

  it('reports an expired CA in plain words, and a missing CA certificate beside its key', async () => {
    const dir = tempDir();
    const first = await ensureServerCertificate(dir, { hosts: [] });
    const afterCa = first.ca.notAfter.getTime() + DAY;
    await expect(ensureServerCertificate(dir, { hosts: [], now: () => afterCa })).rejects.toThrow(/CA certificate expired on .*Make a new CA/s);
    fs.rmSync(tlsPaths(dir).caCert);
    await expect(ensureServerCertificate(dir, { hosts: [] })).rejects.toThrow(/certificate .* is missing/);
    expect(fs.existsSync(tlsPaths(dir).caKey)).toBe(true);
  });

  it('re-issues a damaged or foreign server certificate from the same CA', async () => {
    const dir = tempDir();
    const first = await ensureServerCertificate(dir, { hosts: [] });
    fs.writeFileSync(tlsPaths(dir).server, 'garbage');
    const fixed = await ensureServerCertificate(dir, { hosts: [] });
    expect(fixed.issued).toBe(true);
    expect(fixed.issuedBecause).toMatch(/could not be used/);
    expect(fixed.ca.thumbprint).toBe(first.ca.thumbprint);
    // A server.pem from another data folder's CA is not used.
    const other = tempDir();
    await ensureServerCertificate(other, { hosts: [] });
    fs.copyFileSync(tlsPaths(other).server, tlsPaths(dir).server);
    const own = await ensureServerCertificate(dir, { hosts: [] });
    expect(own.issuedBecause).toBe('it was not signed by this CA');
  });
});
