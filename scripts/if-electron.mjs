// Runs the command given only where the electron package is installed. It is an optional
// dependency: where its binary can't be downloaded (and ELECTRON_SKIP_BINARY_DOWNLOAD is not
// set) npm leaves it out, and everything but the desktop app's main process still builds.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('electron/package.json');
} catch {
  console.error('Electron is not installed (its download failed or was skipped without ELECTRON_SKIP_BINARY_DOWNLOAD=1): the desktop app\'s main process is not built; serve, the demo and the UI do not need it.');
  process.exit(0);
}
const [command, ...args] = process.argv.slice(2);
const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
