import { AuthFailureStore } from './auth-failures';
import { asStorageUnavailable } from '../errors';
import { DeliveryStore } from './deliveries';
import { DestinationStore } from './destinations';
import { createSealer, type KeyVault, keyFileVault, type SecretSealer } from '../security/secrets';
import { type Db, makeDataFolder, type OpenOptions, openDatabase } from './db';
import { acquireOwnership, type OwnerLock } from './owner';
import { EventStore } from './events';
import { InstanceStore } from './instances';
import { MetricStore } from './metrics';
import { RecordStore } from './records';
import { RequestStore } from './requests';
import { ResponseStore } from './responses';
import { SessionStore } from './sessions';
import { SettingsStore } from './settings';
import { WatermarkStore } from './watermarks';
import { CloudStore } from './cloud';

/**
 * Every table family behind one handle, and units of work: each unit is one SQLite
 * transaction (BEGIN IMMEDIATE … COMMIT; a unit inside another is a savepoint), committed
 * before `transaction` returns — so before any caller answers the Web Connector or a REST
 * client. Durability is SQLite's own: WAL with synchronous=NORMAL survives a killed
 * process, FULL (`--durability full`) survives power loss too.
 */
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
  readonly deliveries: DeliveryStore;
  readonly destinations: DestinationStore;
  readonly watermarks: WatermarkStore;
  readonly cloud: CloudStore;
  private readonly run: ReturnType<Db['transaction']>;
  /** Work to do once the outermost unit has committed (see afterCommit); undefined outside a unit. */
  private committed: (() => void)[] | undefined;

  /** Seals secrets for the store's tables (and anyone else keeping one, e.g. the cloud link). */
  readonly secrets: SecretSealer;

  private constructor(
    readonly db: Db,
    private readonly lock: OwnerLock,
    dataDir: string,
    fsync: boolean,
    vault: KeyVault,
  ) {
    this.run = db.transaction((fn: () => unknown) => fn());
    this.secrets = createSealer(vault);
    this.instances = new InstanceStore(db, this.secrets);
    this.sessions = new SessionStore(db);
    this.requests = new RequestStore(db);
    this.responses = new ResponseStore(db, dataDir, fsync);
    this.events = new EventStore(db);
    this.settings = new SettingsStore(db);
    this.authFailures = new AuthFailureStore(db);
    this.metrics = new MetricStore(db);
    this.records = new RecordStore(db);
    this.deliveries = new DeliveryStore(db);
    this.destinations = new DestinationStore(db, this.secrets);
    this.watermarks = new WatermarkStore(db);
    this.cloud = new CloudStore(db, this.settings, this.secrets);
  }

  /** Opens the data folder's database, applying migrations; throws DataFolderBusyError while another process owns it. */
  static open(dataDir: string, options: OpenOptions = {}): Store {
    makeDataFolder(dataDir);
    const lock = acquireOwnership(dataDir, { waitMs: options.ownerWaitMs });
    try {
      const store = new Store(openDatabase(dataDir, options), lock, dataDir, options.durability === 'full', options.keyVault ?? keyFileVault(dataDir));
      store.transaction(() => store.instances.sealStoredSecrets());
      return store;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * Runs `fn` as one unit of work: all of it or none of it, committed when this returns.
   * A unit inside another is a savepoint: its failure undoes only its own changes, and the
   * outer unit decides. A failure of the disk (full, I/O error) is a StorageUnavailableError.
   */
  transaction<T>(fn: () => T): T {
    if (this.committed !== undefined) {
      const mark = this.committed.length;
      try {
        return this.run.immediate(fn) as T;
      } catch (err) {
        this.committed.length = mark;
        throw asStorageUnavailable(err) ?? err;
      }
    }
    const committed: (() => void)[] = (this.committed = []);
    let result: T;
    try {
      result = this.run.immediate(fn) as T;
    } catch (err) {
      throw asStorageUnavailable(err) ?? err;
    } finally {
      this.committed = undefined;
    }
    for (const callback of committed) {
      // The unit is committed whatever a listener does: its failure is a bug to report, not the caller's.
      try {
        callback();
      } catch (err) {
        process.emitWarning(`A listener failed after a commit: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
    return result;
  }

  /**
   * Runs `fn` once the current unit has committed (at once outside a unit); never if it
   * rolls back. A callback that throws inside a unit is reported as a process warning.
   */
  afterCommit(fn: () => void): void {
    if (this.committed === undefined) fn();
    else this.committed.push(fn);
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
    this.db.close();
    this.lock.release();
  }
}
