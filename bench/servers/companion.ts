/**
 * Fallback launcher for the companion (`--companion-launcher module`): runs
 * startCompanion from dist/main/companion.js directly, for when dist/main/cli.js cannot
 * run. Behaves like `cli.js serve`: prints the base URL on one line when ready and stops
 * cleanly on SIGTERM.
 *
 *   node dist/bench/servers/companion.js --data-dir DIR [--port 0]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

interface RunningCompanion {
  url: string;
  stop(): Promise<void>;
}
type StartCompanion = (options: { dataDir: string; port?: number; host?: string }) => Promise<RunningCompanion>;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' } } });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  // Loaded at run time so this file does not depend on the companion's types at build time.
  const mod = require(path.join(__dirname, '..', '..', 'main', 'companion.js')) as { startCompanion: StartCompanion };
  const companion = await mod.startCompanion({ dataDir, port: Number(values.port ?? 0), host: '127.0.0.1' });
  process.stdout.write(companion.url + '\n');
  const shutdown = () => {
    companion.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`companion launcher: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
