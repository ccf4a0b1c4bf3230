import type { Db } from './db';

/** Key/value settings (JSON values). Typed access lives in the settings service. */
export class SettingsStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly allStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.allStmt = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
  }

  get<T>(key: string): T | undefined {
    const row = this.getStmt.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value));
  }

  all(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const { key, value } of this.allStmt.all()) out[key] = JSON.parse(value);
    return out;
  }
}
