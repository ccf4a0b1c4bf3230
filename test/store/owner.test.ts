/**
 * One owner per data folder, decided by a lock the operating system holds for the
 * process: other processes race through the compiled module (`npm test` builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireOwnership, DataFolderBusyError, OWNER_PID_FILE } from '../../main/store/owner';
import { tempDir } from '../helpers';

const OWNER_JS = path.join(__dirname, '..', '..', 'dist', 'main', 'store', 'owner.js');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A process that takes the folder (waiting up to `waitMs`), says "got" or "busy", and holds it for `holdMs`. */
function contender(dir: string, waitMs = 0, holdMs = 60_000): { proc: ChildProcess; said: Promise<string> } {
  const script = `
    const { acquireOwnership } = require(${JSON.stringify(OWNER_JS)});
    try {
      const lock = acquireOwnership(${JSON.stringify(dir)}, { waitMs: ${waitMs} });
      process.stdout.write('got\\n');
      setTimeout(() => { lock.release(); process.exit(0); }, ${holdMs});
    } catch (e) { process.stdout.write(e.name === 'DataFolderBusyError' ? 'busy\\n' : 'error ' + e.message + '\\n'); }`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  const said = new Promise<string>((resolve) => {
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c;
      if (out.includes('\n')) resolve(out.trim());
    });
    proc.on('exit', () => resolve(out.trim()));
  });
  return { proc, said };
}

/** A process that took the folder, then was killed with SIGKILL (its pid file stays). */
async function killedOwner(dir: string): Promise<void> {
  const owner = contender(dir);
  expect(await owner.said).toBe('got');
  owner.proc.kill('SIGKILL');
  await new Promise((r) => owner.proc.once('exit', r));
}

describe('data folder ownership', () => {
  it('refuses a second owner, in this process or another, naming the owner', async () => {
    const dir = tempDir();
    const lock = acquireOwnership(dir);
    try {
      expect(() => acquireOwnership(dir)).toThrow(DataFolderBusyError);
      expect(() => acquireOwnership(dir)).toThrow(`process ${process.pid}`);
      expect(await contender(dir).said).toBe('busy');
    } finally {
      lock.release();
    }
    expect(fs.existsSync(path.join(dir, OWNER_PID_FILE))).toBe(false);
    acquireOwnership(dir).release();
  });

  it('is free the moment its owner is killed, though the owner left its pid file behind', async () => {
    const dir = tempDir();
    await killedOwner(dir);
    expect(fs.existsSync(path.join(dir, OWNER_PID_FILE))).toBe(true);
    acquireOwnership(dir).release();
  });

  it('goes to exactly one of many processes starting at once over a killed owner', async () => {
    const dir = tempDir();
    await killedOwner(dir);
    const racers = Array.from({ length: 6 }, () => contender(dir));
    const said = await Promise.all(racers.map((r) => r.said));
    expect(said.filter((s) => s === 'got')).toHaveLength(1);
    expect(said.filter((s) => s === 'busy')).toHaveLength(5);
  });

  it('can be waited for while a short-lived owner finishes', async () => {
    const dir = tempDir();
    const brief = contender(dir, 0, 300);
    expect(await brief.said).toBe('got');
    expect(await contender(dir, 5_000).said).toBe('got');
  });
});
