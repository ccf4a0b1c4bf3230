/**
 * The QBWC endpoint over HTTPS (issue 19), beside the plain http listener on loopback.
 *
 * - `--https-port N` alone: https on loopback (127.0.0.1 and [::1]) with the same request
 *   handler as http; QWC files name https://localhost:N/qbwc.
 * - with `--lan-host HOST` (LAN mode): https on `--lan-address` (default 0.0.0.0) for the
 *   Web Connector on another PC, answering only the SOAP endpoint (/qbwc, its WSDL) and the
 *   AppSupport page QBWC fetches; everything else is 404, so the REST API, its token and
 *   the interactive pages stay on the loopback http listener whatever the SOAP endpoint
 *   does. The Host guard accepts HOST (and this PC's name) there, for the SOAP endpoint
 *   only. QWC files name https://HOST:N/qbwc.
 *
 * TLS 1.2 or later only, with the certificate from the data folder's CA (./ca.ts),
 * renewed while running when it comes within 30 days of its end.
 */
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type express from 'express';
import { createGuard } from '../api/guards';
import { armServer, closeServers, type HttpTimeouts, listen, timeoutOptions } from '../api/listeners';
import { createRequestHandler, type RequestHandler } from '../api/server';
import type { Logger } from '../logger';
import { ensureServerCertificate, type ServerIdentity, TLS_DIR, TlsError } from './ca';

export const MIN_TLS_VERSION = 'TLSv1.2' as const;
/** Where a server with https tells one-shot commands (the `qwc` command) which URL QWC files name. */
export const ENDPOINT_FILE = 'qbwc-endpoint.json';
const RENEW_CHECK_MS = 24 * 60 * 60 * 1000;

export interface HttpsSettings {
  /** The https port (0: any free one, for tests). */
  port: number;
  /** LAN mode: the host name the Web Connector's PC uses for this computer (not an IP address). */
  lanHost?: string;
  /** LAN mode: the address to listen on; default 0.0.0.0 (every interface). */
  lanAddress?: string;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Checks https/LAN settings; a problem is an Error in plain words (the CLI shows it as a usage error). */
export function checkHttpsSettings(s: HttpsSettings): void {
  if (!Number.isInteger(s.port) || s.port < 0 || s.port > 65_535) throw new Error('the https port must be a whole number between 0 and 65535');
  if (s.lanHost !== undefined) {
    const host = s.lanHost.trim();
    if (isIP(host.replace(/^\[|\]$/g, ''))) {
      throw new Error(
        `--lan-host must be a host name, not an IP address (${host}): QuickBooks Web Connector refuses IP addresses in a QWC file's AppURL (QBWC1001). ` +
          `Use this computer's name (${os.hostname()}) or a name your network's DNS or the other PC's hosts file maps to its address.`,
      );
    }
    if (!HOST_NAME.test(host)) throw new Error(`--lan-host "${host}" is not a valid host name (letters, digits, hyphens and dots)`);
    if (host.toLowerCase() === 'localhost') throw new Error('--lan-host localhost is this computer only: use --https-port without --lan-host');
  }
  if (s.lanAddress !== undefined) {
    if (s.lanHost === undefined) throw new Error('--lan-address needs --lan-host');
    if (!isIP(s.lanAddress)) throw new Error(`--lan-address must be an IP address of this computer (or 0.0.0.0 for all), not "${s.lanAddress}"`);
  }
}

/** The host QWC files name for these settings. */
export const qwcHost = (s: HttpsSettings): string => s.lanHost?.trim().toLowerCase() ?? 'localhost';

// ---- What one-shot commands need to know ----------------------------------------------

export interface HttpsEndpoint {
  /** e.g. https://books.lan:8521 — the base of AppURL and AppSupport. */
  baseUrl: string;
}

export function saveHttpsEndpoint(dataDir: string, endpoint: HttpsEndpoint | null): void {
  const file = path.join(dataDir, ENDPOINT_FILE);
  if (endpoint === null) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(endpoint), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** The https base URL the last `serve` configured, for one-shot commands; null for plain http. */
export function loadHttpsEndpoint(dataDir: string): HttpsEndpoint | null {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(dataDir, ENDPOINT_FILE), 'utf8')) as unknown;
    const baseUrl = (value as { baseUrl?: unknown }).baseUrl;
    return typeof baseUrl === 'string' && /^https:\/\/[^/]+$/.test(baseUrl) ? { baseUrl } : null;
  } catch {
    return null;
  }
}

