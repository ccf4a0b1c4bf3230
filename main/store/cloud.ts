/**
 * The cloud link's state (main/cloud): its settings (the API key sealed at rest), the
 * journal of instances, sessions and requests that changed while it is on (written by
 * migration 10's triggers), and how far each kind has been pushed. Cursors move only
 * after the cloud's 2xx, in one transaction with the pruning of what they passed.
 */
import { SecretsLockedError } from '../security/secrets';
import type { SecretSealer } from '../security/secrets';
import type { Db } from './db';
import type { SettingsStore } from './settings';
import type { RowOf } from './table';
import { CLOUD_CHANGES, CLOUD_CURSORS, EVENTS } from './tables';
import type { EventRecord } from './types';

/** The settings row of the link; migration 10's triggers read its "enabled". */
export const CLOUD_LINK_SETTINGS_KEY = 'cloudLink';

export type JournalEntry = RowOf<typeof CLOUD_CHANGES.columns>;
export type JournalKind = JournalEntry['kind'];
const JOURNAL_KINDS: readonly JournalKind[] = ['instance', 'session', 'request'];
/** A journal kind (its position: a journal seq), the event log (a log_id) or metrics (the start of the hour not yet final). */
export type CursorKind = JournalKind | 'eventLog' | 'metrics';

interface Backlog {
  instances: number;
  sessions: number;
  requests: number;
  eventLogs: number;
}

type Row = Record<string, unknown>;

/** Events of no instance (a refused unknown user, the companion's own) are no instance's to report. */
const PUSHED_EVENTS = 'log_id > ? AND client_id IS NOT NULL';

export class CloudStore {
  private readonly journalStmt;
  private readonly journalAllStmt;
  private readonly pruneStmt;
  private readonly clearJournalStmt;
  private readonly cursorStmt;
  private readonly putCursorStmt;
  private readonly eventsStmt;
  private readonly lastEventStmt;
  private readonly backlogStmt;

  constructor(
    db: Db,
    private readonly kv: SettingsStore,
    private readonly secrets: SecretSealer,
  ) {
    this.journalStmt = db.prepare<[string, string, number], Row>(
      `${CLOUD_CHANGES.select} WHERE kind = ? AND seq > coalesce((SELECT position FROM cloud_cursors WHERE kind = ?), 0) ORDER BY seq LIMIT ?`,
    );
    this.journalAllStmt = db.prepare("INSERT OR REPLACE INTO cloud_changes (kind, entity_id) SELECT 'instance', id FROM instances WHERE deleted_at IS NULL ORDER BY created_at");
    this.pruneStmt = db.prepare<[string, number]>('DELETE FROM cloud_changes WHERE kind = ? AND seq <= ?');
    this.clearJournalStmt = db.prepare('DELETE FROM cloud_changes');
    this.cursorStmt = db.prepare<[string], Row>(`${CLOUD_CURSORS.select} WHERE kind = ?`);
    this.putCursorStmt = db.prepare<[Row]>(
      `${CLOUD_CURSORS.insertSql()} ON CONFLICT (kind) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
    this.eventsStmt = db.prepare<[number, number], Row>(`${EVENTS.select} WHERE ${PUSHED_EVENTS} ORDER BY log_id LIMIT ?`);
    this.lastEventStmt = db.prepare<[], { at: number | null }>('SELECT max(log_id) AS at FROM events');
    this.backlogStmt = db.prepare<[], Backlog>(
      `SELECT ${JOURNAL_KINDS.map(
        (k) => `(SELECT count(*) FROM cloud_changes WHERE kind = '${k}' AND seq > coalesce((SELECT position FROM cloud_cursors WHERE kind = '${k}'), 0)) AS ${k}s`,
      ).join(', ')},
       (SELECT count(*) FROM events WHERE ${PUSHED_EVENTS.replace('?', "coalesce((SELECT position FROM cloud_cursors WHERE kind = 'eventLog'), 0)")}) AS eventLogs`,
    );
  }

  /** The stored settings, the API key opened; undefined before they were ever set. */
  settings<T extends { apiKey: string | null }>(): T | undefined {
    const stored = this.kv.get<T>(CLOUD_LINK_SETTINGS_KEY);
    return stored && { ...stored, apiKey: stored.apiKey === null ? null : this.openKey(stored.apiKey) };
  }

  /** A key this process can't open (the desktop app's keychain holds it) reads as unset: the link can't call, nothing else fails. */
  private openKey(sealed: string): string | null {
    try {
      return this.secrets.open(sealed);
    } catch (err) {
      if (err instanceof SecretsLockedError) return null;
      throw err;
    }
  }

  putSettings<T extends { apiKey: string | null }>(settings: T): void {
    this.kv.set(CLOUD_LINK_SETTINGS_KEY, { ...settings, apiKey: settings.apiKey === null ? null : this.secrets.seal(settings.apiKey) });
  }

  /** The oldest changes of a kind not pushed yet. */
  journal(kind: JournalKind, limit: number): JournalEntry[] {
    return this.journalStmt.all(kind, kind, limit).map((r) => CLOUD_CHANGES.fromRow(r));
  }

  /** Every live instance, to be registered (again): at start, and when what the cloud is told of them changed. */
  journalAllInstances(): void {
    this.journalAllStmt.run();
  }

  cursor(kind: CursorKind): number | undefined {
    const row = this.cursorStmt.get(kind);
    return row && CLOUD_CURSORS.fromRow(row).position;
  }

  /** Records what the cloud acknowledged; for a journal kind, forgets the entries it passed. */
  advance(kind: CursorKind, position: number, now: number): void {
    this.putCursor(kind, position, now);
    if ((JOURNAL_KINDS as readonly string[]).includes(kind)) this.pruneStmt.run(kind, position);
  }

  /**
   * The link starts from now (first turned on, or on again): what happened while it was off
   * is not sent. Run in the unit that turns it on, so the triggers start where the cursors do.
   */
  startFromNow(metricsFrom: number, now: number): void {
    this.clearJournalStmt.run();
    this.putCursor('eventLog', this.lastEventStmt.get()?.at ?? 0, now);
    this.putCursor('metrics', metricsFrom, now);
  }

  private putCursor(kind: CursorKind, position: number, updatedAt: number): void {
    this.putCursorStmt.run(CLOUD_CURSORS.params({ kind, position, updatedAt }));
  }

  /** Event log entries of instances after `logId`, oldest first. */
  eventsAfter(logId: number, limit: number): EventRecord[] {
    return this.eventsStmt.all(logId, limit).map((r) => EVENTS.fromRow(r));
  }

  backlog(): Backlog {
    return this.backlogStmt.get() as Backlog;
  }
}
