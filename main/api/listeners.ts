/** What the http and https listeners share: connection time limits, and listening. */
import type { Server as HttpServer, IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

export interface HttpTimeouts {
  /** Until a request's headers have all arrived. */
  headersMs: number;
  /** With nothing sent either way, mid-request or between requests. */
  idleMs: number;
  /** For a whole request, body included. */
  requestMs: number;
  /** How often Node checks the first and the last. */
  checkMs: number;
}

/**
 * A connection that stops sending holds a socket (and, in numbers, every descriptor the
 * process has) until something closes it. QBWC sends at full speed, so a stall is never
 * it; a whole request may still take minutes (a 512 MB response on a slow disk).
 */
export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 30_000, idleMs: 120_000, requestMs: 30 * 60_000, checkMs: 10_000 };

/** The server options that carry the time limits (http and https alike). */
export function timeoutOptions(timeouts: HttpTimeouts): ServerOptions {
  return {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: timeouts.checkMs,
    keepAliveTimeout: Math.min(30_000, timeouts.idleMs),
  };
}

/** The idle limit and "100 Continue" only for requests let in (see api/body.ts), on a created server. */
export function armServer<S extends Server & { setTimeout(ms: number): unknown }>(
  server: S,
  timeouts: HttpTimeouts,
  checkContinue: (req: IncomingMessage, res: ServerResponse) => void,
): S {
  server.setTimeout(timeouts.idleMs); // the socket is destroyed when it fires (no 'timeout' listener)
  server.on('checkContinue', checkContinue);
  return server;
}

/** Listens on host:port; resolves with the port (the one chosen, for port 0). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and closes every connection, idle or not; resolves once each server is closed. */
export function closeServers(servers: readonly Pick<HttpServer, 'close' | 'closeAllConnections'>[]): Promise<void> {
  return Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  ).then(() => undefined);
}
