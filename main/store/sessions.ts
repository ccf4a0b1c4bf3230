import { decodeCursor, encodeCursor } from './cursor';
import type { WriteStatement } from './journal';
import type { Sql } from './sql';
import { rowQuery } from './rows';
import type { HostInfo, Session, SessionStatus } from './types';

interface SessionRow {
  id: string;
  ticket_hash: string;
  instance_id: string | null;
  user: string;
  status: SessionStatus;
  auth_result: string;
  ip_address: string | null;
  client_version: string | null;
  created_at: number;
  last_seen_at: number;
  ended_at: number | null;
  company_file: string | null;
  country: string | null;
  qbxml_version: string | null;
  host_json: string | null;
  last_error: string | null;
  last_error_code: string | null;
  in_flight_id: string | null;
  expected_total: number;
  requests_sent: number;
  requests_done: number;
  requests_failed: number;
  connection_errors: number;
  alternate_tried: string | null;
  interactive_token: string | null;
  interactive_state: string | null;
  noop_since: number | null;
  close_message: string | null;
}

const fromRow = (r: SessionRow): Session => ({
  id: r.id,
  instanceId: r.instance_id,
  user: r.user,
  status: r.status,
  authResult: r.auth_result,
  ipAddress: r.ip_address,
  clientVersion: r.client_version,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  endedAt: r.ended_at,
  companyFile: r.company_file,
  country: r.country,
  qbxmlVersion: r.qbxml_version,
  host: r.host_json ? (JSON.parse(r.host_json) as HostInfo) : null,
  lastError: r.last_error,
  lastErrorCode: r.last_error_code,
  inFlightId: r.in_flight_id,
  expectedTotal: r.expected_total,
  requestsSent: r.requests_sent,
  requestsDone: r.requests_done,
  requestsFailed: r.requests_failed,
  connectionErrors: r.connection_errors,
  alternateTried: r.alternate_tried,
  interactiveToken: r.interactive_token,
  interactiveState: r.interactive_state,
  noopSince: r.noop_since,
  closeMessage: r.close_message,
});

export interface NewSession {
  id: string;
  ticketHash: string;
  instanceId: string | null;
  user: string;
  status: SessionStatus;
  authResult: string;
  ipAddress: string | null;
  clientVersion: string | null;
  expectedTotal: number;
  now: number;
  endedAt: number | null;
}

/** Columns a handler may change on a session; see `update`. */
export type SessionPatch = Partial<
  Pick<
    Session,
    | 'status'
    | 'lastSeenAt'
    | 'endedAt'
    | 'companyFile'
    | 'country'
    | 'qbxmlVersion'
    | 'host'
    | 'lastError'
    | 'lastErrorCode'
    | 'inFlightId'
    | 'expectedTotal'
    | 'requestsSent'
    | 'requestsDone'
    | 'requestsFailed'
    | 'connectionErrors'
    | 'alternateTried'
    | 'interactiveToken'
    | 'interactiveState'
    | 'noopSince'
    | 'closeMessage'
  >
>;

const PATCH_COLUMNS: Record<keyof SessionPatch, string> = {
  status: 'status',
  lastSeenAt: 'last_seen_at',
  endedAt: 'ended_at',
  companyFile: 'company_file',
  country: 'country',
  qbxmlVersion: 'qbxml_version',
  host: 'host_json',
  lastError: 'last_error',
  lastErrorCode: 'last_error_code',
  inFlightId: 'in_flight_id',
  expectedTotal: 'expected_total',
  requestsSent: 'requests_sent',
  requestsDone: 'requests_done',
  requestsFailed: 'requests_failed',
  connectionErrors: 'connection_errors',
  alternateTried: 'alternate_tried',
  interactiveToken: 'interactive_token',
  interactiveState: 'interactive_state',
  noopSince: 'noop_since',
  closeMessage: 'close_message',
};

export interface SessionPage {
  sessions: Session[];
  nextCursor: string | null;
}

/**
 * Sessions are read on every Web Connector call, so the live ones are kept in memory too
 * (write-through; see Sql.cache for why that is safe). Callers get copies.
 */
const CACHE_LIMIT = 256;

/**
 * Columns that change on every Web Connector call: kept in memory and written once per
 * group commit rather than once per call. None of them is a fact the Web Connector was
 * told that must survive a crash: after one, every active session ends as interrupted,
 * and its in-flight request and counters are read from the requests table instead
 * (QbwcService.recoverAfterRestart).
 */
const PROGRESS_COLUMNS: ReadonlySet<string> = new Set<keyof SessionPatch>([
  'lastSeenAt',
  'inFlightId',
  'requestsSent',
  'requestsDone',
  'requestsFailed',
  'lastError',
  'lastErrorCode',
  'noopSince',
]);

/** A running unit's progress for one session; `written` once the unit wrote the session itself. */
interface Staged {
  patch: SessionPatch;
  written: boolean;
}

export class SessionStore {
  private readonly byId = new Map<string, Session>();
  private readonly idByTicket = new Map<string, string>();
  private readonly byTicketStmt;
  private readonly byIdStmt;
  private readonly byInteractiveStmt;
  private readonly insertStmt;
  private readonly activeForStmt;
  private readonly allActiveStmt;
  private readonly pageStmt;
  private readonly updateStmts = new Map<string, WriteStatement<unknown[]>>();
  /** Progress from finished units, not yet in SQLite. */
  private readonly pending = new Map<string, SessionPatch>();
  /** Progress from the unit running now. */
  private readonly staged = new Map<string, Staged>();

