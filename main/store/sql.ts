import type { Db } from './db';
import type { WriteBehind, WriteStatement } from './journal';

/**
 * What a table module gets: the connection for reads, and `write` for statements that
 * change data — those go through the journal (see journal.ts), so they must only be
 * created here, never with db.prepare.
 */
export interface Sql {
  readonly db: Db;
  write<P extends unknown[] = unknown[]>(sql: string): WriteStatement<P>;
  /**
   * Registers a cache to clear when a unit of work rolls back. Caching rows is safe
   * because one process owns the data folder (see owner.ts) and every write goes
   * through these modules.
   */
  cache(clear: () => void): void;
  /** Registers a table that holds some changes until the group commits. */
  writeBehind(table: WriteBehind): void;
  /** Whether a unit of work is running. */
  readonly inUnit: boolean;
}
