/**
 * Issue 3 (a): a generated 50 MB InvoiceQueryRs, escaped inside receiveResponseXML exactly
 * as QBWC sends it, from the HTTP request to the records stored.
 *
 * Per run: a fresh `cli.js serve` with a fresh data folder; one instance; one queued
 * InvoiceQuery; a Web Connector session (authenticate, sendRequestXML with the HCP
 * response) hands out its requestID; then the whole response goes up in one POST, written
 * in 64 KiB pieces as a socket delivers it. The clock runs from the first byte written to
 * the last byte of the answer read: the companion answers only after the response and
 * every record are committed. Reported: MB/s of the qbXML (and of the HTTP body, which
 * escaping makes larger), the server's CPU time, and the server process's peak RSS
 * (VmHWM, its whole lifetime). The records are then counted through the REST API.
 *
 * For reference, the same document is also parsed in-process (tokenizer + typed parser,
 * no HTTP, no SQLite): the ceiling for the end-to-end figure.
 */
import path from 'node:path';
import fs from 'node:fs';
import { baselineOption, type BenchContext, type Benchmark, type BenchResult, intOption, runsOption } from './benchmark';
import { escapeXml, loadHcpResponse, QbwcClient } from './client';
import { clockTicksPerSecond, cpuTicks, makeTempDir, removeTempDir, ROOT, spawnNode, statusMb, stopChild } from './procs';
import { generateInvoiceQueryRs } from './qbxml-fixtures';
import { restJson } from './rest';
import { median, round } from './stats';
import { ResponseStreamParser } from '../main/qbxml/parser/stream';

const USERNAME = 'bench';
const PASSWORD = 'bench-password-1';
const CHUNK_BYTES = 64 * 1024;
const TARGET = { megabytesPerSecond: 40, peakRssMb: 250 };

interface Run {
  run: number;
  qbxmlMb: number;
  bodyMb: number;
  seconds: number;
  megabytesPerSecond: number;
  bodyMegabytesPerSecond: number;
  serverCpuSeconds: number;
  idleRssMb: number;
  peakRssMb: number;
  records: number;
  recordsExpected: number;
  status: string;
}

/** Invoices the generator writes: one InvoiceRet per record. */
function countInvoices(xml: string): number {
  let n = 0;
  for (let at = xml.indexOf('<InvoiceRet>'); at !== -1; at = xml.indexOf('<InvoiceRet>', at + 12)) n++;
  return n;
}

/** One run against the companion built at `root`. */
async function oneRun(run: number, megabytes: number, log: (m: string) => void, root: string): Promise<Run> {
  const dataDir = makeTempDir('large-response');
  const child = spawnNode([path.join(root, 'dist', 'main', 'cli.js'), 'serve', '--data-dir', dataDir, '--port', '0']);
  try {
    const url = await child.firstLine;
    const token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
    const created = await restJson<{ instanceId: string }>(url, 'POST', '/api/v1/instances', token, { name: 'Bench', username: USERNAME, password: PASSWORD });
    if (created.status !== 201) throw new Error(`create instance: HTTP ${created.status} ${JSON.stringify(created.json)}`);
    const instanceId = created.json.instanceId;
    const queued = await restJson<{ requestId: string }>(url, 'POST', `/api/v1/instances/${instanceId}/requests`, token, {
      type: 'InvoiceQuery',
      params: { IncludeLineItems: true },
    });
    if (queued.status !== 202) throw new Error(`enqueue: HTTP ${queued.status} ${JSON.stringify(queued.json)}`);

    const client = new QbwcClient(`${url}/qbwc`);
    try {
      const ticket = await client.authenticate(USERNAME, PASSWORD);
      const requestId = await client.sendRequest(ticket, loadHcpResponse());
      if (!requestId) throw new Error('sendRequestXML returned no request');
      const qbxml = generateInvoiceQueryRs(megabytes * 1e6, { requestId, iterator: false });
      const recordsExpected = countInvoices(qbxml);
      const body = Buffer.from(QbwcClient.receiveEnvelope(ticket, escapeXml(qbxml)), 'utf8');
      const qbxmlMb = Buffer.byteLength(qbxml) / 1e6;
      const idleRssMb = statusMb(child.pid, 'VmRSS');
      log(`run ${run}: posting ${(body.length / 1e6).toFixed(1)} MB (${qbxmlMb.toFixed(1)} MB of qbXML, ${recordsExpected} invoices)`);

      const ticks0 = cpuTicks(child.pid);
      const answer = await client.post('receiveResponseXML', body, CHUNK_BYTES);
      const serverCpuSeconds = (cpuTicks(child.pid) - ticks0) / clockTicksPerSecond();
      const peakRssMb = statusMb(child.pid, 'VmHWM');
      const percent = QbwcClient.percentOf(answer.body);
      if (percent !== 100) throw new Error(`receiveResponseXML answered ${percent}, expected 100: ${answer.body.slice(0, 300)}`);
      await client.closeConnection(ticket);

      const detail = await restJson<{ status: string; recordCount: number }>(url, 'GET', `/api/v1/requests/${requestId}`, token);
      const seconds = answer.ns / 1e9;
      return {
        run,
        qbxmlMb: round(qbxmlMb, 1),
        bodyMb: round(body.length / 1e6, 1),
        seconds: round(seconds, 3),
        megabytesPerSecond: round(qbxmlMb / seconds, 1),
        bodyMegabytesPerSecond: round(body.length / 1e6 / seconds, 1),
        serverCpuSeconds: round(serverCpuSeconds, 2),
        idleRssMb: round(idleRssMb, 1),
        peakRssMb: round(peakRssMb, 1),
        records: detail.json.recordCount,
        recordsExpected,
        status: detail.json.status,
      };
    } finally {
      client.close();
    }
  } finally {
    await stopChild(child, 5000);
    removeTempDir(dataDir);
  }
}