  constructor(private readonly sql: Sql) {
    const db = sql.db;
    sql.cache(() => {
      this.byId.clear();
      this.idByTicket.clear();
    });
    const pending = this.pending;
    sql.writeBehind({
      get holding() {
        return pending.size > 0;
      },
      unitSucceeded: () => {
        for (const [id, { patch, written }] of this.staged) {
          if (written) {
            if (Object.keys(patch).length > 0) this.pending.set(id, patch);
            else this.pending.delete(id);
          } else {
            // The staged patch is ours (copied in update) and is dropped with `staged`: reuse it.
            const held = this.pending.get(id);
            if (held) Object.assign(held, patch);
            else this.pending.set(id, patch);
          }
        }
        this.staged.clear();
      },
      unitFailed: () => this.staged.clear(),
      flush: () => {
        for (const [id, patch] of this.pending) this.write(id, patch);
      },
      committed: () => this.pending.clear(),
    });
    this.byTicketStmt = rowQuery<[string], SessionRow>(db, 'SELECT * FROM sessions WHERE ticket_hash = ?');
    this.byIdStmt = rowQuery<[string], SessionRow>(db, 'SELECT * FROM sessions WHERE id = ?');
    this.byInteractiveStmt = rowQuery<[string], SessionRow>(db, 'SELECT * FROM sessions WHERE interactive_token = ?');
    this.insertStmt = sql.write(
      `INSERT INTO sessions (id, ticket_hash, instance_id, user, status, auth_result, ip_address, client_version,
         created_at, last_seen_at, ended_at, expected_total)
       VALUES (@id, @ticketHash, @instanceId, @user, @status, @authResult, @ipAddress, @clientVersion,
         @now, @now, @endedAt, @expectedTotal)`,
    );
    this.activeForStmt = rowQuery<[string], SessionRow>(db, 
      "SELECT * FROM sessions WHERE instance_id = ? AND status = 'active' ORDER BY created_at DESC",
    );
    this.allActiveStmt = rowQuery<[], SessionRow>(db, "SELECT * FROM sessions WHERE status = 'active'");
    this.pageStmt = rowQuery<[string, number, number, string, number], SessionRow>(db, 
      `SELECT * FROM sessions WHERE instance_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
  }

  byTicketHash(hash: string): Session | undefined {
    const id = this.idByTicket.get(hash);
    const hit = id === undefined ? undefined : this.byId.get(id);
    if (hit) return { ...hit };
    const row = this.byTicketStmt.get(hash);
    return row && this.remember(this.current(row), hash);
  }

  get(id: string): Session | undefined {
    const hit = this.byId.get(id);
    if (hit) return { ...hit };
    const row = this.byIdStmt.get(id);
    return row && this.remember(this.current(row), row.ticket_hash);
  }

  private remember(s: Session, ticketHash: string): Session {
    if (this.byId.size >= CACHE_LIMIT) {
      this.byId.clear();
      this.idByTicket.clear();
    }
    this.byId.set(s.id, s);
    this.idByTicket.set(ticketHash, s.id);
    return { ...s };
  }

  byInteractiveToken(token: string): Session | undefined {
    const row = this.byInteractiveStmt.get(token);
    return row && this.current(row);
  }

  insert(s: NewSession): void {
    this.insertStmt.run(s);
  }

  activeFor(instanceId: string): Session[] {
    return this.activeForStmt.all(instanceId).map((r) => this.current(r));
  }

  allActive(): Session[] {
    return this.allActiveStmt.all().map((r) => this.current(r));
  }

  /** Newest first; the cursor is opaque to callers. */
  page(instanceId: string, limit: number, cursor: string | null): SessionPage {
    const [ts, id] = cursor ? decodeCursor(cursor) : [Number.MAX_SAFE_INTEGER, ''];
    const rows = this.pageStmt.all(instanceId, ts, ts, id, limit + 1);
    const more = rows.length > limit;
    const sessions = rows.slice(0, limit).map((r) => this.current(r));
    const last = sessions[sessions.length - 1];
    return { sessions, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  update(id: string, patch: SessionPatch): void {
    const keys = Object.keys(patch);
    if (keys.length === 0) return;
    const staged = this.staged.get(id);
    if (this.sql.inUnit && keys.every((k) => PROGRESS_COLUMNS.has(k))) {
      if (staged) Object.assign(staged.patch, patch);
      else this.staged.set(id, { patch: { ...patch }, written: false });
    } else {
      // Written now, with the progress held so far (which stays held until the unit succeeds).
      this.write(id, { ...this.pending.get(id), ...staged?.patch, ...patch });
      if (this.sql.inUnit) this.staged.set(id, { patch: {}, written: true });
      else this.pending.delete(id);
    }
    const cached = this.byId.get(id);
    if (cached) Object.assign(cached, patch);
  }

  /** A row as it stands, with the progress not yet written. */
  private current(row: SessionRow): Session {
    const s = fromRow(row);
    const pending = this.pending.get(s.id);
    if (pending) Object.assign(s, pending);
    const staged = this.staged.get(s.id);
    if (staged) Object.assign(s, staged.patch);
    return s;
  }

  private write(id: string, patch: SessionPatch): void {
    const keys = Object.keys(patch) as (keyof SessionPatch)[];
    if (keys.length === 0) return;
    // One prepared statement per distinct set of columns; handlers use only a few shapes.
    const sig = keys.join(',');
    let stmt = this.updateStmts.get(sig);
    if (!stmt) {
      stmt = this.sql.write<unknown[]>(`UPDATE sessions SET ${keys.map((k) => `${PATCH_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`);
      this.updateStmts.set(sig, stmt);
    }
    const values = keys.map((k) => {
      const v = patch[k];
      if (k === 'host') return v ? JSON.stringify(v) : null;
      return v ?? null;
    });
    stmt.run(...values, id);
  }
}
