/**
 * Runs in a worker thread: checkpoints the WAL on its own connection, so the fsync a
 * checkpoint needs never stalls a Web Connector call on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
db.pragma('busy_timeout = 1000');

const timer = setInterval(() => {
  try {
    // PASSIVE never waits for or blocks the writer; what it can't copy now waits for the next round.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy: try again next time.
  }
}, intervalMs);

parentPort?.on('message', (message: unknown) => {
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort?.close();
  }
});
