import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A session ticket: 256 bits from the CSPRNG. */
export function newTicket(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Tickets are bearer secrets: only their hash is stored. The few live ones are memoised. */
const ticketHashes = new Map<string, string>();
export function hashTicket(ticket: string): string {
  let hash = ticketHashes.get(ticket);
  if (hash === undefined) {
    hash = crypto.createHash('sha256').update(ticket).digest('base64url');
    if (ticketHashes.size >= 64) ticketHashes.clear();
    ticketHashes.set(ticket, hash);
  }
  return hash;
}

/** `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, the GUIDTYPE form QBWC expects. */
export function newGuid(): string {
  return `{${crypto.randomUUID().toUpperCase()}}`;
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export const API_TOKEN_FILE = 'api-token';

/**
 * The REST API's bearer token: generated at first start, kept in `<dataDir>/api-token`
 * readable by its owner only (mode 0600; on Windows the file inherits the user profile's ACL).
 */
export function loadOrCreateApiToken(dataDir: string): string {
  const file = path.join(dataDir, API_TOKEN_FILE);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) {
      fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = crypto.randomBytes(32).toString('base64url');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return token;
}
