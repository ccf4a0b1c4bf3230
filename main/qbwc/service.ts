/**
 * The QBWC callbacks: one method per SOAP operation, each a short transaction against
 * the store. Sessions live in SQLite keyed by the hash of their ticket, so a restart
 * loses nothing; whatever a method returns to the Web Connector was committed first.
 */
import { randomUUID } from 'node:crypto';
import { classifyHresult } from '../qbxml/errors';
import { iteratorAttributes, requestIdOf, stampRequest } from '../qbxml/envelope';
import { parseHcp } from '../qbxml/hcp';
import { negotiateVersion, versionAtLeast } from '../qbxml/version';
import type { FollowUps } from '../queue/follow-ups';
import { decideOutcome, progressPercent, recoveryStatus, REQUEUED_ERROR, UNKNOWN_OUTCOME_ERROR } from '../queue/policy';
import { decoyHash, PasswordVerifier } from '../security/passwords';
import { hashTicket, newTicket } from '../security/tokens';
import type { Settings } from '../settings';
import type { Store } from '../store';
import type { SessionPatch } from '../store/sessions';
import type { HostInfo, Instance, QueuedRequest, Session, SessionStatus } from '../store/types';
import type { DomainEventMap, DomainEvents } from '../events';
import type { Logger } from '../logger';
import { isLoopbackHost } from '../loopback';
import { clientVersionAnswer } from './client-version';
import { checkCompany, observedCompany } from './company-guard';
import { messages } from './messages';
import type { QbwcParams } from './methods';
import { ResponseIngest } from './response-ingest';
import { secondsUntilOpen } from './sync-window';

export interface QbwcServiceDeps {
  store: Store;
  settings: Settings;
  events: DomainEvents;
  now: () => number;
  /** e.g. http://localhost:8520 — for the interactive-mode page. */
  publicBaseUrl: () => string;
  productVersion: string;
  followUps: FollowUps;
  /** Refused logins are logged here (user name and address, never the password). */
  logger?: Logger;
  /** The PC's time zone, for sync windows. */
  timeZone: string;
}

/** Postpones are whole seconds the Web Connector accepts; a window further off is asked again a day later. */
const MAX_POSTPONE_SECONDS = 86_400;

/** Per-connection facts that arrive before authenticate (QBWC sends clientVersion first). */
export interface CallContext {
  ipAddress: string | null;
  connection: { clientVersion?: string };
}

/** Failed logins allowed before each further one locks the username for a while. */
const FREE_FAILURES = 3;
const MAX_LOCK_MS = 15 * 60_000;
/** How long a verified password is taken on trust again (see PasswordVerifier). */
const VERIFIED_PASSWORD_TTL_MS = 15 * 60_000;

const str = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

export class QbwcService {
  private readonly passwords: PasswordVerifier;

  constructor(private readonly deps: QbwcServiceDeps) {
    this.passwords = new PasswordVerifier({ ttlMs: VERIFIED_PASSWORD_TTL_MS, now: deps.now });
  }

  private get store(): Store {
    return this.deps.store;
  }

  serverVersion(): string {
    return `QBWC Companion ${this.deps.productVersion}`;
  }

  clientVersion(p: QbwcParams, ctx: CallContext): string {
    const version = str(p.strVersion);
    ctx.connection.clientVersion = version;
    const s = this.deps.settings.get();
    const answer = clientVersionAnswer(version, {
      minimumVersion: s.minimumClientVersion,
      belowMinimum: s.belowMinimumAnswer,
    });
    if (answer) {
      this.store.events.append({
        clientId: null,
        timestamp: this.deps.now(),
        user: 'qbwc',
        action: 'qbwc.clientVersion',
        detail: `Web Connector ${version}`,
        result: answer,
        sessionId: null,
        requestId: null,
      });
    }
    return answer;
  }

