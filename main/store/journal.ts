/**
 * Group commit with a statement journal.
 *
 * Every answer to the Web Connector must be durable before it is sent (a kill -9 right
 * after may lose nothing). A SQLite commit per SOAP call costs tens of microseconds of
 * page writes; instead, each unit of work appends the statements it executed to a small
 * journal file with one write, and SQLite commits the accumulated units every few
 * milliseconds as one transaction. At start, units the database has not committed are
 * replayed from the journal. The journal is truncated after each group commit.
 *
 * Readers on this connection see everything at once; other processes see committed data
 * (at most one group interval old) — the CLI talks to a running server over REST.
 *
 * The Web Connector's hot path goes one step further: marking a request sent, storing its
 * response and records and completing it are journaled with their unit but executed
 * later (WriteStatement.runLater), in batches: just before anything else touches the
 * database, once 64 wait (when the event loop is free), or at the group commit. Run in a
 * batch, the same few statements find SQLite's code and pages in the CPU's caches; run one
 * per SOAP call, each found them cold.
 */
import fs from 'node:fs';
import type { RunResult, Statement } from 'better-sqlite3';
import { StorageUnavailableError } from '../errors';
import { type Db, makePrivate } from './db';

export interface JournalOptions {
  /** fsync the journal after each unit (survives power loss, not just a killed process). */
  fsync: boolean;
  /** How long changes may wait in an open transaction before the group commits. */
  commitDelayMs: number;
  /** Told when a group commit the timer started, or pending changes the event loop ran, fail (the journal re-applies its units). */
  onCommitError?: (err: unknown) => void;
}

/** A statement that changes data: executed at once and recorded in the unit's journal entry. */
export interface WriteStatement<P extends unknown[]> {
  run(...params: P): RunResult;
  /** For statements with RETURNING. */
  get<R>(...params: P): R | undefined;
  /**
   * Like `run`, for a change a crash may undo without harm (see Journal.unit): a unit made
   * only of these is journaled with the next unit, saving a file write.
   */
  runDeferrable(...params: P): RunResult;
  /**
   * Journals the change with its unit, as `run` does, but executes it later: just before
   * the next statement of any kind runs on this connection, once many wait, or at the
   * group commit — so nothing reads the database without it, and statements run in the
   * order they were made. Only for a change that cannot fail (an UPDATE by rowid, an
   * INSERT no constraint can refuse): it is journaled before it runs, so the journal's
   * replay would fail on it too. Its result is not known, so no RETURNING, no `changes`.
   */
  runLater(...params: P): void;
  /** runLater for a change a crash may undo without harm (see runDeferrable). */
  runLaterDeferrable(...params: P): void;
}

type Op = [id: number, params: unknown[]];
type Later = [stmt: Statement<unknown[]>, params: unknown[]];

/**
 * A table that keeps some changes in memory until the group commits (see sessions.ts):
 * told when a unit succeeds or fails, and asked to write what it holds just before COMMIT.
 */
export interface WriteBehind {
  /** Whether it holds changes not yet in SQLite. */
  readonly holding: boolean;
  unitSucceeded(): void;
  unitFailed(): void;
  /** Writes what it holds (inside the group's transaction). */
  flush(): void;
  /** The group it flushed into is committed: what it held is in SQLite now. */
  committed(): void;
}

/**
 * Pending changes (WriteStatement.runLater) past which they are executed as soon as the
 * event loop is free — after the answer that made them has gone out — rather than by the
 * next statement, so no single Web Connector call waits for a long batch.
 */
const LATER_BATCH = 64;

/** How often a failed re-apply of the journal is retried (disk full). */
const RECOVERY_RETRY_MS = 1000;

/** Journal size past which it is emptied at the next group commit. */
const TRUNCATE_AT = 4 * 1024 * 1024;

interface Entry {
  /** Unit sequence number. */
  s: number;
  /** SQL of statement ids first used in this journal file. */
  d?: Record<string, string>;
  o: Op[];
}