// ---- The LAN listener's handler --------------------------------------------------------

function notFound(res: ServerResponse): void {
  const body = 'Not found. This https address serves only the QuickBooks Web Connector endpoint (/qbwc).\n';
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/**
 * The handler of the LAN listener: the SOAP endpoint and the support page, nothing else
 * (404 before any guard, so nothing of the REST API is reachable, not even its errors).
 * The Host guard accepts the LAN host name, this PC's name and the LAN address besides loopback names.
 */
export function lanRequestHandler(o: {
  port: () => number;
  lanHost: string;
  /** The LAN address listened on, when it is one address: a Host header naming it is accepted too (an IP is no DNS-rebinding name). */
  lanAddress?: string;
  soap: (req: IncomingMessage, res: ServerResponse) => void;
  support: (req: IncomingMessage, res: ServerResponse) => void;
}): RequestHandler {
  const inner = createRequestHandler({
    guard: createGuard(o.port, [o.lanHost, os.hostname(), ...(o.lanAddress ? [o.lanAddress.includes(':') ? `[${o.lanAddress}]` : o.lanAddress] : [])]),
    soap: o.soap,
    support: o.support,
    interactive: async (_req, res) => notFound(res),
    rest: ((_req: IncomingMessage, res: ServerResponse) => notFound(res)) as unknown as express.Express,
  });
  const allowed = (req: IncomingMessage): boolean => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const p = q === -1 ? url : url.slice(0, q);
    return /^\/qbwc\/?$/i.test(p) || p === '/support' || p === '/support/';
  };
  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    if (!allowed(req)) return notFound(res);
    inner(req, res);
  }) as RequestHandler;
  handler.checkContinue = (req, res) => {
    if (!allowed(req)) return notFound(res);
    inner.checkContinue(req, res);
  };
  return handler;
}

// ---- Listeners --------------------------------------------------------------------------

export function createHttpsServer(identity: Pick<ServerIdentity, 'key' | 'cert'>, timeouts: HttpTimeouts, handler: RequestHandler): https.Server {
  const options = { key: identity.key, cert: identity.cert, minVersion: MIN_TLS_VERSION, handshakeTimeout: timeouts.headersMs, ...timeoutOptions(timeouts) };
  return armServer(https.createServer(options, handler), timeouts, handler.checkContinue);
}

const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);

export interface HttpsRunning {
  port: number;
  /** What QWC files name, e.g. https://books.lan:8521 */
  baseUrl: string;
  /** Addresses listened on, e.g. ["0.0.0.0:8521"]. */
  listening: string[];
  lan: boolean;
  /** What was loaded or issued (no key material). */
  identity: Omit<ServerIdentity, 'key' | 'cert'>;
  /** For serve's stderr: which URL and QWC to use, and what the other PC needs. */
  notice: string;
  stop(): Promise<void>;
}

export interface StartHttpsOptions {
  dataDir: string;
  settings: HttpsSettings;
  timeouts: HttpTimeouts;
  logger: Logger;
  /** The loopback handler (https without LAN mode serves what http serves). */
  handler: RequestHandler;
  /** For the LAN listener; `endpointUrl` is what its WSDL names. */
  lanRoutes: (endpointUrl: () => string) => { soap: (req: IncomingMessage, res: ServerResponse) => void; support: (req: IncomingMessage, res: ServerResponse) => void };
  /** The plain http URL the REST API stays on (for the notice). */
  httpUrl: string;
  now?: () => number;
}

/**
 * Issues or loads the server certificate and starts the https listener(s). A TlsError
 * (CA key unreadable, CA expired, …) is thrown before anything listens: the caller keeps
 * plain http running and reports it.
 */
