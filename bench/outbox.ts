/**
 * Issue 18: draining the outbox to a local receiver.
 *
 * Per run, a fresh data folder gets one instance with one webhook destination (legacy
 * format) and N queued change events, each of another record — written in-process through
 * the Outbox, not timed. Then `cli.js serve` starts on the folder and its delivery worker
 * sends them to a receiver in this process (its own CPU), which checks both signatures of
 * every request (intuit-signature by recomputing the HMAC, Standard Webhooks with the
 * `standardwebhooks` package) and answers 200.
 *
 * Events per second are N over the time from the first attempt to the last, as the
 * companion recorded them (delivery_attempts), so the server's start is not counted.
 * Afterwards the database must show every event delivered once, with one attempt row and
 * one `delivery.attempt` line in the event log each. Also: the server's CPU time (in all and
 * per event: what a loaded machine does not change much) and peak RSS.
 * Target: ≥ 2,000 events/s.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import type { BenchContext, Benchmark, BenchResult } from './benchmark';
import { intOption, runsOption } from './benchmark';
import { clockTicksPerSecond, cpuTicks, makeTempDir, removeTempDir, ROOT, sleep, spawnNode, statusMb, stopChild } from './procs';
import { medianOf, round } from './stats';
import { createCore } from '../main/companion';
import { invoke } from '../main/contract/invoke';
import type { ChangeEvent } from '../main/forward/payload';
import { silentLogger } from '../main/logger';
import { DATABASE_FILE } from '../main/store/db';

const TOKEN = 'bench-verifier-token';
const TARGET_PER_SECOND = 2000;

/** A receiver that verifies every request's signatures and answers 200; counts what it got and what failed. */
async function verifyingReceiver(): Promise<{ url: string; received: () => number; bad: () => number; close(): Promise<void> }> {
  const wh = new Webhook(`whsec_${Buffer.from(TOKEN, 'utf8').toString('base64')}`);
  let received = 0;
  let bad = 0;
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received++;
      try {
        if (crypto.createHmac('sha256', TOKEN).update(body).digest('base64') !== req.headers['intuit-signature']) throw new Error('intuit-signature');
        wh.verify(body, {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        });
      } catch {
        bad++;
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received: () => received,
    bad: () => bad,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A data folder with one instance, its destination, and `events` queued changes. */
async function seed(dataDir: string, url: string, events: number): Promise<void> {
  const core = createCore({ dataDir, logger: silentLogger }, () => 0);
  try {
    const { instanceId } = await invoke(core.handlers, 'createInstance', { body: { name: 'Bench', username: 'bench', password: 'bench-password-1' } });
    await invoke(core.handlers, 'createDestination', { params: { instanceId }, body: { name: 'Bench receiver', url, verifierToken: TOKEN } });
    const lastUpdated = new Date().toISOString();
    for (let from = 0; from < events; from += 1000) {
      const changes: ChangeEvent[] = [];
      for (let i = from; i < Math.min(from + 1000, events); i++) changes.push({ name: 'Customer', id: `${(0x80000000 + i).toString(16).toUpperCase()}-1704067200`, operation: 'Update', lastUpdated });
      core.outbox.enqueue(instanceId, changes);
    }
  } finally {
    core.store.close();
  }
}

interface Run {
  eventsPerSecond: number;
  drainSeconds: number;
  serverCpuSeconds: number;
  /** The server's CPU per event: what it costs whatever else the machine runs. */
  serverCpuPerEventUs: number;
  peakRssMb: number;
}

async function drain(ctx: BenchContext, events: number, errors: string[]): Promise<Run> {
  const receiver = await verifyingReceiver();
  const dataDir = makeTempDir('outbox');
  try {
    await seed(dataDir, receiver.url, events);
    const child = spawnNode([path.join(ROOT, 'dist', 'main', 'cli.js'), 'serve', '--data-dir', dataDir, '--port', '0']);
    try {
      await child.firstLine;
      const ticks0 = cpuTicks(child.pid);
      const deadline = Date.now() + Math.max(60_000, events * 5);
      while (receiver.received() < events && Date.now() < deadline) await sleep(50);
      // The last answers are recorded just after they came: let the worker finish writing them.
      await sleep(500);
      const serverCpuSeconds = (cpuTicks(child.pid) - ticks0) / clockTicksPerSecond();
      const peakRssMb = statusMb(child.pid, 'VmHWM');
      await stopChild(child, 5000);
      const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
      try {
        const count = (sql: string) => db.prepare(sql).pluck().get() as number;
        const delivered = count("SELECT count(*) FROM deliveries WHERE status = 'delivered' AND attempts = 1");
        const attempts = count('SELECT count(*) FROM delivery_attempts');
        const logged = count("SELECT count(*) FROM events WHERE action = 'delivery.attempt'");
        const span = db.prepare('SELECT min(at) AS first, max(at) AS last FROM delivery_attempts').get() as { first: number; last: number };
        if (receiver.received() !== events) errors.push(`${receiver.received()} of ${events} events arrived`);
        if (receiver.bad() > 0) errors.push(`${receiver.bad()} requests failed signature verification`);
        if (delivered !== events || attempts !== events || logged !== events) {
          errors.push(`expected ${events} delivered at the first attempt, attempt rows and event log lines; got ${delivered}, ${attempts}, ${logged}`);
        }
        const drainSeconds = Math.max(span.last - span.first, 1) / 1000;
        const run = {
          eventsPerSecond: Math.round(events / drainSeconds),
          drainSeconds: round(drainSeconds, 2),
          serverCpuSeconds: round(serverCpuSeconds, 2),
          serverCpuPerEventUs: Math.round((serverCpuSeconds * 1e6) / events),
          peakRssMb: round(peakRssMb, 1),
        };
        ctx.log(`outbox: ${events} events in ${run.drainSeconds} s = ${run.eventsPerSecond}/s (server CPU ${run.serverCpuSeconds} s, ${run.serverCpuPerEventUs} µs an event, peak RSS ${run.peakRssMb} MB)`);
        return run;
      } finally {
        db.close();
      }
    } finally {
      await stopChild(child, 5000);
    }
  } finally {
    await receiver.close();
    removeTempDir(dataDir);
  }
}

export const outboxBenchmark: Benchmark = {
  name: 'outbox',
  key: 'outbox20000',
  description: 'Draining 20,000 queued webhook events to a local receiver that verifies both signatures: events per second, every attempt recorded',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const events = intOption(ctx, 'events', 20_000);
    const errors: string[] = [];
    const runs: Run[] = [];
    for (let i = 0; i < runsOption(ctx); i++) runs.push(await drain(ctx, events, errors));
    const perSecond = medianOf(runs, (r) => r.eventsPerSecond);
    return {
      events,
      eventsPerSecond: perSecond,
      drainSeconds: medianOf(runs, (r) => r.drainSeconds),
      serverCpuSeconds: medianOf(runs, (r) => r.serverCpuSeconds),
      serverCpuPerEventUs: medianOf(runs, (r) => r.serverCpuPerEventUs),
      peakRssMb: medianOf(runs, (r) => r.peakRssMb),
      targets: { eventsPerSecond: { target: TARGET_PER_SECOND, met: perSecond !== null && perSecond >= TARGET_PER_SECOND } },
      runs,
      ...(errors.length ? { errors } : {}),
    };
  },
};
