/**
 * A data folder left by a version before schema 6 after a crash: its last acknowledged
 * units are only in companion.journal. They are applied once, at schema 5, before the
 * later migrations; the file is then removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store';
import { DATABASE_FILE, migrate } from '../../main/store/db';
import { LEGACY_JOURNAL_FILE } from '../../main/store/legacy-journal';
import { MIGRATIONS } from '../../main/store/migrations';
import { tempDir } from '../helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A folder at `schema` (3–5) whose journal holds units 1–3 (1 already committed) and a torn fourth. */
function crashedLegacyFolder(schema = 5): string {
  const dir = tempDir('qbwc-legacy-');
  dirs.push(dir);
  const db = new Database(path.join(dir, DATABASE_FILE));
  migrate(db, schema);
  db.prepare("INSERT INTO settings (key, value) VALUES ('one', '1')").run();
  db.prepare('UPDATE journal_state SET applied = 1').run();
  db.close();
  const set = 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';
  const lines = [
    { s: 1, d: { 0: set }, o: [[0, ['one', '"replayed twice"']]] },
    { s: 2, o: [[0, ['two', '2']]] },
    { s: 3, d: { 1: 'DELETE FROM settings WHERE key = ?' }, o: [[0, ['three', '3']], [1, ['two']], [0, ['two', '"2 again"']]] },
  ].map((e) => JSON.stringify(e));
  fs.writeFileSync(path.join(dir, LEGACY_JOURNAL_FILE), lines.join('\n') + '\n{"s":4,"o":[[0,["four"');
  return dir;
}

describe('a folder from a journaling version, after a crash', () => {
  it.each([3, 5])('at schema %i gets the units it acknowledged and had not committed, once, in order, then the journal is gone', (schema) => {
    const dir = crashedLegacyFolder(schema);
    const store = Store.open(dir);
    try {
      expect(store.settings.all()).toEqual({ one: 1, two: '2 again', three: 3 });
      expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'journal_state'").pluck().get()).toBe(0);
    } finally {
      store.close();
    }
    expect(fs.existsSync(path.join(dir, LEGACY_JOURNAL_FILE))).toBe(false);
  });

  it.each([
    ['a statement it never defined', JSON.stringify({ s: 2, o: [[7, ['x']]] }) + '\n'],
    ['a broken line before others', '{"s":2,"o":[[0,\n' + JSON.stringify({ s: 3, d: { 0: 'DELETE FROM settings' }, o: [[0, []]] }) + '\n'],
  ])('refuses to start, changing nothing, when the journal is damaged: %s', (_, journal) => {
    const dir = crashedLegacyFolder(4);
    fs.writeFileSync(path.join(dir, LEGACY_JOURNAL_FILE), journal);
    expect(() => Store.open(dir)).toThrow(/companion.journal in the data folder is damaged .*previous version/);
    expect(fs.existsSync(path.join(dir, LEGACY_JOURNAL_FILE))).toBe(true);
    const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(db.prepare('SELECT count(*) FROM settings').pluck().get()).toBe(1);
    db.close();
  });
});
