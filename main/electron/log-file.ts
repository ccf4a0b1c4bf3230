/**
 * The desktop app's log: a packaged Windows app has no console, so the core's JSON lines
 * go to <data folder>/logs/companion.log (the previous run's, past 10 MB, to .1).
 */
import fs from 'node:fs';
import path from 'node:path';

export const LOG_FILE = 'companion.log';

export function openLogFile(dir: string, maxBytes = 10 * 1024 * 1024): (line: string) => void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, LOG_FILE);
  if (fs.existsSync(file) && fs.statSync(file).size > maxBytes) fs.renameSync(file, `${file}.1`);
  const fd = fs.openSync(file, 'a', 0o600);
  return (line) => {
    try {
      fs.writeSync(fd, line);
    } catch {
      // A full disk must not take the app down with it; the core reports that itself.
    }
  };
}
