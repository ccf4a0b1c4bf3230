/**
 * The simulated QuickBooks company: answers qbXML the way QuickBooks Desktop's request
 * processor does, so the whole QBWC flow runs without Windows or QuickBooks (tests,
 * `npm run demo`, `qbwc-companion simulate`). Pair it with the simulated Web Connector.
 *
 * A document is read and schema-validated first (any problem → an HRESULT, nothing
 * processed), then each request runs in order under the message set's onError rule.
 */
import { loadQbxmlSchema } from '../../qbxml/schema/load';
import { type QbxmlVersion, compareVersions, parseQbxmlVersion } from '../../qbxml/version';
import type { XmlElement } from '../../xml/tree';
import { type Ctx, type HostSettings, type Outcome, fail, values } from './context';
import { type Clock, assertTimeZone, defaultTimeZone } from './datetime';
import { type RequestDocument, readRequestDocument } from './document';
import { Iterators } from './iterators';
import { conform, type ResponseElement, serializeResponses } from './render';
import { HANDLERS } from './requests';
import { companyQuery, hostQuery, preferencesQuery, sameGuid } from './requests/host';
import { mergeInWindow } from './requests/merge';
import { SEED_REQUEST, newCompany } from './seed';
import { NOT_PROCESSED, type Severity, type Status, invalidRequestId, notImplemented } from './status';
import type { CompanyState, CustomerRecord, InvoiceRecord, ItemRecord } from './types';

export type { CompanyState, CustomerRecord, InvoiceLineRecord, InvoiceRecord, ItemRecord, ItemType } from './types';
export { Bookkeeper } from './bookkeeper';

export interface FakeQuickBooksOptions {
  companyName?: string;
  productName?: string;
  majorVersion?: string;
  /** HostRet/SupportedQBXMLVersion; a document in any other version is refused (0x80040423). */
  supportedVersions?: string[];
  country?: string;
  companyFile?: string;
  /** A few customers and items; default true. */
  seed?: boolean;
  now?: () => Date;
  /** IANA zone of the simulated QuickBooks PC; default the process's. */
  timeZone?: string;
  /** Print DST datetimes with the standard-time offset as real QuickBooks does; default true. */
  dstOffsetBug?: boolean;
}

export type ProcessResult = { response: string } | { hresult: string; message: string };

export type InjectedFailure = { requestType: string; times?: number } & (
  | { statusCode: number; statusSeverity?: 'Error' | 'Warn'; statusMessage: string }
  | { hresult: string; message: string }
);

const ALL_VERSIONS = ['1.0', '1.1', '2.0', '2.1', '3.0', '4.0', '4.1', '5.0', '6.0', '7.0', '8.0', '9.0', '10.0', '11.0', '12.0', '13.0', '14.0', '15.0', '16.0'];

/** The machine name QBWC writes into AppLock. */
const MACHINE = 'SIMULATED-PC';

/** .NET DateTime ticks, the number in QBWC's "LOCKED:<machine>:<ticks>". */
const ticks = (ms: number): string => ((BigInt(ms) + 62135596800000n) * 10000n).toString();

export class FakeQuickBooks {
  private state: CompanyState;
  private readonly iterators: Iterators;
  private readonly host: HostSettings;
  private readonly clock: Clock;
  private readonly now: () => Date;
  private readonly failures: (InjectedFailure & { left: number })[] = [];
  /** Why the last document was refused; QuickBooks itself only gives the HRESULT. */
  lastRejection: string | undefined;

  constructor(options: FakeQuickBooksOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.clock = { timeZone: options.timeZone ?? defaultTimeZone(), dstOffsetBug: options.dstOffsetBug ?? true };
    assertTimeZone(this.clock.timeZone);
    this.host = {
      productName: options.productName ?? 'QuickBooks Enterprise Solutions 24.0',
      majorVersion: options.majorVersion ?? '34',
      supportedVersions: options.supportedVersions ?? ALL_VERSIONS,
      country: options.country ?? 'US',
    };
    this.state = newCompany(
      options.companyName ?? 'Rock Castle Construction (simulated)',
      options.companyFile ?? 'C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\rock-castle.qbw',
      this.nowMs(),
    );
    this.iterators = new Iterators();
    if (options.seed ?? true) this.seed();
  }

