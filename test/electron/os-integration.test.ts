import { describe, expect, it, vi } from 'vitest';
import { HIDDEN_ARG, loginItem, startedAtLogin } from '../../main/electron/login-item';
import { osSecretBox } from '../../main/electron/secret-box';

function fakeApp() {
  let openAtLogin = false;
  return {
    getLoginItemSettings: vi.fn(() => ({ openAtLogin }) as never),
    setLoginItemSettings: vi.fn((s: { openAtLogin?: boolean }) => void (openAtLogin = s.openAtLogin ?? false)),
  };
}

describe('start at login', () => {
  it('on Windows, writes and reads the Run entry with --hidden', () => {
    const app = fakeApp();
    const item = loginItem(app, 'win32');
    expect(item.get()).toBe(false);
    item.set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(app.getLoginItemSettings).toHaveBeenLastCalledWith({ args: [HIDDEN_ARG] });
    expect(item.get()).toBe(true);
  });

  it('on macOS, uses the login items', () => {
    const app = fakeApp();
    loginItem(app, 'darwin').set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: [] });
  });

  it('on Linux there is none', () => {
    const app = fakeApp();
    const item = loginItem(app, 'linux');
    expect(item.get()).toBeNull();
    item.set(true);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('a start from the login item stays in the tray', () => {
    expect(startedAtLogin(['app.exe', HIDDEN_ARG], false)).toBe(true);
    expect(startedAtLogin(['app'], true)).toBe(true);
    expect(startedAtLogin(['app.exe'], false)).toBe(false);
  });
});

describe('secret box (safeStorage)', () => {
  const safeStorage = (available: boolean, backend = 'gnome_libsecret') => ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s: string) => Buffer.from(`enc:${s}`),
    decryptString: (b: Buffer) => b.toString().replace(/^enc:/, ''),
  });

  it('encrypts and decrypts with the OS store', () => {
    const box = osSecretBox(safeStorage(true) as never, 'win32');
    const sealed = box?.encryptString('whsec_abc') as Buffer;
    expect(sealed.toString()).not.toBe('whsec_abc');
    expect(box?.decryptString(sealed)).toBe('whsec_abc');
  });

  it('is not there where the OS offers no encryption', () => {
    expect(osSecretBox(safeStorage(false) as never, 'win32')).toBeNull();
  });

  it('is not there on Linux without a keyring (Electron would use a fixed key)', () => {
    expect(osSecretBox(safeStorage(true, 'basic_text') as never, 'linux')).toBeNull();
    expect(osSecretBox(safeStorage(true, 'kwallet5') as never, 'linux')).not.toBeNull();
  });
});
