/**
 * Versions before schema 6 acknowledged a unit of work once it was in a statement journal
 * (`companion.journal`) and committed it to SQLite up to 100 ms later. A data folder such a
 * version left after a crash holds its last acknowledged units only there. They are
 * applied once, at the schema their SQL was written for (5), before any later migration
 * runs; then the file is removed. Nothing writes the file any more.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db';

export const LEGACY_JOURNAL_FILE = 'companion.journal';
/** The schema the last journaling version ran on. */
const JOURNAL_SCHEMA = 5;
/** The first schema with the journal's high-water mark (journal_state). */
const FIRST_JOURNAL_SCHEMA = 3;

interface Entry {
  /** Unit number. */
  s: number;
  /** SQL of the statement ids this file uses first here. */
  d?: Record<string, string>;
  /** The unit's statements: [statement id, parameters]. */
  o: [number, unknown[]][];
}

/** Applies a legacy journal's unapplied units, if the folder has one; `migrateTo` brings the schema to a version first. */
export function applyLegacyJournal(db: Db, dataDir: string, migrateTo: (version: number) => void): void {
  const file = path.join(dataDir, LEGACY_JOURNAL_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (text.trim() !== '' && version >= FIRST_JOURNAL_SCHEMA && version <= JOURNAL_SCHEMA) {
    // One transaction: a journal that can't be applied leaves the folder as it was.
    db.transaction(() => {
      migrateTo(JOURNAL_SCHEMA);
      replay(db, text);
    }).immediate();
  }
  fs.rmSync(file);
}

function replay(db: Db, text: string): void {
  const applied = db.prepare<[], number>('SELECT applied FROM journal_state').pluck().get() as number;
  const defined = new Map<string, Statement<unknown[]>>();
  let last = applied;
  const lines = text.split('\n').filter((line) => line !== '');
  for (const [i, line] of lines.entries()) {
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch {
      // Only the last line can be torn (its unit was never acknowledged): the writer cut
      // the file back after any failed write.
      if (i === lines.length - 1) break;
      throw damaged(`line ${i + 1} is not a journal entry`);
    }
    for (const [id, sql] of Object.entries(entry.d ?? {})) defined.set(id, db.prepare(sql));
    if (entry.s <= last) continue;
    for (const [id, params] of entry.o) {
      const stmt = defined.get(String(id));
      if (!stmt) throw damaged(`statement ${id} is not defined`);
      if (stmt.reader) stmt.all(...params);
      else stmt.run(...params);
    }
    last = entry.s;
  }
  db.prepare('UPDATE journal_state SET applied = ?').run(last);
}

const damaged = (what: string) =>
  new Error(
    `${LEGACY_JOURNAL_FILE} in the data folder is damaged (${what}). Start the previous version of QBWC Companion once and stop it, so it can finish its work, then start this one.`,
  );
