/** Opening the SQLite database: pragmas and migrations. SQL lives only in store/. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageUnavailableError } from '../errors';
import { applyLegacyJournal } from './legacy-journal';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export type Durability = 'normal' | 'full';

export interface OpenOptions {
  /**
   * 'normal' (default): a commit reaches the OS before we answer, so it survives the
   * process being killed; 'full' also fsyncs each commit, surviving power loss at the
   * cost of a disk flush per state change.
   */
  durability?: Durability;
  /** How long to wait for another process to let go of the data folder; default 0. */
  ownerWaitMs?: number;
}

export const DATABASE_FILE = 'companion.db';

/**
 * Creates the data folder readable by its owner only (it holds password hashes and the
 * company's books), unless it already existed: a folder the user chose keeps its mode.
 */
export function makeDataFolder(dataDir: string): void {
  if (fs.mkdirSync(dataDir, { recursive: true }) !== undefined) fs.chmodSync(dataDir, 0o700);
}

/** Our files in the data folder are the owner's only, whatever the umask. */
export function makePrivate(file: string): void {
  // Only a missing file is opened: closing a descriptor drops every POSIX lock this
  // process holds on the file (the owner lock, SQLite's).
  if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}

export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  makeDataFolder(dataDir);
  // SQLite gives the -wal and -shm files the database file's permissions.
  makePrivate(path.join(dataDir, DATABASE_FILE));
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('temp_store = MEMORY');
    // Reads through a memory map instead of a read() per page.
    db.pragma('mmap_size = 268435456');
    // After a checkpoint, keep the WAL file from staying as large as its largest burst.
    db.pragma('journal_size_limit = 67108864');
    applyLegacyJournal(db, dataDir, (version) => migrate(db, version));
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies the migrations the database lacks, up to `target` (default: all of them), in one transaction. */
export function migrate(db: Db, target = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The data folder was written by a newer version of QBWC Companion (schema ${current}, this version knows ${MIGRATIONS.length}).`,
    );
  }
  if (current >= target) return;
  db.transaction(() => {
    for (let v = current; v < target; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma(`user_version = ${target}`);
  }).immediate();
}

/** SQLite's and the file system's ways of saying the disk can't take a write. */
const DISK_FAILURES = /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY|ENOSPC|EDQUOT|EIO|EROFS)/;

/**
 * The StorageUnavailableError for a failure of the disk (full, read-only, I/O error), or
 * undefined for any other error. The unit that hit it was rolled back: nothing was
 * changed, and the next unit tries the disk again.
 */
export function storageFailure(err: unknown): StorageUnavailableError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !DISK_FAILURES.test(code)) return undefined;
  return new StorageUnavailableError(
    `QBWC Companion cannot save to its data folder (${(err as Error).message}). Nothing was changed and nothing acknowledged is lost; free some disk space and try again.`,
    { cause: err },
  );
}
