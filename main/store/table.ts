/**
 * A table's columns, stated once. Each field of a domain record names its SQL column (by
 * default the field in snake_case) and how its value is stored; from that one definition
 * come the record's type (`RowOf`), reading a row, the parameters of an INSERT and the
 * UPDATE of any set of fields. A test checks every definition against the migrated schema.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db';

export class Column<T> {
  constructor(
    readonly toSql: (value: T) => unknown,
    readonly fromSql: (value: unknown) => T,
    /** The SQL column, when it is not the field's name in snake_case. */
    readonly sqlName?: string,
  ) {}

  /** NULL in SQL, null in the record. */
  nullable(): Column<T | null> {
    return new Column<T | null>(
      (v) => (v === null || v === undefined ? null : this.toSql(v)),
      (v) => (v === null ? null : this.fromSql(v)),
      this.sqlName,
    );
  }

  /** Stored in a column whose name is not the field's in snake_case. */
  as(sqlName: string): Column<T> {
    return new Column(this.toSql, this.fromSql, sqlName);
  }
}

const same = <T>() => new Column<T>((v) => v, (v) => v as T);

export const text = <T extends string = string>() => same<T>();
export const integer = () => same<number>();
/** 0 or 1 in SQL. */
export const boolean = () => new Column<boolean>((v) => (v ? 1 : 0), (v) => v === 1);
/** JSON text in SQL. */
export const json = <T>() => new Column<T>((v) => JSON.stringify(v), (v) => JSON.parse(v as string) as T);

// A column of any value type (Column<unknown> would not accept Column<string>: toSql takes T).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Columns = Record<string, Column<any>>;

/** The domain record a table's columns describe. */
export type RowOf<C extends Columns> = { [K in keyof C]: C[K] extends Column<infer T> ? T : never };

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

export class Table<C extends Columns> {
  /** Field → SQL column. */
  readonly sqlNames: { readonly [K in keyof C]: string };
  private readonly fields: (keyof C & string)[];

  constructor(
    readonly name: string,
    readonly columns: C,
  ) {
    this.fields = Object.keys(columns);
    this.sqlNames = Object.fromEntries(this.fields.map((f) => [f, columns[f]?.sqlName ?? snakeCase(f)])) as Table<C>['sqlNames'];
  }

  /** `SELECT <every column> FROM <table>`, to which a statement adds its WHERE. */
  get select(): string {
    return `SELECT ${this.fields.map((f) => this.sqlNames[f]).join(', ')} FROM ${this.name}`;
  }

  fromRow(row: Record<string, unknown>): RowOf<C> {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) out[f] = this.columns[f]?.fromSql(row[this.sqlNames[f]]);
    return out as RowOf<C>;
  }

  /** `INSERT` of every field but those the database assigns (`omit`: an INTEGER PRIMARY KEY), with named parameters (see `params`). */
  insertSql(...omit: (keyof C & string)[]): string {
    const fields = this.fields.filter((f) => !omit.includes(f));
    return `INSERT INTO ${this.name} (${fields.map((f) => this.sqlNames[f]).join(', ')}) VALUES (${fields.map((f) => '@' + f).join(', ')})`;
  }

  /** A record's values as SQL parameters, named by field. */
  params(values: Partial<RowOf<C>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of Object.keys(values)) {
      const column = this.columns[f];
      if (column) out[f] = column.toSql(values[f]);
    }
    return out;
  }

  /**
   * Updates by `key`: each call sets the fields of its patch on the row whose `key` is the
   * value given (and that matches `where`, whose `?`s take `whereParams`), and returns the
   * rows changed. One statement is prepared per distinct set of fields.
   */
  updater(db: Db, key: keyof C & string, where = ''): (keyValue: unknown, patch: Partial<RowOf<C>>, ...whereParams: unknown[]) => number {
    const statements = new Map<string, Statement<unknown[]>>();
    return (keyValue, patch, ...whereParams) => {
      const fields = Object.keys(patch).filter((f) => f in this.columns);
      if (fields.length === 0) return 0;
      const sig = fields.join(',');
      let stmt = statements.get(sig);
      if (!stmt) {
        const set = fields.map((f) => `${this.sqlNames[f]} = ?`).join(', ');
        stmt = db.prepare<unknown[]>(`UPDATE ${this.name} SET ${set} WHERE ${this.sqlNames[key]} = ?${where ? ` AND ${where}` : ''}`);
        statements.set(sig, stmt);
      }
      const values = fields.map((f) => (this.columns[f] as Column<unknown>).toSql((patch as Record<string, unknown>)[f]));
      return stmt.run(...values, keyValue, ...whereParams).changes;
    };
  }
}
