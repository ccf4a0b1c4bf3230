/**
 * Background WAL checkpoints. SQLite normally checkpoints inside whichever commit crosses
 * the threshold, and that commit then waits for an fsync (a few hundred µs to ms) — a
 * Web Connector call pays for it. Here a worker thread checkpoints every second and the
 * main connection's automatic checkpoint is only a safety net.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Db } from './db';
import { DATABASE_FILE } from './db';

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Pages the WAL may grow to before the main connection checkpoints by itself. */
const SAFETY_NET_PAGES = 20_000;

export function startCheckpointer(db: Db, dataDir: string, intervalMs = 1000): Checkpointer | null {
  const script = path.join(__dirname, 'checkpoint-worker.js');
  // Running from TypeScript sources (tests): no compiled worker; keep SQLite's default.
  if (path.extname(__filename) !== '.js') return null;
  const worker = new Worker(script, { workerData: { file: path.join(dataDir, DATABASE_FILE), intervalMs } });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  worker.on('error', () => db.pragma('wal_autocheckpoint = 1000'));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        setTimeout(() => void worker.terminate(), 2000).unref();
      }),
  };
}
