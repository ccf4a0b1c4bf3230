import { mapSecrets, SECRET_KEY, type SecretSealer, SecretsLockedError } from '../security/secrets';
import type { Db } from './db';
import { INSTANCES } from './tables';
import type { Instance, LearnedCompany } from './types';

type Row = Record<string, unknown>;

/**
 * Company connections. Deleting one is soft: history (sessions, requests, events) keeps
 * pointing at its row. Secret configuration values are sealed as they are written and
 * opened as they are read: only this class sees them sealed.
 */
export class InstanceStore {
  private readonly byIdStmt;
  private readonly byUsernameStmt;
  private readonly listStmt;
  private readonly insertStmt;
  private readonly deleteStmt;
  private readonly updateLive;

  constructor(
    db: Db,
    private readonly secrets: SecretSealer,
  ) {
    const live = 'deleted_at IS NULL';
    this.byIdStmt = db.prepare<[string], Row>(`${INSTANCES.select} WHERE id = ? AND ${live}`);
    this.byUsernameStmt = db.prepare<[string], Row>(`${INSTANCES.select} WHERE username = ? COLLATE NOCASE AND ${live}`);
    this.listStmt = db.prepare<[], Row>(`${INSTANCES.select} WHERE ${live} ORDER BY created_at, id`);
    this.insertStmt = db.prepare(INSTANCES.insertSql());
    this.deleteStmt = db.prepare<[number, number, string]>(`UPDATE instances SET deleted_at = ?, updated_at = ? WHERE id = ? AND ${live}`);
    this.updateLive = INSTANCES.updater(db, 'id', live);
  }

  get(id: string): Instance | undefined {
    const row = this.byIdStmt.get(id);
    return row && this.read(row);
  }

  byUsername(username: string): Instance | undefined {
    const row = this.byUsernameStmt.get(username);
    return row && this.read(row);
  }

  list(): Instance[] {
    return this.listStmt.all().map((r) => this.read(r));
  }

  insert(instance: Instance): void {
    this.insertStmt.run(INSTANCES.params({ ...instance, configuration: mapSecrets(instance.configuration, this.secrets.seal) }));
  }

  /** Writes every field but the id and creation time; false if the instance is gone. */
  update(instance: Instance): boolean {
    const { id, createdAt: _, ...fields } = instance;
    return this.updateLive(id, { ...fields, configuration: mapSecrets(fields.configuration, this.secrets.seal) }) === 1;
  }

  /** Seals what was stored before secrets were sealed (once, at open). */
  sealStoredSecrets(): void {
    for (const row of this.listStmt.all()) {
      const stored = INSTANCES.fromRow(row);
      if (Object.entries(stored.configuration).some(([k, v]) => v !== '' && SECRET_KEY.test(k) && !this.secrets.isSealed(v))) {
        this.updateLive(stored.id, { configuration: mapSecrets(stored.configuration, (v) => (this.secrets.isSealed(v) ? v : this.secrets.seal(v))) });
      }
    }
  }

  /** A secret that can't be opened here reads as unset (no webhook destination), not as a failure of everything that reads instances. */
  private read(row: Row): Instance {
    const instance = INSTANCES.fromRow(row);
    const open = (value: string) => {
      try {
        return this.secrets.open(value);
      } catch (err) {
        if (err instanceof SecretsLockedError) return '';
        throw err;
      }
    };
    return { ...instance, configuration: mapSecrets(instance.configuration, open) };
  }

  delete(id: string, now: number): boolean {
    return this.deleteStmt.run(now, now, id).changes === 1;
  }

  setCompany(id: string, company: LearnedCompany | null, now: number): void {
    this.updateLive(id, { company, updatedAt: now });
  }
}
