/** Opening the SQLite database: pragmas and migrations. SQL lives only in store/. */
import fs from 'node:fs';
import path from 'node:path';
import type { KeyVault } from '../security/secrets';
import Database from 'better-sqlite3';
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
  /** Where the key that seals secrets is kept; default a private file in the data folder (see security/secrets.ts). */
  keyVault?: KeyVault;
}

export const DATABASE_FILE = 'companion.db';

/**
 * Creates the data folder readable by its owner only (it holds password hashes, the API
 * token and the company's books). A folder that already exists is never changed: one that
 * other users may read or write is refused with the command that fixes it (see
 * assertPrivateFolder).
 */
export function makeDataFolder(dataDir: string): void {
  if (fs.mkdirSync(dataDir, { recursive: true }) !== undefined) fs.chmodSync(dataDir, 0o700);
  else assertPrivateFolder(dataDir);
}

/** A data folder others may read or write (a mode other than 0700 on Unix). */
export class DataFolderPermissionError extends Error {
  constructor(
    readonly dataDir: string,
    readonly mode: number,
  ) {
    super(
      `The data folder ${dataDir} can be ${mode & 0o022 ? 'changed' : 'read'} by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}), ` +
        `and it holds the API token, password hashes and the company's data. QBWC Companion does not change the permissions of a folder it did not create; ` +
        `${mode & 0o022 ? 'check that its files are yours, then ' : ''}make it yours only with:\n  chmod 700 ${shellQuote(dataDir)}`,
    );
    this.name = 'DataFolderPermissionError';
  }
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Refuses a data folder that group or others may read, write or enter. Writable, its
 * files (the token, server.json, the database) could be swapped; readable, their names
 * and any file created without our mode could be read. On Windows the folder inherits the
 * user profile's ACL and POSIX modes mean nothing.
 */
export function assertPrivateFolder(dataDir: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  const stat = fs.statSync(dataDir);
  if (!stat.isDirectory()) throw new Error(`${dataDir} is not a folder; give a folder as the data folder (--data-dir).`);
  if ((stat.mode & 0o077) !== 0) throw new DataFolderPermissionError(dataDir, stat.mode);
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
