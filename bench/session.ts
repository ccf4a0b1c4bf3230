/**
 * The 5,000-request QBWC session, served side by side by
 *   - the companion (dist/main/cli.js serve: SQLite-backed, every state change persisted),
 *   - quickbooks-js (node-soap, in-memory; bench/servers/quickbooks-js.ts),
 *   - a bare node:http server with canned answers (the floor; bench/servers/bare.ts),
 * each driven by the same client (bench/client.ts) over one keep-alive connection.
 *
 * Per run and server: start it (fresh process; fresh data folder for the companion),
 * wait ~1 s and read idle RSS, run a warm-up session, then the measured session. Server
 * CPU comes from the server's own /proc/<pid>/stat (utime+stime) read right before and
 * after the measured session, divided by the SOAP calls. Runs interleave the servers
 * (A B C A B C …); medians over runs are reported along with every run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baselineOption, type BenchContext, type Benchmark, type BenchResult, intOption, runsOption } from './benchmark';
import { COMPANY_FILE, loadHcpResponse, QbwcClient, type SessionResult } from './client';
import {
  type Child,
  clockTicksPerSecond,
  cpuTicksByThread,
  freePort,
  ioCounters,
  makeTempDir,
  removeTempDir,
  ROOT,
  sleep,
  spawnNode,
  statusMb,
  stopChild,
  waitForPort,
} from './procs';
import { summarizeProfiles, type ProfileSummary, type Window, WINDOWS_FILE } from './profile';
import { pool, restJson } from './rest';
import { medianOf, percentileSorted, round } from './stats';

export const USERNAME = 'bench';
export const PASSWORD = 'bench-password-1';
export const QBXML = '<CustomerQueryRq><MaxReturned>1</MaxReturned></CustomerQueryRq>';
const SESSION_TIMEOUT_MS = 180_000;

/** `baseline`: another build of the companion (--baseline DIR), run the same way, for a before/after in one run. */
type ServerKey = 'companion' | 'baseline' | 'quickbooksJs' | 'bare';
const ALL_SERVERS: readonly ServerKey[] = ['companion', 'quickbooksJs', 'bare'];

interface Config {
  requests: number;
  warmup: number;
  runs: number;
  servers: ServerKey[];
  cpuProfDir: string | null;
  /** 'cli' (default): dist/main/cli.js serve; 'module': bench/servers/companion.ts calling startCompanion. */
  companionLauncher: 'cli' | 'module';
  /** The root of another built checkout of the companion, served as `baseline`. */
  baselineRoot: string | null;
}

interface Started {
  pid: number;
  soapUrl: string;
  readyMs: number;
  /** Sizes of the warm-up sessions (one session for most servers). */
  warmupSessions: number[];
  /** After the idle-RSS reading: whatever the server needs before its first session. */
  setup(): Promise<void>;
  /** Puts n requests in place for the next session; the requestIDs it must deliver, in order if known. */
  prepare(n: number): Promise<{ expectedIds: string[] | null; setupMs: number }>;
  /** Server-side checks after a session of n requests; returns problems found. */
  verify(n: number, r: SessionResult, expectedIds: string[] | null): Promise<string[]>;
  stop(): Promise<void>;
}

interface RunRecord {
  run: number;
  server: ServerKey;
  ok: boolean;
  error?: string;
  cpuPerCallUs?: number;
  /** The share of cpuPerCallUs spent on the main thread; the rest is V8's GC and compiler helpers, workers, libuv's pool. */
  mainThreadCpuPerCallUs?: number;
  cpuTicks?: number;
  callsPerSecond?: number;
  wallMs?: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  /** Calls slower than the 2 ms p99 target. */
  callsOver2Ms?: number;
  /** From /proc/<pid>/io over the measured session: read/write syscalls (sockets and files) and bytes written, per SOAP call. */
  io?: { readSyscallsPerCall: number; writeSyscallsPerCall: number; writtenKbPerCall: number } | null;
  calls?: number;
  requests?: number;
  readyMs?: number;
  idleRssMb?: number;
  rssAfterMb?: number;
  peakRssMb?: number;
  enqueueMs?: number;
  authenticateStrings?: number;
  wrappedScalarResults?: boolean;
  verified?: boolean;
}

function hrUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ---- quickbooks-js arithmetic ----

/**
 * How many responses a quickbooks-js session of a queue of `length` lasts: it answers
 * receiveResponseXML with (counter * 100 / length).toFixed(), and the Web Connector
 * stops at "100" — which toFixed() reaches by rounding 99.5 up, before the queue is empty.
 */
export function quickbooksJsSessionLength(length: number): number {
  for (let k = 1; k <= length; k++) if (Number(((k * 100) / length).toFixed()) >= 100) return k;
  return length;
}

/** The queue length whose quickbooks-js session delivers exactly n requests. */
export function quickbooksJsQueueFor(n: number): number {
  for (let length = n; length < 2 * n + 2; length++) if (quickbooksJsSessionLength(length) === n) return length;
  throw new Error(`no quickbooks-js queue length gives a ${n}-request session`);
}

/**
 * Warm-up sessions for quickbooks-js that leave its global counter at 0: only a queue
 * shorter than 200 ends exactly at its last request (longer ones are cut short by the
 * rounding and leave the counter mid-queue, which would shorten the measured session).
 */
export function quickbooksJsWarmupSessions(total: number): number[] {
  const out: number[] = [];
  for (let left = total; left > 0; left -= 100) out.push(Math.min(100, left));
  return out;
}

// ---- servers ----

/** node flags for --cpu-prof: one folder per server under the run's profile folder. */
function profFlags(cfg: Config, server: ServerKey): string[] {
  if (!cfg.cpuProfDir) return [];
  const dir = path.join(cfg.cpuProfDir, server);
  fs.mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir];
}

function checkSession(n: number, r: SessionResult, expectedIds: string[] | null, inOrder: boolean): string[] {
  const problems: string[] = [];
  if (r.requests !== n) problems.push(`session delivered ${r.requests} requests, expected ${n}`);
  if (r.finalPercent !== 100) problems.push(`session ended at ${r.finalPercent}%`);
  if (r.calls !== 2 * n + 2) problems.push(`${r.calls} SOAP calls, expected ${2 * n + 2}`);
  if (expectedIds) {
    if (r.distinctRequestIds !== expectedIds.length) problems.push(`${r.distinctRequestIds} distinct requestIDs, expected ${expectedIds.length}`);
    if (inOrder) {
      const bad = expectedIds.findIndex((id, i) => r.requestIds[i] !== id);
      if (bad !== -1) problems.push(`request ${bad} had requestID ${r.requestIds[bad]}, expected ${expectedIds[bad]}`);
    } else {
      const seen = new Set(r.requestIds);
      const missing = expectedIds.filter((id) => !seen.has(id)).length;
      if (missing) problems.push(`${missing} enqueued requests never sent`);
    }
  }
  return problems;
}

async function firstLine(child: Child, what: string): Promise<string> {
  return withTimeout(child.firstLine, 20_000, `${what} ready line`);
}

