/**
 * The companion's own cost of a QBWC call, without sockets: the session benchmark's
 * envelopes are fed to the SOAP endpoint in this process through a minimal request and
 * response, so what is measured is parsing, SQLite and the answer — not
 * Node's HTTP layer, the kernel's loopback TCP or a client sharing the CPUs. Next to
 * `session5000` it shows how much of the companion's CPU per call is its own work and how
 * much is the transport and the cold caches a call over a socket runs with.
 *
 * The store is opened with createCore in a temp folder (no background checkpointer: that
 * lives in startCompanion); every commit and GC are in the figures.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BenchContext, type Benchmark, type BenchResult, intOption, runsOption } from './benchmark';
import { cannedResponse, COMPANY_FILE, envelope, loadHcpResponse, QbwcClient } from './client';
import { makeTempDir, removeTempDir } from './procs';
import { PASSWORD, QBXML, USERNAME } from './session';
import { median, percentileSorted, round } from './stats';
import { createCore } from '../main/companion';
import { instanceCreateSchema, requestCreateSchema } from '../main/contract/schemas';
import { createSoapEndpoint } from '../main/qbwc/endpoint';

type Endpoint = (req: IncomingMessage, res: ServerResponse) => void;

/** One POST through the endpoint: the body arrives as one piece, as a small call does over a socket. */
function post(endpoint: Endpoint, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = Object.assign(new EventEmitter(), {
      method: 'POST',
      url: '/qbwc',
      headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': String(body.length) },
      socket: { remoteAddress: '127.0.0.1', destroyed: false },
      complete: false,
      pause() {},
      resume() {},
    });
    let status = 0;
    const res = {
      headersSent: false,
      writeHead(code: number) {
        status = code;
        this.headersSent = true;
      },
      setHeader() {},
      end(text: string) {
        if (status === 200) resolve(text);
        else reject(new Error(`HTTP ${status}: ${text.slice(0, 300)}`));
      },
      destroy() {
        reject(new Error('the endpoint destroyed the response'));
      },
    };
    endpoint(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    req.emit('data', body);
    req.complete = true;
    req.emit('end');
  });
}

const TICKET = /<(?:\w+:)?string>([^<]+)<\/(?:\w+:)?string>/;
const REQUEST_ID = /requestID="([^"]+)"/;
const PERCENT = /<receiveResponseXMLResult>(\d+)</;
const WARMUP_SESSIONS = 2;

interface SessionRun {
  pairs: number;
  /** Process CPU (user + system, all threads) per SOAP call; null with --flush-mb. */
  cpuPerCallUs: number | null;
  /** Wall time of one sendRequestXML + receiveResponseXML pair. */
  pairMedianUs: number;
  pairP99Us: number;
}

