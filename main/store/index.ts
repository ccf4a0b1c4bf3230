import { AuthFailureStore } from './auth-failures';
import path from 'node:path';
import { type Db, makeDataFolder, type OpenOptions, openDatabase } from './db';
import { Journal } from './journal';
import { acquireOwnership, type OwnerLock } from './owner';
import { EventStore } from './events';
import { InstanceStore } from './instances';
import { MetricStore } from './metrics';
import { RecordStore } from './records';
import { RequestStore } from './requests';
import { ResponseStore } from './responses';
import { SessionStore } from './sessions';
import { SettingsStore } from './settings';
import type { Sql } from './sql';

export const JOURNAL_FILE = 'companion.journal';
/**
 * How long journaled units wait for SQLite's commit. Durability doesn't depend on it (the
 * journal has them); a longer group shares more pages between units, so fewer WAL frames
 * are written and checkpointed — at 100 ms about 5% less CPU per Web Connector call than at
 * 25 ms, with no gain beyond. Other processes see changes at most this late.
 */
const GROUP_COMMIT_MS = 100;

/** Every table family behind one handle, plus units of work (see journal.ts). */
export class Store {
  readonly instances: InstanceStore;
  readonly sessions: SessionStore;
  readonly requests: RequestStore;
  readonly responses: ResponseStore;
  readonly events: EventStore;
  readonly settings: SettingsStore;
  readonly authFailures: AuthFailureStore;
  readonly metrics: MetricStore;
  readonly records: RecordStore;

  private constructor(
    readonly db: Db,
    private readonly journal: Journal,
    private readonly lock: OwnerLock,
    dataDir: string,
    fsync: boolean,
  ) {
    const sql: Sql = {
      db,
      write: (text) => journal.statement(text),
      cache: (clear) => journal.onRollback(clear),
      writeBehind: (table) => journal.writeBehind(table),
      get inUnit() {
        return journal.inUnit;
      },
    };
    this.instances = new InstanceStore(sql);
    this.sessions = new SessionStore(sql);
    this.requests = new RequestStore(sql);
    this.responses = new ResponseStore(sql, dataDir, fsync);
    this.events = new EventStore(sql);
    this.settings = new SettingsStore(sql);
    this.authFailures = new AuthFailureStore(sql);
    this.metrics = new MetricStore(db);
    this.records = new RecordStore(sql);
  }

  /**
   * Opens the data folder's database (applying migrations, then replaying any journaled
   * units a crash left uncommitted).
   */
  static open(dataDir: string, options: OpenOptions = {}): Store {
    makeDataFolder(dataDir);
    const lock = acquireOwnership(dataDir, { waitMs: options.ownerWaitMs }); // throws DataFolderBusyError while another process has it
    let db: Db | undefined;
    try {
      db = openDatabase(dataDir, options);
      const fsync = options.durability === 'full';
      const journal = new Journal(db, path.join(dataDir, JOURNAL_FILE), { fsync, commitDelayMs: GROUP_COMMIT_MS, onCommitError: options.onCommitError });
      return new Store(db, journal, lock, dataDir, fsync);
    } catch (err) {
      db?.close();
      lock.release();
      throw err;
    }
  }

  /** Runs `fn` as one unit of work: all or nothing, durable when it returns (nested calls join it). */
  transaction<T>(fn: () => T): T {
    return this.journal.unit(fn);
  }

  /** A large write committed on its own, outside the journal (e.g. a big response streaming in); not inside a unit. */
  bulk<T>(fn: () => T): T {
    return this.journal.bulk(fn);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Counts for the health check. */
  counts(): { instances: number; activeSessions: number; queuedRequests: number } {
    return this.db
      .prepare<[], { instances: number; activeSessions: number; queuedRequests: number }>(
        `SELECT (SELECT count(*) FROM instances WHERE deleted_at IS NULL) AS instances,
                (SELECT count(*) FROM sessions WHERE status = 'active') AS activeSessions,
                (SELECT count(*) FROM requests WHERE status = 'queued') AS queuedRequests`,
      )
      .get() as { instances: number; activeSessions: number; queuedRequests: number };
  }

  close(): void {
    if (!this.db.open) return;
    this.journal.close();
    this.db.close();
    this.lock.release();
  }
}