  async authenticate(p: QbwcParams, ctx: CallContext): Promise<string[]> {
    const username = str(p.strUserName);
    const password = str(p.strPassword);
    const lock = this.store.authFailures.get(username);
    const instance = this.store.instances.byUsername(username);
    let valid = false;
    const locked = lock.lockedUntil > this.deps.now();
    if (!locked) {
      // Check a decoy hash for unknown users so the answer takes as long either way.
      valid = (await this.passwords.verify(password, instance?.passwordHash ?? (await decoyHash()))) && instance !== undefined;
    }
    const ticket = newTicket();
    const now = this.deps.now();
    return this.store.transaction(() => {
      // Re-read: the instance may have changed while the hash was computed.
      const current = valid ? this.store.instances.byUsername(username) : instance;
      let status: SessionStatus;
      let slot1: string;
      let expected = 0;
      let postpone = current?.postponeSeconds ?? null;
      if (!valid || !current) {
        status = 'rejected';
        slot1 = 'nvu';
        if (!locked) this.recordFailure(username, now);
      } else {
        this.store.authFailures.clear(username);
        this.expireIdleSessions(current.id, now);
        // One Web Connector runs one session of an application at a time: a new login from
        // the address of an open session means that session's Web Connector is gone.
        for (const open of this.store.sessions.activeFor(current.id)) {
          if (sameClient(open.ipAddress, ctx.ipAddress)) this.end(open, 'abandoned', now, { lastError: messages.abandoned() });
        }
        let untilOpen: number | null = 0;
        if (this.store.sessions.activeFor(current.id).length > 0) {
          status = 'busy';
          slot1 = 'busy';
        } else if (this.deps.settings.get().paused || (untilOpen = secondsUntilOpen(current.syncWindow, now, this.deps.timeZone)) !== 0) {
          // Nothing is lost: the queue waits, and the Web Connector asks again on its schedule.
          status = 'paused';
          slot1 = 'none';
          if (untilOpen) postpone = Math.min(untilOpen, MAX_POSTPONE_SECONDS);
        } else if (!this.store.requests.hasReady(current.id, now)) {
          status = 'no_work';
          slot1 = 'none';
        } else {
          status = 'active';
          slot1 = current.qbdPath ?? '';
          expected = this.store.requests.countQueued(current.id);
        }
      }
      const sessionId = randomUUID();
      this.store.sessions.insert({
        id: sessionId,
        ticketHash: hashTicket(ticket),
        instanceId: current?.id ?? null,
        user: username.slice(0, 200),
        status,
        authResult: slot1 === '' || status === 'active' ? 'ok' : slot1,
        ipAddress: ctx.ipAddress,
        clientVersion: ctx.connection.clientVersion ?? null,
        expectedTotal: expected,
        now,
        endedAt: status === 'active' ? null : now,
      });
      if (locked) {
        this.store.sessions.update(sessionId, { lastError: messages.locked(Math.ceil((lock.lockedUntil - now) / 60_000)) });
      }
      this.log(current ?? null, username, 'session.authenticate', status === 'rejected' && locked ? 'locked' : status, {
        sessionId,
        detail: ctx.connection.clientVersion ? `Web Connector ${ctx.connection.clientVersion}` : null,
      });
      if (status === 'active') this.deps.events.emit('session.started', { sessionId, instanceId: (current as Instance).id });
      // A login that ends at once (refused, nothing to do, busy, paused) is a whole session: say so.
      else {
        this.deps.events.emit('session.ended', {
          sessionId,
          instanceId: current?.id ?? null,
          status,
          requestsDone: 0,
          requestsFailed: 0,
          firstSuccess: false,
          lastError: status === 'rejected' ? (locked ? messages.locked(Math.ceil((lock.lockedUntil - now) / 60_000)) : messages.forStatus('rejected')) : null,
        });
      }
      if (status === 'rejected') {
        const reason = locked ? 'locked after repeated failures' : instance ? 'wrong password' : 'unknown user name';
        this.store.afterCommit(() => this.deps.logger?.warn('Web Connector login refused', { user: username.slice(0, 200), address: ctx.ipAddress, reason }));
      }
      // Always four strings: QBWC indexes authRet positionally.
      if (status !== 'no_work' && status !== 'busy' && status !== 'paused') postpone = null;
      // A refused login learns nothing about the user, not even a setting of theirs.
      const minRun = status === 'rejected' ? null : current?.minRunEverySeconds;
      return [ticket, slot1, postpone ? String(postpone) : '', minRun ? String(minRun) : ''];
    });
  }

