import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaCertificate, tlsPaths } from '../../main/tls/ca';
import { runTlsCommand } from '../../main/tls/commands';
import { type CommandResult, certutilArgs, certutilPath, trustCa, trustStatus, untrustCa } from '../../main/tls/trust';
import { tempDir } from '../helpers';

/** A stand-in for child_process: records each call and answers with the given exit code. */
function fakeRunner(code = 0, output = '') {
  const calls: { file: string; args: readonly string[] }[] = [];
  const run = async (file: string, args: readonly string[]): Promise<CommandResult> => {
    calls.push({ file, args });
    return { code, stdout: output, stderr: '' };
  };
  return { calls, run };
}

const env = { SystemRoot: 'C:\\Windows' };
const CERTUTIL = 'C:\\Windows\\System32\\certutil.exe';
const THUMB = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';

describe('trusting the CA on Windows (certutil, child process mocked: no Windows here)', () => {
  it('runs certutil by its full path with fixed arguments for the current user\'s Root store', async () => {
    expect(certutilPath(env)).toBe(CERTUTIL);
    expect(certutilPath({ windir: 'D:\\WINNT' })).toBe('D:\\WINNT\\System32\\certutil.exe');
    const ok = fakeRunner(0);
    const caFile = 'C:\\Users\\me\\AppData\\Roaming\\QBWC Companion\\tls\\ca\\ca.crt';
    expect((await trustCa({ platform: 'win32', caFile, thumbprint: THUMB, run: ok.run, env })).kind).toBe('done');
    expect((await untrustCa({ platform: 'win32', caFile, thumbprint: THUMB, run: ok.run, env })).kind).toBe('done');
    expect(await trustStatus({ platform: 'win32', caFile, thumbprint: THUMB, run: ok.run, env })).toMatchObject({ installed: true });
    expect(ok.calls).toEqual([
      { file: CERTUTIL, args: ['-user', '-addstore', 'Root', caFile] },
      { file: CERTUTIL, args: ['-user', '-delstore', 'Root', THUMB] },
      { file: CERTUTIL, args: ['-user', '-verifystore', 'Root', THUMB] },
    ]);
    // A path with spaces stays one argument: no shell ever sees it.
    expect(certutilArgs('trust', caFile, THUMB)).toHaveLength(4);
  });

  it('says plainly when Windows did not add or remove it (answered No, not installed)', async () => {
    const cancelled = fakeRunner(0x800704c7 | 0, 'CertUtil: -addstore command FAILED: 0x800704c7 (WIN32: 1223 ERROR_CANCELLED)');
    const added = await trustCa({ platform: 'win32', caFile: 'ca.crt', thumbprint: THUMB, run: cancelled.run, env });
    expect(added.kind).toBe('failed');
    expect(added.message).toMatch(/Windows did not add the CA certificate .*answer Yes/);
    expect(added.kind === 'failed' && added.output).toMatch(/ERROR_CANCELLED/);
    const notFound = fakeRunner(1);
    expect((await untrustCa({ platform: 'win32', caFile: 'ca.crt', thumbprint: THUMB, run: notFound.run, env })).kind).toBe('failed');
    expect(await trustStatus({ platform: 'win32', caFile: 'ca.crt', thumbprint: THUMB, run: notFound.run, env })).toMatchObject({ installed: false });
  });

  it.each(['linux', 'darwin'] as const)('runs nothing on %s and prints the manual steps instead', async (platform) => {
    const never = fakeRunner(0);
    const trust = await trustCa({ platform, caFile: '/data/tls/ca/ca.crt', thumbprint: THUMB, run: never.run });
    expect(trust.kind).toBe('manual');
    expect(trust.message).toMatch(/tls export-ca --out qbwc-companion-ca\.crt[\s\S]*certutil -user -addstore Root qbwc-companion-ca\.crt/);
    expect(trust.message).toMatch(platform === 'darwin' ? /security add-trusted-cert/ : /update-ca-certificates/);
    expect((await untrustCa({ platform, caFile: '/data/tls/ca/ca.crt', thumbprint: THUMB, run: never.run })).kind).toBe('manual');
    expect((await trustStatus({ platform, caFile: '/data/tls/ca/ca.crt', thumbprint: THUMB, run: never.run })).installed).toBeNull();
    expect(never.calls).toEqual([]);
  });
});

describe('qbwc-companion tls commands', () => {
  const capture = () => {
    const printed: string[] = [];
    const warned: string[] = [];
    return { printed, warned, stdout: (t: string) => void printed.push(t), stderr: (t: string) => void warned.push(t) };
  };

  it('export-ca writes the CA certificate only (never a key), making the CA when there is none', async () => {
    const dataDir = tempDir();
    const file = path.join(tempDir(), 'qbwc-companion-ca.crt');
    const io = capture();
    expect(await runTlsCommand('export-ca', { dataDir, out: file, ...io })).toBe(0);
    const pem = fs.readFileSync(file, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(pem).not.toMatch(/PRIVATE KEY/);
    expect(io.warned.join('')).toMatch(/Made the companion's certificate authority.*certutil -user -addstore Root qbwc-companion-ca\.crt/s);
    // Again: the same CA, not a new one.
    const again = capture();
    await runTlsCommand('export-ca', { dataDir, ...again });
    expect(again.printed.join('')).toBe(pem);
    expect(again.warned.join('')).toBe('');
  });

  it('trust runs certutil on the CA file of the data folder on Windows; status reports it; nothing prints a key', async () => {
    const dataDir = tempDir();
    const fake = fakeRunner(0);
    const io = capture();
    expect(await runTlsCommand('trust', { dataDir, platform: 'win32', run: fake.run, env, ...io })).toBe(0);
    const ca = readCaCertificate(dataDir);
    expect(fake.calls[0]).toEqual({ file: CERTUTIL, args: ['-user', '-addstore', 'Root', tlsPaths(dataDir).caCert] });
    expect(io.warned.join('')).toContain(ca?.thumbprint);
    const status = capture();
    await runTlsCommand('status', { dataDir, platform: 'win32', run: fake.run, env, ...status });
    const report = JSON.parse(status.printed.join(''));
    expect(report).toMatchObject({ ca: { thumbprint: ca?.thumbprint }, trustedByWindows: true });
    expect(fake.calls[1]?.args).toEqual(['-user', '-verifystore', 'Root', ca?.thumbprint]);
    expect(status.printed.join('')).not.toMatch(/PRIVATE KEY|BEGIN/);
    expect(await runTlsCommand('untrust', { dataDir, platform: 'win32', run: fake.run, env, ...capture() })).toBe(0);
    expect(fake.calls[2]?.args).toEqual(['-user', '-delstore', 'Root', ca?.thumbprint]);
    // A refused trust is exit code 1.
    expect(await runTlsCommand('trust', { dataDir, platform: 'win32', run: fakeRunner(5).run, env, ...capture() })).toBe(1);
  });

  it('status before any CA says how one is made, and untrust without a CA has nothing to do', async () => {
    const dataDir = tempDir();
    const io = capture();
    await runTlsCommand('status', { dataDir, platform: 'linux', ...io });
    expect(JSON.parse(io.printed.join(''))).toMatchObject({ ca: null, server: null, trustedByWindows: null, message: expect.stringMatching(/--https-port/) });
    const un = capture();
    expect(await runTlsCommand('untrust', { dataDir, platform: 'win32', run: fakeRunner(0).run, ...un })).toBe(0);
    expect(un.printed.join('')).toMatch(/nothing to remove/);
    await expect(runTlsCommand('bogus', { dataDir })).rejects.toThrow(/tls status/);
  });
});
