#!/usr/bin/env node
/**
 * qbwc-companion: run the companion headless, manage instances, queue work, and run the
 * QBWC + QuickBooks simulator. One-shot commands call the same contract operations as
 * the REST API, in process, against the data folder.
 */
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
  PRODUCT_NAME,
  PRODUCT_VERSION,
  SERVER_FILE,
  type ServerInfo,
  startCompanion,
} from './companion';
import { API_TOKEN_FILE } from './security/tokens';
import { DataFolderBusyError } from './store/owner';
import { ApiError } from './errors';
import { generatePassword } from './security/passwords';
import { runDemo } from './simulator/demo';
import { runSimulation } from './simulator/simulate';

const USAGE = `${PRODUCT_NAME} ${PRODUCT_VERSION}

Usage: qbwc-companion <command> [options]

Commands:
  serve                       Run the companion: QBWC endpoint, REST API. Prints its URL when ready.
      [--port N] [--host H] [--durability normal|full] [--max-body-mb N]
  instances list              List instances (company connections).
  instances create --name NAME --username USER [--password PASS] [--qbd-path PATH] [--frequency MINUTES]
                              Create an instance; a password is generated if not given.
  instances forget-company <instance>
                              Forget the company file an instance learned (after the file was moved or renamed).
  qwc <instance> [--out FILE] Print (or write) the QWC file for an instance (id or user name).
  enqueue <instance> (--qbxml XML | --json JSON | --file FILE | -) [--priority N]
                              Queue a request: qbXML, or JSON ({"type": "CustomerQuery", "params": {...}}
                              or an array of them); a file or standard input may hold either.
  request <requestId>         Show a request and QuickBooks' response.
  simulate --url URL --username USER --password PASS (--qwc FILE | --owner-id GUID --file-id GUID)
      [--company FILE.json] [--style Document|RPC] [--noop-ms N]
                              Play QuickBooks Web Connector + a simulated company against any QBWC endpoint.
  demo [--keep-running]       Start the companion with a demo instance and run the simulator against it.

Common options:
  --data-dir DIR              Data folder (default: ${defaultDataDir()}).
  -h, --help, -v, --version
`;

class UsageError extends Error {}

const OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  durability: { type: 'string' },
  'max-body-mb': { type: 'string' },
  name: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'qbd-path': { type: 'string' },
  frequency: { type: 'string' },
  out: { type: 'string' },
  qbxml: { type: 'string' },
  json: { type: 'string' },
  file: { type: 'string' },
  priority: { type: 'string' },
  url: { type: 'string' },
  qwc: { type: 'string' },
  'owner-id': { type: 'string' },
  'file-id': { type: 'string' },
  company: { type: 'string' },
  style: { type: 'string' },
  'noop-ms': { type: 'string' },
  'keep-running': { type: 'boolean' },
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
 * Runs contract operations against the data folder: in process, or through the REST API
 * of the server that owns the folder while it runs.
 */
async function withCore<T>(values: Values, fn: (call: Call) => Promise<T>): Promise<T> {
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const port = int(values.port, 'port', DEFAULT_PORT, 1, 65_535);
  let core: ReturnType<typeof createCore> | undefined;
  // The folder's owner is a running server (ask it over REST), another one-shot command
  // (wait for it), or a server still starting (its server.json comes once it listens).
  for (let waitMs = 0; core === undefined; waitMs = 5_000) {
    try {
      core = createCore({ dataDir, ownerWaitMs: waitMs }, () => port);
    } catch (err) {
      if (!(err instanceof DataFolderBusyError)) throw err;
      const server = readServerInfo(dataDir);
      if (server !== null && server.pid === err.pid) {
        const token = fs.readFileSync(path.join(dataDir, API_TOKEN_FILE), 'utf8').trim();
        return fn((name, raw) => callRest(server.url, token, name, raw));
      }
      if (waitMs > 0) throw err;
    }
  }
  try {
    return await fn((name, raw) => invoke(core.handlers, name, raw));
  } finally {
    core.store.close();
  }
}

/** The running server's address, if the data folder has a readable one. */
function readServerInfo(dataDir: string): ServerInfo | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, SERVER_FILE), 'utf8')) as ServerInfo;
  } catch {
    return null;
  }
}

/** An instance given by id or by user name. */
async function resolveInstance(call: Call, ref: string | undefined): Promise<string> {
  if (!ref) throw new UsageError('name the instance (its id or user name)');
  const { data } = (await call('listInstances', {})) as { data: { instanceId: string; username: string }[] };
  const instance = data.find((i) => i.instanceId === ref) ?? data.find((i) => i.username.toLowerCase() === ref.toLowerCase());
  if (!instance) throw new ApiError(404, 'not_found', `No instance with id or user name "${ref}". See "qbwc-companion instances list".`, 'instance');
  return instance.instanceId;
}

async function serve(values: Values): Promise<void> {
  const durability = values.durability ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new UsageError('--durability must be normal or full');
  const companion = await startCompanion({
    dataDir: values['data-dir'] ?? defaultDataDir(),
    port: int(values.port, 'port', DEFAULT_PORT, 0, 65_535),
    host: values.host ?? DEFAULT_HOST,
    durability,
    maxBodyBytes: int(values['max-body-mb'], 'max-body-mb', 512, 1, 4096) * 1024 * 1024,
    ownerWaitMs: 5_000, // a one-shot command may hold the folder for a moment
  });
  process.stdout.write(companion.url + '\n');
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(values.host ?? DEFAULT_HOST)) {
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
        const password = values.password ?? generatePassword();
        return withCore(values, async (call) => {
          const created = (await call('createInstance', {
            body: {
              name: values.name,
              username: values.username,
              password,
              qbdPath: values['qbd-path'],
              ...(values.frequency !== undefined ? { frequencyInMinutes: int(values.frequency, 'frequency', 60) } : {}),
            },
          })) as object;
          // The one time the password is shown: the bookkeeper types it into the Web Connector.
          print(values.password ? created : { ...created, password });
        });
      }
      if (sub === 'forget-company') {
        return withCore(values, async (call) =>
          print(await call('forgetCompany', { params: { instanceId: await resolveInstance(call, rest[0]) } })),
        );
      }
      throw new UsageError('use "instances list", "instances create" or "instances forget-company <instance>"');
    case 'qwc':
      return withCore(values, async (call) => {
        const qwc = (await call('getInstanceQwc', { params: { instanceId: await resolveInstance(call, sub) } })) as string;
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
      return withCore(values, async (call) => print(await call('enqueueRequest', { params: { instanceId: await resolveInstance(call, sub) }, body })));
    }
    case 'request':
      return withCore(values, async (call) => print(await call('getRequest', { params: { requestId: sub } })));
    case 'simulate':
      return runSimulation({
        url: values.url,
        username: values.username,
        password: values.password,
        qwcFile: values.qwc,
        ownerId: values['owner-id'],
        fileId: values['file-id'],
        companyFile: values.company,
        style: values.style,
        noopMs: values['noop-ms'] !== undefined ? int(values['noop-ms'], 'noop-ms', 5000) : undefined,
      });
    case 'demo':
      return runDemo({ dataDir: values['data-dir'], keepRunning: values['keep-running'] ?? false });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
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
