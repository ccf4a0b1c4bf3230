/**
 * The composition root: builds the whole companion from its options — store, services,
 * QBWC endpoint, REST API — and runs it. Everything is passed in; nothing is global,
 * so a test builds a complete companion in a temporary folder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pkg from '../package.json';
import { BrowserSessions } from './api/browser-sessions';
import { createGuard } from './api/guards';
import { armServer, closeServers, HTTP_TIMEOUTS, type HttpTimeouts, listen, timeoutOptions } from './api/listeners';
import { interactivePage, supportPage } from './api/pages';
import { createRestApp } from './api/rest';
import { createRequestHandler, QBWC_PATH } from './api/server';
import { defaultUiDir, uiRoutes } from './api/ui';
import type { OperationHandlers } from './contract/operations';
import { DomainEvents } from './events';
import { ChangeDetection, type DetectionTuning } from './forward/detection/detector';
import { Outbox } from './forward/outbox';
import { DeliveryWorker, type DeliveryWorkerOptions } from './forward/worker';
import { CloudLink, type CloudLinkTuning } from './cloud/link';
import { createLogger, type Logger, silentLogger } from './logger';
import { isLoopbackHost } from './loopback';
import { createSoapEndpoint } from './qbwc/endpoint';
import { type OpenFile, openWithSystem } from './qwc/open';
import { QbwcService } from './qbwc/service';
import { localTimeZone } from './qbxml/datetime';
import { FollowUps } from './queue/follow-ups';
import { loadOrCreateApiToken } from './security/tokens';
import { DeliveryService } from './services/deliveries';
import { DestinationService } from './services/destinations';
import { createHandlers, type Services } from './services/handlers';
import { HistoryService } from './services/history';
import { OverviewService } from './services/overview';
import { InstanceService } from './services/instances';
import { RequestService } from './services/requests';
import type { KeyVault } from './security/secrets';
import { Settings } from './settings';
import { Store } from './store';
import { TlsError } from './tls/ca';
import { checkHttpsSettings, type HttpsRunning, type HttpsSettings, loadHttpsEndpoint, qwcHost, saveHttpsEndpoint, startHttps } from './tls/https';
import { startCheckpointer } from './store/checkpointer';
import type { Durability } from './store/db';

export const PRODUCT_NAME = 'QBWC Companion';
export const PRODUCT_VERSION: string = pkg.version;
export const DEFAULT_PORT = 8520;
export const DEFAULT_HOST = '127.0.0.1';
/** Where a running server tells the CLI how to reach it (the server owns the data folder). */
export const SERVER_FILE = 'server.json';

export interface ServerInfo {
  /** How a command on this computer reaches the server: a loopback URL (127.0.0.1 when it listens on all addresses). */
  url: string;
  pid: number;
  /** The port its QWC files name: with --port 0 not the one it listens on. */
  qwcPort: number;
  /**
   * HMAC-SHA256 of the URL and pid under the API token: a server.json that someone else
   * wrote (pointing the CLI, and its token, elsewhere) does not carry a valid one.
   */
  mac: string;
}

export function serverInfoMac(apiToken: string, url: string, pid: number): string {
  return crypto.createHmac('sha256', apiToken).update(`qbwc-companion server.json\n${url}\n${pid}`).digest('base64url');
}

/** An http:// URL on this computer's loopback (127.0.0.0/8, ::1, localhost), with nothing but a host and port. */
export function isLoopbackUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return false;
  return isLoopbackHost(u.hostname);
}

