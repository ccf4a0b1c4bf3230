import { AuthFailureStore } from './auth-failures';
import { type Db, type OpenOptions, openDatabase } from './db';
import { EventStore } from './events';
import { InstanceStore } from './instances';
import { MetricStore } from './metrics';
import { RecordStore } from './records';
import { RequestStore } from './requests';
import { ResponseStore } from './responses';
import { SessionStore } from './sessions';
import { SettingsStore } from './settings';

/** Every table family behind one handle, plus transactions. */
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

  constructor(readonly db: Db) {
    this.instances = new InstanceStore(db);
    this.sessions = new SessionStore(db);
    this.requests = new RequestStore(db);
    this.responses = new ResponseStore(db);
    this.events = new EventStore(db);
    this.settings = new SettingsStore(db);
    this.authFailures = new AuthFailureStore(db);
    this.metrics = new MetricStore(db);
    this.records = new RecordStore(db);
  }

  static open(dataDir: string, options?: OpenOptions): Store {
    return new Store(openDatabase(dataDir, options));
  }

  /** Runs `fn` in one transaction (nested calls join it); all or nothing. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
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
    if (this.db.open) this.db.close();
  }
}