  sendRequestXML(p: QbwcParams): string {
    const now = this.deps.now();
    return this.store.transaction(() => {
      const session = this.live(str(p.ticket), now);
      if (!session) return '';
      const instanceId = session.instanceId as string;
      const patch: SessionPatch = { lastSeenAt: now };
      if (session.inFlightId) {
        // Called again before a response: QBWC never got or never answered our last request.
        this.recover(session.inFlightId, session, now, 'request.outOfSequence');
        patch.inFlightId = null;
      }
      let version = session.qbxmlVersion;
      if (version === null) {
        const instance = this.store.instances.get(instanceId);
        if (!instance) return this.endForDeletedInstance(session, now);
        const started = this.startExchange(session, instance, p, now);
        if (!started.ok) {
          this.store.sessions.update(session.id, { ...patch, ...started.patch });
          return '';
        }
        Object.assign(patch, started.patch);
        version = started.version;
      }
      const { next, refused } = this.nextSendable(instanceId, session, patch.host ?? session.host, version, now);
      if (refused > 0) patch.requestsFailed = session.requestsFailed + refused;
      if (next) {
        this.store.requests.markSent(next, session.id, now);
        Object.assign(patch, {
          inFlightId: next.id,
          requestsSent: session.requestsSent + 1,
          lastError: null,
          lastErrorCode: null,
          noopSince: null,
        });
        this.store.sessions.update(session.id, patch);
        return stampRequest({
          requestId: next.id,
          version,
          onError: next.onError,
          body: next.body,
          rqOffsets: next.rqOffsets,
          attributes: next.iterator ? iteratorAttributes(next.iterator.id, version) : undefined,
        });
      }
      // Only now is the instance needed (most calls have work and never read it).
      const instance = this.store.instances.get(instanceId);
      if (!instance) return this.endForDeletedInstance(session, now);
      if (this.lingering(session, instance, now)) {
        // Work may still arrive (API, cloud): QBWC waits 5 s and asks again.
        Object.assign(patch, { lastError: 'NoOp', lastErrorCode: 'NOOP', noopSince: session.noopSince ?? now });
      } else {
        Object.assign(patch, { lastError: messages.allDone(session.requestsDone, patch.requestsFailed ?? session.requestsFailed), lastErrorCode: 'DONE' });
      }
      this.store.sessions.update(session.id, patch);
      return '';
    });
  }

  /** Opens the sink that stores the `response` field as it streams in. */
  openResponseSink(p: QbwcParams): ResponseIngest {
    const session = this.store.sessions.byTicketHash(hashTicket(str(p.ticket)));
    // Only a session that took work may answer: a ticket from a refused login (nvu, busy,
    // none) is as good as unknown, and what it posts is not stored.
    return new ResponseIngest(this.store, session && tookWork(session) ? session : undefined, this.deps.now);
  }

