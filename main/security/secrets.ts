/**
 * Secrets at rest (webhook signing keys, API keys): sealed with AES-256-GCM under a data
 * key of the data folder's own. Headless, the key is a file only its owner can read
 * (secrets.key); the desktop app keeps it wrapped by the OS keychain instead (Electron's
 * safeStorage: DPAPI on Windows), through a KeyVault of its own. A copy of the database
 * alone then gives no secret away.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../errors';

/** Configuration keys whose values are secrets: sealed at rest, never returned or logged. */
export const SECRET_KEY = /secret|token|password|apikey|api_key/i;

const PREFIX = 'enc:v1:';
const KEY_FILE = 'secrets.key';
/** The key wrapped by the OS keychain (the desktop app's vault; see main/electron/secret-box.ts). */
export const OS_KEY_FILE = 'secrets.key.os';

/** Where the data key lives: a private file, or wrapped by the OS keychain in the desktop app. */
export interface KeyVault {
  /** The data key, or null when there is none yet. Throws SecretsLockedError when it exists but cannot be read here. */
  load(): Buffer | null;
  save(key: Buffer): void;
}

/** A secret this process cannot read or write: a 409 the caller can act on, never a crash. */
export class SecretsLockedError extends ApiError {
  constructor(message: string) {
    super(409, 'secrets_locked', message);
  }
}

/** The key as a file readable by its owner only (0600), in the data folder. */
export function keyFileVault(dataDir: string): KeyVault {
  const file = path.join(dataDir, KEY_FILE);
  return {
    load() {
      try {
        return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // The desktop app wrapped the key with this user's OS keychain, which plain Node can't open.
        if (fs.existsSync(path.join(dataDir, OS_KEY_FILE))) {
          throw new SecretsLockedError('The secrets of this data folder (webhook signing keys, API keys) are locked with this user\'s keychain by the QBWC Companion app: run the app on this folder rather than "serve".');
        }
        return null;
      }
    },
    save(key) {
      fs.writeFileSync(`${file}.tmp`, key.toString('base64'), { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    },
  };
}

export interface SecretSealer {
  /** Throws SecretsLockedError when the key can't be had here. */
  seal(plain: string): string;
  /** The secret; a value written before secrets were sealed is returned as it is. Throws SecretsLockedError when it can't be opened here. */
  open(value: string): string;
  isSealed(value: string): boolean;
}

/** A sealer whose key comes from `vault` (made on first use). */
export function createSealer(vault: KeyVault): SecretSealer {
  let key: Buffer | undefined;
  const dataKey = (): Buffer => {
    if (key) return key;
    let loaded = vault.load();
    if (!loaded) {
      loaded = randomBytes(32);
      vault.save(loaded);
    }
    if (loaded.length !== 32) throw new SecretsLockedError('The secrets key of this data folder is damaged: set the webhook signing keys and API keys again.');
    return (key = loaded);
  };
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey(), iv, { authTagLength: 16 });
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(value) {
      if (!value.startsWith(PREFIX)) return value;
      const raw = Buffer.from(value.slice(PREFIX.length), 'base64url');
      const key = dataKey();
      try {
        // A full 16-byte tag, always: a shorter one would be easier to forge.
        if (raw.length < 28) throw new Error('too short');
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: 16 });
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretsLockedError('A stored secret cannot be read with this data folder\'s key: set it again.');
      }
    },
    isSealed: (value) => value.startsWith(PREFIX),
  };
}

/** A configuration map with its secret values sealed (or opened): the rest passes as it is. */
export function mapSecrets(config: Record<string, string>, f: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== '' ? f(v) : v]));
}
