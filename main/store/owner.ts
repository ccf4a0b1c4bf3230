/**
 * One process at a time owns a data folder's database and journal (a second owner would
 * replay the first one's uncommitted journal). The owner leaves its pid in a lock file;
 * a lock whose process is gone is stale and is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'companion.lock';

export class DataFolderBusyError extends Error {
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    super(`The data folder ${dataDir} is in use by QBWC Companion (process ${pid}).`);
    this.name = 'DataFolderBusyError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OwnerLock {
  release(): void;
}

export function acquireOwnership(dataDir: string): OwnerLock {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return {
        release: () => {
          try {
            if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new DataFolderBusyError(pid, dataDir);
      fs.rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`Could not take the lock ${file}.`);
}
