import type { Db } from './db';

export interface FailureState {
  failures: number;
  lockedUntil: number;
}

/** Consecutive failed logins per username, for backoff. */
export class AuthFailureStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly clearStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], { failures: number; locked_until: number }>(
      'SELECT failures, locked_until FROM auth_failures WHERE username = ?',
    );
    this.setStmt = db.prepare<[string, number, number]>(
      `INSERT INTO auth_failures (username, failures, locked_until) VALUES (?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
    );
    this.clearStmt = db.prepare<[string]>('DELETE FROM auth_failures WHERE username = ?');
  }

  get(username: string): FailureState {
    const row = this.getStmt.get(username);
    return row ? { failures: row.failures, lockedUntil: row.locked_until } : { failures: 0, lockedUntil: 0 };
  }

  set(username: string, state: FailureState): void {
    this.setStmt.run(username, state.failures, state.lockedUntil);
  }

  clear(username: string): void {
    this.clearStmt.run(username);
  }
}
