#!/usr/bin/env node
/**
 * qbwc-companion: run the companion headless, manage instances, queue work, and run the
 * QBWC + QuickBooks simulator. One-shot commands call the same contract operations as
 * the REST API, in process, against the data folder.
 */
import { isLoopbackHost } from './loopback';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { invoke, type RawInput } from './contract/invoke';
import type { OperationName } from './contract/operations';
import { callRest } from './api/client';
import {
  createCore,
  DEFAULT_HOST,
  DEFAULT_PORT,
  defaultDataDir,
  isLoopbackUrl,
  PRODUCT_NAME,
  PRODUCT_VERSION,
  SERVER_FILE,
  type ServerInfo,
  serverInfoMac,
  startCompanion,
} from './companion';
import { API_TOKEN_FILE, constantTimeEqual } from './security/tokens';
import { assertPrivateFolder, makeDataFolder } from './store/db';
import { DataFolderBusyError, OWNER_PID_FILE } from './store/owner';
import { ApiError } from './errors';
import { runDemo } from './simulator/demo';
import { openInBrowser } from './api/open-browser';
import { runSimulation } from './simulator/simulate';
import { runTlsCommand, TLS_USAGE, TlsUsageError } from './tls/commands';
import { checkHttpsSettings, type HttpsSettings } from './tls/https';

const USAGE = `${PRODUCT_NAME} ${PRODUCT_VERSION}

Usage: qbwc-companion <command> [options]

Commands:
  serve                       Run the companion: QBWC endpoint, REST API. Prints its URL when ready.
      [--port N] [--host H] [--durability normal|full] [--max-body-mb N]
                              Creates the data folder if it does not exist (and says so).
      [--https-port N [--lan-host HOST [--lan-address ADDR]]]
                              Also serve the Web Connector endpoint over https (TLS 1.2+) with the companion's
                              own CA; QWC files then name https://localhost:N/qbwc. LAN mode (--lan-host, a host
                              name, not an IP): the endpoint alone listens on ADDR (default 0.0.0.0) for a Web
                              Connector on another PC, and QWC files name https://HOST:N/qbwc.
  instances list              List instances (company connections).
  instances create --name NAME --username USER [--password-stdin] [--qbd-path PATH] [--frequency MINUTES]
                              Create an instance; a password is generated (and shown once) unless
                              --password-stdin reads one from standard input. Creates the data folder if needed.
  instances forget-company <instance>
                              Forget the company file an instance learned (after the file was moved or renamed).
  qwc <instance> [--out FILE] Print (or write) the QWC file for an instance (id or user name).
  enqueue <instance> (--qbxml XML | --json JSON | --file FILE | -) [--priority N] [--page-size N]
                              Queue a request: qbXML, or JSON ({"type": "CustomerQuery", "params": {...}}
                              or an array of them); a file or standard input may hold either.
                              --page-size pages one query through its whole result, N records per page
                              (100-10000); MaxReturned alone means at most that many records, one request.
  request <requestId>         Show a request and QuickBooks' response.
  simulate --url URL --username USER [--password-stdin] (--qwc FILE | --owner-id GUID --file-id GUID)
      [--company FILE.json] [--style Document|RPC] [--noop-ms N]
                              Play QuickBooks Web Connector + a simulated company against any QBWC endpoint.
                              Asks for the password (or reads it from standard input with --password-stdin).
  demo [--once]               Start the companion with a demo instance in a temporary folder (removed at the
                              end), run the simulator against it, then keep serving the UI (it prints the link
                              to open) with a simulated sync every 20 seconds until Ctrl+C. --once ends after
                              the scripted part.
  open                        Open the running companion's pages in the browser, signed in (a one-time link).
${TLS_USAGE}

Common options:
  --data-dir DIR              Data folder (default: ${defaultDataDir()}). Other commands than serve and
                              instances create refuse one that does not exist.
  --password PASS             Still accepted, but other users can read it in the process list: avoid.
  -h, --help, -v, --version
`;

class UsageError extends Error {}

const OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  durability: { type: 'string' },
  'max-body-mb': { type: 'string' },
  'https-port': { type: 'string' },
  'lan-host': { type: 'string' },
  'lan-address': { type: 'string' },
  name: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'qbd-path': { type: 'string' },
  frequency: { type: 'string' },
  out: { type: 'string' },
  qbxml: { type: 'string' },
  json: { type: 'string' },
  file: { type: 'string' },
  priority: { type: 'string' },
  'page-size': { type: 'string' },
  url: { type: 'string' },
  qwc: { type: 'string' },
  'owner-id': { type: 'string' },
  'file-id': { type: 'string' },
  company: { type: 'string' },
  style: { type: 'string' },
  'noop-ms': { type: 'string' },
  'keep-running': { type: 'boolean' },
  once: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function int(value: string | undefined, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return n;
}

