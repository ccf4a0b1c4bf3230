/** Secrets at rest: sealed in the database, readable only with the data folder's key, never returned. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSealer, keyFileVault, type KeyVault, SecretsLockedError } from '../../main/security/secrets';
import { Store } from '../../main/store';
import { startHarness, tempDir } from '../helpers';

const TOKEN = 'verifier-token-that-signs-webhooks';
const WEBHOOK = {
  'event.notification.enabled': 'true',
  'event.notification.callback.url': 'https://receiver.example/hook',
  'event.notification.verifier.token': TOKEN,
};

const storedConfiguration = (dataDir: string): string =>
  (new Database(path.join(dataDir, 'companion.db'), { readonly: true }).prepare('SELECT configuration_json AS c FROM instances').get() as { c: string }).c;

describe('secrets at rest', () => {
  it('are sealed in the database, open for the companion, masked in the API, and the key file is the owner\'s only', async () => {
    const h = await startHarness({ instance: { configuration: WEBHOOK } });
    try {
      const raw = storedConfiguration(h.dataDir);
      expect(raw).not.toContain(TOKEN);
      expect(raw).toContain('"event.notification.verifier.token":"enc:v1:');
      expect(raw).toContain('https://receiver.example/hook'); // only secrets are sealed
      expect(h.companion.store.instances.get(h.instance.instanceId)?.configuration['event.notification.verifier.token']).toBe(TOKEN);
      const resource = await h.companion.handlers.getInstance({ instanceId: h.instance.instanceId });
      expect(JSON.stringify(resource)).not.toContain(TOKEN);
      if (process.platform !== 'win32') expect(fs.statSync(path.join(h.dataDir, 'secrets.key')).mode & 0o077).toBe(0);
    } finally {
      await h.stop();
    }
  });

  it('written in plain text by an older version, are sealed when the store opens', async () => {
    const dataDir = tempDir();
    const h = await startHarness({ dataDir, instance: { configuration: WEBHOOK } });
    await h.stop();
    const db = new Database(path.join(dataDir, 'companion.db'));
    db.prepare('UPDATE instances SET configuration_json = ?').run(JSON.stringify(WEBHOOK));
    db.close();
    const store = Store.open(dataDir);
    try {
      expect(storedConfiguration(dataDir)).not.toContain(TOKEN);
      expect(store.instances.list()[0]?.configuration['event.notification.verifier.token']).toBe(TOKEN);
    } finally {
      store.close();
    }
  });

  it('cannot be opened with another key, and a vault the OS keeps is used instead of the file', () => {
    const dir = tempDir();
    const sealed = createSealer(keyFileVault(dir)).seal('s3cret');
    expect(createSealer(keyFileVault(dir)).open(sealed)).toBe('s3cret');
    expect(() => createSealer(keyFileVault(tempDir())).open(sealed)).toThrow(SecretsLockedError);
    // A value cut short (a shortened tag would be easier to forge) is refused, as a wrong key is.
    expect(() => createSealer(keyFileVault(dir)).open(sealed.slice(0, 30))).toThrow(SecretsLockedError);
    let kept: Buffer | null = null;
    const osVault: KeyVault = { load: () => kept, save: (key) => void (kept = key) };
    const sealer = createSealer(osVault);
    expect(sealer.open(sealer.seal('x'))).toBe('x');
    expect(kept).toHaveLength(32);
  });
});
