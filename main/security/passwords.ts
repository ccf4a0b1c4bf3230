/**
 * Password hashing for the QBWC credentials: scrypt with a per-password random salt,
 * verified in constant time. Stored as `scrypt$N$r$p$salt$hash` (base64url) so the
 * cost can be raised later without breaking existing hashes.
 */
import crypto from 'node:crypto';

// OWASP's minimum for scrypt in the form that needs 32 MiB (N=2^15, r=8, p=3; about 0.2 s
// here). Paid once per Web Connector session, on the thread pool; older hashes keep their
// own parameters.
const N = 1 << 15;
const R = 8;
const P = 3;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// N=2^15, r=8 needs 32 MiB; Node's default scrypt maxmem is exactly that, so allow headroom.
const MAX_MEM = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password, salt, length, { N: n, r, p, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_LENGTH);
  const key = await scrypt(password, salt, N, R, P, KEY_LENGTH);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p), expected.length);
  return crypto.timingSafeEqual(actual, expected);
}

/**
 * Remembers for a while the credentials that passed the full scrypt check. The Web Connector
 * sends the password again on every scheduled run (as often as every minute), and each
 * check costs a fifth of a second of CPU on the bookkeeper's PC, next to QuickBooks.
 *
 * Only a MAC under a key that never leaves this process is kept, in memory: the stored
 * hash stays scrypt, and anyone who could read this memory could as well read the password
 * as it arrives. The stored hash is part of the MAC, so a new password forgets the old
 * one; failures are never remembered, and a wrong password still takes the full check.
 */
export class PasswordVerifier {
  private readonly key = crypto.randomBytes(32);
  /** MAC → when it stops counting (ms). Insertion order is age order. */
  private readonly verified = new Map<string, number>();

  constructor(private readonly options: { ttlMs: number; now: () => number; maxEntries?: number }) {}

  async verify(password: string, stored: string): Promise<boolean> {
    // A stored hash never contains NUL, so the MAC input is unambiguous.
    const mac = crypto.createHmac('sha256', this.key).update(stored).update('\0').update(password).digest('base64');
    const until = this.verified.get(mac);
    if (until !== undefined) {
      if (until > this.options.now()) return true;
      this.verified.delete(mac);
    }
    if (!(await verifyPassword(password, stored))) return false;
    if (this.verified.size >= (this.options.maxEntries ?? 1000)) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(mac, this.options.now() + this.options.ttlMs);
    return true;
  }
}

/**
 * A hash of a random password, checked when the username is unknown so that
 * "no such user" takes as long as "wrong password".
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  return decoy;
}

/** A password for QBWC that a bookkeeper can still type: 4 groups of 5 characters. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = '';
    for (let i = 0; i < 5; i++) s += alphabet[crypto.randomInt(alphabet.length)];
    groups.push(s);
  }
  return groups.join('-');
}