function startCompanion(cfg: Config, server: 'companion' | 'baseline', root: string): () => Promise<Started> {
  return async () => {
    const cli = path.join(root, 'dist', 'main', 'cli.js');
    const launcher = path.join(root, 'dist', 'bench', 'servers', 'companion.js');
    const script = cfg.companionLauncher === 'cli' ? cli : launcher;
    if (!fs.existsSync(script)) throw new Error(`${script} not found: build first (npx tsc -p tsconfig.build.json)`);
    const dataDir = makeTempDir(server);
    const nodeFlags = profFlags(cfg, server);
    const args = cfg.companionLauncher === 'cli' ? [cli, 'serve', '--data-dir', dataDir, '--port', '0'] : [launcher, '--data-dir', dataDir, '--port', '0'];
    const t0 = process.hrtime.bigint();
    const child = spawnNode([...nodeFlags, ...args]);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await stopChild(child, 5000);
      removeTempDir(dataDir);
    };
    try {
      const url = await firstLine(child, server);
      const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!/^https?:\/\/\S+$/.test(url)) throw new Error(`companion printed "${url}", expected its URL`);
      const token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
      let instanceId = '';
      return {
        pid: child.pid,
        soapUrl: `${url}/qbwc`,
        readyMs,
        warmupSessions: cfg.warmup > 0 ? [cfg.warmup] : [],
        async setup() {
          const res = await restJson<{ instanceId?: string }>(url, 'POST', '/api/v1/instances', token, {
            name: 'Bench',
            username: USERNAME,
            password: PASSWORD,
          });
          if (res.status !== 201 && res.status !== 200) throw new Error(`create instance: HTTP ${res.status} ${JSON.stringify(res.json)}`);
          if (!res.json.instanceId) throw new Error(`create instance: no instanceId in ${JSON.stringify(res.json)}`);
          instanceId = res.json.instanceId;
        },
        async prepare(n) {
          const t = process.hrtime.bigint();
          const ids = await pool(n, 16, async () => {
            const res = await restJson<{ requestId?: string }>(url, 'POST', `/api/v1/instances/${instanceId}/requests`, token, { qbxml: QBXML });
            if (res.status !== 202 || !res.json.requestId) throw new Error(`enqueue: HTTP ${res.status} ${JSON.stringify(res.json)}`);
            return res.json.requestId;
          });
          return { expectedIds: ids, setupMs: Number(process.hrtime.bigint() - t) / 1e6 };
        },
        async verify(n, r, expectedIds) {
          // Requests are sent by priority then age; concurrent enqueues may tie on time, so don't insist on order.
          const problems = checkSession(n, r, expectedIds, false);
          const res = await restJson<{ data?: Array<Record<string, unknown>> }>(url, 'GET', `/api/v1/instances/${instanceId}/sessions?limit=1`, token);
          const s = res.json.data?.[0];
          if (!s) problems.push(`no session recorded (HTTP ${res.status})`);
          else {
            if (s.status !== 'closed') problems.push(`stored session status ${String(s.status)}`);
            if (s.requestsDone !== n) problems.push(`stored session requestsDone ${String(s.requestsDone)}, expected ${n}`);
            if (s.requestsFailed !== 0) problems.push(`stored session requestsFailed ${String(s.requestsFailed)}`);
          }
          return problems;
        },
        stop,
      };
    } catch (err) {
      await stop();
      throw err;
    }
  };
}

function startQuickbooksJs(queueSizes: number[], companyFile: string | null, warmupSessions: number[] = [], nodeFlags: string[] = []): Promise<Started> {
  return (async () => {
    const script = path.join(ROOT, 'dist', 'bench', 'servers', 'quickbooks-js.js');
    const port = await freePort();
    const t0 = process.hrtime.bigint();
    const child = spawnNode([...nodeFlags, script], {
      QB_SOAP_PORT: String(port),
      QB_USERNAME: USERNAME,
      QB_PASSWORD: PASSWORD,
      QB_COMPANY_FILE: companyFile ?? '',
      BENCH_QUEUE_SIZES: queueSizes.join(','),
    });
    try {
      await waitForPort(port, child);
    } catch (err) {
      await stopChild(child);
      throw err;
    }
    const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
    return {
      pid: child.pid,
      soapUrl: `http://127.0.0.1:${port}/wsdl`,
      readyMs,
      warmupSessions,
      async setup() {},
      async prepare(n) {
        return { expectedIds: Array.from({ length: n }, (_, i) => String(i)), setupMs: 0 };
      },
      async verify(n, r, expectedIds) {
        return checkSession(n, r, expectedIds, true);
      },
      stop: () => stopChild(child),
    };
  })();
}