  receiveResponseXML(p: QbwcParams, response: ResponseIngest): number {
    const now = this.deps.now();
    let completed: DomainEventMap['request.completed'] | undefined;
    let progress: DomainEventMap['session.progress'] | undefined;
    const result = this.store.transaction(() => {
      // The session as read when the response began (QBWC calls one at a time per ticket).
      let session = response.session;
      if (!session) {
        response.abort();
        return -1; // getLastError explains an unknown ticket
      }
      session = this.expireIfIdle(session, now);
      const routed = response.results.map((r) => r.requestID).find((id): id is string => !!id);
      const requestId = routed ? requestIdOf(routed) : session.inFlightId;
      const request = requestId ? (response.requestRead(requestId) ?? this.store.requests.get(requestId)) : undefined;
      const patch: SessionPatch = { lastSeenAt: now };
      if (request && session.inFlightId === request.id) patch.inFlightId = null;

      if (!request || !acceptsResponse(request, session)) {
        // Kept for the record while the session runs; after it ended, a late answer is kept
        // only when it settles something (an old ticket must not be a way to fill the disk).
        const responseId = session.status === 'active' ? response.commit(null) : (response.abort(), null);
        this.log(this.instanceOf(session), session.user, 'response.unmatched', responseId === null ? 'dropped' : 'stored', {
          sessionId: session.id,
          detail: `response ${responseId ?? '(not kept)'} for requestID ${routed ?? '(none)'}`,
        });
      } else {
        const decided = decideOutcome({
          kind: request.kind,
          attempts: request.attempts,
          hresult: str(p.hresult),
          message: str(p.message),
          results: response.results,
          responseEmpty: response.isEmpty,
          parseError: response.parseError,
        });
        const next = this.deps.followUps.continuation(request, decided, response.results);
        const outcome = next.outcome;
        // Records of a cut-short answer, or of one that will be asked again (a retry, not
        // the next iterator page), would repeat or half-repeat in the request's records.
        const keepRecords = response.parseError === null && (outcome.status !== 'queued' || !!next.iterator?.id);
        const responseId = response.commit(request.id, keepRecords);
        // A late response (its session is over) can't continue: its iterator died with the session.
        const iterator =
          session.status === 'active' || !next.iterator?.id ? next.iterator : { ...next.iterator, id: null, restarts: next.iterator.restarts + 1 };
        this.store.requests.complete(request, {
          status: outcome.status,
          now,
          notBefore: outcome.retryAfterMs ? now + outcome.retryAfterMs : null,
          statusCode: outcome.statusCode,
          statusSeverity: outcome.statusSeverity,
          statusMessage: outcome.statusMessage,
          hresult: str(p.hresult) || null,
          hresultMessage: str(p.message) || null,
          results: response.results.length ? [...response.results] : null,
          error: outcome.error,
          responseId,
          recordsAdded: response.recordsAdded(request.id),
          iterator: request.iterator ? { state: iterator, urgent: next.urgent } : undefined,
        });
        if (this.deps.followUps.concerns(request, outcome.status, outcome.statusCode)) {
          this.deps.followUps.afterCompletion(this.store.requests.get(request.id) as QueuedRequest);
        }
        if (outcome.status === 'done') patch.requestsDone = session.requestsDone + 1;
        else if (outcome.status !== 'queued') patch.requestsFailed = session.requestsFailed + 1;
        if (outcome.status !== 'done') {
          this.log(this.instanceOf(session), session.user, `request.${outcome.status}`, outcome.error?.code ?? null, {
            sessionId: session.id,
            requestId: request.id,
            detail: outcome.error?.developerMessage,
          });
        }
        completed = { requestId: request.id, instanceId: request.instanceId, status: outcome.status, userFacingMessage: outcome.error?.userFacingMessage ?? null };
        if (outcome.endSession && session.status === 'active') {
          this.store.sessions.update(session.id, {
            ...patch,
            lastError: outcome.error?.userFacingMessage ?? null,
            lastErrorCode: outcome.error?.code ?? null,
          });
          return -1;
        }
      }

      if (session.status !== 'active') {
        // A late response for a session that already ended: kept, but the session is over.
        this.store.sessions.update(session.id, { ...patch, lastError: session.lastError ?? messages.sessionEnded() });
        return -1;
      }
      const done = (patch.requestsDone ?? session.requestsDone) + (patch.requestsFailed ?? session.requestsFailed);
      this.store.sessions.update(session.id, patch);
      const instanceId = session.instanceId as string;
      const more = this.store.requests.hasReady(instanceId, now) || this.lingers(session, instanceId, now);
      const percent = more ? progressPercent(done, session.expectedTotal) : 100;
      progress = { sessionId: session.id, instanceId, percent };
      return percent;
    });
    if (completed) this.deps.events.emit('request.completed', completed);
    if (progress) this.deps.events.emit('session.progress', progress);
    return result;
  }

  connectionError(p: QbwcParams): string {
    const now = this.deps.now();
    const result = this.store.transaction(() => {
      const session = this.store.sessions.byTicketHash(hashTicket(str(p.ticket)));
      if (!session) return 'done';
      const instance = this.instanceOf(session);
      const c = classifyHresult({ hresult: str(p.hresult), message: str(p.message) });
      const patch: SessionPatch = {
        lastSeenAt: now,
        connectionErrors: session.connectionErrors + 1,
        lastError: c.userFacingMessage,
        lastErrorCode: c.code,
      };
      let answer = 'done';
      if (instance && session.status === 'active' && !session.alternateTried) {
        const alternate = alternateCompanyFile(instance);
        if (alternate) {
          answer = alternate;
          patch.alternateTried = alternate;
        }
      }
      this.log(instance, session.user, 'session.connectionError', answer === 'done' ? 'done' : 'retry', {
        sessionId: session.id,
        detail: `${str(p.hresult)} ${str(p.message)}`.trim() + (answer !== 'done' ? `; retrying with ${answer}` : ''),
      });
      if (answer === 'done' && session.status === 'active') {
        // "done" ends the session (seed 004); left active, it would answer the next
        // update "busy" until it expired.
        this.end(session, 'closed', now, { ...patch, closeMessage: c.userFacingMessage });
      } else {
        this.store.sessions.update(session.id, patch);
      }
      return answer;
    });
    return result;
  }

