/**
 * Store-and-forward survives kill -9, as a spec (issue 18: "kill -9 at random points during
 * detection and delivery → after restart every event is delivered, none lost, any
 * duplicate carries the same id").
 *
 * The real CLI server (`dist/main/cli.js serve`) runs change detection on Customer and
 * Invoice (start mode snapshot) and sends what it finds to a webhook destination set by
 * configuration keys alone (event.notification.*, format "full": CloudEvents whose data is
 * the record, so the receiver sees each record's EditSequence). The simulated company, its
 * bookkeeper and the webhook receiver live in this test process, so they outlive every kill
 * and know the truth. Again and again:
 *
 * - the bookkeeper works in QuickBooks: adds, edits, deactivates, deletes and merges
 *   customers; adds, edits, voids and deletes invoices — each a few minutes after the last
 *   on the company's clock, so the detection queries' 10-minute overlap does not hide a
 *   watermark that moved too far;
 * - change detection is asked to run now, and a Web Connector session runs its queries;
 * - the server is killed with SIGKILL at a random point: before, while or after it handles
 *   one of the session's SOAP calls (so before, while or after it turns an answer into
 *   events), while the receiver holds a delivery (it then never answers: the app died
 *   with it), right after the receiver answered 200 (before the server could record it),
 *   or a moment after the session; at times the bookkeeper saves a change just before the
 *   kill. Meanwhile the receiver is sometimes slow and sometimes answers 503 with
 *   Retry-After (once per event: the retry schedule's second step is minutes away);
 * - the server is restarted on the same data folder; every outbox row listed before is
 *   still there, and none that was delivered is pending again.
 *
 * Then detection runs without kills until it is caught up and the outbox is drained, and:
 * - every record in the company reached the receiver (answered 2xx: the app has it): a
 *   Create first, and its latest version (the company's EditSequence) last; every record
 *   removed since the snapshot a Delete (or a Merge naming its survivor), with nothing
 *   after it; no event about a record the company never had;
 * - none is lost: every outbox row is delivered, the receiver answered 2xx to every one
 *   of them, and nothing it received is missing from the outbox (same body, too);
 * - a duplicate carries the same event id and the same body; one change (a record's version,
 *   its deletion) is never sent under two event ids;
 * - per record, events arrive in order (as the receiver first sees them): versions by
 *   increasing EditSequence, nothing before its Create, nothing after its deletion — a
 *   Merge counts for both records, the survivor and the one merged away;
 * - every delivery was signed twice, correctly, and names the company (intuitaccountid);
 * - the watermark is caught up — at or past the newest TimeModified in the company, never
 *   ahead of QuickBooks' clock — and one more run finds nothing new.
 *
 * Reproduce a failure with the seed it prints: FORWARD_CRASH_SEED=<seed> npx vitest run
 * test/crash/forward-kill.test.ts (kills "during" a call or after an answer also depend on
 * timing). Build first: the test runs dist/ (npx tsc -p tsconfig.build.json).
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Bookkeeper, FakeQuickBooks } from '../../main/simulator/quickbooks';
import { type QuickBooksHost, runWebConnectorSession, type SessionReport } from '../../main/simulator/web-connector';
import { seededRandom } from '../helpers';
import { type Api, crashScratch, listAll, restClient, type ServerProcess, SoapProxy, startServer } from './cli-server';
import { type Receipt, RecordingReceiver, type Reply } from './forward-receiver';

const ITERATIONS = Number(process.env.FORWARD_CRASH_ITERATIONS ?? 20);
/** The kill loop starts no iteration after this long (catching up and the checks follow). */
const LOOP_BUDGET_MS = Number(process.env.FORWARD_CRASH_BUDGET_MS ?? 35_000);
const PASSWORD = 'forward crash password';
const TOKEN = 'forward-crash-verifier-token';
/** The QuickBooks PC's zone: the simulated company's, and the companion's (TZ of its process). */
const TIME_ZONE = 'America/New_York';
/** The company's clock starts here (far from a DST change) and moves only when the bookkeeper works. */
const QB_START = Date.parse('2025-05-05T13:00:00Z');
const MINUTE = 60_000;
const WATCHED = ['Customer', 'Invoice'] as const;
type Watched = (typeof WATCHED)[number];
type Operation = 'Create' | 'Update' | 'Delete' | 'Merge' | 'Void';
const OPERATIONS: Record<string, Operation> = { created: 'Create', updated: 'Update', deleted: 'Delete', merged: 'Merge', voided: 'Void' };