/** The parsing thread's share alone — UTF-8 in, records as JSON out — on the same document: no HTTP, no storage. */
function parseOnly(megabytes: number): { megabytesPerSecond: number; records: number } {
  const bytes = Buffer.from(generateInvoiceQueryRs(megabytes * 1e6));
  let records = 0;
  const parser = new ResponseStreamParser((events) => {
    for (const e of events) if (e.kind === 'record') records++;
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) parser.writeUtf8(bytes.subarray(i, i + CHUNK_BYTES));
  parser.end();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { megabytesPerSecond: round(bytes.length / 1e6 / seconds, 1), records };
}

export const largeResponseBenchmark: Benchmark = {
  name: 'large-response',
  key: 'largeResponse',
  description: 'A 50 MB InvoiceQueryRs inside receiveResponseXML: HTTP request to records stored (MB/s, peak RSS).',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const megabytes = intOption(ctx, 'response-mb', 50);
    const runs = runsOption(ctx);
    const baseline = baselineOption(ctx);
    const builds: [name: string, root: string][] = [['companion', ROOT], ...(baseline ? [['baseline', baseline] as [string, string]] : [])];
    const results = new Map<string, Run[]>(builds.map(([name]) => [name, []]));
    const errors: string[] = [];
    // With a baseline the two builds alternate, run by run.
    for (let run = 1; run <= runs; run++) {
      for (const [name, root] of builds) {
        try {
          const r = await oneRun(run, megabytes, ctx.log, root);
          if (r.status !== 'done') errors.push(`${name} run ${run}: request ended "${r.status}"`);
          if (r.records !== r.recordsExpected) errors.push(`${name} run ${run}: ${r.records} records stored, ${r.recordsExpected} sent`);
          ctx.log(`${name} run ${run}: ${r.megabytesPerSecond} MB/s, peak RSS ${r.peakRssMb} MB, ${r.records} records`);
          results.get(name)?.push(r);
        } catch (err) {
          errors.push(`${name} run ${run}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    const summary = (rs: Run[]) => ({
      megabytesPerSecond: rs.length ? round(median(rs.map((r) => r.megabytesPerSecond)), 1) : null,
      bodyMegabytesPerSecond: rs.length ? round(median(rs.map((r) => r.bodyMegabytesPerSecond)), 1) : null,
      peakRssMb: rs.length ? Math.max(...rs.map((r) => r.peakRssMb)) : null,
      serverCpuSeconds: rs.length ? round(median(rs.map((r) => r.serverCpuSeconds)), 2) : null,
      runs: rs,
    });
    const own = summary(results.get('companion') ?? []);
    const parse = [1, 2, 3].map(() => parseOnly(megabytes));
    const atLeast = (value: number | null, limit: number) => ({ target: `>= ${limit}`, value, pass: value !== null && value >= limit });
    return {
      config: { qbxmlMegabytes: megabytes, runs, chunkBytes: CHUNK_BYTES, baseline },
      ...own,
      parseOnlyMegabytesPerSecond: round(median(parse.map((p) => p.megabytesPerSecond)), 1),
      ...(baseline ? { baseline: summary(results.get('baseline') ?? []) } : {}),
      // MB/s counted both ways: of the 50 MB InvoiceQueryRs, and of the (larger, escaped) HTTP body.
      targets: {
        megabytesPerSecond: atLeast(own.megabytesPerSecond, TARGET.megabytesPerSecond),
        bodyMegabytesPerSecond: atLeast(own.bodyMegabytesPerSecond, TARGET.megabytesPerSecond),
        peakRssMb: { target: `<= ${TARGET.peakRssMb}`, value: own.peakRssMb, pass: own.peakRssMb !== null && own.peakRssMb <= TARGET.peakRssMb },
      },
      ...(errors.length ? { errors } : {}),
    };
  },
};
