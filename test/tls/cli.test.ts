/**
 * `serve --https-port` / LAN mode and `tls …` as a user runs them: the built
 * dist/main/cli.js in its own process (`npm test` builds first).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateQwc } from '../../main/qwc/validate';
import { tempDir } from '../helpers';

const CLI = path.join(__dirname, '..', '..', 'dist', 'main', 'cli.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function run(args: string[], input?: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 30_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `serve`; resolves once its https notice (or error) is on stderr. */
function serve(args: string[]): Promise<{ url: string; proc: ChildProcess; stderr: () => string }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let err = '';
  let out = '';
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = out.split('\n')[0];
      if (out.includes('\n') && line && /qbwc-companion: (QuickBooks Web Connector over https|error: HTTPS is off)[^\n]*\n/.test(err)) resolve({ url: line, proc, stderr: () => err });
    };
    proc.stderr?.on('data', (c: Buffer) => {
      err += c;
      check();
    });
    proc.stdout?.on('data', (c: Buffer) => {
      out += c;
      check();
    });
    proc.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

describe('qbwc-companion serve --https-port / --lan-host and tls commands', () => {
  it('refuses an IP address as the LAN host, and LAN options without --https-port (exit code 2)', () => {
    const dir = tempDir();
    const ip = run(['serve', '--data-dir', dir, '--https-port', '8621', '--lan-host', '192.168.1.20']);
    expect(ip.code).toBe(2);
    expect(ip.stderr).toMatch(/--lan-host must be a host name, not an IP address .*QBWC1001/);
    const noPort = run(['serve', '--data-dir', dir, '--lan-host', 'qb-office.lan']);
    expect(noPort.code).toBe(2);
    expect(noPort.stderr).toMatch(/need --https-port/);
    expect(run(['serve', '--data-dir', dir, '--https-port', '8621', '--lan-host', 'qb-office.lan', '--lan-address', 'eth0']).stderr).toMatch(/--lan-address must be an IP address/);
    expect(run(['--help']).stdout).toMatch(/--https-port N \[--lan-host HOST \[--lan-address ADDR\]\][\s\S]*tls export-ca/);
  });

  it('LAN mode: says which URL and QWC to use; the QWC names https://HOST:PORT, also from a one-shot command later; a simulated session runs with the exported CA', async () => {
    const dir = tempDir();
    const created = run(['instances', 'create', '--data-dir', dir, '--name', 'Acme', '--username', 'acme', '--password-stdin'], 'secret password\n');
    expect(created.code).toBe(0);
    const server = await serve(['--data-dir', dir, '--https-port', '0', '--lan-host', 'qb-office.lan', '--lan-address', '127.0.0.2']);
    const notice = /QuickBooks Web Connector over https \(LAN mode\): (https:\/\/qb-office\.lan:(\d+)\/qbwc), listening on 127\.0\.0\.2:\2 for the Web Connector endpoint only/.exec(server.stderr());
    expect(notice, server.stderr()).not.toBeNull();
    expect(server.stderr()).toMatch(/certutil -user -addstore Root/);
    const appUrl = notice?.[1] as string;
    const qwc = run(['qwc', 'acme', '--data-dir', dir]);
    expect(qwc.stdout).toContain(`<AppURL>${appUrl}</AppURL>`);
    expect(qwc.stdout).toContain(`<AppSupport>${appUrl.replace('/qbwc', '/support')}</AppSupport>`);
    expect(validateQwc(qwc.stdout).valid).toBe(true);
    // The QWC names the https port: no warning about the temporary http port (--port 0).
    expect(qwc.stderr).toBe('');
    expect(server.stderr()).not.toMatch(/temporary port/);

    const caFile = path.join(dir, 'exported-ca.crt');
    const exported = run(['tls', 'export-ca', '--data-dir', dir, '--out', caFile]);
    expect(exported.code).toBe(0);
    expect(fs.readFileSync(caFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\n$/);
    const status = JSON.parse(run(['tls', 'status', '--data-dir', dir]).stdout);
    expect(status.qwcBaseUrl).toBe(appUrl.replace('/qbwc', ''));
    expect(status.server.altNames).toEqual(expect.arrayContaining(['DNS:qb-office.lan', 'IP Address:127.0.0.2', 'DNS:localhost']));
    expect(status.trustedByWindows).toBeNull(); // not Windows

    // The simulator trusts the CA through Node's own NODE_EXTRA_CA_CERTS; the LAN name is reached on its loopback address.
    const qwcFile = path.join(dir, 'acme.qwc');
    fs.writeFileSync(qwcFile, qwc.stdout);
    const port = new URL(appUrl).port;
    const sim = run(['simulate', '--qwc', qwcFile, '--url', `https://127.0.0.2:${port}/qbwc`, '--password-stdin', '--noop-ms', '10'], 'secret password\n', {
      ...process.env,
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(sim.stdout).toMatch(/Result: (completed|no_work)/);
    expect(sim.code).toBe(0);

    server.proc.kill('SIGTERM');
    await new Promise((resolve) => server.proc.once('exit', resolve));
    // Stopped: a one-shot command still writes the QWC the last serve configured.
    expect(run(['qwc', 'acme', '--data-dir', dir]).stdout).toContain(`<AppURL>${appUrl}</AppURL>`);
  });

  it('an unreadable CA key: serve says HTTPS is off and why, and keeps serving http', async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o700);
    expect(run(['tls', 'export-ca', '--data-dir', dir]).code).toBe(0);
    fs.rmSync(path.join(dir, 'tls', 'ca', 'ca.key'));
    const server = await serve(['--data-dir', dir, '--https-port', '0']);
    expect(server.stderr()).toMatch(/error: HTTPS is off: The CA's private key .* can't be read/);
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
  });
});
