/**
 * One process at a time owns a data folder: its server answers the Web Connector and the
 * REST API, and one-shot commands talk to it instead of opening the database beside it
 * (see cli.ts). Ownership is an exclusive SQLite lock on
 * a small file of its own: the operating system holds it (fcntl on Unix, LockFileEx on
 * Windows) and drops it when the process ends however it ends, so there is no stale
 * lock to take over and no race between two processes taking one over. The owner's pid
 * sits beside it, for messages only.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makePrivate } from './db';

export const OWNER_LOCK_FILE = 'companion.owner';
export const OWNER_PID_FILE = 'companion.lock';

export class DataFolderBusyError extends Error {
  constructor(
    readonly pid: number | null,
    dataDir: string,
  ) {
    super(`The data folder ${dataDir} is in use by ${pid ? `QBWC Companion (process ${pid})` : 'another QBWC Companion process'}.`);
    this.name = 'DataFolderBusyError';
  }
}

export interface OwnerLock {
  release(): void;
}

export interface AcquireOptions {
  /** Keep trying this long while another process has the folder (a one-shot command finishing). */
  waitMs?: number;
}

const POLL_MS = 50;

function tryLock(file: string): Database.Database | null {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE'); // keep the lock after the transaction that takes it
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (taken INTEGER); COMMIT');
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return null;
    throw err;
  }
}

function ownerPid(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, OWNER_PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function acquireOwnership(dataDir: string, options: AcquireOptions = {}): OwnerLock {
  const file = path.join(dataDir, OWNER_LOCK_FILE);
  makePrivate(file);
  const deadline = Date.now() + (options.waitMs ?? 0);
  let db = tryLock(file);
  while (db === null && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
    db = tryLock(file);
  }
  if (db === null) throw new DataFolderBusyError(ownerPid(dataDir), dataDir);
  const held = db;
  const pidFile = path.join(dataDir, OWNER_PID_FILE);
  fs.writeFileSync(pidFile, String(process.pid), { mode: 0o600 });
  return {
    release: () => {
      if (!held.open) return;
      if (ownerPid(dataDir) === process.pid) fs.rmSync(pidFile, { force: true });
      held.close();
    },
  };
}
