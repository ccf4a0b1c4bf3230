/** The desktop app keeps the key that seals secrets wrapped by the OS keychain (safeStorage). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { osKeyVault, osSecretBox, type SecretBox } from '../../main/electron/secret-box';
import { createSealer, keyFileVault, SecretsLockedError } from '../../main/security/secrets';
import { tempDir } from '../helpers';

const box: SecretBox = {
  encryptString: (text) => Buffer.from(`os:${[...text].reverse().join('')}`),
  decryptString: (data) => [...data.toString().slice(3)].reverse().join(''),
};

describe('the OS key vault', () => {
  it('keeps the data key only wrapped, and takes over a plain key left by serve', () => {
    const dataDir = tempDir();
    const sealed = createSealer(keyFileVault(dataDir)).seal('signing-key');
    const plainKey = fs.readFileSync(path.join(dataDir, 'secrets.key'), 'utf8');
    const app = createSealer(osKeyVault(box, dataDir));
    expect(app.open(sealed)).toBe('signing-key');
    expect(fs.existsSync(path.join(dataDir, 'secrets.key'))).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'secrets.key.os'), 'utf8')).not.toContain(plainKey);
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dataDir, 'secrets.key.os')).mode & 0o077).toBe(0);
    // Plain Node can't unwrap it: serve says so instead of making a new key.
    expect(() => createSealer(keyFileVault(dataDir)).open(sealed)).toThrow(SecretsLockedError);
    expect(createSealer(osKeyVault(box, dataDir)).open(sealed)).toBe('signing-key');
    // A keychain that can't unwrap it (another user): the secrets read as locked, nothing crashes.
    const otherUser: SecretBox = { ...box, decryptString: () => { throw new Error('The data is invalid.'); } };
    expect(() => createSealer(osKeyVault(otherUser, dataDir)).open(sealed)).toThrow(/remove secrets.key.os/);
  });

  it('is not used where the OS offers no real keychain', () => {
    const storage = (available: boolean, backend: string) =>
      ({ isEncryptionAvailable: () => available, getSelectedStorageBackend: () => backend, encryptString: box.encryptString, decryptString: box.decryptString }) as never;
    expect(osSecretBox(storage(false, 'dpapi'), 'win32')).toBeNull();
    expect(osSecretBox(storage(true, 'basic_text'), 'linux')).toBeNull();
    expect(osSecretBox(storage(true, 'gnome_libsecret'), 'linux')).not.toBeNull();
  });
});
