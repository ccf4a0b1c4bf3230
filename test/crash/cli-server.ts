/**
 * Helpers for crash tests against the real CLI process: start `serve` on a data folder,
 * talk to its REST API, kill it with SIGKILL, and a SOAP proxy that sits between the
 * simulated Web Connector and the server so a test can kill the server at an exact point
 * of a Web Connector session (before a call reaches it, while it handles one, or after it
 * answered but before the Web Connector saw the answer), with a stable AppURL across
 * restarts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach } from 'vitest';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'main', 'cli.js');

export interface ServerProcess {
  url: string;
  token: string;
  proc: ChildProcess;
  dataDir: string;
  /** Resolves when the process has exited, however it ends. */
  exited: Promise<void>;
  /** What the server wrote to stderr (its log), the last 64 KB. */
  stderr(): string;
  /** SIGKILL, resolved once the process is gone (the OS has dropped its locks). */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown), resolved once the process is gone. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** For afterEach: SIGKILL every server still running. */
export function killAllServers(): void {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
}

/**
 * A crash test file's scratch: temporary folders and whatever else it registers, undone
 * after each test (newest first), every server still running SIGKILLed before.
 */
export function crashScratch(prefix: string): { cleanup: (() => Promise<void> | void)[]; tempDir(): string } {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    killAllServers();
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  return {
    cleanup,
    tempDir() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}

export interface StartOptions {
  /** Another build's cli.js (an earlier version, for upgrade tests); default this one's. */
  cli?: string;
  /** Node options before the CLI script, e.g. ['--require', file]. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/** Starts `serve --port 0` on the folder; resolves once it printed its URL. */
export function startServer(dataDir: string, options: StartOptions = {}): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), options.cli ?? CLI, 'serve', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  running.add(proc);
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    if (err.length > 65_536) err = err.slice(-65_536);
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  }).then(() => {
    running.delete(proc);
  });
  const stopWith = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return new Promise<ServerProcess>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`serve did not print its URL within ${options.readyTimeoutMs ?? 20_000} ms; stderr:\n${err}`));
    }, options.readyTimeoutMs ?? 20_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      const url = out.slice(0, nl).trim();
      resolve({
        url,
        token: fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim(),
        proc,
        dataDir,
        exited,
        stderr: () => err,
        kill: () => stopWith('SIGKILL'),
        stop: () => stopWith('SIGTERM'),
      });
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (code ${code}, signal ${signal}) before it was ready; stderr:\n${err}`));
    });
  });
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export type Api = <T = any>(method: string, route: string, body?: unknown) => Promise<T>;

/** A JSON client for the server's REST API (`route` below /api/v1). */
export function restClient(server: { url: string; token: string }): Api {
  return async (method, route, body) => {
    const res = await fetch(`${server.url}/api/v1${route}`, {
      method,
      headers: { Authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new RestError(res.status, json, `${method} ${route}`);
    return json;
  };
}

/** Every page of a cursor-paged list. */
export async function listAll<T>(api: Api, route: string, limit = 500): Promise<T[]> {
  const out: T[] = [];
  const sep = route.includes('?') ? '&' : '?';
  for (let cursor: string | null = null; ; ) {
    const page: { data: T[]; nextCursor: string | null } = await api('GET', `${route}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.data);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

export interface ProxiedCall {
  /** 1-based, counted since the proxy's counter was last reset. */
  index: number;
  /** The QBWC method, from SOAPAction. */
  method: string;
  request: string;
}

export interface ProxyHooks {
  /** Before the call is forwarded; if the proxy has no target afterwards, the call is dropped. */
  beforeForward?(call: ProxiedCall): Promise<void> | void;
  /** Right after the call was written to the server (synchronous: for kills while the server handles it). */
  forwarded?(call: ProxiedCall): void;
  /** The server answered (it kept whatever it promised); if the proxy has no target afterwards, the answer is not relayed. */
  answered?(call: ProxiedCall, status: number, body: string): Promise<void> | void;
}

/**
 * An HTTP proxy for the QBWC endpoint. Its `url` stays the same while the server behind it
 * (`target`, a base URL) is killed and restarted; with no target, or when the server
 * fails, the Web Connector's connection is cut, as a dead server's would be.
 */
export class SoapProxy {
  target: string | null = null;
  hooks: ProxyHooks = {};
  calls = 0;
  /** Whatever a hook threw (the call was cut); a test checks it is empty. */
  readonly errors: unknown[] = [];
  private server: http.Server | undefined;
  private agent = new http.Agent({ keepAlive: true });
  url = '';

  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => (this.server as http.Server).listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/qbwc`;
  }

  /** A new server behind the proxy (connections to the old one are dropped). */
  retarget(url: string | null): void {
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true });
    this.target = url;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const cut = (): void => {
      req.socket.destroy();
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const action = String(req.headers.soapaction ?? '').replace(/"/g, '');
      const call: ProxiedCall = { index: ++this.calls, method: action.slice(action.lastIndexOf('/') + 1), request: body.toString('utf8') };
      await this.hooks.beforeForward?.(call);
      const target = this.target;
      if (!target) return cut();
      const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer } | null>((resolve) => {
        const up = http.request(
          `${target}${req.url ?? '/qbwc'}`,
          { method: req.method, agent: this.agent, headers: { ...req.headers, host: new URL(target).host } },
          (r) => {
            const parts: Buffer[] = [];
            r.on('data', (c: Buffer) => parts.push(c));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(parts) }));
            r.on('error', () => resolve(null));
            r.on('close', () => {
              if (!r.complete) resolve(null);
            });
          },
        );
        up.on('error', () => resolve(null));
        up.end(body, () => this.hooks.forwarded?.(call));
      });
      if (!answer) return cut();
      await this.hooks.answered?.(call, answer.status, answer.body.toString('utf8'));
      if (!this.target) return cut();
      res.writeHead(answer.status, { 'content-type': answer.headers['content-type'] ?? 'text/xml', 'content-length': answer.body.length });
      res.end(answer.body);
    } catch (err) {
      this.errors.push(err);
      cut();
    }
  }
}