/** The per-user folder the desktop app also uses (Electron's userData for this product name). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.QBWC_COMPANION_DATA_DIR) return env.QBWC_COMPANION_DATA_DIR;
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
}

export interface CompanionOptions {
  dataDir: string;
  /** Default 8520; 0 picks any free port (a temporary one: QWC files still name qwcPort). */
  port?: number;
  /**
   * The port QWC files (and instances' appUrl) name, where the Web Connector will look for
   * the companion: default `port`, or 8520 when `port` is 0.
   */
  qwcPort?: number;
  /** Default 127.0.0.1 (then also [::1], as Windows may resolve localhost to IPv6 first). */
  host?: string;
  now?: () => number;
  logger?: Logger;
  /** Largest SOAP request accepted; default 512 MiB (QBWC posts whole query results). */
  maxBodyBytes?: number;
  durability?: Durability;
  /** How often idle sessions are swept; default one minute. */
  sweepIntervalMs?: number;
  /** Responses up to this many bytes are returned inline by GET /requests/{id}; default 8 MiB. */
  inlineResponseBytes?: number;
  /** QuickBooks' time zone (the PC's); default the process's. */
  timeZone?: string;
  /** How long to wait for another process (a one-shot CLI command) to let go of the data folder. */
  ownerWaitMs?: number;
  /** How long a connection may stall (see HTTP_TIMEOUTS); tests shorten them. */
  httpTimeouts?: Partial<HttpTimeouts>;
  /**
   * HTTPS for the QBWC endpoint, off unless given (`serve --https-port`, `--lan-host`,
   * `--lan-address`; see main/tls/https.ts). QWC files then name https://<lanHost or localhost>:<port>/qbwc.
   */
  https?: HttpsSettings;
  /** Opens a saved QWC file with the program registered for it (the desktop app passes Electron's shell). */
  openFile?: OpenFile;
  /** Where the key sealing secrets is kept (the desktop app: the OS keychain); default a private file in the data folder. */
  keyVault?: KeyVault;
  /** The built UI served at / (default dist/renderer beside the compiled code). */
  uiDir?: string;
  /** The webhook delivery worker's schedule, timeouts and jitter (see main/forward/worker.ts); tests shorten them. */
  forward?: Omit<DeliveryWorkerOptions, 'store' | 'events' | 'logger' | 'now'>;
  /** Change detection's page size and how often it looks for due runs (main/forward/detection); tests shorten them. */
  detection?: Partial<DetectionTuning>;
  /** The cloud link's timers, batches and fetch (see main/cloud/link.ts); tests shorten them. */
  cloud?: Partial<CloudLinkTuning>;
}


/** The core without its network listeners: what the CLI uses for one-shot commands. */
export interface Core {
  store: Store;
  events: DomainEvents;
  settings: Settings;
  services: Services;
  handlers: OperationHandlers;
  qbwc: QbwcService;
  /** Where producers of entity changes queue webhooks. */
  outbox: Outbox;
  publicBaseUrl: () => string;
}

/**
 * `httpsBaseUrl`: what QWC files name when https is on (the server passes its own); without
 * it, a one-shot command uses what the last `serve` on this data folder configured.
 */
export function createCore(options: CompanionOptions, port: () => number, httpsBaseUrl?: () => string | null): Core {
  const now = options.now ?? Date.now;
  const store = Store.open(options.dataDir, {
    durability: options.durability,
    ownerWaitMs: options.ownerWaitMs,
    keyVault: options.keyVault,
  });
  const events = new DomainEvents((emit) => store.afterCommit(emit));
  const settings = new Settings(store.settings, (s) => events.emit('settings.changed', { paused: s.paused }));
  const timeZone = options.timeZone ?? localTimeZone();
  const publicBaseUrl = () => `http://localhost:${port()}`;
  // What the Web Connector is told: a port that stays the same across restarts.
  const qwcHttpBaseUrl = () => `http://localhost:${options.qwcPort ?? (options.port === 0 ? DEFAULT_PORT : port())}`;
  // With https (issue 19) the Web Connector is told the https URL instead.
  const qwcBaseUrl = () => (httpsBaseUrl ? httpsBaseUrl() : loadHttpsEndpoint(options.dataDir)?.baseUrl) ?? qwcHttpBaseUrl();
  const requests = new RequestService({ store, events, now, inlineResponseBytes: options.inlineResponseBytes ?? 8 * 1024 * 1024 });
  const followUps = new FollowUps({
    store,
    requests,
    now,
    timeZone,
    log: (instanceId, action, result, requestId, detail) =>
      store.events.append({ clientId: instanceId, timestamp: now(), user: 'companion', action, detail: detail ?? null, result, sessionId: null, requestId }),
  });
  const qbwc = new QbwcService({ store, settings, events, now, publicBaseUrl, productVersion: PRODUCT_VERSION, followUps, logger: options.logger, timeZone });
  const instances = new InstanceService({
    store,
    events,
    now,
    publicBaseUrl: qwcBaseUrl,
    productName: PRODUCT_NAME,
    qwcDir: path.join(options.dataDir, 'qwc'),
    openFile: options.openFile ?? openWithSystem,
  });
  const outbox = new Outbox({ store, events, now });
  const history = new HistoryService({ store, now, startedAt: now(), productVersion: PRODUCT_VERSION });
  const destinations = new DestinationService({ store, events, instances, now });
  const services: Services = {
    instances,
    requests,
    history,
    settings,
    deliveries: new DeliveryService({ store, events, outbox, instances, destinations, now }),
    destinations,
    overview: new OverviewService({ store, settings, now, timeZone }),
    followUps,
    logins: new BrowserSessions(now),
    pagesUrl: publicBaseUrl,
    environment: () => ({
      version: PRODUCT_VERSION,
      dataDir: path.resolve(options.dataDir),
      port: port(),
      webConnectorUrl: `${qwcBaseUrl()}${QBWC_PATH}`,
      durability: options.durability ?? 'normal',
    }),
    detection: new ChangeDetection({ store, requests, outbox, events, now, timeZone, logger: options.logger ?? silentLogger, tuning: options.detection }),
    cloud: new CloudLink({ store, events, now, logger: options.logger ?? silentLogger, requests, instances, history, tuning: options.cloud }),
  };
  return { store, events, settings, services, handlers: createHandlers(services), qbwc, outbox, publicBaseUrl };
}

