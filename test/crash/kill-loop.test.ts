/**
 * Crash safety, as a spec: the real CLI server is killed with SIGKILL at random points of
 * Web Connector sessions, again and again, and restarted on the same data folder. The
 * simulated QuickBooks company lives in this test process, so it outlives every kill and
 * shows what QuickBooks really received.
 *
 * The Web Connector reaches the server through a proxy (cli-server.ts) that can kill the
 * server before the k-th SOAP call reaches it, while the server handles it, or after the
 * server answered but before the Web Connector saw the answer — so every point of a
 * session is covered: after authenticate, after sendRequestXML (QuickBooks then applies a
 * write the server never hears back about), after receiveResponseXML, between sessions.
 *
 * What must hold, whatever the kill points:
 * - every write is in the company exactly once when its request is `done`; a single write
 *   (JSON with its ExternalGUID marker, raw qbXML by Name or RefNumber) always ends `done`,
 *   because reconciliation can always settle it; only a batch may stay `unknown_outcome`
 *   (it can't be judged element by element), with the reconciliation's verdict, and then
 *   it is there at most once;
 * - nothing acknowledged is lost: a request the REST API accepted (202) exists after any
 *   restart; one it reported `done` (or `error`) stays so; a response the server answered
 *   settles its request for good; a write handed to the Web Connector is never queued
 *   again blindly (it is `unknown_outcome` until reconciled);
 * - a paged query (its pages span several Web Connector calls, and restart when a kill
 *   cuts them off) ends with every record that existed when it was queued, none twice;
 * - after a restart nothing is `sent` and no session is active; the REST API's lists,
 *   filters and health counts agree.
 *
 * Writes are JSON CustomerAdd / InvoiceAdd (unique names and RefNumbers), the same as raw
 * qbXML, and two-element batches; queries are paged CustomerQuery / InvoiceQuery, ItemQuery
 * and a raw CustomerQuery — 45 at the start, a few more before each run and right before
 * some kills (the latter queued again after the restart with their idempotency keys).
 *
 * Reproduce a failure with the seed it prints: CRASH_SEED=<seed> npx vitest run test/crash
 * (kills "during" a call depend on timing as well as on the seed).
 */
import { describe, expect, it } from 'vitest';
import { REQUEST_ID_SEPARATOR } from '../../main/qbxml/envelope';
import { FakeQuickBooks } from '../../main/simulator/quickbooks';
import { readResponseEnvelope } from '../../main/simulator/soap-client';
import { type QuickBooksHost, runWebConnectorSession, type SessionReport } from '../../main/simulator/web-connector';
import { type Api, crashScratch, listAll, type ProxiedCall, RestError, restClient, type ServerProcess, SoapProxy, startServer } from './cli-server';
import { seededRandom } from '../helpers';

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 25);
/** The kill loop stops starting iterations after this long (the drain and checks follow). */
const LOOP_BUDGET_MS = Number(process.env.CRASH_BUDGET_MS ?? 40_000);
const PASSWORD = 'crash test password';
/** Records per page of a paged query; the company gets enough records for several pages. */
const PAGE = 100;
const EXTRA_RECORDS = 130;

type Status = 'queued' | 'sent' | 'done' | 'error' | 'cancelled' | 'unknown_outcome';

interface Summary {
  requestId: string;
  status: Status;
  kind: 'query' | 'write';
  types: string[];
  attempts: number;
  statusCode: number | null;
  statusMessage: string | null;
  parentRequestId: string | null;
  purpose: 'reconcile' | 'refresh' | null;
  error: { code: string; userFacingMessage: string } | null;
  iterator: { pages: number; remaining: number; restarts: number } | null;
  recordCount: number;
}

interface Tracked {
  id: string;
  label: string;
  kind: 'write' | 'query';
  /** Customer names and invoice RefNumbers the write adds. */
  customers: string[];
  invoices: string[];
  batch: boolean;
  /** Iterated queries: the record id field, and ids that existed when it was queued (all must be among its records). */
  iterated?: { idField: 'ListID' | 'TxnID'; mustInclude: string[] };
}

interface Spec {
  body: Record<string, unknown> | unknown[];
  /** A query for the whole result, in pages of PAGE records. */
  paged?: boolean;
  track: Omit<Tracked, 'id'>;
}

type KillWhen = 'before' | 'during' | 'after';

