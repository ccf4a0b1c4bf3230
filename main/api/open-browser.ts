/** Opening a link in the user's browser (`qbwc-companion open`): the system's own opener, no shell. */
import { execFile } from 'node:child_process';

const OPENERS: Partial<Record<NodeJS.Platform, [string, string[]]>> = {
  win32: ['rundll32', ['url.dll,FileProtocolHandler']],
  darwin: ['open', []],
  linux: ['xdg-open', []],
};

/** Resolves false when there is no opener here or it failed (a server with no desktop). */
export function openInBrowser(url: string): Promise<boolean> {
  const opener = OPENERS[process.platform];
  if (!opener) return Promise.resolve(false);
  return new Promise((resolve) => execFile(opener[0], [...opener[1], url], { windowsHide: true }, (err) => resolve(!err)));
}