export interface Companion extends Core {
  /** Where the server listens, e.g. http://127.0.0.1:8520 */
  url: string;
  port: number;
  /** The port QWC files name (see CompanionOptions.qwcPort). */
  qwcPort: number;
  /** Set when it listens on a temporary port (--port 0) that its QWC files don't name. */
  qwcWarning: string | null;
  /** The https listener(s) when https was asked for and could start. */
  https: HttpsRunning | null;
  /** Why https was asked for but is off (a certificate problem, in plain words with the fix); plain http works. */
  httpsError: string | null;
  apiToken: string;
  stop(): Promise<void>;
}


/** Starts the companion's server (`serve`, the demo, the desktop app). */
export async function startCompanion(options: CompanionOptions): Promise<Companion> {
  const logger = options.logger ?? createLogger((line) => process.stderr.write(line));
  const host = options.host ?? DEFAULT_HOST;
  let port = options.port ?? DEFAULT_PORT;
  if (options.https) checkHttpsSettings(options.https);
  // What QWC files name with https on: the configured port until the listener has its own.
  let httpsBaseUrl: string | null = options.https && options.https.port !== 0 ? `https://${qwcHost(options.https)}:${options.https.port}` : null;
  const core = createCore({ ...options, logger }, () => port, () => httpsBaseUrl);
  // A server.json left by an owner that died names its address, maybe under our very pid:
  // gone until this server listens, so a CLI meanwhile waits instead of calling a dead URL.
  fs.rmSync(path.join(options.dataDir, SERVER_FILE), { force: true });
  const { store, qbwc } = core;
  try {
    qbwc.recoverAfterRestart();
    const apiToken = loadOrCreateApiToken(options.dataDir);
    const handler = createRequestHandler({
      guard: createGuard(() => port),
      soap: createSoapEndpoint(qbwc, {
        maxBodyBytes: options.maxBodyBytes ?? 512 * 1024 * 1024,
        endpointUrl: () => `${core.publicBaseUrl()}${QBWC_PATH}`,
        logger,
      }),
      support: supportPage(PRODUCT_NAME, PRODUCT_VERSION),
      interactive: interactivePage(qbwc),
      rest: createRestApp({
        handlers: core.handlers,
        apiToken,
        logger,
        productVersion: PRODUCT_VERSION,
        baseUrl: () => `${core.publicBaseUrl()}/api/v1`,
        maxBodyBytes: options.maxBodyBytes ?? 512 * 1024 * 1024,
        sessions: core.services.logins,
        events: core.events,
      }),
      ui: uiRoutes({ uiDir: options.uiDir ?? defaultUiDir(), sessions: core.services.logins, productName: PRODUCT_NAME }),
    });
    // A QWC downloaded from a server on a temporary port names another port: say so on the download.
    let qwcWarning: string | null = null;
    const qwcDownload = /^\/api\/v1\/instances\/[^/?]+\/qwc\/?(\?|$)/i;
    const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (qwcWarning !== null && qwcDownload.test(req.url ?? '')) {
        const warning = qwcWarning;
        res.setHeader('X-Companion-Warning', warning);
        res.once('finish', () => {
          if (res.statusCode === 200) logger.warn('QWC file downloaded from a temporary port', { warning });
        });
      }
      handler(req, res);
    };
    const servers: http.Server[] = [];
    const timeouts = { ...HTTP_TIMEOUTS, ...options.httpTimeouts };
    const newServer = () => {
      const s = armServer(http.createServer(timeoutOptions(timeouts), serve), timeouts, handler.checkContinue);
      servers.push(s);
      return s;
    };
    const temporaryPort = port === 0 && options.qwcPort === undefined;
    port = await listen(newServer(), port, host);
    const qwcPort = options.qwcPort ?? (temporaryPort ? DEFAULT_PORT : port);
    if (temporaryPort) {
      qwcWarning =
        `This companion listens on the temporary port ${port} (--port 0), but QWC files name port ${qwcPort}, ` +
        `where QuickBooks Web Connector will look for it: run the companion on port ${qwcPort} when the Web Connector uses this file.`;
    }
    if (host === DEFAULT_HOST) {
      await listen(newServer(), port, '::1').catch(() => servers.pop()); // no IPv6 loopback: fine
    }
    const checkpointer = startCheckpointer(store.db, options.dataDir);
    const sweep = setInterval(() => {
      try {
        qbwc.expireIdle();
      } catch (err) {
        logger.error('Session sweep failed', { error: String(err) });
      }
    }, options.sweepIntervalMs ?? 60_000);
    sweep.unref();
    const forwarder = new DeliveryWorker({ ...options.forward, store, events: core.events, logger, now: options.now });
    forwarder.start();
    core.services.cloud.start();
    core.services.detection.start();
    const hostUrl = (h: string) => `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
    const url = hostUrl(host);
    // For the CLI: listening on every address includes loopback, the only place it sends the token.
    const localUrl = hostUrl(host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host);
    // HTTPS (issue 19): a certificate problem leaves it off, said plainly, with plain http running.
    let httpsRunning: HttpsRunning | null = null;
    let httpsError: string | null = null;
    if (options.https) {
      try {
        httpsRunning = await startHttps({
          dataDir: options.dataDir,
          settings: options.https,
          timeouts,
          logger,
          handler: Object.assign(serve, { checkContinue: handler.checkContinue }),
          lanRoutes: (endpointUrl) => ({
            soap: createSoapEndpoint(qbwc, { maxBodyBytes: options.maxBodyBytes ?? 512 * 1024 * 1024, endpointUrl, logger }),
            support: supportPage(PRODUCT_NAME, PRODUCT_VERSION),
          }),
          httpUrl: localUrl,
          now: options.now,
        });
        httpsBaseUrl = httpsRunning.baseUrl;
        qwcWarning = null; // QWC files name the https port, not the temporary http one
      } catch (err) {
        if (!(err instanceof TlsError)) {
          // The https port is taken (or the like): this start fails as a taken http port does.
          clearInterval(sweep);
          core.services.detection.stop();
          await forwarder.stop();
          await core.services.cloud.stop();
          await checkpointer?.stop();
          await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
          throw err;
        }
        httpsError = err.message;
        logger.error('HTTPS is off', { error: err.message });
      }
    }
    saveHttpsEndpoint(options.dataDir, httpsBaseUrl === null ? null : { baseUrl: httpsBaseUrl });
    const serverFile = path.join(options.dataDir, SERVER_FILE);
    const info: ServerInfo = { url: localUrl, pid: process.pid, qwcPort, mac: serverInfoMac(apiToken, localUrl, process.pid) };
    // Written whole, then renamed: a CLI reading it meanwhile sees the old file or the new one.
    fs.writeFileSync(`${serverFile}.tmp`, JSON.stringify(info), { mode: 0o600 });
    fs.renameSync(`${serverFile}.tmp`, serverFile);
    logger.info('QBWC Companion started', { url, dataDir: options.dataDir, version: PRODUCT_VERSION });
    return {
      ...core,
      url,
      port,
      qwcPort,
      qwcWarning,
      https: httpsRunning,
      httpsError,
      apiToken,
      async stop() {
        clearInterval(sweep);
        core.services.detection.stop();
        await forwarder.stop();
        await core.services.cloud.stop();
        await httpsRunning?.stop();
        fs.rmSync(serverFile, { force: true });
        await checkpointer?.stop();
        await closeServers(servers);
        // Let the requests those connections carried see their end (an upload cut off
        // mid-way discards what it stored) before the store closes.
        await new Promise((resolve) => setImmediate(resolve));
        store.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
