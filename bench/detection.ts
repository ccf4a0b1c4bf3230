/**
 * Issue 18: a change-detection pass over a simulated company of 50,000 customers, against
 * the time to ingest the same responses.
 *
 * Per run, two fresh `cli.js serve` processes with fresh data folders, each with one
 * instance and a Web Connector session (the companion's simulated one) against a company
 * that answers CustomerQuery pages of 500 from its iterator — generated on the fly, so the
 * company itself costs next to nothing:
 * - ingest: a plain CustomerQuery, paged (pageSize 500): QuickBooks' answers parsed and stored;
 * - detection: change detection on (Customer, snapshot) with a webhook destination, run
 *   now: the same answers parsed and stored, and every record turned into a Create event
 *   in the outbox with the watermark's progress, page by page. The destination takes the
 *   connection and never answers: the delivery worker waits on its first attempt (15 s)
 *   instead of sending while the pass runs — draining the outbox is another benchmark's.)
 * Each is timed from authenticate to the session's end; reported with the server's CPU
 * time and peak RSS (VmHWM). Afterwards the outbox is counted: one event per customer.
 * Targets: detection within 2× of ingest, peak RSS ≤ 250 MB.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BenchContext, Benchmark, BenchResult } from './benchmark';
import { intOption, runsOption } from './benchmark';
import { COMPANY_FILE, loadHcpResponse } from './client';
import { clockTicksPerSecond, cpuTicks, makeTempDir, removeTempDir, ROOT, spawnNode, statusMb, stopChild } from './procs';
import { restJson } from './rest';
import { medianOf, round } from './stats';
import { DATABASE_FILE } from '../main/store/db';
import { runWebConnectorSession, type QuickBooksHost } from '../main/simulator/web-connector';

const USERNAME = 'bench';
const PASSWORD = 'bench-password-1';
const PAGE_SIZE = 500;
const TARGET = { ratioToIngest: 2, peakRssMb: 250 };

/** A company of `total` customers that answers CustomerQuery through iterators and has deleted nothing. */
class GeneratedCompany implements QuickBooksHost {
  readonly companyFile = COMPANY_FILE;
  private readonly iterators = new Map<string, number>();
  private started = 0;

  constructor(private readonly total: number) {}

  hcpResponse(): string {
    return loadHcpResponse();
  }

  processRequest(qbxml: string): { response: string } {
    const rq = /<(\w+)Rq requestID="([^"]*)"(?: iterator="(\w+)")?(?: iteratorID="([^"]*)")?/.exec(qbxml);
    const [, type, requestId, iterator, iteratorId] = rq ?? [];
    const max = Number(/<MaxReturned>(\d+)<\/MaxReturned>/.exec(qbxml)?.[1] ?? this.total);
    if (type !== 'CustomerQuery') {
      const rs = `<${type}Rs requestID="${requestId}" statusCode="1" statusSeverity="Info" statusMessage="A query request did not find a matching object in QuickBooks" />`;
      return { response: `<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n${rs}\n</QBXMLMsgsRs>\n</QBXML>\n` };
    }
    let id = iteratorId ?? '';
    if (iterator !== 'Continue') {
      id = `{00000000-0000-4000-8000-${String(++this.started).padStart(12, '0')}}`;
      this.iterators.set(id, 0);
    }
    const from = this.iterators.get(id) ?? 0;
    const to = Math.min(from + max, this.total);
    this.iterators.set(id, to);
    const parts = [
      `<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<CustomerQueryRs requestID="${requestId}" statusCode="0" statusSeverity="Info" statusMessage="Status OK" iteratorRemainingCount="${this.total - to}" iteratorID="${id}">\n`,
    ];
    for (let i = from; i < to; i++) parts.push(customer(i));
    parts.push('</CustomerQueryRs>\n</QBXMLMsgsRs>\n</QBXML>\n');
    return { response: parts.join('') };
  }

  endSession(): void {
    this.iterators.clear();
  }
}

/** A customer as QuickBooks writes one (≈1 KB). */
function customer(i: number): string {
  const time = `2024-0${1 + (i % 9)}-1${i % 10}T09:${String(i % 60).padStart(2, '0')}:00-05:00`;
  return (
    `<CustomerRet>\n<ListID>${(0x80000000 + i).toString(16).toUpperCase()}-1704067200</ListID>\n<TimeCreated>${time}</TimeCreated>\n` +
    `<TimeModified>${time}</TimeModified>\n<EditSequence>${1704067200 + i}</EditSequence>\n<Name>Customer ${i}</Name>\n` +
    `<FullName>Customer ${i}</FullName>\n<IsActive>true</IsActive>\n<Sublevel>0</Sublevel>\n<CompanyName>Customer &amp; Sons ${i}</CompanyName>\n` +
    `<FirstName>Ann</FirstName>\n<LastName>Example ${i}</LastName>\n<BillAddress>\n<Addr1>${i} Main Street</Addr1>\n<City>Bayshore</City>\n` +
    `<State>CA</State>\n<PostalCode>94326</PostalCode>\n</BillAddress>\n<Phone>415-555-${String(i % 10000).padStart(4, '0')}</Phone>\n` +
    `<Email>customer${i}@example.com</Email>\n<Balance>0.00</Balance>\n<TotalBalance>0.00</TotalBalance>\n<JobStatus>None</JobStatus>\n</CustomerRet>\n`
  );
}