async function startBare(sessionSizes: number[], warmupSessions: number[], nodeFlags: string[] = []): Promise<Started> {
  const script = path.join(ROOT, 'dist', 'bench', 'servers', 'bare.js');
  const t0 = process.hrtime.bigint();
  const child = spawnNode([...nodeFlags, script], { BENCH_PORT: '0', BENCH_SESSION_SIZES: sessionSizes.join(',') });
  let url: string;
  try {
    url = await firstLine(child, 'bare server');
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    pid: child.pid,
    soapUrl: `${url}/qbwc`,
    readyMs,
    warmupSessions,
    async setup() {},
    async prepare() {
      return { expectedIds: null, setupMs: 0 };
    },
    async verify(n, r) {
      return checkSession(n, r, null, false);
    },
    stop: () => stopChild(child),
  };
}

// ---- one run of one server ----

async function runSession(started: Started, maxRequests: number, hcp: string): Promise<SessionResult> {
  const client = new QbwcClient(started.soapUrl);
  try {
    return await withTimeout(
      client.session({ url: started.soapUrl, username: USERNAME, password: PASSWORD, maxRequests, hcpResponse: hcp }),
      SESSION_TIMEOUT_MS,
      'session',
    );
  } finally {
    client.close();
  }
}

async function runOne(
  server: ServerKey,
  run: number,
  cfg: Config,
  hcp: string,
  start: () => Promise<Started>,
  log: (m: string) => void,
  windows: Window[],
): Promise<RunRecord> {
  const record: RunRecord = { run, server, ok: false };
  const started = await start();
  try {
    record.readyMs = round(started.readyMs, 1);
    await sleep(1000);
    record.idleRssMb = round(statusMb(started.pid, 'VmRSS'), 1);
    await started.setup();

    for (const size of started.warmupSessions) {
      const prep = await started.prepare(size);
      const warm = await runSession(started, size + 10, hcp);
      const problems = await started.verify(size, warm, prep.expectedIds);
      if (problems.length) throw new Error(`warm-up: ${problems.join('; ')}`);
    }

    const prep = await started.prepare(cfg.requests);
    if (prep.setupMs) record.enqueueMs = round(prep.setupMs, 1);
    await sleep(200); // let the server settle after the set-up work
    const hz = clockTicksPerSecond();
    const threadsBefore = cpuTicksByThread(started.pid);
    const ioBefore = ioCounters(started.pid);
    const fromUs = hrUs();
    const r = await runSession(started, cfg.requests + 10, hcp);
    const toUs = hrUs();
    await sleep(50);
    const threadsAfter = cpuTicksByThread(started.pid);
    const mainTicks = threadsAfter.main - threadsBefore.main;
    const ticks = mainTicks + threadsAfter.others - threadsBefore.others;
    const ioAfter = ioCounters(started.pid);
    windows.push({ fromUs, toUs });
    record.rssAfterMb = round(statusMb(started.pid, 'VmRSS'), 1);
    record.peakRssMb = round(statusMb(started.pid, 'VmHWM'), 1);

    const sorted = Float64Array.from(r.latenciesMs).sort();
    Object.assign(record, {
      cpuTicks: ticks,
      cpuPerCallUs: round(((ticks / hz) * 1e6) / r.calls, 1),
      mainThreadCpuPerCallUs: round(((mainTicks / hz) * 1e6) / r.calls, 1),
      callsPerSecond: round(r.calls / (r.wallMs / 1000), 0),
      wallMs: round(r.wallMs, 1),
      p50Ms: round(percentileSorted(sorted, 50), 3),
      p99Ms: round(percentileSorted(sorted, 99), 3),
      maxMs: round(sorted[sorted.length - 1] ?? Number.NaN, 3),
      callsOver2Ms: sorted.filter((v) => v > 2).length,
      io:
        ioBefore && ioAfter
          ? {
              readSyscallsPerCall: round((ioAfter.syscr - ioBefore.syscr) / r.calls, 2),
              writeSyscallsPerCall: round((ioAfter.syscw - ioBefore.syscw) / r.calls, 2),
              writtenKbPerCall: round((ioAfter.wchar - ioBefore.wchar) / 1024 / r.calls, 2),
            }
          : null,
      calls: r.calls,
      requests: r.requests,
      authenticateStrings: 1 + r.authResult.length,
      wrappedScalarResults: r.wrappedScalarResults,
    });
    const problems = await started.verify(cfg.requests, r, prep.expectedIds);
    if (problems.length) throw new Error(`measured session: ${problems.join('; ')}`);
    record.verified = true;
    record.ok = true;
    log(
      `run ${run} ${server}: ${record.cpuPerCallUs} µs CPU/call, ${record.callsPerSecond} calls/s, p50 ${record.p50Ms} ms, p99 ${record.p99Ms} ms, ${r.calls} calls`,
    );
  } catch (err) {
    record.error = err instanceof Error ? err.message : String(err);
    log(`run ${run} ${server}: FAILED: ${record.error}`);
  } finally {
    await started.stop();
  }
  return record;
}

