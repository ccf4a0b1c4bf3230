import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { rowQuery } from '../../main/store/rows';

// Values of every kind a column can hold here: text (control characters, quotes,
// backslashes, non-BMP, lone surrogates), integers up to and past 2^53, reals, NULL.
const cell = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\u0000', '\n', '\u001f', 'é', '\u{1F600}', '\ud800', 'a') }),
  fc.maxSafeInteger(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.constant(null),
);

describe('rowQuery', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, "a b" ANY, "quote""d" ANY, c ANY) STRICT');
  const insert = db.prepare('INSERT INTO t ("a b", "quote""d", c) VALUES (?, ?, ?)');
  const native = db.prepare('SELECT * FROM t WHERE id = ?');
  const rows = rowQuery<[number | bigint], Record<string, unknown>>(db, 'SELECT * FROM t WHERE id = ?');
  afterAll(() => db.close());

  it('reads every row exactly as better-sqlite3 itself does, column names included', () => {
    fc.assert(
      fc.property(cell, cell, cell, (a, b, c) => {
        const id = insert.run(a, b, c).lastInsertRowid;
        const got = rows.get(id);
        expect(got).toEqual(native.get(id));
        expect(Object.keys(got as object)).toEqual(['id', 'a b', 'quote"d', 'c']);
      }),
      { numRuns: 500 },
    );
  });

  it('all() keeps the order, get() of nothing is undefined', () => {
    const ordered = rowQuery<[], { id: number }>(db, 'SELECT * FROM t ORDER BY id DESC LIMIT 3');
    const ids = ordered.all().map((r) => r.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(ids.length).toBe(3);
    expect(rows.get(-1)).toBeUndefined();
  });

  it('refuses a query it cannot rewrite', () => {
    expect(() => rowQuery(db, 'SELECT id FROM t')).toThrow(/SELECT \* FROM/);
  });
});
