/**
 * Who may talk to the companion. It listens on loopback, but a web page in the user's
 * browser can still reach loopback: a DNS-rebinding page arrives with a foreign Host
 * header, a cross-site request with a foreign Origin. Both are refused.
 */
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The host name of a Host header value, without the port. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    // "[::1]" or "[::1]:port"; anything else after the bracket makes it no host of ours.
    const end = h.indexOf(']') + 1;
    return end > 0 && (end === h.length || h[end] === ':') ? h.slice(0, end) : h;
  }
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export interface Guard {
  hostAllowed(req: IncomingMessage): boolean;
  originAllowed(req: IncomingMessage): boolean;
}

export function createGuard(port: () => number, extraHosts: readonly string[] = []): Guard {
  const hosts = new Set([...LOOPBACK_NAMES, ...extraHosts.map((h) => h.toLowerCase())]);
  return {
    hostAllowed(req) {
      const host = req.headers.host;
      return host !== undefined && hosts.has(hostName(host));
    },
    originAllowed(req) {
      const origin = req.headers.origin;
      if (origin === undefined) return true; // not a browser, or a same-origin GET
      const own = [`http://localhost:${port()}`, `http://127.0.0.1:${port()}`, `http://[::1]:${port()}`];
      return own.includes(origin.toLowerCase());
    },
  };
}