// ---- quickbooks-js quirk probe ----

interface ProbeResult {
  queueLength: number;
  /** Requests per session until the queue was delivered once: [requests, sessions] pairs. */
  sessionLengths: Array<[number, number]>;
  sessions: number;
  /** Strings in authenticateResult with QB_COMPANY_FILE unset (QBWC expects at least 2). */
  authenticateStringsWithDefaultCompanyFile: number;
  error?: string;
}

async function probeQuickbooksJs(n: number, hcp: string, log: (m: string) => void): Promise<ProbeResult> {
  const out: ProbeResult = { queueLength: n, sessionLengths: [], sessions: 0, authenticateStringsWithDefaultCompanyFile: 0 };
  log(`quickbooks-js probe: sessions over one ${n}-request queue, default company file`);
  let started: Started | undefined;
  try {
    started = await startQuickbooksJs([n], null);
    let delivered = 0;
    while (delivered < n && out.sessions < 40) {
      const r = await runSession(started, n + 10, hcp);
      if (out.sessions === 0) out.authenticateStringsWithDefaultCompanyFile = 1 + r.authResult.length;
      out.sessions++;
      delivered += r.requests;
      const last = out.sessionLengths[out.sessionLengths.length - 1];
      if (last && last[0] === r.requests) last[1]++;
      else out.sessionLengths.push([r.requests, 1]);
    }
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
  } finally {
    await started?.stop();
  }
  return out;
}

// ---- aggregation ----