/** The request body for what was given: JSON when asked for (or when it looks like JSON), qbXML otherwise. */
function requestBody(given: string, json: boolean): Record<string, unknown> {
  const text = given.trim();
  if (!json && !text.startsWith('{') && !text.startsWith('[')) return { qbxml: given };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the request is not valid JSON: ${(err as Error).message}`);
  }
  // One request, or several for one message set (the contract validates the rest).
  if (Array.isArray(parsed)) return { requests: parsed };
  if (parsed === null || typeof parsed !== 'object') throw new UsageError('the JSON must be a request ({"type", "params"}) or an array of them');
  return parsed as Record<string, unknown>;
}

function print(value: unknown): void {
  process.stdout.write(typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n');
}

type Call = (name: OperationName, raw: RawInput) => Promise<unknown>;

/**
 * The data folder a command works on. Only `serve` and `instances create` make one that
 * doesn't exist (saying where, on stderr): for the others a missing folder is a typo, not
 * a reason to start an empty one. One that others may read or write is refused.
 */
function dataFolder(values: Values, mayCreate: boolean): string {
  const dataDir = values['data-dir'] ?? defaultDataDir();
  if (!fs.existsSync(dataDir)) {
    if (!mayCreate) {
      const given = values['data-dir'] !== undefined ? '--data-dir' : process.env.QBWC_COMPANION_DATA_DIR ? 'QBWC_COMPANION_DATA_DIR' : null;
      throw new Error(
        `The data folder ${dataDir} does not exist${given ? ` (check ${given})` : ''}. "qbwc-companion serve" or "qbwc-companion instances create" creates it.`,
      );
    }
    makeDataFolder(dataDir);
    process.stderr.write(`qbwc-companion: created the data folder ${path.resolve(dataDir)}\n`);
    return dataDir;
  }
  assertPrivateFolder(dataDir);
  return dataDir;
}

/**
 * Runs contract operations against the data folder: in process, or through the REST API
 * of the server that owns the folder while it runs.
 */
async function withCore<T>(values: Values, fn: (call: Call, server: ServerInfo | null) => Promise<T>, mayCreate = false): Promise<T> {
  const dataDir = dataFolder(values, mayCreate);
  const port = int(values.port, 'port', DEFAULT_PORT, 1, 65_535);
  let core: ReturnType<typeof createCore> | undefined;
  // The folder's owner is a running server (ask it over REST), another one-shot command
  // (wait for it), or a server still starting (its server.json comes once it listens).
  for (let waitMs = 0; core === undefined; waitMs = 5_000) {
    try {
      core = createCore({ dataDir, ownerWaitMs: waitMs }, () => port);
    } catch (err) {
      if (!(err instanceof DataFolderBusyError)) throw err;
      const server = trustedServer(dataDir, err.pid);
      if (server.ok) return fn((name, raw) => callRest(server.info.url, server.token, name, raw), server.info);
      // A server.json naming another process may be a moment old (the owner just changed): wait and look again.
      if (server.why !== null && (!server.mayChange || waitMs > 0)) throw new Error(refusal(dataDir, server.why));
      if (waitMs > 0) throw err;
    }
  }
  try {
    return await fn((name, raw) => invoke(core.handlers, name, raw), null);
  } finally {
    core.store.close();
  }
}

type ServerCheck = { ok: true; info: ServerInfo; token: string } | { ok: false; why: string | null; mayChange?: boolean };

/**
 * Whether <data-dir>/server.json may be given the API token: it must name the process that
 * holds the data folder's lock, a loopback URL, and carry the MAC only the holder of the
 * token could have computed. `why` is null when there is no server.json (yet).
 */
function trustedServer(dataDir: string, lockPid: number | null): ServerCheck {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, SERVER_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, why: null };
    throw err;
  }
  let info: Partial<ServerInfo>;
  try {
    info = JSON.parse(text) as Partial<ServerInfo>;
  } catch {
    return { ok: false, why: `${SERVER_FILE} is not valid JSON` };
  }
  if (info === null || typeof info !== 'object' || typeof info.url !== 'string' || typeof info.pid !== 'number') {
    return { ok: false, why: `${SERVER_FILE} does not hold a server's address` };
  }
  if (info.pid !== lockPid) {
    return {
      ok: false,
      why: `${SERVER_FILE} names process ${info.pid}, but the data folder is held by ${lockPid ? `process ${lockPid}` : 'another process'} (${OWNER_PID_FILE})`,
      mayChange: true,
    };
  }
  if (!isLoopbackUrl(info.url)) return { ok: false, why: `${SERVER_FILE} points to ${info.url}, which is not a plain http:// address on this computer's loopback (127.0.0.1, ::1, localhost)` };
  const token = fs.readFileSync(path.join(dataDir, API_TOKEN_FILE), 'utf8').trim();
  if (typeof info.mac !== 'string' || !constantTimeEqual(info.mac, serverInfoMac(token, info.url, info.pid))) {
    return { ok: false, why: `${SERVER_FILE} (pointing to ${info.url}) was not written by the server that holds the data folder: it is not signed with the folder's API token` };
  }
  return { ok: true, info: info as ServerInfo, token };
}

