/**
 * Child processes, temp folders and /proc accounting for the benchmarks. Everything the
 * harness starts is registered here and torn down on exit — normal, error or signal.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The project root, above dist/bench/ (compiled) or above bench/ (the sources, run by the tests). */
const compiled = path.basename(path.dirname(__dirname)) === 'dist' && fs.existsSync(path.join(__dirname, '..', '..', 'package.json'));
export const ROOT = path.resolve(__dirname, compiled ? '../..' : '..');

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---- temp folders ----

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `qbwc-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---- child processes ----

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  /** Last few KB of stderr and stdout, for error messages. */
  tail(): string;
  exited: Promise<number | null>;
}

/** Spawns `node <args>` directly (no shell), so the pid is the server's own process. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not spawn node ${args.join(' ')}`);
  children.add(proc);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  let stdoutBuf = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      stdoutBuf += chunk.toString('utf8');
      const nl = stdoutBuf.indexOf('\n');
      if (nl !== -1) {
        proc.stdout?.off('data', onData);
        resolve(stdoutBuf.slice(0, nl).trim());
      }
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code, signal) => reject(new Error(`process exited (${code ?? signal}) before printing a line:\n${tail}`)));
  });
  firstLine.catch(() => undefined); // callers that never wait on it must not crash the run
  // Always drain both pipes so a chatty child never blocks on a full pipe.
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      children.delete(proc);
      resolve(code);
    });
  });
  return { proc, pid: proc.pid, firstLine, tail: () => tail, exited };
}

/** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopChild(child: Child, graceMs = 3000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
}

/** Synchronous last-resort cleanup: kill what is left, delete temp folders. */
export function cleanupNow(): void {
  for (const proc of children) {
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

let installed = false;
/** Kill children and delete temp folders however the harness ends. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupNow);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      log(`${signal}: cleaning up`);
      cleanupNow();
      process.exit(code);
    });
  }
  process.on('uncaughtException', (err) => {
    log(`uncaught: ${err.stack ?? String(err)}`);
    cleanupNow();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    log(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    cleanupNow();
    process.exit(1);
  });
}

// ---- ports ----

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until a TCP connect to the port succeeds. */
export async function waitForPort(port: number, child: Child, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`server exited before listening:\n${child.tail()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} not listening after ${timeoutMs} ms:\n${child.tail()}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- /proc accounting ----

let clkTck: number | undefined;
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime + stime of a process (all its threads), in clock ticks: /proc/<pid>/stat fields 14 and 15. */
export function cpuTicks(pid: number): number {
  return cpuTicksOf(`/proc/${pid}/stat`);
}

function cpuTicksOf(statFile: string): number {
  const stat = fs.readFileSync(statFile, 'utf8');
  // Field 2 (comm) is parenthesised and may contain spaces: count from the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field 14 is rest[11] and field 15 is rest[12].
  return Number(rest[11]) + Number(rest[12]);
}

/**
 * CPU ticks of a process's main thread (its tid is its pid) and of all its other threads
 * together (V8's GC and compiler helpers, the checkpoint worker, libuv's pool).
 */
export function cpuTicksByThread(pid: number): { main: number; others: number } {
  const main = cpuTicksOf(`/proc/${pid}/task/${pid}/stat`);
  return { main, others: cpuTicks(pid) - main };
}

/** A field of /proc/<pid>/status in MB (e.g. VmRSS, VmHWM). */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!m) throw new Error(`${field} not found in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** Syscall and byte counters of a process (/proc/<pid>/io): all reads/writes, sockets and files alike. */
export interface IoCounters {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
}

export function ioCounters(pid: number): IoCounters | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { rchar: get('rchar'), wchar: get('wchar'), syscr: get('syscr'), syscw: get('syscw') };
  } catch {
    return null; // not readable here
  }
}
