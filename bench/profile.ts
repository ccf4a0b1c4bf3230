/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) by self time, per function and per
 * script, optionally only over given time windows (CLOCK_MONOTONIC µs, the clock both
 * V8's profiler and process.hrtime use, so the harness can cut out setup work).
 *
 *   node dist/bench/profile.js FILE.cpuprofile... [--top 25] [--from US --to US | --windows FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './procs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where the session benchmark leaves its measured windows, beside a server's profiles. */
export const WINDOWS_FILE = 'windows.json';

export interface Window {
  fromUs: number;
  toUs: number;
}

export interface ProfileEntry {
  name: string;
  where: string;
  /** Self time (inclusive time in projectInclusive), ms. */
  selfMs: number;
  /** Share of sampledMs, %. */
  selfPct: number;
}

export interface ProfileSummary {
  files: string[];
  /**
   * Main-thread time on a stack (JS, native, GC), idle excluded, ms. V8 samples by wall
   * clock, so time a thread spends descheduled inside a syscall (e.g. writev on loopback,
   * which runs the peer's TCP receive path and wakes it) counts too: compare with the
   * /proc CPU figure.
   */
  sampledMs: number;
  idleMs: number;
  samples: number;
  /** Whether the windows actually overlapped the profile (else the whole profile is summarised). */
  windowed: boolean;
  /** Self time grouped into coarse buckets (socket writes, SQLite, XML, HTTP, GC…). */
  byCategory: ProfileEntry[];
  byFunction: ProfileEntry[];
  byScript: ProfileEntry[];
  /** Inclusive (self + callees) time of the project's own functions (dist/main, dist/bench). */
  projectInclusive: ProfileEntry[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  let p = url.startsWith('file://') ? url.slice(7) : url;
  if (p.startsWith(ROOT + path.sep)) p = p.slice(ROOT.length + 1);
  return p;
}

/** Coarse bucket for a frame's self time; `file` is relative to the project root when inside it. */
export function categoryOf(name: string, file: string): string {
  if (!file) {
    if (/^(writev|writeUtf8String|writeLatin1String|writeBuffer|writeAsciiString)$/.test(name)) return 'socket write syscalls (native)';
    if (name === '(garbage collector)') return 'garbage collector';
    if (name === '(program)') return '(program): V8/native outside JS';
    return `native: ${name}`;
  }
  if (file.startsWith('node_modules/better-sqlite3/') || file.startsWith('dist/main/store/')) return 'SQLite (better-sqlite3 native calls + main/store)';
  if (/^dist\/main\/(xml|qbxml|qbwc\/soap)\//.test(file)) return 'XML / SOAP / qbXML (main/xml, qbwc/soap, qbxml)';
  if (file.startsWith('dist/main/api/') || file.startsWith('dist/main/contract/')) return 'companion REST/contract (main/api, contract)';
  if (file.startsWith('dist/main/')) return 'other companion code (main/)';
  if (file.startsWith('dist/bench/')) return 'bench server code';
  if (/^node_modules\/(soap|sax|strip-bom|lodash|debug)\//.test(file)) return 'node-soap + sax';
  if (/^node_modules\/(express|router|body-parser|raw-body|send|finalhandler|serve-static|type-is|content-type|qs|iconv-lite)\//.test(file)) return 'express & co';
  if (file.startsWith('node_modules/')) return 'other dependencies';
  if (/^node:(_http|http)/.test(file)) return 'node http';
  if (/^node:(net|internal\/stream|internal\/streams|stream|string_decoder)/.test(file)) return 'node net/streams';
  if (file.startsWith('node:internal/crypto') || file.startsWith('node:crypto')) return 'node crypto';
  if (file.startsWith('node:')) return 'node other';
  return 'other';
}

/** Self time over one or more profiles (e.g. one per run), merged; only inside `windows` if any overlap. */
export function summarizeProfiles(files: readonly string[], windows: readonly Window[] = [], top = 25): ProfileSummary {
  const profiles = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as CpuProfile);
  const inWindow = (time: number) => windows.some((w) => time >= w.fromUs && time <= w.toUs);
  const stamps = profiles.map((profile) => {
    // Timestamp of each sample; each sample stands for the interval until the next one.
    const ts = new Float64Array(profile.samples.length);
    let t = profile.startTime;
    for (let i = 0; i < ts.length; i++) {
      t += profile.timeDeltas[i] ?? 0;
      ts[i] = t;
    }
    return ts;
  });
  const windowed = windows.length > 0 && stamps.some((ts) => ts.some(inWindow));

  const fn = new Map<string, { name: string; where: string; us: number }>();
  const inclusive = new Map<string, { name: string; where: string; us: number }>();
  const script = new Map<string, number>();
  const category = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  let total = 0;
  let counted = 0;
  let idle = 0;
  for (const [p, profile] of profiles.entries()) {
    const ts = stamps[p] as Float64Array;
    const n = ts.length;
    const byId = new Map<number, ProfileNode>();
    const parent = new Map<number, number>();
    for (const node of profile.nodes) {
      byId.set(node.id, node);
      for (const c of node.children ?? []) parent.set(c, node.id);
    }
    const frameKey = (cf: CallFrame) => {
      const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
      const name = cf.functionName || '(anonymous)';
      return { name, where, key: `${name}\u0000${where}` };
    };
    for (let i = 0; i < n; i++) {
      const time = ts[i] as number;
      if (windowed && !inWindow(time)) continue;
      const dt = i + 1 < n ? (ts[i + 1] as number) - time : 0;
      const id = profile.samples[i] as number;
      const node = byId.get(id);
      if (!node) continue;
      const cf = node.callFrame;
      const { name, where, key } = frameKey(cf);
      if (name === '(idle)') {
        idle += dt; // waiting for the client: not CPU
        continue;
      }
      const e = fn.get(key) ?? { name, where, us: 0 };
      e.us += dt;
      fn.set(key, e);
      add(script, cf.url ? shortUrl(cf.url) : name, dt);
      add(category, categoryOf(name, shortUrl(cf.url)), dt);
      // Inclusive time of project frames on the stack (each counted once per sample).
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)?.callFrame;
        if (!f || !/\/dist\/(main|bench)\//.test(f.url)) continue;
        const k = frameKey(f);
        if (seen.has(k.key)) continue;
        seen.add(k.key);
        const ie = inclusive.get(k.key) ?? { name: k.name, where: k.where, us: 0 };
        ie.us += dt;
        inclusive.set(k.key, ie);
      }
      total += dt;
      counted++;
    }
  }
  const entry = (name: string, where: string, us: number): ProfileEntry => ({
    name,
    where,
    selfMs: Math.round(us / 10) / 100,
    selfPct: total ? Math.round((1000 * us) / total) / 10 : 0,
  });
  const ranked = (m: Iterable<{ name: string; where: string; us: number }>) =>
    [...m]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => entry(e.name, e.where, e.us));
  const rankedMap = (m: Map<string, number>) => ranked([...m.entries()].map(([k, us]) => ({ name: k, where: '', us })));
  return {
    files: files.map(shortUrl),
    sampledMs: Math.round(total / 10) / 100,
    idleMs: Math.round(idle / 10) / 100,
    samples: counted,
    windowed,
    byCategory: rankedMap(category),
    byFunction: ranked(fn.values()),
    byScript: rankedMap(script),
    projectInclusive: ranked(inclusive.values()),
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const files = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
  };
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile... [--top N] [--from US --to US | --windows FILE]\n');
    process.exit(2);
  }
  const from = opt('from');
  const to = opt('to');
  const windowsFile = opt('windows');
  const windows: Window[] = windowsFile
    ? (JSON.parse(fs.readFileSync(windowsFile, 'utf8')) as Window[])
    : from && to
      ? [{ fromUs: Number(from), toUs: Number(to) }]
      : [];
  process.stdout.write(JSON.stringify(summarizeProfiles(files, windows, Number(opt('top') ?? 25)), null, 2) + '\n');
}
