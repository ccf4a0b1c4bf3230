/**
 * Benchmark runner: `npm run bench` (builds, then `node dist/bench/run.js`).
 *
 * Runs the benchmark modules listed in BENCHMARKS in order and prints one JSON object on
 * stdout: each module's result under its own key, plus `machine`. Progress goes to stderr.
 *
 *   node dist/bench/run.js [--only session[,other]] [--runs 3] [--requests 5000] [--warmup 500]
 *                          [--servers companion,quickbooksJs,bare] [--cpu-prof [DIR]] [--skip-probe] [--list]
 *
 * To add a benchmark: write bench/<name>.ts exporting a `Benchmark` (see bench/benchmark.ts)
 * and append it to BENCHMARKS below. Options other than --only/--list are passed to every
 * module, which ignores what it does not know.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Benchmark, BenchContext } from './benchmark';
import { cleanupNow, clockTicksPerSecond, installCleanupHandlers, log } from './procs';
import { closeRestAgent } from './rest';
import { builderBenchmark } from './builder';
import { endpointBenchmark } from './endpoint';
import { largeResponseBenchmark } from './large-response';
import { sessionBenchmark } from './session';
import { uiBenchmark } from './ui';
import { detectionBenchmark } from './detection';
import { outboxBenchmark } from './outbox';

export const BENCHMARKS: Benchmark[] = [sessionBenchmark, endpointBenchmark, largeResponseBenchmark, builderBenchmark, uiBenchmark, detectionBenchmark, outboxBenchmark];

const round2 = (x: number | undefined) => (x === undefined ? null : Math.round(x * 100) / 100);

/** PSI "some" total for CPU (µs that some runnable task waited), when the kernel exposes it. */
function cpuPressureUs(): number | null {
  try {
    const m = /^some .*total=(\d+)/m.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Share of the wall time during which some task was waiting for a CPU, %. */
function cpuPressurePct(startUs: number | null, elapsedMs: number): number | null {
  const end = cpuPressureUs();
  if (startUs === null || end === null || elapsedMs <= 0) return null;
  return Math.round(((end - startUs) / 1000 / elapsedMs) * 1000) / 10;
}

/** `--name value` / `--name=value` / `--flag` (→ 'true'). */
function parseOptions(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq !== -1) {
      out[arg.slice(2, eq)] = arg.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out[arg.slice(2)] = next;
      i++;
    } else out[arg.slice(2)] = 'true';
  }
  return out;
}

function select(only: string | undefined): Benchmark[] {
  if (!only || only === 'true') return BENCHMARKS;
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w || b.key === w));
  if (unknown.length) {
    throw new Error(`--only: unknown ${unknown.join(', ')}; available: ${BENCHMARKS.map((b) => `${b.name} (${b.key})`).join(', ')}`);
  }
  return BENCHMARKS.filter((b) => wanted.includes(b.name) || wanted.includes(b.key));
}

async function main(): Promise<number> {
  installCleanupHandlers();
  const options = parseOptions(process.argv.slice(2));
  if (options.list) {
    for (const b of BENCHMARKS) process.stderr.write(`${b.name}\t${b.key}\t${b.description}\n`);
    return 0;
  }
  const selected = select(options.only);
  const ctx: BenchContext = { options, log };
  const output: Record<string, unknown> = {};
  let failed = false;
  const t0 = Date.now();
  const loadStart = os.loadavg();
  const pressureStart = cpuPressureUs();
  for (const b of selected) {
    log(`== ${b.name} (${b.key}) ==`);
    try {
      const result = await b.run(ctx);
      output[b.key] = result;
      if (result.errors?.length) failed = true;
    } catch (err) {
      failed = true;
      const message = err instanceof Error ? err.message : String(err);
      log(`${b.name} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
      output[b.key] = { error: message };
    }
  }
  const cpus = os.cpus();
  output.machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    clockTicksPerSecond: clockTicksPerSecond(),
    // Other work on the machine skews latency and throughput more than CPU per call.
    loadAvg1mStart: round2(loadStart[0]),
    loadAvg1mEnd: round2(os.loadavg()[0]),
    cpuPressureSomePct: cpuPressurePct(pressureStart, Date.now() - t0),
  };
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    closeRestAgent();
    cleanupNow();
    process.exitCode = code;
  },
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    cleanupNow();
    process.exitCode = 2;
  },
);
