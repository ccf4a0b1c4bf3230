/**
 * The companion's own certificate authority, for HTTPS to the QBWC endpoint (issue 19).
 *
 * QuickBooks Web Connector accepts plain http only for `localhost`; any other host needs
 * https with a certificate Windows trusts (else QBWC1048/QBWC1051). So, like mkcert, the
 * companion makes a local CA once per data folder (the bookkeeper trusts it once on the
 * Web Connector's PC) and a short-lived server certificate signed by it, renewed by the
 * same CA before it expires: a QWC file, and the trust already given, keep working.
 *
 * Files, under <data-dir>/tls/ (folder 0700, keys 0600):
 * - `ca/ca.crt`, `ca/ca.key`: the CA. Made in a temporary folder and renamed into place in
 *   one step, so the pair is complete or absent, and an existing CA is never replaced: if
 *   its key is missing or unreadable that is an error to fix by hand, never a silent new CA
 *   (every PC that trusted the old one would stop connecting).
 * - `server.pem`: the server's key and certificate in one file, replaced in one rename
 *   on renewal (never a key from one issue with the certificate of another).
 *
 * Keys: RSA 2048 with SHA-256 signatures — the most widely accepted by Windows' SChannel,
 * which the Web Connector (.NET) uses. Made with WebCrypto, certificates with @peculiar/x509
 * (loaded only when something must be issued); reading and checking uses Node's
 * crypto.X509Certificate. Private keys are never logged and never leave these files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type KeyPair, webcrypto, x509 as loadX509 } from './x509';

export const TLS_DIR = 'tls';
export const CA_VALIDITY_DAYS = 3650;
/** The CA/Browser Forum's ceiling for a server certificate (Apple and others enforce it). */
export const SERVER_VALIDITY_DAYS = 397;
/** A server certificate with fewer days left than this is renewed (at start, and daily while running). */
export const RENEW_WITHIN_DAYS = 30;

const DAY = 24 * 60 * 60 * 1000;

export const RSA_ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export interface TlsPaths {
  dir: string;
  caDir: string;
  caCert: string;
  caKey: string;
  server: string;
}

export function tlsPaths(dataDir: string): TlsPaths {
  const dir = path.join(dataDir, TLS_DIR);
  const caDir = path.join(dir, 'ca');
  return { dir, caDir, caCert: path.join(caDir, 'ca.crt'), caKey: path.join(caDir, 'ca.key'), server: path.join(dir, 'server.pem') };
}

/** A problem with the certificates, in plain words, with what to do about it. */
export class TlsError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${problem} ${fix}`);
    this.name = 'TlsError';
  }
}

/** A certificate as the companion reports it (no key material). */
export interface CertificateInfo {
  pem: string;
  subject: string;
  /** Hex, upper case, as Windows shows it. */
  serialNumber: string;
  /** SHA-1 of the DER, hex upper case without colons: the "thumbprint" certutil and Windows use. */
  thumbprint: string;
  sha256: string;
  notBefore: Date;
  notAfter: Date;
  /** Subject alternative names, e.g. ["DNS:localhost", "IP Address:127.0.0.1"]. */
  altNames: string[];
}

export function describeCertificate(cert: crypto.X509Certificate): CertificateInfo {
  return {
    pem: cert.toString(),
    subject: cert.subject.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber.toUpperCase(),
    thumbprint: cert.fingerprint.replace(/:/g, '').toUpperCase(),
    sha256: cert.fingerprint256.replace(/:/g, '').toUpperCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    altNames: cert.subjectAltName ? cert.subjectAltName.split(/,\s*/) : [],
  };
}

/** The PEM blocks of a file, by label ("CERTIFICATE", "PRIVATE KEY"). */
function pemBlocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g)].map((m) => ({ label: m[1] as string, pem: `${m[0]}\n` }));
}

function toPem(label: string, der: ArrayBuffer | Buffer): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
}

const reason = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (err as Error).message;
};

// ---- The CA ---------------------------------------------------------------------------

export interface CertificateAuthority {
  cert: crypto.X509Certificate;
  info: CertificateInfo;
  /** Never logged, never returned by the API: only used to sign the server certificate. */
  key: crypto.KeyObject;
}

function startOver(paths: TlsPaths): string {
  return (
    `To start over with a new CA instead (the Web Connector's PC must then trust the new one): ` +
    `run "qbwc-companion tls untrust" there first if the old CA was trusted, stop the companion, move the folder ${paths.caDir} aside, ` +
    `and start it again.`
  );
}