function refusal(dataDir: string, why: string): string {
  return (
    `Not sending the API token: ${why}. ` +
    `${SERVER_FILE} is written by "qbwc-companion serve" on ${dataDir}; if that server is yours, restart it (it writes the file again), ` +
    `and find out who changed ${path.join(dataDir, SERVER_FILE)}.`
  );
}

/**
 * A password: from standard input (--password-stdin), from a prompt on a terminal when
 * `required`, or from --password with a warning (other users see arguments in the process list).
 */
async function readPassword(values: Values, required: boolean, otherwise: string): Promise<string | undefined> {
  if (values.password !== undefined && values['password-stdin']) throw new UsageError('give the password with --password-stdin or --password, not both');
  if (values.password !== undefined) {
    process.stderr.write(
      `qbwc-companion: warning: a password given with --password can be read by other users of this computer in the process list; use --password-stdin, or ${otherwise}.\n`,
    );
    return values.password;
  }
  if (values['password-stdin']) {
    const password = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (password === '') throw new UsageError('--password-stdin: standard input held no password');
    return password;
  }
  if (!required) return undefined;
  if (!process.stdin.isTTY) throw new UsageError('give the password on standard input with --password-stdin (or run in a terminal to be asked for it)');
  return promptHidden('Password: ');
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Interrupted());
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    process.stderr.write(question);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

class Interrupted extends Error {}

/** An instance given by id or by user name. */
async function resolveInstance(call: Call, ref: string | undefined): Promise<string> {
  if (!ref) throw new UsageError('name the instance (its id or user name)');
  const { data } = (await call('listInstances', {})) as { data: { instanceId: string; username: string }[] };
  const instance = data.find((i) => i.instanceId === ref) ?? data.find((i) => i.username.toLowerCase() === ref.toLowerCase());
  if (!instance) throw new ApiError(404, 'not_found', `No instance with id or user name "${ref}". See "qbwc-companion instances list".`, 'instance');
  return instance.instanceId;
}