export class Journal {
  private readonly fd: number | undefined;
  private readonly sql: string[] = [];
  private readonly definedInFile = new Set<number>();
  private ops: Op[] = [];
  /** Journaled changes not yet executed (WriteStatement.runLater), in the order they were made. */
  private later: Later[] = [];
  private pendingRunScheduled = false;
  /** Ops of the current unit that must be journaled before it returns. */
  private firmOps = 0;
  /** Ops of finished units that only needed to reach the journal with the next unit. */
  private deferred: Op[] = [];
  private depth = 0;
  private written = 0;
  private recording = true;
  /** Set while a failed group could not be re-applied from the journal (disk full): units are refused until it can. */
  private unrecovered: unknown;
  /** Retries the re-apply while `unrecovered`, so reads stop showing the rolled-back state soon after space is freed. */
  private recoveryTimer: NodeJS.Timeout | undefined;
  private seq: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly rollbackListeners: (() => void)[] = [];
  private readonly writeBehinds: WriteBehind[] = [];
  private readonly getApplied;
  private readonly setApplied;
  // Transaction control as prepared statements: cheaper than db.transaction() per unit.
  private readonly begin;
  private readonly commitStmt;
  private readonly rollback;

  constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly options: JournalOptions,
  ) {
    this.getApplied = db.prepare<[], { applied: number }>('SELECT applied FROM journal_state');
    this.setApplied = db.prepare<[number]>('UPDATE journal_state SET applied = ?');
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commitStmt = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.guardStatements();
    this.seq = this.replay();
    makePrivate(file); // it holds what the statements wrote, password hashes included
    this.fd = fs.openSync(file, 'a');
  }

  /** Called when a unit is rolled back, so in-memory caches of rows can drop what it changed. */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener);
  }

  writeBehind(table: WriteBehind): void {
    this.writeBehinds.push(table);
  }

  /** Whether a unit is running (its statements will be journaled with it). */
  get inUnit(): boolean {
    return this.depth > 0;
  }

  statement<P extends unknown[]>(sql: string): WriteStatement<P> {
    const stmt = this.db.prepare<P>(sql) as Statement<P>;
    const id = this.sql.push(sql) - 1;
    const record = (params: P, firm: boolean) => {
      if (!this.recording) return;
      this.ops.push([id, params]);
      if (firm) this.firmOps++;
    };
    const run = (params: P, firm: boolean) =>
      this.depth > 0 ? (record(params, firm), stmt.run(...params)) : this.unit(() => (record(params, firm), stmt.run(...params)));
    const runLater = (params: P, firm: boolean): void => {
      if (this.depth === 0) return this.unit(() => runLater(params, firm));
      // Unrecorded writes (a bulk transaction, write-behind tables) commit at once: nothing to gather.
      if (!this.recording) return void stmt.run(...params);
      record(params, firm);
      this.later.push([stmt as Statement<unknown[]>, params]);
    };
    return {
      runLater: (...params) => runLater(params, true),
      runLaterDeferrable: (...params) => runLater(params, false),
      run: (...params) => run(params, true),
      get: <R>(...params: P) =>
        this.depth > 0 ? (record(params, true), stmt.get(...params) as R | undefined) : this.unit(() => (record(params, true), stmt.get(...params) as R | undefined)),
      runDeferrable: (...params) => run(params, false),
    };
  }

  /**
   * Runs `fn` as one unit: all of it or none of it, durable (journaled) when it returns.
   * Nested units join the outer one. A failing unit takes the open group down with it
   * and the group's earlier units, already journaled, are replayed — cheaper than a
   * savepoint around every unit, and failures are rare.
   *
   * A unit whose every change was made with `runDeferrable` is the exception: it is
   * journaled in the same write as the next unit, or committed with the group, whichever
   * comes first. A crash in between undoes it, and nothing that depends on it can have
   * become durable before it (the next unit carries it).
   */
  unit<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    if (this.unrecovered !== undefined) this.recover();
    if (!this.db.inTransaction) this.beginGroup();
    this.depth++;
    let result: T;
    try {
      result = fn();
      // Inside the try: a unit that could not be journaled (disk full) is undone, not left
      // to be committed with the group after its caller was told it failed.
      if (this.firmOps > 0) this.append();
      else if (this.ops.length > 0) {
        for (const op of this.ops) this.deferred.push(op);
        this.ops = [];
      }
    } catch (err) {
      this.ops = [];
      this.firmOps = 0;
      // The group is about to be rolled back and replayed from the journal: earlier units'
      // deferred changes should be in it. If even that write fails they are lost, as a
      // crash would lose them — which is what deferrable means.
      if (this.deferred.length > 0) {
        try {
          this.append();
        } catch {
          this.deferred = [];
        }
      }
      for (const table of this.writeBehinds) table.unitFailed();
      this.undoGroup();
      // What earlier units left in memory still needs its commit.
      if (this.unrecovered === undefined && this.writeBehinds.some((t) => t.holding)) this.beginGroup();
      throw err;
    } finally {
      this.depth--;
    }
    for (const table of this.writeBehinds) table.unitSucceeded();
    if (this.later.length >= LATER_BATCH) this.runPendingSoon();
    return result;
  }

  /**
   * Runs `fn` in a transaction of its own, committed directly (not journaled): for bulk
   * writes such as a large response streaming in, which would only double in the journal.
   */
  bulk<T>(fn: () => T): T {
    if (this.depth > 0) throw new Error('bulk() inside a unit would commit part of it');
    if (this.unrecovered !== undefined) this.recover();
    this.commit();
    this.recording = false;
    this.depth++;
    this.begin.run();
    try {
      const result = fn();
      this.commitStmt.run();
      for (const table of this.writeBehinds) table.unitSucceeded();
      return result;
    } catch (err) {
      for (const listener of this.rollbackListeners) listener();
      for (const table of this.writeBehinds) table.unitFailed();
      if (this.db.inTransaction) this.rollback.run();
      throw err;
    } finally {
      this.depth--;
      this.recording = true;
    }
  }

  /**
   * Commits the open group now. If SQLite can't (disk full), the group is undone and its
   * journaled units are applied again, so the database holds every unit that was
   * acknowledged; only deferrable changes are lost, as in a crash. Throws the failure.
   */
  commit(): void {
    try {
      this.commitGroup();
    } catch (err) {
      this.dropGroup();
      throw this.unrecovered === undefined ? err : this.refusal();
    }
  }

  /**
   * The open group failed outside any unit (SQLite could not commit it, or run its pending
   * changes): only deferrable changes not yet journaled are lost, as in a crash.
   */
  private dropGroup(): void {
    this.deferred = [];
    this.undoGroup();
  }

  /**
   * Undoes the open group (a unit failed, or SQLite could not commit it) and applies the
   * journal's units again, so the database holds every unit that was acknowledged. If that
   * fails too (disk full), units are refused until it works (see recover): going on would
   * build on a database without them — a write sent to QuickBooks would read as queued.
   */
  private undoGroup(): void {
    this.later = []; // journaled ones come back with the replay
    for (const listener of this.rollbackListeners) listener();
    if (this.db.inTransaction) this.rollback.run();
    try {
      this.recover();
    } catch {
      // Refused until it works (see recover).
    }
  }

  /** Applies the journal's uncommitted units again; throws (and units stay refused) while it can't. */
  private recover(): void {
    clearTimeout(this.recoveryTimer);
    try {
      this.restore();
      this.unrecovered = undefined;
    } catch (err) {
      this.unrecovered = err;
      this.recoveryTimer = setTimeout(() => {
        if (!this.db.open) return; // closed meanwhile: the next start replays the journal
        try {
          this.recover();
        } catch {
          // tried again by the next timer or unit
        }
      }, RECOVERY_RETRY_MS);
      this.recoveryTimer.unref();
      throw this.refusal();
    }
  }

  /** What a unit is refused with while the journal can't be re-applied. */
  private refusal(): StorageUnavailableError {
    const cause = this.unrecovered as Error;
    return new StorageUnavailableError(
      `QBWC Companion cannot save to its data folder (${cause.message}). Nothing was changed and nothing acknowledged is lost; free some disk space and try again.`,
      { cause },
    );
  }

  private commitGroup(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.db.inTransaction) {
      if (!this.writeBehinds.some((t) => t.holding)) return;
      this.begin.run();
    }
    // Not journaled: these writes are committed right now, or kept in memory for the next
    // group if this one fails.
    this.recording = false;
    this.depth++;
    try {
      this.runPending();
      for (const table of this.writeBehinds) table.flush();
    } finally {
      this.depth--;
      this.recording = true;
    }
    this.setApplied.run(this.seq);
    this.commitStmt.run();
    for (const table of this.writeBehinds) table.committed();
    this.deferred = [];
    // Replay skips committed units, so the file need only be emptied now and then.
    if (this.written > TRUNCATE_AT) {
      fs.ftruncateSync(this.fd as number, 0);
      this.written = 0;
      this.definedInFile.clear();
    }
  }

  /**
   * Makes every statement prepared on this connection from now on run the pending changes
   * first (see WriteStatement.runLater): whatever reads or writes, it sees the database
   * with every change made so far, in order. (better-sqlite3's pragma() and transaction()
   * prepare theirs natively, past this; the store reads no data through them.)
   */
  private guardStatements(): void {
    const db = this.db;
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      const stmt = prepare(source) as Statement<unknown[]>;
      for (const name of ['run', 'get', 'all', 'iterate'] as const) {
        const method = stmt[name].bind(stmt) as (...params: unknown[]) => never;
        stmt[name] = ((...params: unknown[]) => {
          if (this.later.length > 0) this.runPending();
          return method(...params);
        }) as never;
      }
      return stmt;
    }) as Db['prepare'];
  }

  private runPendingSoon(): void {
    if (this.pendingRunScheduled) return;
    this.pendingRunScheduled = true;
    setImmediate(() => {
      this.pendingRunScheduled = false;
      if (this.later.length === 0 || !this.db.open) return;
      try {
        this.runPending();
      } catch (err) {
        // Only the disk can make them fail (see runLater); the journal has them.
        this.dropGroup();
        this.options.onCommitError?.(err);
      }
    });
  }

  /** Executes the pending changes (see WriteStatement.runLater). */
  private runPending(): void {
    const pending = this.later;
    if (pending.length === 0) return;
    this.later = [];
    for (const [stmt, params] of pending) stmt.run(...params);
  }

  close(): void {
    clearTimeout(this.recoveryTimer);
    this.commit();
    fs.closeSync(this.fd as number);
  }

  private beginGroup(): void {
    this.begin.run();
    this.timer = setTimeout(() => {
      try {
        this.commit();
      } catch (err) {
        this.options.onCommitError?.(err); // a timer has no caller to throw to: that would end the process
      }
    }, this.options.commitDelayMs);
    this.timer.unref();
  }

  /** Writes the current unit's changes, after any deferred ones, as one journal entry. */
  private append(): void {
    const ops = this.deferred.length > 0 ? this.deferred.concat(this.ops) : this.ops;
    const entry: Entry = { s: ++this.seq, o: ops };
    for (const [id] of ops) {
      if (!this.definedInFile.has(id)) (entry.d ??= {})[id] = this.sql[id] as string;
    }
    this.ops = [];
    this.firmOps = 0;
    this.deferred = [];
    const fd = this.fd as number;
    // Written as a string: Node encodes it straight into the syscall's buffer, where a
    // Buffer.from first would allocate and copy it once more.
    const line = JSON.stringify(entry) + '\n';
    const bytes = Buffer.byteLength(line);
    let stored = false;
    try {
      const whole = fs.writeSync(fd, line) === bytes;
      if (whole && this.options.fsync) fs.fdatasyncSync(fd);
      stored = whole;
    } finally {
      // A torn entry would hide every later one from replay, and one that failed to sync
      // would replay a unit its caller was told failed: cut the file back to the last whole one.
      if (!stored) fs.ftruncateSync(fd, this.written);
    }
    if (!stored) throw new Error('The journal could not be written in full (is the disk full?).');
    this.written += bytes;
    // Only now: an entry that never reached the file defined nothing for the ones after it.
    for (const id in entry.d) this.definedInFile.add(Number(id));
  }

  private restore(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.seq = this.replay();
    this.definedInFile.clear();
    // Rows read meanwhile (from the rolled-back database) are stale now.
    for (const listener of this.rollbackListeners) listener();
  }

  /** Applies the units a crash left uncommitted; returns the last unit number. */
  private replay(): number {
    const applied = (this.getApplied.get() as { applied: number }).applied;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return applied;
      throw err;
    }
    let last = applied;
    const defined = new Map<string, Statement<unknown[]>>();
    this.db.transaction(() => {
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let entry: Entry;
        try {
          entry = JSON.parse(line) as Entry;
        } catch {
          break; // a torn last line: that unit was never acknowledged
        }
        for (const [id, sql] of Object.entries(entry.d ?? {})) defined.set(id, this.db.prepare(sql));
        if (entry.s <= last) continue;
        for (const [id, params] of entry.o) {
          const stmt = defined.get(String(id));
          if (!stmt) throw new Error(`The journal refers to an unknown statement ${id}; it may be damaged.`);
          if (stmt.reader) stmt.all(...params);
          else stmt.run(...params);
        }
        last = entry.s;
      }
      this.setApplied.run(last);
    })();
    if (this.fd === undefined) fs.truncateSync(this.file, 0);
    else fs.ftruncateSync(this.fd, 0);
    this.written = 0;
    return last;
  }
}
