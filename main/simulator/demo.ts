/**
 * `npm run demo`: the whole flow on any OS, no QuickBooks needed. Starts the companion
 * in a fresh data folder, creates a demo instance, queues work through the same API a
 * cloud app uses, and lets the simulated Web Connector + company run a session.
 *
 * The fresh folder is a temporary one, owner-only like every file in it, and removed when
 * the demo ends — normally, on an error, or on Ctrl+C. A folder given with --data-dir is
 * the user's and is kept.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Companion, startCompanion } from '../companion';
import { invoke } from '../contract/invoke';
import { createLogger } from '../logger';
import { generatePassword } from '../security/passwords';
import { makeDataFolder } from '../store/db';
import { describeCall } from './narrate';
import { Bookkeeper, FakeQuickBooks } from './quickbooks';
import { runWebConnectorSession } from './web-connector';

export interface DemoOptions {
  dataDir?: string;
  /** Keep serving (the UI, the API) and syncing until Ctrl+C; without it the demo ends after the scripted part. */
  keepRunning: boolean;
  /** Where narration goes; default stdout. */
  write?: (line: string) => void;
}

export async function runDemo(o: DemoOptions): Promise<void> {
  const out = o.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const temporary = o.dataDir === undefined;
  // mkdtemp makes the folder 0700; a given one is created 0700 or refused if others may use it.
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'qbwc-companion-demo-'));
  if (!temporary) makeDataFolder(dataDir);
  let companion: Companion | undefined;
  let log: number | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await companion?.stop().catch(() => {});
      const fd = log;
      log = undefined;
      if (fd !== undefined) fs.closeSync(fd);
      if (temporary) fs.rmSync(dataDir, { recursive: true, force: true });
    })());
  // Ctrl+C while the demo runs: stop, clean up, and end as interrupted. With --keep-running
  // it is how the demo is meant to end (see below).
  let onSignal = (signal: NodeJS.Signals) => {
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const signalled = (signal: NodeJS.Signals) => onSignal(signal);
  process.on('SIGINT', signalled);
  process.on('SIGTERM', signalled);
  try {
    const logFile = path.join(dataDir, 'companion.log');
    log = fs.openSync(logFile, 'a', 0o600);
    fs.chmodSync(logFile, 0o600); // the folder's own (--data-dir) may have had one
    companion = await startCompanion({
      dataDir,
      port: 0,
      logger: createLogger((line) => {
        if (log !== undefined) fs.writeSync(log, line);
      }),
    });
    await demo(companion, dataDir, temporary, o, out, () => new Promise<void>((resolve) => (onSignal = () => resolve())));
  } finally {
    process.off('SIGINT', signalled);
    process.off('SIGTERM', signalled);
    await cleanUp();
  }
}