const { cleanup, tempDir } = crashScratch('qbwc-crash-');

const requestIdOf = (elementId: string) => {
  const sep = elementId.lastIndexOf(REQUEST_ID_SEPARATOR);
  return sep === -1 ? elementId : elementId.slice(0, sep);
};
const requestIdsIn = (qbxml: string) => [...new Set([...qbxml.matchAll(/requestID="([^"]+)"/g)].map((m) => requestIdOf(m[1] as string)))];
const count = (list: readonly (string | undefined)[], v: string) => list.filter((x) => x === v).length;

/**
 * Everything one crash run needs: the server (replaced on every restart), the proxy, the
 * simulated company, what was queued and what was acknowledged.
 */
class CrashRun {
  readonly rng: () => number;
  readonly log: string[] = [];
  readonly violations: string[] = [];
  readonly tracked = new Map<string, Tracked>();
  /** Ever reported `done` / `error` by the REST API. */
  readonly everDone = new Set<string>();
  readonly everError = new Set<string>();
  readonly proxy = new SoapProxy();
  readonly qb = new FakeQuickBooks();
  server!: ServerProcess;
  api!: Api;
  instance!: { instanceId: string; username: string; ownerId: string; fileId: string };
  /** What QuickBooks processed last in this session: the requests, and whether an iterator has more. */
  private inQuickBooks: { ids: string[]; more: boolean } | null = null;
  private n = 0;
  kills = 0;
  /** Kills that certainly hit an active session (it must end as interrupted). */
  midSessionKills = 0;
  readonly host: QuickBooksHost;

  constructor(
    readonly seed: number,
    readonly dataDir: string,
  ) {
    this.rng = seededRandom(seed);
    const qb = this.qb;
    // More customers and invoices than one page holds, added straight to the company.
    const adds: string[] = [];
    for (let i = 1; i <= EXTRA_RECORDS; i++) {
      adds.push(`<CustomerAddRq><CustomerAdd><Name>Seed ${i}</Name></CustomerAdd></CustomerAddRq>`);
      adds.push(
        `<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Cook, Brian</FullName></CustomerRef><RefNumber>S${i}</RefNumber>` +
          '<InvoiceLineAdd><ItemRef><FullName>Installation</FullName></ItemRef><Amount>35.00</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>',
      );
    }
    const seeded = qb.processRequest(`<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">${adds.join('')}</QBXMLMsgsRq></QBXML>`);
    if (!('response' in seeded) || /statusCode="[1-9]/.test(seeded.response)) throw new Error(`seeding the company failed: ${JSON.stringify(seeded).slice(0, 500)}`);
    this.host = {
      get companyFile() {
        return qb.companyFile;
      },
      hcpResponse: (ownerId, fileId) => qb.hcpResponse(ownerId, fileId),
      processRequest: (xml) => {
        const answer = qb.processRequest(xml);
        this.inQuickBooks = { ids: requestIdsIn(xml), more: 'response' in answer && /iteratorRemainingCount="[1-9]/.test(answer.response) };
        return answer;
      },
      endSession: () => qb.endSession(),
    };
  }

  violation(text: string): void {
    this.violations.push(text);
  }

  /** The seed, what each iteration did, and the first violations: what a failure prints. */
  context(): string {
    const v = this.violations;
    return [
      `seed ${this.seed} — reproduce with CRASH_SEED=${this.seed} npx vitest run test/crash (kills "during" a call also depend on timing)`,
      ...this.log,
      ...(v.length ? [`${v.length} violations${v.length > 40 ? ', the first 40' : ''}:`, ...v.slice(0, 40).map((x) => `  ${x}`)] : []),
    ].join('\n');
  }

  async start(): Promise<void> {
    this.server = await startServer(this.dataDir);
    this.api = restClient(this.server);
    this.proxy.retarget(this.server.url);
  }

  async createInstance(): Promise<void> {
    this.instance = await this.api('POST', '/instances', { name: 'Crash Test Co', username: 'crash', password: PASSWORD });
  }

  int(n: number): number {
    return Math.floor(this.rng() * n);
  }

  // ---- what gets queued ----

  nextWrite(): Spec {
    const n = ++this.n;
    const r = this.rng();
    const seeded = ['Cook, Brian', 'Jacobsen, Doug', 'Abercrombie, Kristy'][this.int(3)] as string;
    const line = { ItemRef: { FullName: 'Installation' }, Quantity: String(1 + this.int(5)), Rate: '35.00' };
    if (r < 0.35) {
      const name = `KL C${n}`;
      return { body: { type: 'CustomerAdd', params: { Name: name, Phone: `555-${String(n).padStart(4, '0')}` } }, track: { label: `CustomerAdd ${name} (JSON)`, kind: 'write', customers: [name], invoices: [], batch: false } };
    }
    if (r < 0.7) {
      const ref = `K${n}`;
      return {
        body: { type: 'InvoiceAdd', params: { CustomerRef: { FullName: seeded }, RefNumber: ref, Memo: `crash ${n}`, InvoiceLineAdd: [line] } },
        track: { label: `InvoiceAdd ${ref} (JSON)`, kind: 'write', customers: [], invoices: [ref], batch: false },
      };
    }
    if (r < 0.8) {
      const name = `KL R${n}`;
      return { body: { qbxml: `<CustomerAddRq><CustomerAdd><Name>${name}</Name></CustomerAdd></CustomerAddRq>` }, track: { label: `CustomerAdd ${name} (raw)`, kind: 'write', customers: [name], invoices: [], batch: false } };
    }
    if (r < 0.9) {
      const ref = `R${n}`;
      return {
        body: {
          qbxml: `<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>${seeded.replace('&', '&amp;')}</FullName></CustomerRef><RefNumber>${ref}</RefNumber><InvoiceLineAdd><ItemRef><FullName>Installation</FullName></ItemRef><Amount>70.00</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>`,
        },
        track: { label: `InvoiceAdd ${ref} (raw)`, kind: 'write', customers: [], invoices: [ref], batch: false },
      };
    }
    const name = `KL B${n}`;
    const ref = `B${n}`;
    return {
      body: { requests: [{ type: 'CustomerAdd', params: { Name: name } }, { type: 'InvoiceAdd', params: { CustomerRef: { FullName: seeded }, RefNumber: ref, InvoiceLineAdd: [line] } }] },
      track: { label: `batch CustomerAdd ${name} + InvoiceAdd ${ref}`, kind: 'write', customers: [name], invoices: [ref], batch: true },
    };
  }

  nextQuery(): Spec {
    const q = this.int(4);
    const none = { kind: 'query' as const, customers: [], invoices: [], batch: false };
    if (q === 0) {
      return {
        body: { type: 'CustomerQuery', params: {} },
        paged: true,
        track: { ...none, label: `CustomerQuery (paged by ${PAGE})`, iterated: { idField: 'ListID', mustInclude: this.qb.customers().map((c) => c.ListID) } },
      };
    }
    if (q === 1) {
      return {
        body: { type: 'InvoiceQuery', params: {} },
        paged: true,
        track: { ...none, label: `InvoiceQuery (paged by ${PAGE})`, iterated: { idField: 'TxnID', mustInclude: this.qb.invoices().map((i) => i.TxnID) } },
      };
    }
    if (q === 2) return { body: { type: 'ItemQuery', params: {} }, track: { ...none, label: 'ItemQuery' } };
    return { body: { qbxml: '<CustomerQueryRq><FullName>Cook, Brian</FullName></CustomerQueryRq>' }, track: { ...none, label: 'CustomerQuery Cook, Brian (raw)' } };
  }

  /**
   * How a whole result is asked for in pages: `pageSize` beside the request where the API
   * has it, else (earlier versions) `MaxReturned`, which then meant the page size.
   */
  private paging: 'pageSize' | 'MaxReturned' | undefined;

  private bodyOf(spec: Spec): Record<string, unknown> | unknown[] {
    if (!spec.paged) return spec.body;
    const body = spec.body as { type: string; params: Record<string, unknown> };
    return this.paging === 'MaxReturned' ? { ...body, params: { ...body.params, MaxReturned: PAGE } } : { ...body, pageSize: PAGE };
  }

  async enqueue(spec: Spec, idempotencyKey?: string): Promise<string> {
    const post = () => {
      const body = this.bodyOf(spec);
      return this.api<{ requestId: string; status: Status }>('POST', `/instances/${this.instance.instanceId}/requests`, idempotencyKey ? { ...body, idempotencyKey } : body);
    };
    let r: { requestId: string; status: Status };
    if (spec.paged && this.paging === undefined) {
      try {
        r = await post();
        this.paging = 'pageSize';
      } catch (err) {
        if (!(err instanceof RestError) || err.status !== 400) throw err;
        this.paging = 'MaxReturned';
        r = await post();
      }
      this.log.push(`paged queries ask with ${this.paging}`);
    } else {
      r = await post();
    }
    if (r.status !== 'queued') this.violation(`a new request was ${r.status}, not queued: ${spec.track.label}`);
    this.tracked.set(r.requestId, { ...spec.track, id: r.requestId });
    return r.requestId;
  }

  // ---- the REST API's view ----

  async requests(): Promise<Summary[]> {
    return listAll<Summary>(this.api, `/instances/${this.instance.instanceId}/requests`);
  }

  /** Reads every request over REST and remembers what it reported done or in error. */
  async snapshot(): Promise<Map<string, Summary>> {
    const list = await this.requests();
    for (const r of list) {
      if (r.status === 'done') this.everDone.add(r.requestId);
      if (r.status === 'error') this.everError.add(r.requestId);
    }
    return new Map(list.map((r) => [r.requestId, r]));
  }

  session(): Promise<SessionReport> {
    this.proxy.calls = 0;
    this.inQuickBooks = null;
    return runWebConnectorSession({
      url: this.proxy.url,
      username: this.instance.username,
      password: PASSWORD,
      ownerId: this.instance.ownerId,
      fileId: this.instance.fileId,
      quickbooks: this.host,
      noopDelayMs: 10,
      maxCalls: 5_000,
    });
  }

  // ---- one iteration: a session, a kill, a restart, the checks ----

  async iteration(it: number): Promise<void> {
    // A few more requests between runs.
    for (let i = this.int(4); i > 0; i--) await this.enqueue(this.nextWrite());
    if (this.rng() < 0.25) await this.enqueue(this.nextQuery());

    const before = await this.snapshot();
    const pending = [...before.values()].filter((r) => r.status === 'queued').length;
    // Early points (serverVersion … the first exchanges) get a fair share; otherwise
    // anywhere in a session that would carry the whole queue (past it: between sessions).
    const estimate = 3 + 2 * pending + 4;
    const at = this.rng() < 0.25 ? 1 + this.int(6) : 1 + this.int(estimate);
    const when = (['before', 'during', 'after'] as const)[this.int(3)] as KillWhen;
    const delayMs = this.int(4);
    const extras = this.int(3);

    const handedOut = new Set<string>();
    const acked: { ids: string[]; more: boolean }[] = [];
    const extraIds: { id: string; key: string; spec: Spec }[] = [];
    let active = false; // a session is active on the server (authenticated, not closed)
    let closing = false;
    let killedAt = '';
    let duringTimer: NodeJS.Timeout | undefined;

    const prepareKill = async (call: ProxiedCall) => {
      await this.snapshot();
      for (let i = 0; i < extras; i++) {
        const spec = this.nextWrite();
        const key = `crash-${this.seed}-${it}-${i}`;
        extraIds.push({ id: await this.enqueue(spec, key), key, spec });
      }
      killedAt = `${when} call ${call.index} (${call.method})${when === 'during' ? ` +${delayMs} ms` : ''}`;
      if (active && !closing && when !== 'during') this.midSessionKills++;
    };
    const killServer = async () => {
      this.proxy.target = null;
      await this.server.kill();
    };

    this.proxy.hooks = {
      beforeForward: async (call) => {
        if (call.method === 'closeConnection') closing = true;
        if (call.index !== at || when === 'after') return;
        await prepareKill(call);
        if (when === 'before') await killServer();
      },
      forwarded: (call) => {
        if (call.index !== at || when !== 'during') return;
        const proc = this.server.proc;
        duringTimer = setTimeout(() => {
          this.proxy.target = null;
          proc.kill('SIGKILL');
        }, delayMs);
      },
      answered: async (call, status, body) => {
        if (status === 200) this.noteAnswer(call, body, handedOut, acked, (a) => (active = a));
        if (call.index === at && when === 'after') {
          await prepareKill(call);
          await killServer();
        }
      },
    };

    const report = await this.session();
    this.proxy.hooks = {};
    clearTimeout(duringTimer); // the session may be over before a kill "during" its last call fired
    if (!killedAt) {
      // The session ended before the k-th call: kill the idle server instead.
      await prepareKill({ index: this.proxy.calls + 1, method: '(between sessions)', request: '' });
      killedAt = `between sessions, after ${this.proxy.calls} calls`;
      await killServer();
    } else {
      this.proxy.target = null;
      await this.server.kill(); // resolves at once if it is already gone
    }
    this.kills++;
    for (const e of this.proxy.errors.splice(0)) this.violation(`iteration ${it}: a proxy hook failed: ${(e as Error).stack ?? e}`);
    this.log.push(
      `#${it}: ${pending} queued; killed ${killedAt}; session ${report.outcome} after ${report.transcript.length} calls, ${report.requestsProcessed} processed by QuickBooks` +
        `; handed out ${handedOut.size}, answered ${acked.length}${extraIds.length ? `; ${extraIds.length} queued just before the kill` : ''}`,
    );

    await this.start();
    await this.checkAfterRestart(it, handedOut, acked);
    // Queueing again with the same idempotency key returns the request queued before the kill.
    for (const x of extraIds) {
      const again = await this.api<{ requestId: string }>('POST', `/instances/${this.instance.instanceId}/requests`, { ...(this.bodyOf(x.spec) as object), idempotencyKey: x.key });
      if (again.requestId !== x.id) this.violation(`iteration ${it}: idempotency key ${x.key} gave ${again.requestId} after the restart, not ${x.id}`);
    }
  }

  private noteAnswer(call: ProxiedCall, body: string, handedOut: Set<string>, acked: { ids: string[]; more: boolean }[], setActive: (a: boolean) => void): void {
    let result: unknown;
    try {
      result = readResponseEnvelope(call.method as never, body);
    } catch {
      return; // a fault: nothing was promised
    }
    if (call.method === 'authenticate') {
      // "" (the open company), or a company file: a session is active; nvu, none, busy: it is not.
      const slot = String((result as string[])[1] ?? '').toLowerCase();
      setActive(!['nvu', 'none', 'busy'].includes(slot));
    } else if (call.method === 'sendRequestXML') {
      for (const id of requestIdsIn(String(result))) handedOut.add(id);
    } else if (call.method === 'receiveResponseXML' && this.inQuickBooks) {
      acked.push(this.inQuickBooks);
      this.inQuickBooks = null;
    } else if (call.method === 'closeConnection') {
      setActive(false);
    }
  }

  async checkAfterRestart(it: number, handedOut: Set<string>, acked: { ids: string[]; more: boolean }[]): Promise<void> {
    const now = await this.snapshot();
    const where = `after the restart of iteration ${it}`;
    for (const t of this.tracked.values()) if (!now.has(t.id)) this.violation(`${where}: ${t.label} (${t.id}) was accepted (202) but is gone`);
    for (const r of now.values()) if (r.status === 'sent') this.violation(`${where}: ${r.requestId} is still sent`);
    for (const id of this.everDone) if (now.get(id)?.status !== 'done') this.violation(`${where}: ${this.label(id)} was reported done, now ${now.get(id)?.status}`);
    for (const id of this.everError) if (now.get(id)?.status !== 'error') this.violation(`${where}: ${this.label(id)} was reported in error, now ${now.get(id)?.status}`);
    const answered = new Set<string>();
    for (const a of acked) {
      for (const id of a.ids) {
        answered.add(id);
        const r = now.get(id);
        if (!r) continue;
        const settled = r.kind === 'write' ? r.status === 'done' || r.status === 'error' : a.more || r.status === 'done';
        if (!settled) this.violation(`${where}: the server answered QuickBooks' response to ${this.label(id)}, yet it is ${r.status}`);
      }
    }
    for (const id of handedOut) {
      const r = now.get(id);
      if (r?.kind === 'write' && !answered.has(id) && !['unknown_outcome', 'done', 'error'].includes(r.status)) {
        this.violation(`${where}: ${this.label(id)} was handed to the Web Connector, and is ${r.status} — it could be sent again without reconciliation`);
      }
    }
    const health = await this.api<{ activeSessions: number; queuedRequests: number }>('GET', '/health');
    if (health.activeSessions !== 0) this.violation(`${where}: ${health.activeSessions} sessions still active`);
    const queued = [...now.values()].filter((r) => r.status === 'queued').length;
    if (health.queuedRequests !== queued) this.violation(`${where}: /health counts ${health.queuedRequests} queued, the list ${queued}`);
  }

  label(id: string): string {
    return `${this.tracked.get(id)?.label ?? 'companion request'} (${id})`;
  }

  /** Sessions without kills until nothing is queued or sent. */
  async drain(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const report = await this.session();
      const list = await this.requests();
      const open = list.filter((r) => r.status === 'queued' || r.status === 'sent');
      this.log.push(`drain ${i}: session ${report.outcome} (${report.message}), ${report.requestsProcessed} processed; ${open.length} still open`);
      if (open.length === 0) return;
    }
    this.violation('the queue did not drain within 10 sessions');
  }

  /** The end state: QuickBooks against the queue, and the REST API against itself. */
  async checkFinal(): Promise<void> {
    const final = await this.snapshot();
    const customers = this.qb.customers().map((c) => c.Name);
    const invoices = this.qb.invoices().map((i) => i.RefNumber);
    const expectedCustomers = new Set<string>();
    const expectedInvoices = new Set<string>();
    const tally: Record<string, number> = {};
    for (const t of this.tracked.values()) {
      const r = final.get(t.id);
      if (!r) {
        this.violation(`${t.label} (${t.id}) was accepted (202) but is gone`);
        continue;
      }
      tally[`${t.kind} ${r.status}`] = (tally[`${t.kind} ${r.status}`] ?? 0) + 1;
      if (t.kind === 'write' && r.status === 'done' && /Confirmed in QuickBooks/.test(r.statusMessage ?? '')) tally['write confirmed by reconciliation'] = (tally['write confirmed by reconciliation'] ?? 0) + 1;
      if (t.kind === 'write' && r.attempts > 1) tally['write sent again after proven absent'] = (tally['write sent again after proven absent'] ?? 0) + 1;
      t.customers.forEach((c) => expectedCustomers.add(c));
      t.invoices.forEach((i) => expectedInvoices.add(i));
      const counts = [...t.customers.map((c) => count(customers, c)), ...t.invoices.map((i) => count(invoices, i))];
      const attempts = `attempts ${r.attempts}, ${r.statusCode ?? '-'} ${r.statusMessage ?? ''}`;
      if (t.kind === 'query') {
        if (r.status !== 'done') this.violation(`${t.label} (${t.id}) ended ${r.status} (${attempts})`);
        else if (t.iterated) await this.checkIterated(t, r);
      } else if (r.status === 'done') {
        if (counts.some((c) => c !== 1)) this.violation(`${t.label} (${t.id}) is done but QuickBooks has it ${counts.join('/')} times (${attempts})`);
      } else if (r.status === 'unknown_outcome' && t.batch) {
        if (r.error?.code !== 'RECONCILE_INCONCLUSIVE') this.violation(`${t.label} (${t.id}) stayed unknown_outcome without a reconciliation verdict (${r.error?.code})`);
        if (counts.some((c) => c > 1)) this.violation(`${t.label} (${t.id}) is in QuickBooks ${counts.join('/')} times`);
      } else {
        this.violation(`${t.label} (${t.id}) ended ${r.status}, QuickBooks has it ${counts.join('/')} times (${attempts}; ${r.error?.code ?? ''})`);
      }
    }
    for (const c of new Set(customers)) if (c.startsWith('KL ') && !expectedCustomers.has(c)) this.violation(`QuickBooks has a customer no request added: ${c}`);
    for (const i of new Set(invoices)) if (i && /^[KRB]\d+$/.test(i) && !expectedInvoices.has(i)) this.violation(`QuickBooks has an invoice no request added: ${i}`);

    // The companion's own requests: reconciliation queries, all answered.
    for (const r of final.values()) {
      if (this.tracked.has(r.requestId)) continue;
      if (r.purpose !== 'reconcile' || !r.parentRequestId || !this.tracked.has(r.parentRequestId)) this.violation(`unexpected request ${r.requestId}: ${JSON.stringify(r)}`);
      else if (r.status !== 'done') this.violation(`reconciliation ${r.requestId} of ${this.label(r.parentRequestId)} ended ${r.status}`);
    }

    // The REST API agrees with itself: filters partition the list, /health and each GET match it.
    const byStatus = new Map<string, number>();
    for (const s of ['queued', 'sent', 'done', 'error', 'cancelled', 'unknown_outcome'] as const) {
      const list = await listAll<Summary>(this.api, `/instances/${this.instance.instanceId}/requests?status=${s}`);
      byStatus.set(s, list.length);
      for (const r of list) if (final.get(r.requestId)?.status !== s) this.violation(`?status=${s} lists ${r.requestId}, which is ${final.get(r.requestId)?.status}`);
    }
    const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
    if (total !== final.size) this.violation(`the status filters list ${total} requests, the whole list ${final.size}`);
    for (const id of this.tracked.keys()) {
      const one = await this.api<Summary>('GET', `/requests/${id}`);
      if (one.status !== final.get(id)?.status) this.violation(`GET /requests/${id} says ${one.status}, the list ${final.get(id)?.status}`);
    }
    const health = await this.api<{ activeSessions: number; queuedRequests: number; instances: number }>('GET', '/health');
    expect(health, this.context()).toMatchObject({ activeSessions: 0, queuedRequests: 0, instances: 1 });
    const sessions = await listAll<{ status: string }>(this.api, `/instances/${this.instance.instanceId}/sessions`);
    const interrupted = sessions.filter((s) => s.status === 'interrupted').length;
    if (sessions.some((s) => s.status === 'active')) this.violation('a session is still active');
    if (interrupted < this.midSessionKills || interrupted > this.kills) {
      this.violation(`${interrupted} sessions ended interrupted; ${this.midSessionKills} kills hit a session for certain, ${this.kills} kills in all`);
    }
    this.log.push(`final: ${JSON.stringify(tally)}; ${final.size} requests in all; ${this.kills} kills (${this.midSessionKills} certainly mid-session), ${interrupted} sessions interrupted; ` +
      `QuickBooks has ${customers.length} customers, ${invoices.length} invoices`);
  }

  private async checkIterated(t: Tracked, r: Summary): Promise<void> {
    const it = t.iterated as NonNullable<Tracked['iterated']>;
    const records = (await listAll<{ data: Record<string, string> }>(this.api, `/requests/${t.id}/records`)).map((x) => x.data[it.idField] as string);
    const dupes = records.filter((id, i) => records.indexOf(id) !== i);
    if (dupes.length) this.violation(`${t.label} (${t.id}) has duplicate records: ${dupes.join(', ')}`);
    if (r.iterator === null) {
      // Not paged after all (a MaxReturned that means "at most" rather than the page size): one answer.
      this.log.push(`${t.label} (${t.id}) was not paged: ${records.length} records`);
      if (records.length > PAGE) this.violation(`${t.label} (${t.id}) was not paged, yet has ${records.length} records`);
      return;
    }
    const missing = it.mustInclude.filter((id) => !records.includes(id));
    if (missing.length) this.violation(`${t.label} (${t.id}) lacks ${missing.length} records that existed when it was queued: ${missing.slice(0, 5).join(', ')}`);
  }
}

describe('kill -9 loop against the simulated company', () => {
  it('never loses what it acknowledged and never writes twice, however often the server is killed', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const run = new CrashRun(seed, tempDir());
    await run.proxy.listen();
    cleanup.push(() => run.proxy.close());
    const started = Date.now();
    try {
      await run.start();
      await run.createInstance();
      // 45 requests: mostly writes, some of them iterated queries.
      for (let i = 0; i < 45; i++) await run.enqueue(i % 5 === 4 ? run.nextQuery() : run.nextWrite());
      let it = 0;
      for (; it < ITERATIONS && Date.now() - started < LOOP_BUDGET_MS; it++) await run.iteration(it);
      await run.drain();
      await run.checkFinal();
      // One more kill with the work all done: the finished state is what comes back.
      const before = await run.snapshot();
      await run.server.kill();
      await run.start();
      const after = await run.snapshot();
      for (const [id, r] of before) if (after.get(id)?.status !== r.status) run.violation(`after a final kill ${run.label(id)} went from ${r.status} to ${after.get(id)?.status}`);
      run.log.push(`${it} kill iterations, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(it, run.context()).toBeGreaterThanOrEqual(Math.min(ITERATIONS, 5));
    } catch (err) {
      if (err instanceof Error) err.message = `${err.message}\n${run.context()}\nserver log (last lines):\n${run.server?.stderr().split('\n').slice(-10).join('\n')}`;
      throw err;
    }
    expect(run.violations.length, run.context()).toBe(0);
    if (process.env.CRASH_VERBOSE) console.log(run.context());
  }, 120_000);
});