interface Pass {
  seconds: number;
  serverCpuSeconds: number;
  peakRssMb: number;
  /** Records stored (ingest) or events queued (detection). */
  count: number;
}

/** One pass on a fresh server: `prepare` queues the work through the REST API; returns what the session cost. */
async function pass(records: number, prepare: (api: Api) => Promise<void>, count: (db: Database.Database) => number): Promise<Pass> {
  const dataDir = makeTempDir('detection');
  const child = spawnNode([path.join(ROOT, 'dist', 'main', 'cli.js'), 'serve', '--data-dir', dataDir, '--port', '0']);
  try {
    const url = await child.firstLine;
    const token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
    const created = await restJson<{ instanceId: string; ownerId: string; fileId: string }>(url, 'POST', '/api/v1/instances', token, {
      name: 'Bench',
      username: USERNAME,
      password: PASSWORD,
    });
    if (created.status !== 201) throw new Error(`create instance: HTTP ${created.status} ${JSON.stringify(created.json)}`);
    const { instanceId, ownerId, fileId } = created.json;
    await prepare(async (method, route, body) => {
      const res = await restJson(url, method, `/api/v1/instances/${instanceId}${route}`, token, body);
      if (res.status >= 300) throw new Error(`${method} ${route}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
    });
    const ticks0 = cpuTicks(child.pid);
    const started = process.hrtime.bigint();
    const report = await runWebConnectorSession({ url: `${url}/qbwc`, username: USERNAME, password: PASSWORD, ownerId, fileId, quickbooks: new GeneratedCompany(records), noopDelayMs: 0 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (report.outcome !== 'completed') throw new Error(`session ${report.outcome}: ${report.message}`);
    const serverCpuSeconds = (cpuTicks(child.pid) - ticks0) / clockTicksPerSecond();
    const peakRssMb = statusMb(child.pid, 'VmHWM');
    await stopChild(child, 5000);
    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      return { seconds: round(seconds, 2), serverCpuSeconds: round(serverCpuSeconds, 2), peakRssMb: round(peakRssMb, 1), count: count(db) };
    } finally {
      db.close();
    }
  } finally {
    await stopChild(child, 5000);
    removeTempDir(dataDir);
  }
}

type Api = (method: string, route: string, body?: unknown) => Promise<void>;

const scalar = (db: Database.Database, sql: string) => (db.prepare(sql).pluck().get() as number) ?? 0;

/** A webhook receiver that accepts connections and never answers; `close` lets them go. */
async function silentReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const detectionBenchmark: Benchmark = {
  name: 'detection',
  key: 'detection50000',
  description: 'A change-detection snapshot of 50,000 customers (events in the outbox) vs ingesting the same pages',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const records = intOption(ctx, 'records', 50_000);
    const receiver = await silentReceiver();
    const runs: { run: number; ingest: Pass; detection: Pass; ratio: number }[] = [];
    const errors: string[] = [];
    try {
      for (let run = 1; run <= runsOption(ctx); run++) {
        const ingest = await pass(
          records,
          (api) => api('POST', '/requests', { type: 'CustomerQueryRq', params: { ActiveStatus: 'All' }, pageSize: PAGE_SIZE }),
          (db) => scalar(db, 'SELECT count(*) FROM records'),
        );
        const detection = await pass(
          records,
          async (api) => {
            const configuration = { 'event.notification.enabled': 'true', 'event.notification.callback.url': receiver.url, 'event.notification.verifier.token': 'bench-token' };
            await api('PATCH', '', { configuration });
            await api('PUT', '/change-detection', { enabled: true, types: ['Customer'], startMode: 'snapshot' });
            await api('POST', '/change-detection/run');
          },
          (db) => scalar(db, "SELECT count(*) FROM deliveries WHERE event_type = 'Customer.Create'"),
        );
        const ratio = round(detection.seconds / ingest.seconds, 2);
        ctx.log(`run ${run}: ingest ${ingest.seconds} s, detection ${detection.seconds} s (${ratio}×), peak RSS ${detection.peakRssMb} MB`);
        if (ingest.count !== records) errors.push(`run ${run}: ${ingest.count} records stored, expected ${records}`);
        if (detection.count !== records) errors.push(`run ${run}: ${detection.count} events queued, expected ${records}`);
        runs.push({ run, ingest, detection, ratio });
      }
    } finally {
      await receiver.close();
    }
    const ratio = medianOf(runs, (r) => r.ratio);
    const peakRssMb = medianOf(runs, (r) => r.detection.peakRssMb);
    return {
      records,
      pageSize: PAGE_SIZE,
      ingestSeconds: medianOf(runs, (r) => r.ingest.seconds),
      detectionSeconds: medianOf(runs, (r) => r.detection.seconds),
      ratioToIngest: ratio,
      detectionCpuSeconds: medianOf(runs, (r) => r.detection.serverCpuSeconds),
      ingestCpuSeconds: medianOf(runs, (r) => r.ingest.serverCpuSeconds),
      peakRssMb,
      targets: {
        ratioToIngest: { target: TARGET.ratioToIngest, met: ratio !== null && ratio <= TARGET.ratioToIngest },
        peakRssMb: { target: TARGET.peakRssMb, met: peakRssMb !== null && peakRssMb <= TARGET.peakRssMb },
      },
      runs,
      ...(errors.length ? { errors } : {}),
    };
  },
};