export async function startHttps(o: StartHttpsOptions): Promise<HttpsRunning> {
  checkHttpsSettings(o.settings);
  const lan = o.settings.lanHost !== undefined;
  const host = qwcHost(o.settings);
  const lanAddress = o.settings.lanAddress ?? '0.0.0.0';
  const specificLanAddress = lan && lanAddress !== '0.0.0.0' && lanAddress !== '::' ? lanAddress : undefined;
  const hosts = [host, specificLanAddress].filter((h): h is string => h !== undefined);
  let identity: ServerIdentity;
  try {
    identity = await ensureServerCertificate(o.dataDir, { hosts, now: o.now });
  } catch (err) {
    if (err instanceof TlsError) throw err;
    // Anything else (a full disk, a folder not writable) is still a certificate problem: https off, http on.
    throw new TlsError(
      `The https certificate could not be prepared in ${path.join(o.dataDir, TLS_DIR)} (${(err as Error).message}), so HTTPS is off (plain http on localhost keeps working).`,
      'Check that the data folder can be written (free space, permissions), then restart the companion.',
    );
  }
  if (identity.caCreated) o.logger.info('Made the companion\'s certificate authority', { thumbprint: identity.ca.thumbprint, notAfter: identity.ca.notAfter.toISOString() });
  if (identity.issued) {
    o.logger.info('Issued the https server certificate', {
      because: identity.issuedBecause,
      names: identity.server.altNames.join(', '),
      notAfter: identity.server.notAfter.toISOString(),
    });
  }
  let port = o.settings.port;
  const servers: https.Server[] = [];
  const listening: string[] = [];
  try {
    if (lan) {
      const handler = lanRequestHandler({ port: () => port, lanHost: host, lanAddress: specificLanAddress, ...o.lanRoutes(() => `https://${host}:${port}/qbwc`) });
      const s = createHttpsServer(identity, o.timeouts, handler);
      servers.push(s);
      port = await listen(s, port, lanAddress);
      listening.push(`${bracket(lanAddress)}:${port}`);
    } else {
      const first = createHttpsServer(identity, o.timeouts, o.handler);
      servers.push(first);
      port = await listen(first, port, '127.0.0.1');
      listening.push(`127.0.0.1:${port}`);
      const v6 = createHttpsServer(identity, o.timeouts, o.handler);
      await listen(v6, port, '::1').then(
        () => {
          servers.push(v6);
          listening.push(`[::1]:${port}`);
        },
        () => undefined, // no IPv6 loopback: fine
      );
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw err;
  }
  // Renewal while running: a server up for a year still hands out a valid certificate.
  const renewal = setInterval(() => {
    ensureServerCertificate(o.dataDir, { hosts, now: o.now }).then(
      (renewed) => {
        if (!renewed.issued) return;
        for (const s of servers) s.setSecureContext({ key: renewed.key, cert: renewed.cert, minVersion: MIN_TLS_VERSION });
        o.logger.info('Renewed the https server certificate', { because: renewed.issuedBecause, notAfter: renewed.server.notAfter.toISOString() });
      },
      (err: unknown) => o.logger.error('Could not renew the https server certificate', { error: err instanceof TlsError ? err.message : String(err) }),
    );
  }, RENEW_CHECK_MS);
  renewal.unref();
  const baseUrl = `https://${host}:${port}`;
  const notice = lan
    ? `QuickBooks Web Connector over https (LAN mode): ${baseUrl}/qbwc, listening on ${listening.join(', ')} for the Web Connector endpoint only ` +
      `(the REST API stays on ${o.httpUrl}). QWC files name this URL ("qbwc-companion qwc <instance> --out FILE"). ` +
      `The Web Connector's PC must reach ${host} at this computer's address (DNS or its hosts file), allow port ${port} through this computer's firewall, ` +
      `and trust the companion's CA: "qbwc-companion tls export-ca --out qbwc-companion-ca.crt", then on that PC "certutil -user -addstore Root qbwc-companion-ca.crt".`
    : `QuickBooks Web Connector over https: ${baseUrl}/qbwc (listening on ${listening.join(', ')}). QWC files name this URL. ` +
      `Windows must trust the companion's CA first: "qbwc-companion tls trust".`;
  return {
    port,
    baseUrl,
    listening,
    lan,
    identity: { ca: identity.ca, server: identity.server, issued: identity.issued, issuedBecause: identity.issuedBecause, caCreated: identity.caCreated },
    notice,
    async stop() {
      clearInterval(renewal);
      await closeServers(servers);
    },
  };
}
