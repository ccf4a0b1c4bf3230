/**
 * What a benchmark module looks like to bench/run.ts. A module exports a `Benchmark`;
 * run.ts runs the selected ones in order and puts each result under its `key`.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface BenchContext {
  /** --name value options from the command line, e.g. { runs: '3' } (flags are 'true'). */
  options: Readonly<Record<string, string>>;
  /** Progress to stderr (stdout is reserved for the JSON result). */
  log(message: string): void;
}

export interface Benchmark {
  /** Short name for --only, e.g. "session". */
  name: string;
  /** Key of the result in the JSON output, e.g. "session5000". */
  key: string;
  description: string;
  /** Returns a JSON-serialisable result. Throwing marks the whole run as failed. */
  run(ctx: BenchContext): Promise<BenchResult>;
}

export interface BenchResult {
  [field: string]: unknown;
  /** Set when some part of the benchmark failed but a partial result is still worth printing. */
  errors?: string[];
}

/** An integer option, with a default. */
export function intOption(ctx: BenchContext, name: string, fallback: number): number {
  const raw = ctx.options[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got "${raw}")`);
  return n;
}

/** --runs: how many measured runs (at least one; 3 by default). */
export function runsOption(ctx: BenchContext): number {
  return Math.max(1, intOption(ctx, 'runs', 3));
}

/**
 * --baseline DIR: the root of another checkout of the companion, built (DIR/dist/main/cli.js),
 * that the companion benchmarks also run, alternating with this build, for a before/after
 * measured in one run on one machine state.
 */
export function baselineOption(ctx: BenchContext): string | null {
  const raw = ctx.options.baseline;
  if (raw === undefined) return null;
  const root = path.resolve(raw);
  if (!fs.existsSync(path.join(root, 'dist', 'main', 'cli.js'))) throw new Error(`--baseline: ${root}/dist/main/cli.js not found; build that checkout first`);
  return root;
}