  getLastError(p: QbwcParams): string {
    const now = this.deps.now();
    return this.store.transaction(() => {
      const found = this.store.sessions.byTicketHash(hashTicket(str(p.ticket)));
      if (!found) return messages.unknownTicket();
      const session = this.expireIfIdle(found, now);
      if (this.offersInteractive(session) && !session.interactiveState) {
        return 'Interactive mode';
      }
      return session.lastError ?? messages.forStatus(session.status);
    });
  }

  closeConnection(p: QbwcParams): string {
    const now = this.deps.now();
    let ended: Session | undefined;
    const message = this.store.transaction(() => {
      const found = this.store.sessions.byTicketHash(hashTicket(str(p.ticket)));
      if (!found) return messages.unknownTicket();
      const session = this.expireIfIdle(found, now);
      let text: string;
      if (session.status === 'active' || session.status === 'wrong_company') {
        const problem = session.lastError !== null && session.lastErrorCode !== 'DONE' && session.lastErrorCode !== 'NOOP';
        const unanswered = session.inFlightId ? this.store.requests.get(session.inFlightId) : undefined;
        text = problem
          ? (session.lastError as string)
          : unanswered?.status === 'sent'
            ? messages.unanswered(unanswered.kind === 'query', session.requestsDone, session.requestsFailed)
            : messages.summary(session.requestsDone, session.requestsFailed);
        this.end(session, 'closed', now, { closeMessage: text });
        ended = session;
      } else {
        text = session.closeMessage ?? session.lastError ?? messages.forStatus(session.status);
        this.store.sessions.update(session.id, { closeMessage: text });
      }
      this.log(this.instanceOf(session), session.user, 'session.closeConnection', ended ? 'closed' : session.status, {
        sessionId: session.id,
        detail: text,
      });
      return text;
    });
    return message;
  }

  getInteractiveURL(p: QbwcParams): string {
    const now = this.deps.now();
    return this.store.transaction(() => {
      const session = this.store.sessions.byTicketHash(hashTicket(str(p.wcTicket)));
      // Interactive mode is only ever offered for this (see getLastError): any other ticket,
      // a refused login's above all, gets no page that could change the instance.
      if (!session || !this.offersInteractive(session)) return '';
      const token = session.interactiveToken ?? newTicket();
      this.store.sessions.update(session.id, { lastSeenAt: now, interactiveToken: token, interactiveState: 'open' });
      this.log(this.instanceOf(session), session.user, 'session.interactive', 'open', { sessionId: session.id });
      return `${this.deps.publicBaseUrl()}/interactive/${token}`;
    });
  }

  interactiveDone(p: QbwcParams): string {
    const session = this.store.sessions.byTicketHash(hashTicket(str(p.wcTicket)));
    // Guide ch.10: "Done" when the interactive session is over. While it is open, a value
    // that is neither "Done" nor empty (ch.2 and ch.6 read "" as over), as seed 004 does.
    return !session || session.interactiveState !== 'open' ? 'Done' : 'Continue';
  }

  interactiveRejected(p: QbwcParams): string {
    const now = this.deps.now();
    return this.store.transaction(() => {
      const session = this.store.sessions.byTicketHash(hashTicket(str(p.wcTicket)));
      if (!session) return messages.unknownTicket();
      this.store.sessions.update(session.id, { lastSeenAt: now, interactiveState: 'rejected' });
      this.log(this.instanceOf(session), session.user, 'session.interactive', 'rejected', {
        sessionId: session.id,
        detail: str(p.reason),
      });
      return session.lastError ?? messages.interactiveRejected();
    });
  }