  get companyFile(): string {
    return this.state.companyFile;
  }

  private seed(): void {
    // The seed is ordinary qbXML, so it must be accepted whatever versions the host lists.
    const doc = readRequestDocument(SEED_REQUEST, ['16.0']);
    if ('hresult' in doc) throw new Error(`simulator seed rejected: ${doc.reason}`);
    for (const rq of doc.requests) {
      const outcome = this.run(rq, this.context('16.0'), doc);
      if (outcome.status.code !== 0) throw new Error(`simulator seed failed: ${outcome.status.message}`);
    }
  }

  private nowMs(): number {
    return Math.floor(this.now().getTime() / 1000) * 1000;
  }

  private context(version: string): Ctx {
    return { state: this.state, schema: loadQbxmlSchema(), clock: this.clock, now: this.nowMs(), version, iterators: this.iterators, host: this.host };
  }

  /** The newest qbXML version the host takes (what the bookkeeper's changes are written in). */
  get qbxmlVersion(): string {
    return this.highestVersion();
  }

  /**
   * The QuickBooks window's merge: the element renamed to another's name, then merged
   * into it (requests/merge.ts); throws with the reason when QuickBooks would refuse.
   */
  mergeInWindow(type: string, fromId: string, toId: string): void {
    const problem = mergeInWindow(this.context(this.highestVersion()), type, fromId, toId);
    if (problem) throw new Error(problem.message);
  }

  private highestVersion(): string {
    const parsed = this.host.supportedVersions.map(parseQbxmlVersion).filter((v): v is QbxmlVersion => v !== null && v.prefix === '');
    return parsed.sort(compareVersions).pop()?.text ?? '16.0';
  }

  /**
   * strHCPResponse as QBWC builds it on the first sendRequestXML of a session. QBWC keeps
   * its FileID (and a lock) on the company under the QWC's OwnerID; the first FileID
   * stamped for an OwnerID stays, and each OwnerID sees only its own.
   */
  hcpResponse(ownerId: string, fileId: string): string {
    const ctx = this.context(this.highestVersion());
    let mine = this.state.appData.find((a) => sameGuid(a.ownerId, ownerId));
    if (!mine) {
      mine = { ownerId, fileId, appLock: '' };
      this.state.appData.push(mine);
    }
    mine.appLock = `LOCKED:${MACHINE}:${ticks(ctx.now)}`;
    const rq = (name: string, requestID: string, children: XmlElement[] = []): XmlElement => ({ name, attrs: { requestID }, children, text: '' });
    const host = rq('HostQueryRq', '0');
    const company = rq('CompanyQueryRq', '1', [{ name: 'OwnerID', attrs: {}, children: [], text: mine.ownerId }]);
    const preferences = rq('PreferencesQueryRq', '2');
    return serializeResponses([
      this.respond(host, hostQuery(host, ctx), ctx, false),
      this.respond(company, companyQuery(company, ctx), ctx, false),
      this.respond(preferences, preferencesQuery(), ctx, false),
    ]);
  }

  processRequest(qbxml: string): ProcessResult {
    const doc = readRequestDocument(qbxml, this.host.supportedVersions);
    if ('hresult' in doc) {
      this.lastRejection = doc.reason;
      return { hresult: doc.hresult, message: doc.message };
    }
    this.lastRejection = undefined;
    const injected = this.takeInjected(doc.requests.map((r) => r.name), 'hresult');
    if (injected && 'hresult' in injected) return { hresult: injected.hresult, message: injected.message };

    const ctx = this.context(doc.version);
    // What QuickBooks does for rollbackOnError is not documented in the sources; here the
    // writes of the whole message set are undone when any request in it failed.
    const before = doc.onError === 'rollbackOnError' ? structuredClone(this.state) : undefined;
    let failed = false;
    const responses = doc.requests.map((rq) => {
      const outcome = failed && doc.onError === 'stopOnError' ? fail(NOT_PROCESSED) : this.run(rq, ctx, doc);
      failed ||= outcome.status.severity === 'Error';
      return this.respond(rq, outcome, ctx, doc.includeNone);
    });
    if (before && failed) {
      this.state = before;
    }
    return { response: serializeResponses(responses) };
  }

