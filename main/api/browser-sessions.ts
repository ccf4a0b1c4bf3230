/**
 * Signing a browser in without pasting a token: `serve` (or `qbwc-companion open`) makes
 * a one-time login code; the page at /login?code=… trades it for a session cookie
 * (HttpOnly, SameSite=Strict), which the REST API and the live-update stream then accept
 * as they accept the API token. Kept in memory: after a restart, `qbwc-companion open`
 * signs in again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'qbwc_session';
const CODE_TTL_MS = 5 * 60_000;
/** A session lasts while it is used: this long after its last request. */
const SESSION_IDLE_MS = 12 * 60 * 60_000;
/** Unused codes and sessions beyond these are dropped, oldest first: memory stays bounded. */
const MAX_CODES = 50;
const MAX_SESSIONS = 200;

const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class BrowserSessions {
  /** Keyed by the secret's hash, so a lookup's timing says nothing about a secret. */
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new one-time code and when it expires. */
  mintCode(): { code: string; expiresAt: number } {
    const code = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + CODE_TTL_MS;
    this.codes.set(digest(code), expiresAt);
    trim(this.codes, MAX_CODES);
    return { code, expiresAt };
  }

  /** Trades a code (once) for a session id; undefined when the code is unknown, used or expired. */
  exchange(code: string): string | undefined {
    const key = digest(code);
    const expiresAt = this.codes.get(key);
    this.codes.delete(key);
    if (expiresAt === undefined || expiresAt < this.now()) return undefined;
    const session = randomBytes(32).toString('base64url');
    this.sessions.set(digest(session), this.now() + SESSION_IDLE_MS);
    trim(this.sessions, MAX_SESSIONS);
    return session;
  }

  /** Whether the request carries a live session cookie; a use extends it. */
  authenticates(req: IncomingMessage): boolean {
    const session = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!session) return false;
    const key = digest(session);
    const expiresAt = this.sessions.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt < this.now()) {
      this.sessions.delete(key);
      return false;
    }
    this.sessions.delete(key); // re-inserted last: the map stays in order of use
    this.sessions.set(key, this.now() + SESSION_IDLE_MS);
    return true;
  }

  /** The Set-Cookie value for a session. */
  static cookie(session: string): string {
    return `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_IDLE_MS / 1000}`;
  }
}

function trim(map: Map<string, number>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
