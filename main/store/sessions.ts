import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { SESSIONS } from './tables';
import type { Session } from './types';

/** What authenticate records about a new session; the rest starts empty. */
export type NewSession = Pick<
  Session,
  'id' | 'ticketHash' | 'instanceId' | 'user' | 'status' | 'authResult' | 'ipAddress' | 'clientVersion' | 'expectedTotal' | 'endedAt'
> & { now: number };

/** Fields a handler may change on a session (the ones authenticate fixes stay). */
export type SessionPatch = Partial<
  Omit<Session, 'id' | 'ticketHash' | 'instanceId' | 'user' | 'authResult' | 'ipAddress' | 'clientVersion' | 'createdAt'>
>;

export interface SessionPage {
  sessions: Session[];
  nextCursor: string | null;
}

/** A session that exchanged work with QuickBooks and was closed without a problem (DONE/NOOP are how it ends, not problems). */
const EXCHANGED_WELL = "status = 'closed' AND (last_error_code IS NULL OR last_error_code IN ('DONE', 'NOOP'))";

export class SessionStore {
  private readonly byTicketStmt;
  private readonly byIdStmt;
  private readonly byInteractiveStmt;
  private readonly insertStmt;
  private readonly activeForStmt;
  private readonly allActiveStmt;
  private readonly pageStmt;
  private readonly latestStmt;
  private readonly latestExchangeStmt;
  private readonly lastGoodStmt;
  private readonly exchangedWellStmt;
  private readonly updateById;

  constructor(db: Db) {
    const select = SESSIONS.select;
    this.byTicketStmt = db.prepare<[string], Record<string, unknown>>(`${select} WHERE ticket_hash = ?`);
    this.byIdStmt = db.prepare<[string], Record<string, unknown>>(`${select} WHERE id = ?`);
    this.byInteractiveStmt = db.prepare<[string], Record<string, unknown>>(`${select} WHERE interactive_token = ?`);
    this.insertStmt = db.prepare(SESSIONS.insertSql());
    this.activeForStmt = db.prepare<[string], Record<string, unknown>>(
      `${select} WHERE instance_id = ? AND status = 'active' ORDER BY created_at DESC`,
    );
    this.allActiveStmt = db.prepare<[], Record<string, unknown>>(`${select} WHERE status = 'active'`);
    this.pageStmt = db.prepare<[string, number, number, string, number], Record<string, unknown>>(
      `${select} WHERE instance_id = ? AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?`,
    );
    this.latestStmt = db.prepare<[string], Record<string, unknown>>(`${select} WHERE instance_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`);
    this.latestExchangeStmt = db.prepare<[string], Record<string, unknown>>(
      `${select} WHERE instance_id = ? AND qbxml_version IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
    );
    this.lastGoodStmt = db.prepare<[string], { at: number | null }>(
      `SELECT max(coalesce(ended_at, created_at)) AS at FROM sessions WHERE instance_id = ? AND (status IN ('no_work', 'paused') OR (${EXCHANGED_WELL}))`,
    );
    this.exchangedWellStmt = db.prepare<[string, string], { one: number }>(`SELECT 1 AS one FROM sessions WHERE instance_id = ? AND id <> ? AND ${EXCHANGED_WELL} LIMIT 1`);
    this.updateById = SESSIONS.updater(db, 'id');
  }

  /** The connection's newest session, whatever became of it. */
  latestFor(instanceId: string): Session | undefined {
    const row = this.latestStmt.get(instanceId);
    return row && SESSIONS.fromRow(row);
  }

  /** The connection's newest session that talked to QuickBooks (it knows the product and qbXML version). */
  latestExchangeFor(instanceId: string): Session | undefined {
    const row = this.latestExchangeStmt.get(instanceId);
    return row && SESSIONS.fromRow(row);
  }

  /** When the connection last synced well: an exchange that ended without a problem, or a login with nothing to do. */
  lastGoodAt(instanceId: string): number | null {
    return (this.lastGoodStmt.get(instanceId) as { at: number | null }).at;
  }

  /** Whether a session other than `exceptId` has exchanged work with QuickBooks and ended without a problem. */
  hasExchangedWell(instanceId: string, exceptId: string): boolean {
    return this.exchangedWellStmt.get(instanceId, exceptId) !== undefined;
  }

  byTicketHash(hash: string): Session | undefined {
    const row = this.byTicketStmt.get(hash);
    return row && SESSIONS.fromRow(row);
  }

  get(id: string): Session | undefined {
    const row = this.byIdStmt.get(id);
    return row && SESSIONS.fromRow(row);
  }

  byInteractiveToken(token: string): Session | undefined {
    const row = this.byInteractiveStmt.get(token);
    return row && SESSIONS.fromRow(row);
  }

  insert({ now, ...s }: NewSession): void {
    const session: Session = {
      ...s,
      createdAt: now,
      lastSeenAt: now,
      companyFile: null,
      country: null,
      qbxmlVersion: null,
      host: null,
      lastError: null,
      lastErrorCode: null,
      inFlightId: null,
      requestsSent: 0,
      requestsDone: 0,
      requestsFailed: 0,
      connectionErrors: 0,
      alternateTried: null,
      interactiveToken: null,
      interactiveState: null,
      noopSince: null,
      closeMessage: null,
    };
    this.insertStmt.run(SESSIONS.params(session));
  }

  activeFor(instanceId: string): Session[] {
    return this.activeForStmt.all(instanceId).map((r) => SESSIONS.fromRow(r));
  }

  allActive(): Session[] {
    return this.allActiveStmt.all().map((r) => SESSIONS.fromRow(r));
  }

  /** Newest first; the cursor is opaque to callers. */
  page(instanceId: string, limit: number, cursor: string | null): SessionPage {
    const [ts, id] = cursor ? decodeCursor(cursor) : [Number.MAX_SAFE_INTEGER, ''];
    const rows = this.pageStmt.all(instanceId, ts, ts, id, limit + 1);
    const more = rows.length > limit;
    const sessions = rows.slice(0, limit).map((r) => SESSIONS.fromRow(r));
    const last = sessions[sessions.length - 1];
    return { sessions, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  update(id: string, patch: SessionPatch): void {
    this.updateById(id, patch);
  }
}
