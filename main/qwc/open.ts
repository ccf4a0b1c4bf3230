/**
 * Handing a QWC file to QuickBooks Web Connector: on Windows, opening a .qwc file runs
 * the Web Connector, which asks the bookkeeper to authorise the application. The desktop
 * app opens it through Electron's shell; headless, through Explorer.
 */
import { execFile } from 'node:child_process';

/** Opens a file with the program registered for it; false when this system has none to offer. */
export type OpenFile = (path: string) => Promise<boolean>;

export const openWithSystem: OpenFile = (path) => {
  if (process.platform !== 'win32') return Promise.resolve(false);
  // Fixed program, the path as one argument, no shell: nothing in the path is interpreted.
  // Explorer exits with 1 even when it opened the file, so only a failure to start counts.
  return new Promise((resolve) => execFile('explorer.exe', [path], { windowsHide: true }, (err) => resolve(!(err && 'code' in err && err.code === 'ENOENT'))));
};

/** A file name for a connection's QWC file: its name, without what Windows forbids in one. */
export function qwcFileName(connectionName: string): string {
  const base = connectionName.replace(/[<>:"/\\|?*\x00-\x1f]/g, '_').replace(/[. ]+$/, '').slice(0, 80) || 'connection';
  return `${base}.qwc`;
}
