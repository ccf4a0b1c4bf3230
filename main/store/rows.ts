import type { Db } from './db';

/**
 * A SELECT whose rows come back as plain objects keyed by column name, built from
 * better-sqlite3's array ("raw") mode: naming the columns once here is about twice as fast
 * as letting the driver name them on every row, which matters on the QBWC hot path.
 */
export interface RowQuery<P extends unknown[], R> {
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

export function rowQuery<P extends unknown[], R>(db: Db, sql: string): RowQuery<P, R> {
  const stmt = db.prepare<P, unknown[]>(sql).raw(true);
  // An object literal with the columns in order: V8 gives every row one fast shape, where
  // adding 30-odd properties one by one leaves it a slow dictionary. Names are quoted.
  const fields = stmt.columns().map((c, i) => `${JSON.stringify(c.name)}: v[${i}]`);
  const toRow = new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => R;
  return {
    get: (...params) => {
      const values = stmt.get(...params);
      return values === undefined ? undefined : toRow(values);
    },
    all: (...params) => stmt.all(...params).map(toRow),
  };
}