/** `serve`'s https and LAN mode options (issue 19): off unless --https-port is given. */
function httpsSettings(values: Values, httpPort: number): HttpsSettings | undefined {
  if (values['https-port'] === undefined) {
    if (values['lan-host'] !== undefined || values['lan-address'] !== undefined) {
      throw new UsageError('--lan-host and --lan-address need --https-port N: the Web Connector accepts only https off localhost');
    }
    return undefined;
  }
  const port = int(values['https-port'], 'https-port', 0, 0, 65_535);
  if (port !== 0 && port === httpPort) throw new UsageError('--https-port must differ from --port');
  const settings: HttpsSettings = { port, lanHost: values['lan-host'], lanAddress: values['lan-address'] };
  try {
    checkHttpsSettings(settings);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return settings;
}

async function serve(values: Values): Promise<void> {
  const durability = values.durability ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new UsageError('--durability must be normal or full');
  const port = int(values.port, 'port', DEFAULT_PORT, 0, 65_535);
  const maxBodyMb = int(values['max-body-mb'], 'max-body-mb', 512, 1, 4096);
  const https = httpsSettings(values, port);
  const companion = await startCompanion({
    https,
    dataDir: dataFolder(values, true),
    port,
    host: values.host ?? DEFAULT_HOST,
    durability,
    maxBodyBytes: maxBodyMb * 1024 * 1024,
    ownerWaitMs: 5_000, // a one-shot command may hold the folder for a moment
  });
  process.stdout.write(companion.url + '\n');
  const login = await invoke(companion.handlers, 'createLoginCode', {});
  process.stderr.write(`qbwc-companion: open the companion in a browser on this computer (this link signs in once, within 5 minutes; "qbwc-companion open" makes another): ${login.url}\n`);
  if (companion.qwcWarning) process.stderr.write(`qbwc-companion: warning: ${companion.qwcWarning}\n`);
  if (companion.https) process.stderr.write(`qbwc-companion: ${companion.https.notice}\n`);
  if (companion.httpsError) process.stderr.write(`qbwc-companion: error: HTTPS is off: ${companion.httpsError}\n`);
  if (!isLoopbackHost(values.host ?? DEFAULT_HOST)) {
    process.stderr.write(
      `qbwc-companion: warning: listening on ${values.host}, not only on this computer. The Web Connector endpoint is protected only by the instances' passwords, over plain HTTP.\n`,
    );
  }
  const shutdown = () => {
    companion.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub, ...rest] = positionals;
  if (values.version) return print(`${PRODUCT_VERSION}\n`);
  if (values.help || !command) return print(USAGE);

  switch (command) {
    case 'serve':
      return serve(values);
    case 'instances':
      if (sub === 'list') return withCore(values, async (call) => print(await call('listInstances', {})));
      if (sub === 'create') {
        const frequency = values.frequency !== undefined ? { frequencyInMinutes: int(values.frequency, 'frequency', 60) } : {};
        const password = await readPassword(values, false, 'leave it out to have one generated');
        // Without a password one is generated and comes back in the answer: the one time it is
        // shown, for the bookkeeper to type into the Web Connector.
        return withCore(
          values,
          async (call) =>
            print(await call('createInstance', { body: { name: values.name, username: values.username, password, qbdPath: values['qbd-path'], ...frequency } })),
          true,
        );
      }
      if (sub === 'forget-company') {
        return withCore(values, async (call) =>
          print(await call('forgetCompany', { params: { instanceId: await resolveInstance(call, rest[0]) } })),
        );
      }
      throw new UsageError('use "instances list", "instances create" or "instances forget-company <instance>"');
    case 'qwc':
      return withCore(values, async (call, server) => {
        const qwc = (await call('getInstanceQwc', { params: { instanceId: await resolveInstance(call, sub) } })) as string;
        const listening = server ? Number(new URL(server.url).port) : null;
        if (server && typeof server.qwcPort === 'number' && listening !== server.qwcPort && !qwc.includes('<AppURL>https://')) {
          process.stderr.write(
            `qbwc-companion: warning: the server listens on the temporary port ${listening}, but this QWC file names port ${server.qwcPort}, ` +
              `where QuickBooks Web Connector will look for it: run "qbwc-companion serve" on port ${server.qwcPort} when the Web Connector uses it.\n`,
          );
        }
        if (values.out) {
          fs.writeFileSync(values.out, qwc);
          process.stderr.write(`Wrote ${path.resolve(values.out)}. Open it in QuickBooks Web Connector (File > Add an application).\n`);
        } else print(qwc);
      });
    case 'enqueue': {
      const given =
        values.qbxml ??
        values.json ??
        (values.file ? fs.readFileSync(values.file, 'utf8') : rest[0] === '-' || sub === '-' ? fs.readFileSync(0, 'utf8') : undefined);
      if (given === undefined) throw new UsageError('give the request with --qbxml, --json, --file, or "-" for standard input');
      const body = { ...requestBody(given, values.json !== undefined), priority: int(values.priority, 'priority', 0) };
      // Its range is the contract's to check (400 naming pageSize).
      if (values['page-size'] !== undefined) Object.assign(body, { pageSize: int(values['page-size'], 'page-size', 0) });
      return withCore(values, async (call) => print(await call('enqueueRequest', { params: { instanceId: await resolveInstance(call, sub) }, body })));
    }
    case 'request':
      return withCore(values, async (call) => print(await call('getRequest', { params: { requestId: sub } })));
    case 'simulate':
      return runSimulation({
        url: values.url,
        username: values.username,
        password: await readPassword(values, true, 'leave it out to be asked for it'),
        qwcFile: values.qwc,
        ownerId: values['owner-id'],
        fileId: values['file-id'],
        companyFile: values.company,
        style: values.style,
        noopMs: values['noop-ms'] !== undefined ? int(values['noop-ms'], 'noop-ms', 5000) : undefined,
      });
    case 'tls': {
      const code = await runTlsCommand(sub, { dataDir: dataFolder(values, false), out: values.out });
      if (code !== 0) process.exitCode = code;
      return;
    }
    case 'demo':
      return runDemo({ dataDir: values['data-dir'], keepRunning: !values.once });
    case 'open':
      return withCore(values, async (call, server) => {
        if (!server) throw new Error(`${PRODUCT_NAME} is not running on this data folder: start it with "qbwc-companion serve" (or open the desktop app), then run this again.`);
        const { url } = (await call('createLoginCode', {})) as { url: string };
        print(`${url}\n`);
        if (!(await openInBrowser(url))) process.stderr.write('qbwc-companion: no browser could be started here; open the link above in one (it works once, for 5 minutes).\n');
      });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof Interrupted) process.exit(130);
  if (err instanceof UsageError || err instanceof TlsUsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`qbwc-companion: ${err.message}\nRun "qbwc-companion --help" for usage.\n`);
    process.exit(2);
  }
  if (err instanceof ApiError) {
    process.stderr.write(`qbwc-companion: ${err.message}${err.field ? ` (${err.field})` : ''}\n`);
    process.exit(1);
  }
  process.stderr.write(`qbwc-companion: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
