/**
 * The key that seals the core's secrets (webhook signing keys, API keys; see
 * main/security/secrets.ts), wrapped by the OS's own store (DPAPI on Windows, the
 * Keychain on macOS, libsecret/kwallet on Linux) through Electron's safeStorage.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { type KeyVault, OS_KEY_FILE, SecretsLockedError } from '../security/secrets';

export interface SecretBox {
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * The OS store, or null where there is none worth the name: on Linux without a keyring
 * Electron falls back to a hard-coded key ("basic_text"), which protects nothing.
 */
export function osSecretBox(safeStorage: SafeStorage, platform: NodeJS.Platform = process.platform): SecretBox | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    encryptString: (plainText) => safeStorage.encryptString(plainText),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
  };
}

/**
 * The data key in <data folder>/secrets.key.os, wrapped by `box`. A plain secrets.key left
 * by `serve` is taken over: wrapped, then removed.
 */
export function osKeyVault(box: SecretBox, dataDir: string): KeyVault {
  const wrapped = path.join(dataDir, OS_KEY_FILE);
  const plain = path.join(dataDir, 'secrets.key');
  const save = (key: Buffer) => {
    fs.writeFileSync(`${wrapped}.tmp`, box.encryptString(key.toString('base64')), { mode: 0o600 });
    fs.renameSync(`${wrapped}.tmp`, wrapped);
  };
  return {
    load() {
      if (fs.existsSync(wrapped)) {
        try {
          return Buffer.from(box.decryptString(fs.readFileSync(wrapped)), 'base64');
        } catch {
          // Another Windows user, or a reinstalled profile: the keychain no longer opens it.
          throw new SecretsLockedError(
            `This user's keychain cannot unlock the key of this data folder's secrets (webhook signing keys, API keys). To start over, remove ${OS_KEY_FILE} from the data folder and set them again.`,
          );
        }
      }
      if (!fs.existsSync(plain)) return null;
      const key = Buffer.from(fs.readFileSync(plain, 'utf8').trim(), 'base64');
      save(key);
      fs.rmSync(plain);
      return key;
    },
    save,
  };
}