export const endpointBenchmark: Benchmark = {
  name: 'endpoint',
  key: 'endpointInProcess',
  description: "The companion's SOAP endpoint driven in process (no sockets): its own CPU per QBWC call.",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const requests = intOption(ctx, 'requests', 5000);
    // Writing through a buffer this large between calls evicts the CPU's caches, as the
    // kernel's TCP path and the client do between calls over a socket (0: off).
    const flushMb = intOption(ctx, 'flush-mb', 0);
    const flush = flushMb > 0 ? new Uint8Array(flushMb * 1024 * 1024) : null;
    const flushCaches = () => {
      if (flush) for (let i = 0; i < flush.length; i += 64) flush[i] = (flush[i] as number) + 1;
    };
    const runs = runsOption(ctx);
    const dataDir = makeTempDir('endpoint');
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const core = createCore({ dataDir, logger }, () => 8520);
    try {
      const endpoint = createSoapEndpoint(core.qbwc, { maxBodyBytes: 512 * 1024 * 1024, endpointUrl: () => 'http://localhost:8520/qbwc', logger });
      const instance = await core.services.instances.create(instanceCreateSchema.parse({ name: 'Bench', username: USERNAME, password: PASSWORD }));
      const hcp = loadHcpResponse();
      const call = (method: string, params: Record<string, string | number>) => post(endpoint, Buffer.from(envelope(method, params)));

      const session = async (n: number): Promise<SessionRun> => {
        const input = requestCreateSchema.parse({ qbxml: QBXML });
        for (let i = 0; i < n; i++) core.services.requests.enqueue(instance.instanceId, input);
        const ticket = TICKET.exec(await call('authenticate', { strUserName: USERNAME, strPassword: PASSWORD }))?.[1];
        if (!ticket) throw new Error('authenticate returned no ticket');
        const send = (strHCPResponse: string) =>
          Buffer.from(envelope('sendRequestXML', { ticket, strHCPResponse, strCompanyFileName: COMPANY_FILE, qbXMLCountry: 'US', qbXMLMajorVers: 13, qbXMLMinorVers: 0 }));
        const firstSend = send(hcp);
        const laterSend = send('');
        const pairsNs: number[] = [];
        /** One call, timed; with --flush-mb the caches are flushed first (not timed). */
        const timed = async (body: Buffer): Promise<[string, bigint]> => {
          flushCaches();
          const t0 = process.hrtime.bigint();
          const text = await post(endpoint, body);
          return [text, process.hrtime.bigint() - t0];
        };
        const cpu0 = process.cpuUsage();
        for (let percent = 0; percent !== 100; ) {
          if (pairsNs.length > n) throw new Error(`still at ${percent}% after ${n} requests`);
          const [sent, sendNs] = await timed(pairsNs.length === 0 ? firstSend : laterSend);
          const id = REQUEST_ID.exec(sent)?.[1];
          if (!id) throw new Error(`sendRequestXML returned no request after ${pairsNs.length}: ${sent.slice(0, 300)}`);
          const [answer, receiveNs] = await timed(Buffer.from(QbwcClient.receiveEnvelope(ticket, cannedResponse(id))));
          pairsNs.push(Number(sendNs + receiveNs));
          percent = Number(PERCENT.exec(answer)?.[1] ?? NaN);
          if (!Number.isInteger(percent)) throw new Error(`receiveResponseXML answered ${answer.slice(0, 300)}`);
        }
        const cpu = process.cpuUsage(cpu0);
        await call('closeConnection', { ticket });
        if (pairsNs.length !== n) throw new Error(`the session delivered ${pairsNs.length} of ${n} requests`);
        const sorted = pairsNs.map((ns) => ns / 1000).sort((a, b) => a - b);
        return {
          pairs: n,
          // With flushing, the process's CPU is mostly the flushing: only the pair times count.
          cpuPerCallUs: flush ? null : round((cpu.user + cpu.system) / (2 * n), 1),
          pairMedianUs: round(median(sorted), 1),
          pairP99Us: round(percentileSorted(sorted, 99), 1),
        };
      };

      // Warm-up: two sessions. After one, the next session's start (authenticate, the first
      // sendRequestXML) still deoptimizes code tuned to the steady calls, and V8 takes most
      // of that session to settle again.
      for (let i = 0; i < WARMUP_SESSIONS; i++) await session(requests);
      const measured: SessionRun[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await session(requests);
        ctx.log(`endpoint run ${i + 1}: ${r.cpuPerCallUs ?? '-'} µs CPU/call, pair median ${r.pairMedianUs} µs, p99 ${r.pairP99Us} µs`);
        measured.push(r);
      }
      return {
        config: { requests, runs, warmupSessions: WARMUP_SESSIONS, flushMb, transport: 'none (in-process request and response)' },
        cpuPerCallUs: flush ? null : round(median(measured.map((r) => r.cpuPerCallUs as number)), 1),
        pairMedianUs: round(median(measured.map((r) => r.pairMedianUs)), 1),
        runs: measured,
      };
    } finally {
      core.store.close();
      removeTempDir(dataDir);
    }
  },
};