  /** Marks an interactive page finished (the bookkeeper's choice is applied by the caller). */
  finishInteractive(token: string, outcome: 'accepted' | 'dismissed'): Session | undefined {
    return this.store.transaction(() => {
      const session = this.findByInteractiveToken(token);
      if (!session || session.interactiveState !== 'open' || !this.offersInteractive(session)) return undefined;
      this.store.sessions.update(session.id, { interactiveState: outcome });
      if (outcome === 'accepted' && session.instanceId) this.store.instances.setCompany(session.instanceId, null, this.deps.now());
      this.log(this.instanceOf(session), session.user, 'session.interactive', outcome, { sessionId: session.id });
      return session;
    });
  }

  /**
   * A session QBWC is asked to open the interactive page for: the wrong company file, when
   * the setting allows, and a Web Connector on this machine (the page is served on loopback only).
   */
  private offersInteractive(session: Session): boolean {
    return (
      session.status === 'wrong_company' &&
      session.instanceId !== null &&
      this.deps.settings.get().interactiveWrongCompany &&
      isLoopback(session.ipAddress)
    );
  }

  findByInteractiveToken(token: string): Session | undefined {
    return this.store.sessions.byInteractiveToken(token);
  }

  /**
   * At start: sessions the previous process left active are over, and so nothing is in
   * flight (a request sent in one of them goes back to the queue or becomes unknown_outcome).
   */
  recoverAfterRestart(): void {
    const now = this.deps.now();
    this.store.transaction(() => {
      for (const s of this.store.sessions.allActive()) this.end(s, 'interrupted', now, { lastError: messages.interrupted() });
      // Normally ending the sessions recovered them all (each names its in-flight request);
      // a folder an older version left after a crash may not say which session held one.
      for (const r of this.store.requests.allSent()) this.recover(r.id, undefined, now, 'request.recovered');
      this.store.responses.purgeIncomplete();
    });
  }

  /** Ends sessions idle past the timeout (also done lazily on every call). */
  expireIdle(): void {
    const now = this.deps.now();
    this.store.transaction(() => {
      for (const s of this.store.sessions.allActive()) this.expireIfIdle(s, now);
    });
  }

  // ---- internals ----

  private startExchange(
    session: Session,
    instance: Instance,
    p: QbwcParams,
    now: number,
  ): { ok: true; version: string; patch: SessionPatch } | { ok: false; patch: SessionPatch } {
    const hcpText = str(p.strHCPResponse);
    let host: HostInfo | null = null;
    if (hcpText.trim() !== '') {
      try {
        host = parseHcp(hcpText, instance.ownerId);
      } catch (err) {
        this.log(instance, session.user, 'session.hcpUnreadable', 'ignored', {
          at: now,
          sessionId: session.id,
          detail: (err as Error).message,
        });
      }
    }
    const companyFile = str(p.strCompanyFileName) || null;
    const country = host?.country ?? (str(p.qbXMLCountry) || null);
    const version = negotiateVersion({
      supported: host?.supportedVersions,
      country,
      major: Number(p.qbXMLMajorVers) || 0,
      minor: Number(p.qbXMLMinorVers) || 0,
    });
    const patch: SessionPatch = { host, companyFile, country, qbxmlVersion: version };
    const guard = checkCompany(instance.company, observedCompany(host, companyFile), host, now);
    if (!guard.ok) {
      Object.assign(patch, { status: 'wrong_company', lastError: guard.reason, lastErrorCode: 'WRONG_COMPANY' });
      this.log(instance, session.user, 'session.wrongCompany', 'refused', { at: now, sessionId: session.id, detail: guard.reason });
      return { ok: false, patch };
    }
    this.store.instances.setCompany(instance.id, guard.learned, now);
    if (guard.changed.length > 0) {
      this.log(instance, session.user, 'company.changed', guard.changed.join(','), {
        at: now,
        sessionId: session.id,
        detail: `company ${guard.changed.join(' and ')} changed; now ${guard.learned.name ?? ''} ${guard.learned.path ?? ''}`.trim(),
      });
    }
    // Stamped with the call's time: the request this call sends has that time as its sentAt.
    this.log(instance, session.user, 'session.started', version, {
      at: now,
      sessionId: session.id,
      detail: [host?.productName, companyFile].filter(Boolean).join(' — ') || null,
    });
    return { ok: true, version, patch };
  }

