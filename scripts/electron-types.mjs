// The tests type-check and unit-test the desktop glue against Electron's own types. Electron
// is an optional dependency (see if-electron.mjs): where npm left it out, install the
// version the lockfile names without its binary, which is all the tests need.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('electron/package.json');
} catch {
  const version = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')).packages['node_modules/electron'].version;
  console.error(`Electron ${version} is not installed: installing its types for the tests (ELECTRON_SKIP_BINARY_DOWNLOAD=1, no binary).`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', `electron@${version}`], {
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    shell: process.platform === 'win32',
  });
  process.exit(result.status ?? 1);
}