async function demo(
  companion: Companion,
  dataDir: string,
  temporary: boolean,
  o: DemoOptions,
  out: (line: string) => void,
  interrupted: () => Promise<void>,
): Promise<void> {
  const h = companion.handlers;
  out(`QBWC Companion is running at ${companion.url}  (${temporary ? 'temporary data folder, removed when the demo ends' : 'data folder'}: ${dataDir})`);

  const company = new FakeQuickBooks();
  const password = generatePassword();
  // Through the contract, as the REST API and the CLI do: its defaults fill in the rest.
  const instance = await invoke(h, 'createInstance', { body: { name: 'Demo Company', username: 'demo', password } });
  out(`Created instance "${instance.name}" (user "${instance.username}"); its QWC file: ${companion.url}/api/v1/instances/${instance.instanceId}/qwc`);

  const item = company.items()[0]?.FullName ?? 'Consulting';
  const queued = [
    ['Add a customer', '<CustomerAddRq><CustomerAdd><Name>Pine Street Bakery</Name><CompanyName>Pine Street Bakery LLC</CompanyName></CustomerAdd></CustomerAddRq>'],
    [
      'Invoice that customer',
      `<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Pine Street Bakery</FullName></CustomerRef><RefNumber>DEMO-1</RefNumber>` +
        `<InvoiceLineAdd><ItemRef><FullName>${item}</FullName></ItemRef><Desc>Setup</Desc><Quantity>3</Quantity><Rate>19.99</Rate></InvoiceLineAdd>` +
        `<InvoiceLineAdd><ItemRef><FullName>${item}</FullName></ItemRef><Desc>Support</Desc><Quantity>1</Quantity><Rate>45.50</Rate></InvoiceLineAdd>` +
        '</InvoiceAdd></InvoiceAddRq>',
    ],
    ['List three customers', '<CustomerQueryRq><MaxReturned>3</MaxReturned></CustomerQueryRq>'],
    ['Invoice a customer that does not exist', '<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Nobody Inc</FullName></CustomerRef></InvoiceAdd></InvoiceAddRq>'],
  ] as const;
  const ids: string[] = [];
  for (const [label, qbxml] of queued) {
    const { requestId } = await h.enqueueRequest({ instanceId: instance.instanceId, body: { qbxml, priority: 0, retryOnStaleEditSequence: false } });
    ids.push(requestId);
    out(`Queued: ${label} (${requestId})`);
  }

  out('\nQuickBooks Web Connector (simulated) runs an update:');
  // A Web Connector run, every call narrated — or quietly, once the demo keeps syncing.
  const session = (narrate: boolean) =>
    runWebConnectorSession({
      url: instance.appUrl.replace(/^http:\/\/localhost:\d+/, companion.url),
      username: instance.username,
      password,
      ownerId: instance.ownerId,
      fileId: instance.fileId,
      quickbooks: company,
      noopDelayMs: 200,
      ...(narrate ? { onCall: (e: Parameters<typeof describeCall>[0]) => out(describeCall(e)) } : {}),
    });
  const run = () => session(true);
  const first = await run();
  out(`Web Connector shows: ${first.message}\n`);

  out('Results, as a cloud app reads them from GET /api/v1/requests/{id}:');
  for (const [i, [label]] of queued.entries()) {
    const r = await h.getRequest({ requestId: ids[i] as string });
    const detail = r.error ? r.error.userFacingMessage : `${r.statusMessage ?? ''}`;
    out(`  ${label}: ${r.status}${r.statusCode !== null ? ` (status ${r.statusCode})` : ''} — ${detail}`);
  }

  out('\nThe next scheduled update finds nothing to do:');
  const second = await run();
  out(`Web Connector shows: ${second.message}`);

  const curl = `curl -H "Authorization: Bearer $(cat '${path.join(dataDir, 'api-token')}')" ${companion.url}/api/v1/instances`;
  if (first.outcome !== 'completed' || second.outcome !== 'no_work') process.exitCode = 1;
  if (!o.keepRunning) return;

  // Change detection and a webhook: what the bookkeeper changes in QuickBooks reaches a
  // (local, demo) cloud app, signed, through the outbox.
  const receiver = await startDemoReceiver(out);
  try {
    await h.updateInstance({
      instanceId: instance.instanceId,
      body: { configuration: { 'event.notification.enabled': 'true', 'event.notification.callback.url': receiver.url, 'event.notification.verifier.token': receiver.token } },
    });
    await h.updateChangeDetection({ instanceId: instance.instanceId, body: { enabled: true, types: ['Customer', 'Invoice'], startMode: 'now', intervalMinutes: 1 } });
    const quiet = () => session(false);
    await h.runChangeDetection({ instanceId: instance.instanceId });
    await quiet(); // change detection learns what is there now; changes from here on are sent
    const login = await invoke(h, 'createLoginCode', {});
    out(
      `\nOpen the companion in a browser on this computer (the link signs you in once):\n  ${login.url}\n` +
        `Every ${DEMO_EVERY_MS / 1000} seconds a bookkeeper changes something in the simulated QuickBooks and the simulated Web Connector syncs:\n` +
        `the change reaches a demo cloud app as a signed webhook (${receiver.url}). The REST API:\n  ${curl}\n` +
        `Press Ctrl+C to stop${temporary ? ' (the demo data folder is removed then)' : ''}.`,
    );
    await keepSyncing(h, instance.instanceId, new Bookkeeper(company), quiet, out, interrupted());
  } finally {
    await receiver.close();
  }
}

/** How often the demo's Web Connector runs once the scripted part is done. */
const DEMO_EVERY_MS = 20_000;

/** A bookkeeper changes something, a little work is queued, and a session runs — again and again, until the demo is stopped. */
async function keepSyncing(
  h: Companion['handlers'],
  instanceId: string,
  bookkeeper: Bookkeeper,
  run: () => Promise<{ message: string }>,
  out: (line: string) => void,
  stopped: Promise<void>,
): Promise<void> {
  let stop = false;
  void stopped.then(() => (stop = true));
  for (let round = 1; !stop; round++) {
    const waited = await Promise.race([stopped.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), DEMO_EVERY_MS).unref())]);
    if (waited || stop) return;
    const time = () => new Date().toLocaleTimeString();
    out(`[${time()}] In QuickBooks, the bookkeeper ${bookkeeper.someChange()}.`);
    await h.enqueueRequest({ instanceId, body: { type: 'CustomerQuery', params: { MaxReturned: 5 }, priority: 0, retryOnStaleEditSequence: false } });
    await h.runChangeDetection({ instanceId }); // "run now": the demo doesn't wait for the interval
    const result = await run();
    out(`[${time()}] Web Connector sync ${round}: ${result.message}`);
  }
}

/** The demo's cloud app: takes webhooks, checks their signature, and says what changed. */
async function startDemoReceiver(out: (line: string) => void): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const token = generatePassword();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signed = createHmac('sha256', token).update(body).digest('base64') === req.headers['intuit-signature'];
      res.writeHead(signed ? 200 : 401).end();
      let entities: { name: string; operation: string; id: string }[] = [];
      try {
        entities = (JSON.parse(body) as { eventNotifications: { dataChangeEvent: { entities: typeof entities } }[] }).eventNotifications.flatMap((n) => n.dataChangeEvent.entities);
      } catch {
        // Not the legacy format: nothing to narrate.
      }
      for (const e of entities) out(`    → webhook to the demo cloud app: ${e.name} ${e.operation} (${e.id})${signed ? ', signature verified' : ', BAD SIGNATURE'}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks/quickbooks`, token, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
