/**
 * Start at login. Windows and macOS keep the setting (the Run key; Login Items); Linux
 * has no API for it, so the menu leaves the checkbox out there. Started at login, the
 * app opens into the tray without its window: the bookkeeper did not ask to see it.
 */
import type { App } from 'electron';

/** Passed by the Run key on Windows; the app then starts in the tray. */
export const HIDDEN_ARG = '--hidden';

export interface LoginItem {
  /** Null where the OS offers no login item. */
  get(): boolean | null;
  set(openAtLogin: boolean): void;
}

export function loginItem(app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>, platform: NodeJS.Platform = process.platform): LoginItem {
  if (platform !== 'win32' && platform !== 'darwin') return { get: () => null, set: () => {} };
  // Windows matches the Run entry by path and arguments: read it back with the same ones.
  const args = platform === 'win32' ? [HIDDEN_ARG] : [];
  return {
    get: () => app.getLoginItemSettings({ args }).openAtLogin,
    set: (openAtLogin) => app.setLoginItemSettings({ openAtLogin, args }),
  };
}

/** Whether this start came from the login item, so the window stays hidden. */
export function startedAtLogin(argv: readonly string[], wasOpenedAtLogin: boolean): boolean {
  return argv.includes(HIDDEN_ARG) || wasOpenedAtLogin;
}