/** The CA's certificate only (what `tls export-ca` and `tls status` need); null when there is no CA yet. */
export function readCaCertificate(dataDir: string): CertificateInfo | null {
  const paths = tlsPaths(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(paths.caCert, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TlsError(`The CA certificate ${paths.caCert} can't be read (${reason(err)}).`, 'Make it readable by the user who runs the companion.');
  }
  return describeCertificate(parseCaCert(paths, text));
}

function parseCaCert(paths: TlsPaths, text: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(text);
  } catch (err) {
    throw new TlsError(`The CA certificate ${paths.caCert} is damaged (${(err as Error).message}).`, `Restore it from a backup. ${startOver(paths)}`);
  }
}

/**
 * The CA of this data folder, made on first use. An existing CA is checked, never replaced:
 * a missing or unreadable key, a damaged or expired certificate, or a key that is not the
 * certificate's is a TlsError saying what to do.
 */
export async function loadOrCreateCa(dataDir: string, now: () => number = Date.now): Promise<CertificateAuthority & { created: boolean }> {
  const paths = tlsPaths(dataDir);
  const certExists = fs.existsSync(paths.caCert);
  const keyExists = fs.existsSync(paths.caKey);
  if (!certExists && !keyExists) {
    if (fs.existsSync(paths.caDir) && fs.readdirSync(paths.caDir).length > 0) {
      throw new TlsError(`The CA folder ${paths.caDir} holds other files but no CA.`, `Move it aside; the companion then makes a new CA.`);
    }
    try {
      return { ...(await createCa(dataDir, now)), created: true };
    } catch (err) {
      // Another process (a CLI command, a second start) made it meanwhile: use theirs.
      if (!fs.existsSync(paths.caCert)) throw err;
    }
  }
  return { ...loadCa(paths, now), created: false };
}

function loadCa(paths: TlsPaths, now: () => number): CertificateAuthority {
  if (!fs.existsSync(paths.caCert)) {
    throw new TlsError(
      `The CA's key ${paths.caKey} is there but its certificate ${paths.caCert} is missing, so HTTPS is off (plain http on localhost keeps working).`,
      `Restore the certificate from a backup. The key is never replaced silently. ${startOver(paths)}`,
    );
  }
  let certText: string;
  try {
    certText = fs.readFileSync(paths.caCert, 'utf8');
  } catch (err) {
    throw new TlsError(
      `The CA certificate ${paths.caCert} can't be read (${reason(err)}), so HTTPS is off (plain http on localhost keeps working).`,
      'Make it readable by the user who runs the companion.',
    );
  }
  const cert = parseCaCert(paths, certText);
  let keyText: string;
  try {
    keyText = fs.readFileSync(paths.caKey, 'utf8');
  } catch (err) {
    throw new TlsError(
      `The CA's private key ${paths.caKey} can't be read (${reason(err)}), so HTTPS is off (plain http on localhost keeps working).`,
      `Restore the key file (readable only by the user who runs the companion). The CA certificate is there, so its key is never replaced silently: ` +
        `PCs that trust this CA would stop connecting. ${startOver(paths)}`,
    );
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyText);
  } catch {
    throw new TlsError(
      `The CA's private key ${paths.caKey} is damaged (not a readable private key), so HTTPS is off (plain http on localhost keeps working).`,
      `Restore it from a backup. ${startOver(paths)}`,
    );
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsError(`The CA's private key ${paths.caKey} is not the key of its certificate ${paths.caCert}.`, `Restore the matching pair from a backup. ${startOver(paths)}`);
  }
  const info = describeCertificate(cert);
  if (info.notAfter.getTime() <= now()) {
    throw new TlsError(
      `The companion's CA certificate expired on ${info.notAfter.toISOString().slice(0, 10)}, so HTTPS is off (plain http on localhost keeps working).`,
      `Make a new CA: ${startOver(paths)}`,
    );
  }
  return { cert, info, key };
}