interface OutboxRow {
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  payload: unknown;
}

/** A delivered event as the receiver first saw it. */
interface Seen {
  eventId: string;
  /** Receipt number of its first arrival. */
  n: number;
  type: Watched;
  /** The record it is about (a Merge: the survivor). */
  id: string;
  operation: Operation;
  /** Of the record's version (Create, Update, Void). */
  editSequence: string | null;
  /** A Merge: the record merged away. */
  deletedId: string | null;
  body: string;
  /** The receiver answered 2xx to it at least once: the app has it. */
  accepted: boolean;
}

type KillPoint =
  | { kind: 'soap'; when: 'before' | 'during' | 'after'; call: number; delayMs: number }
  | { kind: 'delivery'; nth: number; answer: 'hold' | 'ok'; delayMs: number }
  | { kind: 'idle'; delayMs: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wall time in the zone, "2025-05-05T09:00:00": how watermarks keep QuickBooks' times. */
const wallTime = (ms: number): string =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(ms)
    .replace(' ', 'T');

const { cleanup, tempDir } = crashScratch('qbwc-forward-crash-');

class ForwardCrashRun {
  readonly rng: () => number;
  /** The receiver's own randomness: its calls come in delivery order, which timing may shuffle. */
  readonly receiverRng: () => number;
  readonly log: string[] = [];
  readonly violations: string[] = [];
  /** The simulated company's clock (ms). */
  clock = QB_START;
  readonly qb = new FakeQuickBooks({ now: () => new Date(this.clock), timeZone: TIME_ZONE });
  readonly bookkeeper: Bookkeeper;
  readonly proxy = new SoapProxy();
  readonly receiver = new RecordingReceiver(TOKEN);
  /** Records the bookkeeper removed: how, and for a merge the survivor. */
  readonly removed = new Map<string, { type: Watched; how: 'deleted' | 'merged'; into?: string; change: number }>();
  /** Every id the company ever had (the snapshot's records and those added since). */
  readonly everExisted = new Map<string, Watched>();
  /**
   * Per type, how many changes the bookkeeper had made when QuickBooks last answered an
   * unfiltered query of it before the type's first run completed: the snapshot that
   * counted. A record removed before it was never in it, and is no change of detection's.
   */
  private readonly snapshotAt: Partial<Record<Watched, number>> = {};
  private readonly started = new Set<Watched>();
  /** QuickBooks as the Web Connector reaches it: the company, watched for the snapshot's answer. */
  readonly host: QuickBooksHost;
  /** Event ids the receiver answered 503 once already. */
  private readonly throttled = new Set<string>();
  /** Every outbox row ever listed (event id → type), and those listed as delivered. */
  private readonly everListed = new Map<string, string>();
  private readonly everDelivered = new Set<string>();
  server!: ServerProcess;
  api!: Api;
  instance!: { instanceId: string; username: string; ownerId: string; fileId: string };
  private added = 0;
  kills = 0;
  changes = 0;
  changesJustBeforeKills = 0;

  constructor(
    readonly seed: number,
    readonly dataDir: string,
  ) {
    this.rng = seededRandom(seed);
    this.receiverRng = seededRandom(seed ^ 0x5f3759df);
    this.bookkeeper = new Bookkeeper(this.qb, this.rng);
    // A few invoices to start with: an empty snapshot leaves a type without a watermark.
    for (const c of this.qb.customers().filter((x) => x.Sublevel === 0).slice(0, 3)) this.bookkeeper.addInvoice(c.ListID, '250.00');
    this.noteExisting();
    const qb = this.qb;
    this.host = {
      get companyFile() {
        return qb.companyFile;
      },
      hcpResponse: (ownerId, fileId) => qb.hcpResponse(ownerId, fileId),
      processRequest: (xml) => {
        const answer = qb.processRequest(xml);
        for (const type of WATCHED) {
          const unfiltered = new RegExp(`<${type}QueryRq\\b`).test(xml) && !/FromModifiedDate|IncludeRetElement/.test(xml);
          if (unfiltered && !this.started.has(type) && 'response' in answer) this.snapshotAt[type] = this.changes;
        }
        return answer;
      },
      endSession: () => qb.endSession(),
    };
  }

  int(n: number): number {
    return Math.floor(this.rng() * n);
  }

  violation(text: string): void {
    this.violations.push(text);
  }

  context(): string {
    const v = this.violations;
    return [
      `seed ${this.seed} — reproduce with FORWARD_CRASH_SEED=${this.seed} npx vitest run test/crash/forward-kill.test.ts (kills "during" a call also depend on timing)`,
      ...this.log,
      ...(v.length ? [`${v.length} violations${v.length > 40 ? ', the first 40' : ''}:`, ...v.slice(0, 40).map((x) => `  ${x}`)] : []),
    ].join('\n');
  }

  // ---- the companion ----

  async start(): Promise<void> {
    this.server = await startServer(this.dataDir, { env: { ...process.env, TZ: TIME_ZONE } });
    this.api = restClient(this.server);
    this.proxy.retarget(this.server.url);
  }

  /** An instance whose configuration names the receiver, with change detection on (snapshot first). */
  async configure(): Promise<void> {
    this.instance = await this.api('POST', '/instances', { name: 'Forward Crash Co', username: 'forward-crash', password: PASSWORD });
    const id = this.instance.instanceId;
    await this.api('PATCH', `/instances/${id}`, {
      configuration: {
        'event.notification.enabled': 'true',
        'event.notification.callback.url': this.receiver.url,
        'event.notification.verifier.token': TOKEN,
        'event.notification.format': 'full',
        'event.objects': WATCHED.join(','),
      },
    });
    await this.api('PUT', `/instances/${id}/change-detection`, { enabled: true, types: [...WATCHED], startMode: 'snapshot', intervalMinutes: 60 });
  }

  session(): Promise<SessionReport> {
    this.proxy.calls = 0;
    return runWebConnectorSession({
      url: this.proxy.url,
      username: this.instance.username,
      password: PASSWORD,
      ownerId: this.instance.ownerId,
      fileId: this.instance.fileId,
      quickbooks: this.host,
      noopDelayMs: 10,
      maxCalls: 500,
    });
  }

  async runDetectionNow(): Promise<string> {
    const run = await this.api<{ queued: { purpose: string; types: string[] }[] }>('POST', `/instances/${this.instance.instanceId}/change-detection/run`);
    return run.queued.map((q) => `${q.purpose} ${q.types.join('+')}`).join(', ') || 'nothing new';
  }

  async outbox(status?: string): Promise<OutboxRow[]> {
    return listAll<OutboxRow>(this.api, `/instances/${this.instance.instanceId}/deliveries${status ? `?status=${status}` : ''}`);
  }

  // ---- the bookkeeper ----

  private noteExisting(): void {
    for (const c of this.qb.customers()) this.everExisted.set(c.ListID, 'Customer');
    for (const i of this.qb.invoices()) this.everExisted.set(i.TxnID, 'Invoice');
  }

  /** One change in QuickBooks, a few minutes after the last; says what it did. */
  change(): string {
    this.clock += (1 + this.int(6)) * MINUTE + this.int(60) * 1000;
    const customers = this.qb.customers();
    const invoices = this.qb.invoices();
    const pick = <T>(xs: readonly T[]): T | undefined => xs[this.int(xs.length)];
    const active = customers.filter((c) => c.IsActive);
    const live = invoices.filter((i) => !i.lines.every((l) => l.Amount === '0.00'));
    const unused = customers.filter((c) => !invoices.some((i) => i.CustomerListID === c.ListID) && !customers.some((x) => x.ParentListID === c.ListID));
    const r = this.rng();
    let did: string;
    try {
      if (r < 0.2 || active.length < 3) {
        const name = `FK Customer ${++this.added}`;
        did = `added customer ${this.bookkeeper.addCustomer(name).id} "${name}"`;
      } else if (r < 0.34) {
        const c = pick(customers)!;
        this.bookkeeper.editCustomer(c.ListID, { Phone: `555-${String(this.int(10_000)).padStart(4, '0')}` });
        did = `changed the phone of ${c.ListID}`;
      } else if (r < 0.4) {
        const c = pick(customers.filter((x) => x.Sublevel === 0))!;
        this.bookkeeper.editCustomer(c.ListID, { IsActive: !c.IsActive });
        did = `${c.IsActive ? 'deactivated' : 'reactivated'} ${c.ListID}`;
      } else if (r < 0.58) {
        const c = pick(active)!;
        did = `invoiced ${c.ListID}: ${this.bookkeeper.addInvoice(c.ListID, `${10 + this.int(900)}.00`).id}`;
      } else if (r < 0.72 && live.length > 0) {
        const i = pick(live)!;
        this.bookkeeper.editInvoice(i.TxnID, { Memo: `edited at ${new Date(this.clock).toISOString()}` });
        did = `edited invoice ${i.TxnID}`;
      } else if (r < 0.77 && live.length > 0) {
        const i = pick(live)!;
        this.bookkeeper.voidInvoice(i.TxnID);
        did = `voided invoice ${i.TxnID}`;
      } else if (r < 0.85 && invoices.length > 0) {
        const i = pick(invoices)!;
        this.bookkeeper.deleteInvoice(i.TxnID);
        this.removed.set(i.TxnID, { type: 'Invoice', how: 'deleted', change: this.changes });
        did = `deleted invoice ${i.TxnID}`;
      } else if (r < 0.93 && unused.length > 0) {
        const c = pick(unused)!;
        this.bookkeeper.deleteCustomer(c.ListID);
        this.removed.set(c.ListID, { type: 'Customer', how: 'deleted', change: this.changes });
        did = `deleted customer ${c.ListID}`;
      } else {
        const from = pick(customers.filter((c) => c.Sublevel === 0 && !customers.some((x) => x.ParentListID === c.ListID)))!;
        const into = pick(customers.filter((c) => c.Sublevel === 0 && c.ListID !== from.ListID))!;
        this.bookkeeper.mergeCustomers(from.ListID, into.ListID);
        this.removed.set(from.ListID, { type: 'Customer', how: 'merged', into: into.ListID, change: this.changes });
        did = `merged customer ${from.ListID} into ${into.ListID}`;
      }
      this.changes++;
    } catch (err) {
      did = `(QuickBooks refused: ${(err as Error).message})`;
    }
    this.noteExisting();
    return did;
  }

  // ---- the receiver ----

  /** The receiver's usual answer: mostly at once, at times slowly, now and then 503 (only to an event's first arrival). */
  usualReply = (r: Receipt): Reply => {
    const x = this.receiverRng();
    if (x < 0.06 && !this.throttled.has(r.eventId) && !this.receiver.receipts.some((o) => o.eventId === r.eventId && o.n < r.n)) {
      this.throttled.add(r.eventId);
      return { status: 503, headers: { 'Retry-After': '1' } };
    }
    if (x < 0.25) return { status: 200, delayMs: 20 + Math.floor(this.receiverRng() * 200) };
    return { status: 200 };
  };

  // ---- one iteration: changes, a session, a kill, a restart ----

  private pickKill(changes: number): KillPoint {
    const r = this.rng();
    // A session with its four detection queries is about 12 calls; past its end the kill comes between sessions.
    if (r < 0.5) return { kind: 'soap', when: (['before', 'during', 'after'] as const)[this.int(3)]!, call: 1 + this.int(14), delayMs: this.int(4) };
    if (r < 0.8) return { kind: 'delivery', nth: 1 + this.int(changes + 2), answer: this.rng() < 0.5 ? 'hold' : 'ok', delayMs: this.int(4) };
    return { kind: 'idle', delayMs: this.int(400) };
  }

  async iteration(it: number): Promise<void> {
    const before = await this.outbox();
    for (const row of before) {
      this.everListed.set(row.eventId, row.eventType);
      if (row.status === 'delivered') this.everDelivered.add(row.eventId);
    }
    const n = 1 + this.int(5);
    const did: string[] = [];
    for (let i = 0; i < n; i++) did.push(this.change());
    const kill = this.pickKill(n);
    const justBefore = this.rng() < 0.4 ? 1 + this.int(2) : 0;
    const queued = this.rng() < 0.85 ? await this.runDetectionNow() : '(not asked to run)';
    const firstReceipt = this.receiver.receipts.length;

    let dying: Promise<void> | null = null;
    let killedAt = '';
    const lastMinute: string[] = [];
    const killNow = (where: string): Promise<void> => {
      if (dying) return dying;
      killedAt = where;
      for (let i = 0; i < justBefore; i++) lastMinute.push(this.change());
      this.changesJustBeforeKills += justBefore;
      this.proxy.target = null;
      dying = this.server.kill(); // SIGKILL is sent at once
      return dying;
    };
    let timer: NodeJS.Timeout | undefined;

    if (kill.kind === 'soap') {
      this.proxy.hooks = {
        beforeForward: async (call) => {
          if (call.index === kill.call && kill.when === 'before') await killNow(`before call ${call.index} (${call.method})`);
        },
        forwarded: (call) => {
          if (call.index === kill.call && kill.when === 'during') timer = setTimeout(() => void killNow(`during call ${call.index} (${call.method}) +${kill.delayMs} ms`), kill.delayMs);
        },
        answered: async (call) => {
          if (call.index === kill.call && kill.when === 'after') await killNow(`after call ${call.index} (${call.method}) was answered`);
        },
      };
    }
    if (kill.kind === 'delivery') {
      this.receiver.reply = async (r) => {
        if (r.n - firstReceipt !== kill.nth || dying) return this.usualReply(r);
        if (kill.answer === 'hold') {
          await killNow(`while the receiver held delivery ${kill.nth} of the iteration (${r.eventId}), unanswered`);
          return { status: null };
        }
        timer = setTimeout(() => void killNow(`${kill.delayMs} ms after the receiver answered 200 to delivery ${kill.nth} (${r.eventId})`), kill.delayMs);
        return { status: 200 };
      };
    }

    const report = await this.session();
    if (!dying) {
      if (kill.kind === 'delivery') for (let waited = 0; !dying && waited < 1500; waited += 10) await sleep(10);
      if (kill.kind === 'idle') await sleep(kill.delayMs);
      if (!dying) void killNow(kill.kind === 'idle' ? `${kill.delayMs} ms after the session` : `after the session (${kill.kind} kill point not reached)`);
    }
    await dying;
    clearTimeout(timer);
    this.proxy.hooks = {};
    this.receiver.reply = this.usualReply;
    this.kills++;
    const received = this.receiver.receipts.length - firstReceipt;
    this.log.push(
      `#${it}: bookkeeper: ${did.join('; ')}; detection: ${queued}; session ${report.outcome} after ${report.transcript.length} calls; ` +
        `${received} deliveries received; killed ${killedAt}${lastMinute.length ? `; just before the kill: ${lastMinute.join('; ')}` : ''}`,
    );

    await this.start();
    await this.checkAfterRestart(it);
  }

  /** Nothing the outbox held is gone after a restart, and nothing delivered is pending again. */
  async checkAfterRestart(it: number): Promise<void> {
    const now = new Map((await this.outbox()).map((r) => [r.eventId, r]));
    for (const [eventId, eventType] of this.everListed) {
      const row = now.get(eventId);
      if (!row) this.violation(`after the restart of iteration ${it}: outbox row ${eventId} (${eventType}) is gone`);
      else if (row.eventType !== eventType) this.violation(`after the restart of iteration ${it}: outbox row ${eventId} was ${eventType}, now ${row.eventType}`);
    }
    for (const eventId of this.everDelivered) {
      if (now.get(eventId)?.status !== 'delivered') this.violation(`after the restart of iteration ${it}: ${eventId} was delivered, now ${now.get(eventId)?.status}`);
    }
    for (const row of now.values()) if (row.status === 'dead') this.violation(`after the restart of iteration ${it}: ${row.eventId} (${row.eventType}) is dead after ${row.attempts} attempts`);
    const health = await this.api<{ activeSessions: number }>('GET', '/health');
    if (health.activeSessions !== 0) this.violation(`after the restart of iteration ${it}: ${health.activeSessions} sessions still active`);
    await this.noteStarted();
  }

  /** Which types have had their first run (their snapshot answer is final then). */
  async noteStarted(): Promise<void> {
    const cd = await this.api<{ watermarks: { type: Watched; started: boolean }[] }>('GET', `/instances/${this.instance.instanceId}/change-detection`);
    for (const w of cd.watermarks) if (w.started) this.started.add(w.type);
  }

  // ---- catching up ----

  /** Detection has nothing waiting for QuickBooks, and every type has had its first run. */
  private async detectionIdle(): Promise<boolean> {
    const cd = await this.api<{ watermarks: { type: string; started: boolean; running: string[] }[] }>('GET', `/instances/${this.instance.instanceId}/change-detection`);
    const open = await listAll<{ status: string }>(this.api, `/instances/${this.instance.instanceId}/requests?status=queued`);
    return open.length === 0 && WATCHED.every((t) => cd.watermarks.some((w) => w.type === t && w.started && w.running.length === 0));
  }

  /** A run without kills: detection asked to run now, a session, then until the outbox is drained. */
  async cleanRound(label: string): Promise<void> {
    const queued = await this.runDetectionNow();
    const report = await this.session();
    if (report.outcome !== 'completed' && report.outcome !== 'no_work') this.violation(`${label}: the session ended ${report.outcome}: ${report.message}`);
    const end = Date.now() + 30_000;
    let pending = await this.outbox('pending');
    while (pending.length > 0 && Date.now() < end) {
      await sleep(100);
      pending = await this.outbox('pending');
    }
    if (pending.length > 0) this.violation(`${label}: ${pending.length} deliveries still pending after 30 s: ${pending.slice(0, 5).map((p) => `${p.eventType} ${p.eventId}`).join(', ')}`);
    if (!(await this.detectionIdle())) this.violation(`${label}: change detection still has queries waiting after a completed session`);
    this.log.push(`${label}: detection: ${queued}; session ${report.outcome}; ${this.receiver.receipts.length} deliveries received so far`);
  }

  // ---- the checks ----

  /** Each event once, as first received, in order. */
  seen(): Seen[] {
    const out: Seen[] = [];
    const first = new Map<string, Receipt>();
    const accepted = new Set(this.receiver.receipts.filter((r) => r.accepted).map((r) => r.eventId));
    for (const r of this.receiver.receipts) {
      if (r.signatureProblem) this.violation(`delivery #${r.n} (${r.eventId}): ${r.signatureProblem}`);
      const earlier = first.get(r.eventId);
      if (earlier) {
        if (earlier.body !== r.body) this.violation(`event ${r.eventId} arrived again (#${earlier.n}, #${r.n}) with another body`);
        continue;
      }
      first.set(r.eventId, r);
      let event: Record<string, any>;
      try {
        const body = JSON.parse(r.body) as unknown;
        if (!Array.isArray(body) || body.length !== 1) throw new Error('not one CloudEvent');
        event = body[0] as Record<string, any>;
      } catch (err) {
        this.violation(`delivery #${r.n} (${r.eventId}) is not a CloudEvents array of one: ${(err as Error).message}: ${r.body.slice(0, 200)}`);
        continue;
      }
      const m = /^qbd\.(customer|invoice)\.(created|updated|deleted|merged|voided)\.v1$/.exec(String(event.type));
      if (!m || event.specversion !== '1.0' || event.id !== r.eventId || event.intuitaccountid !== this.instance.fileId || typeof event.intuitentityid !== 'string') {
        this.violation(`delivery #${r.n} (${r.eventId}) is not a CloudEvent of this company's Customer or Invoice: ${r.body.slice(0, 300)}`);
        continue;
      }
      const data = (event.data ?? {}) as Record<string, unknown>;
      out.push({
        eventId: r.eventId,
        n: r.n,
        type: m[1] === 'customer' ? 'Customer' : 'Invoice',
        id: event.intuitentityid as string,
        operation: OPERATIONS[m[2] as string] as Operation,
        editSequence: typeof data.EditSequence === 'string' ? data.EditSequence : null,
        deletedId: typeof data.deletedid === 'string' ? data.deletedid : null,
        body: r.body,
        accepted: accepted.has(r.eventId),
      });
    }
    return out;
  }

  async checkFinal(): Promise<void> {
    const seen = this.seen();
    const rows = await this.outbox();

    // None lost: the outbox and the receiver hold the same events, all delivered — taken by the receiver (2xx).
    const accepted = new Set(seen.filter((s) => s.accepted).map((s) => s.eventId));
    const byId = new Map(rows.map((r) => [r.eventId, r]));
    for (const row of rows) {
      if (row.status !== 'delivered') this.violation(`outbox row ${row.eventId} (${row.eventType}) ended ${row.status} after ${row.attempts} attempts`);
      if (!accepted.has(row.eventId)) this.violation(`outbox row ${row.eventId} (${row.eventType}) is ${row.status}, but the receiver never answered it 2xx`);
    }
    for (const s of seen) {
      const row = byId.get(s.eventId);
      if (!row) this.violation(`the receiver got ${s.eventId} (${s.type} ${s.operation} ${s.id}), which is not in the outbox`);
      else if (!isDeepStrictEqual(row.payload, JSON.parse(s.body))) this.violation(`the receiver got ${s.eventId} with a body other than the outbox's`);
    }

    // One change, one event id: a record's version, its deletion or its merge is never sent twice as two events.
    const changeKey = (s: Seen) =>
      s.operation === 'Delete' ? `${s.type} ${s.id} deleted` : s.operation === 'Merge' ? `${s.type} ${s.deletedId} merged` : `${s.type} ${s.id} version ${s.editSequence}`;
    const events = new Map<string, string>();
    for (const s of seen) {
      const other = events.get(changeKey(s));
      if (other) this.violation(`${changeKey(s)} was sent as two events: ${other} and ${s.eventId}`);
      events.set(changeKey(s), s.eventId);
      if (['Create', 'Update', 'Void'].includes(s.operation) && s.editSequence === null) this.violation(`${s.eventId} (${s.type} ${s.operation} ${s.id}) carries no record`);
    }

    // Per record, in the order the receiver first saw them.
    const perRecord = new Map<string, Seen[]>();
    const add = (id: string, s: Seen) => perRecord.set(id, [...(perRecord.get(id) ?? []), s]);
    for (const s of seen) {
      add(s.id, s);
      if (s.operation === 'Merge' && s.deletedId) add(s.deletedId, s);
    }
    const describe = (list: Seen[]) =>
      list
        .map((s) => `#${s.n} ${s.operation}${s.editSequence ? ` ${s.editSequence}` : ''}${s.deletedId ? ` ${s.deletedId}→${s.id}` : ''}${this.throttled.has(s.eventId) ? ' (503 first)' : ''}`)
        .join(', ');
    const removal = (id: string, s: Seen) => (s.operation === 'Delete' && s.id === id) || (s.operation === 'Merge' && s.deletedId === id);
    for (const [id, list] of perRecord) {
      const type = this.everExisted.get(id);
      if (!type) {
        this.violation(`events about ${id}, which the company never had: ${describe(list)}`);
        continue;
      }
      if (list.some((s) => s.type !== type)) this.violation(`events about ${type} ${id} under another entity name: ${describe(list)}`);
      const creates = list.filter((s) => s.operation === 'Create' && s.id === id);
      if (creates.length > 0 && list[0] !== creates[0]) this.violation(`${type} ${id}: events before its Create: ${describe(list)}`);
      if (creates.length > 1) this.violation(`${type} ${id}: created twice: ${describe(list)}`);
      const versions = list.filter((s) => s.id === id && s.editSequence !== null).map((s) => Number(s.editSequence));
      if (versions.some((v, i) => i > 0 && v <= (versions[i - 1] as number))) this.violation(`${type} ${id}: versions out of order: ${describe(list)}`);
      const gone = list.findIndex((s) => removal(id, s));
      if (gone !== -1 && gone !== list.length - 1) this.violation(`${type} ${id}: events after its removal: ${describe(list)}`);
    }

    // Every record in the company: created, and its latest version delivered.
    const company: [Watched, string, string][] = [
      ...this.qb.customers().map((c) => ['Customer', c.ListID, c.EditSequence] as [Watched, string, string]),
      ...this.qb.invoices().map((i) => ['Invoice', i.TxnID, i.EditSequence] as [Watched, string, string]),
    ];
    const taken = (id: string) => (perRecord.get(id) ?? []).filter((s) => s.accepted);
    for (const [type, id, editSequence] of company) {
      const list = taken(id);
      if (list.length === 0) {
        this.violation(`${type} ${id} (EditSequence ${editSequence}) never reached the receiver`);
        continue;
      }
      if (list[0]?.operation !== 'Create') this.violation(`${type} ${id}: its first event is not a Create: ${describe(list)}`);
      const latest = list.filter((s) => s.id === id && s.editSequence !== null).at(-1);
      if (latest?.editSequence !== editSequence) this.violation(`${type} ${id}: QuickBooks has EditSequence ${editSequence}, the receiver's latest is ${latest?.editSequence}: ${describe(list)}`);
      if (list.some((s) => removal(id, s))) this.violation(`${type} ${id} is in QuickBooks, yet was reported removed: ${describe(list)}`);
    }
    // Every record removed: a Delete, or a Merge that names its survivor.
    let merges = 0;
    let beforeSnapshot = 0;
    for (const [id, r] of this.removed) {
      const list = taken(id);
      const gone = list.find((s) => removal(id, s));
      const snapshot = this.snapshotAt[r.type];
      if (snapshot === undefined) this.violation(`QuickBooks never answered a ${r.type} snapshot`);
      else if (!gone && r.change < snapshot) beforeSnapshot++;
      else if (!gone) this.violation(`${r.type} ${id} was ${r.how} in QuickBooks, and no Delete or Merge reached the receiver: ${describe(list)}`);
      else if (gone.operation === 'Merge' && gone.id !== r.into) this.violation(`${r.type} ${id} was merged into ${r.into}, the Merge names ${gone.id}`);
      else if (gone.operation === 'Merge') merges++;
    }

    const duplicates = this.receiver.receipts.length - seen.length;
    const ops: Record<string, number> = {};
    for (const s of seen) ops[`${s.type} ${s.operation}`] = (ops[`${s.type} ${s.operation}`] ?? 0) + 1;
    this.log.push(
      `final: ${seen.length} events (${Object.entries(ops).map(([k, v]) => `${v} ${k}`).join(', ')}), ${duplicates} received again with the same id, ` +
        `${this.throttled.size} answered 503 once; the company has ${company.length} records, ${this.removed.size} removed (${merges} reported as merges, ${beforeSnapshot} before the snapshot); ` +
        `${this.changes} changes by the bookkeeper, ${this.changesJustBeforeKills} of them just before a kill; ${this.kills} kills`,
    );
  }

  /** The watermark caught up: at or past the newest TimeModified QuickBooks has of the type, never past QuickBooks' clock. */
  async checkWatermarks(): Promise<void> {
    const cd = await this.api<{ watermarks: { type: string; changedSince: string | null }[] }>('GET', `/instances/${this.instance.instanceId}/change-detection`);
    const newest: Record<Watched, number> = {
      Customer: Math.max(...this.qb.customers().map((c) => Date.parse(c.TimeModified))),
      Invoice: Math.max(...this.qb.invoices().map((i) => Date.parse(i.TimeModified)), Number.NEGATIVE_INFINITY),
    };
    for (const type of WATCHED) {
      const mark = cd.watermarks.find((w) => w.type === type)?.changedSince?.slice(0, 19) ?? null;
      if (Number.isFinite(newest[type]) && (mark === null || mark < wallTime(newest[type]))) {
        this.violation(`the ${type} watermark is ${mark}, behind the newest change in QuickBooks (${wallTime(newest[type])})`);
      }
      if (mark !== null && mark > wallTime(this.clock)) this.violation(`the ${type} watermark ${mark} is past QuickBooks' clock (${wallTime(this.clock)})`);
    }
  }
}

describe('store and forward under kill -9', () => {
  it('delivers every change QuickBooks saw, none lost, a duplicate only with its event id, however often the server is killed', async () => {
    const seed = Number(process.env.FORWARD_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const run = new ForwardCrashRun(seed, tempDir());
    await run.proxy.listen();
    await run.receiver.listen();
    cleanup.push(
      () => run.proxy.close(),
      () => run.receiver.close(),
    );
    run.receiver.reply = run.usualReply;
    const started = Date.now();
    try {
      await run.start();
      await run.configure();
      let it = 0;
      for (; it < ITERATIONS && Date.now() - started < LOOP_BUDGET_MS; it++) await run.iteration(it);
      run.log.push(`${it} kill iterations in ${((Date.now() - started) / 1000).toFixed(1)} s`);

      // Caught up: a clean run delivers what is left; one more finds nothing new.
      await run.cleanRound('catch-up');
      const delivered = new Set(run.receiver.receipts.map((r) => r.eventId)).size;
      await run.cleanRound('one more run');
      const more = new Set(run.receiver.receipts.map((r) => r.eventId)).size - delivered;
      if (more > 0) run.violation(`a run with nothing changed in QuickBooks sent ${more} new events`);
      await run.checkWatermarks();
      await run.checkFinal();

      // One more kill with all delivered: nothing is sent again, nothing changes.
      const receipts = run.receiver.receipts.length;
      await run.server.kill();
      await run.start();
      await sleep(500);
      const after = await run.outbox();
      if (after.some((r) => r.status !== 'delivered')) run.violation(`after a final kill, ${after.filter((r) => r.status !== 'delivered').length} rows are not delivered`);
      if (run.receiver.receipts.length !== receipts) run.violation(`after a final kill, ${run.receiver.receipts.length - receipts} deliveries were sent again`);
      for (const e of [...run.proxy.errors, ...run.receiver.errors]) run.violation(`a proxy or receiver hook failed: ${(e as Error).stack ?? e}`);
      run.log.push(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(it, run.context()).toBeGreaterThanOrEqual(Math.min(ITERATIONS, 5));
    } catch (err) {
      if (err instanceof Error) err.message = `${err.message}\n${run.context()}\nserver log (last lines):\n${run.server?.stderr().split('\n').slice(-10).join('\n')}`;
      throw err;
    }
    expect(run.violations.length, run.context()).toBe(0);
    if (process.env.FORWARD_CRASH_VERBOSE) console.log(run.context());
  }, 120_000);
});
