import type { Sql } from './sql';
import { rowQuery } from './rows';
import type { Contact, Instance, LearnedCompany } from './types';

interface InstanceRow {
  id: string;
  name: string;
  username: string;
  password_hash: string;
  qbd_path: string | null;
  frequency_minutes: number;
  contact_json: string | null;
  configuration_json: string;
  file_id: string;
  owner_id: string;
  postpone_seconds: number | null;
  min_run_every_seconds: number | null;
  linger_seconds: number;
  alternate_files_json: string;
  read_only: number;
  company_json: string | null;
  created_at: number;
  updated_at: number;
}

const fromRow = (r: InstanceRow): Instance => ({
  id: r.id,
  name: r.name,
  username: r.username,
  passwordHash: r.password_hash,
  qbdPath: r.qbd_path,
  frequencyMinutes: r.frequency_minutes,
  contact: r.contact_json ? (JSON.parse(r.contact_json) as Contact) : null,
  configuration: JSON.parse(r.configuration_json) as Record<string, string>,
  fileId: r.file_id,
  ownerId: r.owner_id,
  postponeSeconds: r.postpone_seconds,
  minRunEverySeconds: r.min_run_every_seconds,
  lingerSeconds: r.linger_seconds,
  alternateCompanyFiles: JSON.parse(r.alternate_files_json) as string[],
  readOnly: r.read_only === 1,
  company: r.company_json ? (JSON.parse(r.company_json) as LearnedCompany) : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toParams = (i: Instance) => ({
  id: i.id,
  name: i.name,
  username: i.username,
  password_hash: i.passwordHash,
  qbd_path: i.qbdPath,
  frequency_minutes: i.frequencyMinutes,
  contact_json: i.contact ? JSON.stringify(i.contact) : null,
  configuration_json: JSON.stringify(i.configuration),
  file_id: i.fileId,
  owner_id: i.ownerId,
  postpone_seconds: i.postponeSeconds,
  min_run_every_seconds: i.minRunEverySeconds,
  linger_seconds: i.lingerSeconds,
  alternate_files_json: JSON.stringify(i.alternateCompanyFiles),
  read_only: i.readOnly ? 1 : 0,
  company_json: i.company ? JSON.stringify(i.company) : null,
  created_at: i.createdAt,
  updated_at: i.updatedAt,
});

const COLUMNS = Object.keys(toParams({} as Instance));

/** Instances are read on the hot path; kept in memory (write-through invalidation; see Sql.cache). */
export class InstanceStore {
  private readonly cache = new Map<string, Instance>();
  private readonly byIdStmt;
  private readonly byUsernameStmt;
  private readonly listStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly deleteStmt;
  private readonly companyStmt;

  constructor(sql: Sql) {
    const db = sql.db;
    sql.cache(() => this.cache.clear());
    const live = 'deleted_at IS NULL';
    this.byIdStmt = rowQuery<[string], InstanceRow>(db, `SELECT * FROM instances WHERE id = ? AND ${live}`);
    this.byUsernameStmt = rowQuery<[string], InstanceRow>(db, 
      `SELECT * FROM instances WHERE username = ? COLLATE NOCASE AND ${live}`,
    );
    this.listStmt = rowQuery<[], InstanceRow>(db, `SELECT * FROM instances WHERE ${live} ORDER BY created_at, id`);
    this.insertStmt = sql.write(
      `INSERT INTO instances (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`,
    );
    this.updateStmt = sql.write(
      `UPDATE instances SET ${COLUMNS.filter((c) => c !== 'id' && c !== 'created_at')
        .map((c) => `${c} = @${c}`)
        .join(', ')} WHERE id = @id AND ${live}`,
    );
    this.deleteStmt = sql.write<[number, number, string]>(
      `UPDATE instances SET deleted_at = ?, updated_at = ? WHERE id = ? AND ${live}`,
    );
    this.companyStmt = sql.write<[string | null, number, string]>(
      'UPDATE instances SET company_json = ?, updated_at = ? WHERE id = ?',
    );
  }

  get(id: string): Instance | undefined {
    let hit = this.cache.get(id);
    if (!hit) {
      const row = this.byIdStmt.get(id);
      if (!row) return undefined;
      hit = fromRow(row);
      this.cache.set(id, hit);
    }
    return { ...hit };
  }

  byUsername(username: string): Instance | undefined {
    const row = this.byUsernameStmt.get(username);
    return row && fromRow(row);
  }

  list(): Instance[] {
    return this.listStmt.all().map(fromRow);
  }

  insert(instance: Instance): void {
    this.insertStmt.run(toParams(instance));
  }

  update(instance: Instance): boolean {
    this.cache.delete(instance.id);
    return this.updateStmt.run(toParams(instance)).changes === 1;
  }

  /** Soft delete: history (sessions, requests, events) keeps pointing at the row. */
  delete(id: string, now: number): boolean {
    this.cache.delete(id);
    return this.deleteStmt.run(now, now, id).changes === 1;
  }

  setCompany(id: string, company: LearnedCompany | null, now: number): void {
    this.cache.delete(id);
    this.companyStmt.run(company ? JSON.stringify(company) : null, now, id);
  }
}