const randomSerial = (): string => {
  const bytes = crypto.randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01; // positive and full length
  return bytes.toString('hex');
};

async function createCa(dataDir: string, now: () => number): Promise<CertificateAuthority> {
  const paths = tlsPaths(dataDir);
  const x509 = loadX509();
  const keys = (await webcrypto.subtle.generateKey(RSA_ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
  const host = os.hostname().replace(/[,=+<>#;"\\]/g, ' ').trim() || 'this PC';
  const start = now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [`QBWC Companion local CA (${host})`] }, { O: ['QBWC Companion'] }],
    notBefore: new Date(start - 60 * 60 * 1000),
    notAfter: new Date(start + CA_VALIDITY_DAYS * DAY),
    signingAlgorithm: RSA_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const certPem = cert.toString('pem') + '\n';
  // The pair is written in a folder of its own and renamed into place in one step: complete
  // or absent, and a rename onto an existing CA folder fails instead of replacing it.
  ensurePrivateDir(paths.dir);
  const staging = fs.mkdtempSync(path.join(paths.dir, '.ca-'));
  try {
    fs.writeFileSync(path.join(staging, 'ca.key'), keyPem, { mode: 0o600, flag: 'wx' });
    fs.writeFileSync(path.join(staging, 'ca.crt'), certPem, { mode: 0o644, flag: 'wx' });
    if (process.platform !== 'win32') fs.chmodSync(staging, 0o700);
    if (fs.existsSync(paths.caDir)) fs.rmdirSync(paths.caDir); // empty (checked by the caller); fails otherwise
    fs.renameSync(staging, paths.caDir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const x = new crypto.X509Certificate(certPem);
  return { cert: x, info: describeCertificate(x), key: crypto.createPrivateKey(keyPem) };
}

// ---- The server certificate -----------------------------------------------------------

/** The names a server certificate covers by default: loopback and this PC's host name. */
export function defaultHostNames(extra: readonly (string | undefined)[] = []): string[] {
  const names = ['localhost', '127.0.0.1', '::1', os.hostname(), ...extra];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of names) {
    if (!raw) continue;
    const name = raw.trim().replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    if (!name || name === '0.0.0.0' || name === '::' || seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

export interface ServerIdentity {
  /** For tls.createServer: the server's key and certificate (PEM). */
  key: string;
  cert: string;
  ca: CertificateInfo;
  server: CertificateInfo;
  /** Issued now (first start, renewal, new names, another CA), not loaded. */
  issued: boolean;
  /** Why it was issued, in words, when it was. */
  issuedBecause: string | null;
  caCreated: boolean;
}

export interface ServerCertificateOptions {
  /** Names the certificate must cover (DNS names and IP addresses). */
  hosts: readonly string[];
  now?: () => number;
  /** Issue a new one whatever the current one is. */
  force?: boolean;
  /** Validity of a newly issued certificate in days (default and maximum SERVER_VALIDITY_DAYS; tests shorten it). */
  validityDays?: number;
}

/** Why the stored server certificate can't be used as is, or null when it can. */
function needsNewServerCert(ca: CertificateAuthority, cert: crypto.X509Certificate, key: crypto.KeyObject, hosts: readonly string[], now: number): string | null {
  if (!cert.checkPrivateKey(key)) return 'its key does not match it';
  if (!cert.checkIssued(ca.cert) || !cert.verify(ca.cert.publicKey)) return 'it was not signed by this CA';
  const info = describeCertificate(cert);
  if (info.notBefore.getTime() > now + 5 * 60 * 1000) return 'it is not valid yet (was the clock changed?)';
  if (info.notAfter.getTime() <= now) return `it expired on ${info.notAfter.toISOString().slice(0, 10)}`;
  if (info.notAfter.getTime() - now < RENEW_WITHIN_DAYS * DAY) return `it expires on ${info.notAfter.toISOString().slice(0, 10)}, within ${RENEW_WITHIN_DAYS} days`;
  const missing = hosts.filter((h) => (isIP(h) ? cert.checkIP(h) === undefined : cert.checkHost(h, { wildcards: false }) === undefined));
  if (missing.length > 0) return `it does not name ${missing.join(', ')}`;
  return null;
}

/**
 * The server's key and certificate, issued by the data folder's CA for `hosts` (the CA is
 * made on first use). The stored one is used while it is valid for more than
 * RENEW_WITHIN_DAYS, signed by this CA and covers every host; otherwise a new one is issued
 * by the same CA, so QWC files and the trust already given stay good.
 */
export async function ensureServerCertificate(dataDir: string, options: ServerCertificateOptions): Promise<ServerIdentity> {
  const now = options.now ?? Date.now;
  const paths = tlsPaths(dataDir);
  const ca = await loadOrCreateCa(dataDir, now);
  const hosts = defaultHostNames(options.hosts);
  let because: string;
  let existing: { text: string; cert: crypto.X509Certificate; key: crypto.KeyObject } | null = null;
  try {
    const text = fs.readFileSync(paths.server, 'utf8');
    const blocks = pemBlocks(text);
    const certPem = blocks.find((b) => b.label === 'CERTIFICATE')?.pem;
    const keyPem = blocks.find((b) => b.label === 'PRIVATE KEY')?.pem;
    if (!certPem || !keyPem) throw new Error('no key or no certificate in it');
    existing = { text, cert: new crypto.X509Certificate(certPem), key: crypto.createPrivateKey(keyPem) };
    because = options.force ? 'a new one was asked for' : (needsNewServerCert(ca, existing.cert, existing.key, hosts, now()) ?? '');
  } catch (err) {
    because = ca.created ? 'this is the first start with HTTPS' : `the stored one could not be used (${reason(err)})`;
  }
  if (existing && because === '') {
    const blocks = pemBlocks(existing.text);
    return {
      key: blocks.find((b) => b.label === 'PRIVATE KEY')?.pem as string,
      cert: blocks.find((b) => b.label === 'CERTIFICATE')?.pem as string,
      ca: ca.info,
      server: describeCertificate(existing.cert),
      issued: false,
      issuedBecause: null,
      caCreated: ca.created,
    };
  }
  const issued = await issueServerCertificate(ca, hosts, now(), Math.min(options.validityDays ?? SERVER_VALIDITY_DAYS, SERVER_VALIDITY_DAYS));
  ensurePrivateDir(paths.dir);
  const tmp = `${paths.server}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, issued.key + issued.cert, { mode: 0o600 });
  fs.renameSync(tmp, paths.server);
  return {
    ...issued,
    ca: ca.info,
    server: describeCertificate(new crypto.X509Certificate(issued.cert)),
    issued: true,
    issuedBecause: because,
    caCreated: ca.created,
  };
}

async function issueServerCertificate(ca: CertificateAuthority, hosts: readonly string[], now: number, validityDays: number): Promise<{ key: string; cert: string }> {
  const x509 = loadX509();
  const keys = (await webcrypto.subtle.generateKey(RSA_ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
  const caKey = await webcrypto.subtle.importKey('pkcs8', ca.key.export({ type: 'pkcs8', format: 'der' }), RSA_ALGORITHM, false, ['sign']);
  const caCert = new x509.X509Certificate(ca.cert.raw);
  // Never past the CA's own end: a chain is only as valid as its shortest link.
  const notAfter = Math.min(now + validityDays * DAY, ca.info.notAfter.getTime());
  const cn = hosts.find((h) => !isIP(h) && h !== 'localhost') ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [cn] }, { O: ['QBWC Companion'] }],
    issuer: caCert.subjectName,
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(notAfter),
    signingAlgorithm: RSA_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { key: toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), cert: cert.toString('pem') + '\n' };
}

/** The stored server certificate, for `tls status` (null when none was issued yet or it can't be read). */
export function readServerCertificate(dataDir: string): CertificateInfo | null {
  try {
    const pem = pemBlocks(fs.readFileSync(tlsPaths(dataDir).server, 'utf8')).find((b) => b.label === 'CERTIFICATE')?.pem;
    return pem ? describeCertificate(new crypto.X509Certificate(pem)) : null;
  } catch {
    return null;
  }
}
