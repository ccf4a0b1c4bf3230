/**
 * The desktop app's fixed facts and plain-words startup failures — no Electron here, so
 * they are tested directly.
 */
import path from 'node:path';
import { DEFAULT_PORT } from '../companion';
import { DataFolderPermissionError } from '../store/db';
import { DataFolderBusyError } from '../store/owner';

/** Windows' AppUserModelID (toasts, taskbar); electron-builder.yml's appId says the same. */
export const APP_ID = 'com.qbwc-companion.desktop';

/** Set to 1 to allow several copies at once (end-to-end tests, each on its own data folder). */
export const MULTI_INSTANCE_ENV = 'QBWC_COMPANION_MULTI_INSTANCE';
/** Set to 1 to let an end-to-end test read the tray's state (globalThis.qbwcCompanionTest). */
export const TEST_HOOKS_ENV = 'QBWC_COMPANION_TEST_HOOKS';

export interface DesktopPaths {
  /** The built UI (vite build). */
  rendererDir: string;
  preloadPath: string;
  /** Icons: assets/icon.png and assets/tray/. */
  assetsDir: string;
}

/** Where things are relative to the compiled dist/main/electron/, in the repository and in the packaged app alike. */
export function bundledPaths(compiledDir: string): DesktopPaths {
  const dist = path.resolve(compiledDir, '..', '..');
  return {
    rendererDir: path.join(dist, 'renderer'),
    preloadPath: path.join(dist, 'preload', 'index.js'),
    assetsDir: path.join(dist, '..', 'assets'),
  };
}

/** Why the companion could not start, said so a bookkeeper knows what to do. */
export function startupFailureMessage(err: unknown, port: number = DEFAULT_PORT): string {
  if (err instanceof DataFolderBusyError) {
    return (
      `${err.message}\n\nQBWC Companion is probably already running on this computer, perhaps as "qbwc-companion serve". ` +
      'Close it, then start the app again.'
    );
  }
  if (err instanceof DataFolderPermissionError) return err.message;
  if ((err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE') {
    return (
      `Another program already uses port ${port}, where QuickBooks Web Connector looks for QBWC Companion. ` +
      'Close that program (or the other copy of QBWC Companion), then start the app again.'
    );
  }
  return `${err instanceof Error ? err.message : String(err)}\n\nThe details are in the log file in the data folder.`;
}