  /**
   * The next request to send, refusing (as errors, before QuickBooks sees them) any that
   * need a newer qbXML than the connected QuickBooks takes; `refused` counts those, for
   * the session's tally.
   */
  private nextSendable(
    instanceId: string,
    session: Session,
    host: HostInfo | null,
    version: string,
    now: number,
  ): { next: QueuedRequest | undefined; refused: number } {
    for (let refused = 0; ; refused++) {
      const next = this.store.requests.next(instanceId, now);
      if (!next || !next.minVersion || versionAtLeast(version, next.minVersion)) return { next, refused };
      const product = host?.productName ?? 'The QuickBooks in use';
      this.store.requests.complete(next, {
        status: 'error',
        now,
        error: {
          code: 'QBXML_VERSION_UNSUPPORTED',
          type: 'INVALID_REQUEST_ERROR',
          category: 'unsupported_version',
          retryable: false,
          userFacingMessage: `${product} is too old for this request: it needs a newer QuickBooks Desktop. Nothing was sent.`,
          developerMessage: `The request uses elements of qbXML ${next.minVersion}; ${product} supports up to qbXML ${version}. Remove the newer fields or upgrade QuickBooks.`,
        },
      });
      this.log(this.instanceOf(session), session.user, 'request.error', 'QBXML_VERSION_UNSUPPORTED', { sessionId: session.id, requestId: next.id, detail: `needs ${next.minVersion}, host ${version}` });
    }
  }

  /** The active session for a ticket, expiring it if idle; records why not on the session. */
  private live(ticket: string, now: number): Session | undefined {
    const found = this.store.sessions.byTicketHash(hashTicket(ticket));
    if (!found) return undefined;
    const session = this.expireIfIdle(found, now);
    if (session.status === 'active' && session.instanceId !== null) return session;
    if (session.status === 'expired' || session.status === 'interrupted' || session.status === 'abandoned') {
      this.store.sessions.update(session.id, { lastSeenAt: now, lastError: session.lastError ?? messages.sessionEnded() });
    }
    return undefined;
  }

  private endForDeletedInstance(session: Session, now: number): string {
    this.end(session, 'closed', now, { lastError: messages.instanceDeleted() });
    return '';
  }

  private expireIfIdle(session: Session, now: number): Session {
    if (session.status !== 'active') return session;
    const idleMs = this.deps.settings.get().sessionIdleTimeoutSeconds * 1000;
    if (now - session.lastSeenAt <= idleMs) return session;
    this.end(session, 'expired', now, { lastError: messages.expired() });
    return { ...session, status: 'expired', lastError: messages.expired() };
  }

  private expireIdleSessions(instanceId: string, now: number): void {
    for (const s of this.store.sessions.activeFor(instanceId)) this.expireIfIdle(s, now);
  }

  /** Ends a session; whatever it had in flight is recovered (queries re-queued, writes unknown_outcome). */
  private end(session: Session, status: SessionStatus, now: number, patch: SessionPatch = {}): void {
    // A session has at most one request in flight (QBWC is sequential): its in_flight_id.
    if (session.inFlightId) this.recover(session.inFlightId, session, now, 'request.recovered');
    if (session.instanceId) this.deps.followUps.restartIterators(this.store.requests.openIterators(session.instanceId));
    this.store.sessions.update(session.id, { ...patch, status, endedAt: now, inFlightId: null });
    if (status !== 'closed') this.log(this.instanceOf(session), session.user, `session.${status}`, status, { sessionId: session.id });
    const ended = this.store.sessions.get(session.id) as Session;
    const problem = ended.lastError !== null && ended.lastErrorCode !== 'DONE' && ended.lastErrorCode !== 'NOOP';
    this.deps.events.emit('session.ended', {
      sessionId: ended.id,
      instanceId: ended.instanceId,
      status,
      requestsDone: ended.requestsDone,
      requestsFailed: ended.requestsFailed,
      firstSuccess: status === 'closed' && !problem && ended.instanceId !== null && !this.store.sessions.hasExchangedWell(ended.instanceId, ended.id),
      lastError: problem ? ended.lastError : null,
    });
  }