function aggregate(runs: RunRecord[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ok = runs.filter((r) => r.ok);
  const m = (pick: (r: RunRecord) => number | undefined, digits = 3) => {
    const v = medianOf(ok, pick);
    return v === null ? null : round(v, digits);
  };
  return {
    cpuPerCallUs: m((r) => r.cpuPerCallUs, 1),
    callsPerSecond: m((r) => r.callsPerSecond, 0),
    p50Ms: m((r) => r.p50Ms),
    p99Ms: m((r) => r.p99Ms),
    calls: m((r) => r.calls, 0),
    requests: m((r) => r.requests, 0),
    readyMs: m((r) => r.readyMs, 1),
    idleRssMb: m((r) => r.idleRssMb, 1),
    peakRssMb: m((r) => r.peakRssMb, 1),
    okRuns: ok.length,
    ...extra,
    runs: runs.map(({ server: _server, ...rest }) => rest),
  };
}

function target(value: number | null, limit: number, unit: string): { target: string; value: number | null; pass: boolean } {
  return { target: `<= ${limit}${unit}`, value, pass: value !== null && value <= limit };
}

function parseServers(raw: string | undefined, baseline: boolean): ServerKey[] {
  const known: readonly ServerKey[] = baseline ? ['companion', 'baseline', 'quickbooksJs', 'bare'] : ALL_SERVERS;
  if (!raw) return [...known];
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((s) => !(known as readonly string[]).includes(s));
  if (bad.length) throw new Error(`--servers: unknown ${bad.join(', ')} (use ${known.join(', ')}; baseline needs --baseline DIR)`);
  return names as ServerKey[];
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const cfg: Config = {
    requests: intOption(ctx, 'requests', 5000),
    warmup: intOption(ctx, 'warmup', 500),
    runs: runsOption(ctx),
    servers: parseServers(ctx.options.servers, ctx.options.baseline !== undefined),
    // A fresh folder per invocation, kept afterwards for inspection (e.g. in Chrome DevTools).
    cpuProfDir: ctx.options['cpu-prof']
      ? path.join(path.resolve(ctx.options['cpu-prof'] === 'true' ? path.join(os.tmpdir(), 'qbwc-bench-profiles') : ctx.options['cpu-prof']), `session-${Date.now()}`)
      : null,
    companionLauncher: (ctx.options['companion-launcher'] ?? 'cli') as Config['companionLauncher'],
    baselineRoot: baselineOption(ctx),
  };
  if (cfg.requests < 1) throw new Error('--requests must be at least 1');
  if (cfg.companionLauncher !== 'cli' && cfg.companionLauncher !== 'module') throw new Error('--companion-launcher must be cli or module');
  if (cfg.cpuProfDir) fs.mkdirSync(cfg.cpuProfDir, { recursive: true });
  const hcp = loadHcpResponse();
  const qbjsQueue = quickbooksJsQueueFor(cfg.requests);
  const qbjsWarmup = quickbooksJsWarmupSessions(cfg.warmup);
  const windows: Record<ServerKey, Window[]> = { companion: [], baseline: [], quickbooksJs: [], bare: [] };
  const errors: string[] = [];

  const starters: Record<ServerKey, () => Promise<Started>> = {
    companion: startCompanion(cfg, 'companion', ROOT),
    baseline: startCompanion(cfg, 'baseline', cfg.baselineRoot ?? ROOT),
    quickbooksJs: () => startQuickbooksJs([...qbjsWarmup, qbjsQueue], COMPANY_FILE, qbjsWarmup, profFlags(cfg, 'quickbooksJs')),
    bare: () => startBare(cfg.warmup > 0 ? [cfg.warmup, cfg.requests] : [cfg.requests], cfg.warmup > 0 ? [cfg.warmup] : [], profFlags(cfg, 'bare')),
  };

  ctx.log(
    `session: ${cfg.runs} runs × [${cfg.servers.join(', ')}], ${cfg.warmup}-request warm-up + ${cfg.requests}-request measured session each` +
      (cfg.cpuProfDir ? `; CPU profiles in ${cfg.cpuProfDir}` : ''),
  );
  const records: RunRecord[] = [];
  for (let i = 1; i <= cfg.runs; i++) {
    for (const server of cfg.servers) {
      const rec = await runOne(server, i, cfg, hcp, starters[server], ctx.log, windows[server]);
      if (!rec.ok) errors.push(`run ${i} ${server}: ${rec.error}`);
      records.push(rec);
    }
  }

  let probe: ProbeResult | null = null;
  if (cfg.servers.includes('quickbooksJs') && ctx.options['skip-probe'] === undefined) {
    probe = await probeQuickbooksJs(cfg.requests, hcp, ctx.log);
    if (probe.error) errors.push(`quickbooks-js probe: ${probe.error}`);
  }

  const profiles: Partial<Record<ServerKey, (ProfileSummary & { dir: string }) | { error: string }>> = {};
  if (cfg.cpuProfDir) {
    for (const server of cfg.servers) {
      const dir = path.join(cfg.cpuProfDir, server);
      try {
        const files = fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => path.join(dir, f));
        // One profile per process (run); only samples inside the measured sessions count.
        // The windows are kept beside them, for `profile.js --windows` with another --top.
        fs.writeFileSync(path.join(dir, WINDOWS_FILE), JSON.stringify(windows[server]));
        profiles[server] = files.length ? { dir, ...summarizeProfiles(files, windows[server], 30) } : { error: 'no .cpuprofile written' };
      } catch (err) {
        profiles[server] = { error: err instanceof Error ? err.message : String(err) };
      }
    }
  }
  const withProfile = (server: ServerKey) => (profiles[server] ? { profile: profiles[server] } : {});

  const byServer = (s: ServerKey) => records.filter((r) => r.server === s);
  const result: Record<string, unknown> = {
    config: {
      requests: cfg.requests,
      warmupRequests: cfg.warmup,
      runs: cfg.runs,
      order: cfg.servers,
      soapCallsPerSession: 2 * cfg.requests + 2,
      clockTicksPerSecond: clockTicksPerSecond(),
      companionDurability: 'normal (serve default)',
      companionLauncher: cfg.companionLauncher === 'cli' ? 'dist/main/cli.js serve' : 'dist/bench/servers/companion.js (startCompanion)',
      baseline: cfg.baselineRoot,
    },
  };
  const companion = cfg.servers.includes('companion') ? aggregate(byServer('companion'), withProfile('companion')) : null;
  const quickbooksJs = cfg.servers.includes('quickbooksJs')
    ? aggregate(byServer('quickbooksJs'), {
        quirks: {
          queueLengthUsed: qbjsQueue,
          naturalSessionRequestsForQueue: { queue: cfg.requests, requests: quickbooksJsSessionLength(cfg.requests) },
          note:
            `receiveResponseXML answers (counter*100/queue).toFixed(): 99.5 rounds to "100", so QBWC ends the session ` +
            `${cfg.requests - quickbooksJsSessionLength(cfg.requests)} requests early and the module-global counter is left mid-queue ` +
            `(each later session then delivers one request). The queue is padded to ${qbjsQueue} so its session is exactly ${cfg.requests} requests, ` +
            `and the process is restarted per run; its warm-up is ${qbjsWarmup.length} sessions of <= 100 requests (queues under 200 end exactly and reset the counter). ` +
            `Scalar results come wrapped in <string>/<int> elements; with QB_COMPANY_FILE unset authenticate returns a single string.`,
          probe,
        },
        ...withProfile('quickbooksJs'),
      })
    : null;
  const bare = cfg.servers.includes('bare') ? aggregate(byServer('bare'), withProfile('bare')) : null;
  const baseline = cfg.servers.includes('baseline') ? aggregate(byServer('baseline'), withProfile('baseline')) : null;
  if (companion) result.companion = companion;
  if (baseline) result.baseline = baseline;
  if (quickbooksJs) result.quickbooksJs = quickbooksJs;
  if (bare) result.bare = bare;

  const cpu = (x: Record<string, unknown> | null) => (x && typeof x.cpuPerCallUs === 'number' ? x.cpuPerCallUs : null);
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round(a / b, 3) : null);
  const vsQbjs = ratio(cpu(companion), cpu(quickbooksJs));
  const vsBare = ratio(cpu(companion), cpu(bare));
  result.ratios = {
    companionVsQuickbooksJsCpuPerCall: vsQbjs,
    companionVsBareCpuPerCall: vsBare,
    quickbooksJsVsBareCpuPerCall: ratio(cpu(quickbooksJs), cpu(bare)),
    ...(baseline && { companionVsBaselineCpuPerCall: ratio(cpu(companion), cpu(baseline)), baselineVsQuickbooksJsCpuPerCall: ratio(cpu(baseline), cpu(quickbooksJs)) }),
  };
  if (companion) {
    const targets = {
      // Every state change is committed before its answer; quickbooks-js keeps nothing.
      cpuPerCallVsQuickbooksJs: target(vsQbjs, 2, '×'),
      p99Ms: target(companion.p99Ms as number | null, 2, ' ms'),
      readyMs: target(companion.readyMs as number | null, 1000, ' ms'),
      idleRssMb: target(companion.idleRssMb as number | null, 100, ' MB'),
    };
    result.targets = { ...targets, allPass: Object.values(targets).every((t) => t.pass) };
  }
  if (errors.length) result.errors = errors;
  return result;
}

export const sessionBenchmark: Benchmark = {
  name: 'session',
  key: 'session5000',
  description: 'A 5,000-request QBWC session: companion vs quickbooks-js vs a bare node:http floor (server CPU/call, throughput, latency).',
  run,
};
