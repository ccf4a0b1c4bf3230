/**
 * The serving process's V8 settings, observed in a fresh process (V8 flags are
 * process-wide): a function called once per SOAP call is considered for optimization
 * after far fewer calls than with V8's defaults.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const RUNTIME = path.join(__dirname, '..', 'dist', 'main', 'runtime.js');

/** Calls a small function until V8 marks it for optimization (or optimizes it); prints how many calls that took. */
const SCRIPT = `
  if (process.argv[1] === 'tune') require(${JSON.stringify(RUNTIME)}).tuneV8ForServing();
  function work(s) { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h; }
  const TIERING_UP = (1 << 4) | (1 << 8) | (1 << 9) | (1 << 10); // optimized, marked, marked concurrent, optimizing
  let calls = 1;
  for (; calls < 100000; calls++) { work('abcdefgh'); if (%GetOptimizationStatus(work) & TIERING_UP) break; }
  console.log(calls);
`;

function callsUntilOptimized(tune: boolean): number {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', SCRIPT, ...(tune ? ['tune'] : [])], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  return Number(r.stdout.trim());
}

describe('V8 settings for serving', () => {
  it('have a function called once per SOAP call considered for optimization after far fewer calls', () => {
    const defaults = callsUntilOptimized(false);
    const tuned = callsUntilOptimized(true);
    expect(defaults).toBeGreaterThan(0);
    expect(defaults).toBeLessThan(100000);
    expect(tuned).toBeLessThan(defaults / 2);
  });
});
