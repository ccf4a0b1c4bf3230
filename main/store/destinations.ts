import type { SecretSealer } from '../security/secrets';
import { SecretsLockedError } from '../security/secrets';
import type { RowOf } from './table';
import type { Db } from './db';
import { DESTINATIONS } from './tables';

type Row = Record<string, unknown>;

/** A webhook destination added through the API, its verifier token opened. */
export type StoredDestination = RowOf<typeof DESTINATIONS.columns>;

/**
 * The destinations added through the API. Verifier tokens are sealed as they are written
 * and opened as they are read: only this class sees them sealed.
 */
export class DestinationStore {
  private readonly byIdStmt;
  private readonly byInstanceStmt;
  private readonly enabledStmt;
  private readonly insertStmt;
  private readonly deleteStmt;
  private readonly updateStmt;

  constructor(
    db: Db,
    private readonly secrets: SecretSealer,
  ) {
    this.byIdStmt = db.prepare<[string, string], Row>(`${DESTINATIONS.select} WHERE instance_id = ? AND id = ?`);
    this.byInstanceStmt = db.prepare<[string], Row>(`${DESTINATIONS.select} WHERE instance_id = ? ORDER BY created_at, rowid`);
    this.enabledStmt = db.prepare<[], Row>(
      `${DESTINATIONS.select} WHERE enabled = 1 AND instance_id IN (SELECT id FROM instances WHERE deleted_at IS NULL) ORDER BY instance_id, created_at, rowid`,
    );
    this.insertStmt = db.prepare(DESTINATIONS.insertSql());
    this.deleteStmt = db.prepare<[string, string]>('DELETE FROM destinations WHERE instance_id = ? AND id = ?');
    this.updateStmt = DESTINATIONS.updater(db, 'id', 'instance_id = ?');
  }

  get(instanceId: string, id: string): StoredDestination | undefined {
    const row = this.byIdStmt.get(instanceId, id);
    return row && this.read(row);
  }

  /** Oldest first. */
  list(instanceId: string): StoredDestination[] {
    return this.byInstanceStmt.all(instanceId).map((r) => this.read(r));
  }

  /** The enabled destinations of every live instance. */
  enabled(): StoredDestination[] {
    return this.enabledStmt.all().map((r) => this.read(r));
  }

  insert(d: StoredDestination): void {
    this.insertStmt.run(DESTINATIONS.params({ ...d, verifierToken: this.secrets.seal(d.verifierToken) }));
  }

  /** False when there is no such destination. */
  update(instanceId: string, id: string, patch: Partial<Omit<StoredDestination, 'id' | 'instanceId' | 'createdAt'>>): boolean {
    const sealed = patch.verifierToken !== undefined ? { ...patch, verifierToken: this.secrets.seal(patch.verifierToken) } : patch;
    return this.updateStmt(id, sealed, instanceId) === 1;
  }

  delete(instanceId: string, id: string): boolean {
    return this.deleteStmt.run(instanceId, id).changes === 1;
  }

  /** A token that can't be opened here reads as unset: the destination sends nothing and says why, instead of failing every read. */
  private read(row: Row): StoredDestination {
    const d = DESTINATIONS.fromRow(row);
    try {
      return { ...d, verifierToken: this.secrets.open(d.verifierToken) };
    } catch (err) {
      if (err instanceof SecretsLockedError) return { ...d, verifierToken: '' };
      throw err;
    }
  }
}