  private recover(requestId: string, session: Session | undefined, now: number, action: string): void {
    const request = this.store.requests.get(requestId);
    if (!request || request.status !== 'sent') return;
    const to = recoveryStatus(request.kind);
    const moved =
      to === 'queued'
        ? this.store.requests.requeue(request.id, 'sent', now, null, REQUEUED_ERROR)
        : this.store.requests.transition(request.id, 'sent', 'unknown_outcome', now, UNKNOWN_OUTCOME_ERROR);
    if (!moved) return;
    const instance = this.store.instances.get(request.instanceId) ?? null;
    this.log(instance, session?.user ?? 'companion', action, to, { sessionId: session?.id ?? request.sessionId, requestId: request.id });
    const updated = this.store.requests.get(request.id) as QueuedRequest;
    if (to === 'unknown_outcome') this.deps.followUps.ensureReconcile(updated);
    else this.deps.followUps.restartIterators([updated]);
  }

  /** Whether the session stays open, polling, though nothing is ready (see lingering). */
  private lingers(session: Session, instanceId: string, now: number): boolean {
    const instance = this.store.instances.get(instanceId);
    return instance !== undefined && this.lingering(session, instance, now);
  }

  private lingering(session: Session, instance: Instance, now: number): boolean {
    if (instance.lingerSeconds <= 0) return false;
    return session.noopSince === null || now - session.noopSince < instance.lingerSeconds * 1000;
  }

  private recordFailure(username: string, now: number): void {
    const prev = this.store.authFailures.get(username);
    const failures = prev.failures + 1;
    const over = failures - FREE_FAILURES;
    const lockedUntil = over > 0 ? now + Math.min(MAX_LOCK_MS, 1000 * 2 ** over) : 0;
    this.store.authFailures.set(username, { failures, lockedUntil });
  }

  private instanceOf(session: Session): Instance | null {
    return session.instanceId ? (this.store.instances.get(session.instanceId) ?? null) : null;
  }

  private log(
    instance: Instance | null,
    user: string,
    action: string,
    result: string | null,
    extra: { sessionId?: string | null; requestId?: string | null; detail?: string | null; /** The call's time, when the entry must not come after what the call stamped with it. */ at?: number } = {},
  ): void {
    this.store.events.append({
      clientId: instance?.id ?? null,
      timestamp: extra.at ?? this.deps.now(),
      user,
      action,
      detail: extra.detail ?? null,
      result,
      sessionId: extra.sessionId ?? null,
      requestId: extra.requestId ?? null,
    });
  }
}

const plainAddress = (ip: string) => ip.replace(/^::ffff:/i, '');

/** Whether a call came from this machine. */
const isLoopback = (ip: string | null): boolean => ip !== null && isLoopbackHost(ip);

/**
 * Whether two calls came from the same machine: the same address, any loopback counting
 * as one. (Web Connectors behind one NAT address, or several users of one terminal server
 * with the same QWC, look alike: each new login then takes over the other's session.)
 */
function sameClient(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  return plainAddress(a) === plainAddress(b) || (isLoopback(a) && isLoopback(b));
}

/** Whether a session may post responses: it is exchanging work, or it took some. */
function tookWork(session: Session): boolean {
  return session.instanceId !== null && (session.status === 'active' || session.requestsSent > 0);
}

/**
 * Whether a response settles the request: only one this session was sent, still waiting
 * (sent), put back after the session lost track of it (queued), or of unknown outcome.
 */
function acceptsResponse(r: QueuedRequest, session: Session): boolean {
  return r.sessionId === session.id && (r.status === 'sent' || r.status === 'queued' || r.status === 'unknown_outcome');
}

/** The company file to retry with after a connection error: configured first, then learned. */
export function alternateCompanyFile(instance: Instance): string | null {
  const tried = (instance.qbdPath ?? '').toLowerCase();
  const candidates = [...instance.alternateCompanyFiles, instance.company?.path].filter(
    (p): p is string => !!p && p.toLowerCase() !== tried,
  );
  return candidates[0] ?? null;
}