  private run(rq: XmlElement, ctx: Ctx, doc: RequestDocument): Outcome {
    const requestId = rq.attrs.requestID;
    if (requestId !== undefined && requestId.length > 50) return fail(invalidRequestId(requestId));
    if (doc.errorRecovery) return fail(notImplemented('qbXML error recovery (newMessageSetID/oldMessageSetID)'));
    const injected = this.takeInjected([rq.name], 'status');
    if (injected && 'statusCode' in injected) {
      const severity: Severity = injected.statusSeverity ?? 'Error';
      return fail({ code: injected.statusCode, severity, message: injected.statusMessage });
    }
    const handler = HANDLERS[rq.name];
    return handler ? handler(rq, ctx) : fail(notImplemented(rq.name));
  }

  /** The …Rs element: status attributes in QuickBooks' order, children in schema order. */
  private respond(rq: XmlElement, outcome: Outcome, ctx: Ctx, includeNone: boolean): ResponseElement {
    const name = rq.name.replace(/Rq$/, 'Rs');
    const s: Status = outcome.status;
    const attributes: [string, string][] = [];
    if (rq.attrs.requestID !== undefined) attributes.push(['requestID', rq.attrs.requestID]);
    attributes.push(['statusCode', String(s.code)], ['statusSeverity', s.severity], ['statusMessage', s.message]);
    if (outcome.retCount !== undefined) attributes.push(['retCount', String(outcome.retCount)]);
    if (outcome.iterator) attributes.push(['iteratorRemainingCount', String(outcome.iterator.remaining)], ['iteratorID', outcome.iterator.id]);

    const only = new Set(values(rq, 'IncludeRetElement').map((v) => v.trim()));
    const rets = includeNone ? [] : (outcome.rets ?? []).map((r) => (only.size && r.children ? { ...r, children: r.children.filter((c) => only.has(c.name)) } : r));
    const spec = ctx.schema.responses.get(name);
    if (!spec) throw new Error(`qbXML schema has no ${name}`);
    return { name, attributes, children: conform({ name, children: rets }, spec, ctx.version).children ?? [] };
  }

  endSession(): void {
    this.iterators.clear();
    const now = this.nowMs();
    for (const a of this.state.appData) a.appLock = `UNLOCKED:${MACHINE}:${ticks(now)}`;
  }

  injectFailure(f: InjectedFailure): void {
    this.failures.push({ ...f, left: f.times ?? 1 });
  }

  private takeInjected(requestTypes: readonly string[], kind: 'hresult' | 'status'): InjectedFailure | undefined {
    const i = this.failures.findIndex((f) => requestTypes.includes(f.requestType) && (kind === 'hresult') === ('hresult' in f));
    const f = this.failures[i];
    if (!f) return undefined;
    if (--f.left <= 0) this.failures.splice(i, 1);
    return f;
  }

  customers(): readonly CustomerRecord[] {
    return structuredClone(this.state.customers);
  }

  items(): readonly ItemRecord[] {
    return structuredClone(this.state.items);
  }

  invoices(): readonly InvoiceRecord[] {
    return structuredClone(this.state.invoices);
  }

  /** The company file as JSON; host settings (versions, clock, zone) are not part of it. */
  toJSON(): CompanyState {
    return structuredClone(this.state);
  }

  static fromJSON(json: unknown, options: FakeQuickBooksOptions = {}): FakeQuickBooks {
    const state = json as Partial<CompanyState> | null;
    if (state?.format !== 'qbwc-companion/simulated-company' || state.version !== 1) {
      throw new Error('not a simulated QuickBooks company (expected format "qbwc-companion/simulated-company", version 1)');
    }
    const company = new FakeQuickBooks({ ...options, seed: false });
    company.state = structuredClone(state as CompanyState);
    return company;
  }
}

