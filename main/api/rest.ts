/**
 * The REST transport: one route per contract operation, generated — authentication,
 * validation and error rendering are the same for all of them. A request is let in
 * (token) before any of its body is read; a refused one's body is never read, and its
 * answer closes the connection. Bodies are read only up to what the operation takes.
 * Bad input is always a 4xx `{"error": {"code", "message", "field", "problems"}}` listing
 * every problem; a 500 means a bug, and is logged.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { API_PREFIX, type OperationDef, type OperationHandlers, type OperationName, operations } from '../contract/operations';
import { invoke } from '../contract/invoke';
import { ApiError, asStorageUnavailable } from '../errors';
import type { Logger } from '../logger';
import { constantTimeEqual } from '../security/tokens';
import { InvalidCursorError } from '../store/cursor';
import type { DomainEvents } from '../events';
import { bodyPending, ClientGoneError, closeWithoutReading, readJsonBody } from './body';
import type { BrowserSessions } from './browser-sessions';
import { buildOpenApi } from './openapi';

/** JSON operations (instances, settings, …): their largest valid body is well under this. */
export const JSON_BODY_LIMIT = 1024 * 1024;
/** A QWC file to validate is at most 1,000,000 characters, which UTF-8 and JSON escaping may triple. */
const QWC_BODY_LIMIT = 4 * 1024 * 1024;
/** The default for where raw qbXML is accepted (the configured maximum, `--max-body-mb`). */
export const DEFAULT_QBXML_BODY_LIMIT = 512 * 1024 * 1024;

export interface RestOptions {
  handlers: OperationHandlers;
  apiToken: string;
  logger: Logger;
  productVersion: string;
  /** Where the API is served, ending in /api/v1 (the OpenAPI document's server URL). */
  baseUrl: () => string;
  /** The largest body taken where raw qbXML is accepted (enqueue); default 512 MiB. */
  maxBodyBytes?: number;
  /** Browsers signed in with a login code (their cookie stands for the token). */
  sessions: BrowserSessions;
  /** Domain events, passed on to the UI over /api/v1/stream. */
  events: DomainEvents;
}

/** Where the UI's live updates are streamed (server-sent events). */
export const STREAM_PATH = `${API_PREFIX}/stream`;
/** A comment line this often keeps an idle stream (and the socket's idle limit) alive. */
const STREAM_HEARTBEAT_MS = 20_000;

const toExpressPath = (path: string) => API_PREFIX + path.replace(/\{(\w+)\}/g, ':$1');

/** The largest body an operation reads. */
export function bodyLimit(name: OperationName, maxBodyBytes = DEFAULT_QBXML_BODY_LIMIT): number {
  if (name === 'enqueueRequest') return maxBodyBytes;
  if (name === 'validateQwc') return Math.min(QWC_BODY_LIMIT, maxBodyBytes);
  return Math.min(JSON_BODY_LIMIT, maxBodyBytes);
}

/**
 * Answers with an error. When the client is still sending a body that will not be read,
 * the answer says `Connection: close` and the connection ends with it: the client stops
 * sending, and nothing of the rest is taken in.
 */
function sendError(req: Request, res: Response, err: ApiError): void {
  if (res.headersSent) return void res.destroy();
  if (bodyPending(req)) {
    res.setHeader('Connection', 'close');
    closeWithoutReading(req);
  }
  if (err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(err.status).json(err.toJSON());
}

const send = (req: Request, res: Response, status: ApiError['status'], code: string, message: string, field: string | null = null) =>
  sendError(req, res, new ApiError(status, code, message, field));

export function createRestApp(options: RestOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get(`${API_PREFIX}/openapi.json`, (_req, res) => {
    res.json(buildOpenApi(options.productVersion, options.baseUrl()));
  });

  const authenticated = (req: Request): boolean => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return (m !== null && constantTimeEqual(m[1] as string, options.apiToken)) || options.sessions.authenticates(req);
  };
  const refuseUnauthenticated = (req: Request, res: Response) => {
    options.logger.warn('API request refused: missing or wrong API token', { address: req.socket.remoteAddress ?? null, method: req.method, path: req.path });
    send(req, res, 401, 'unauthorized', 'Send the API token as "Authorization: Bearer <token>"; it is in the api-token file of the data folder.', 'Authorization');
  };

  // Live updates for the UI: every domain event as it commits, as server-sent events.
  app.get(STREAM_PATH, (req, res) => {
    if (!authenticated(req)) return refuseUnauthenticated(req, res);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    // A client that stops reading (a sleeping laptop's tab) is dropped rather than buffered for
    // without end; EventSource reconnects by itself, and the page reads the state afresh.
    const send = (chunk: string) => {
      if (!res.write(chunk)) res.destroy();
    };
    send('event: ready\ndata: {}\n\n');
    const off = options.events.onAll((name, payload) => send(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`));
    const heartbeat = setInterval(() => send(': still here\n\n'), STREAM_HEARTBEAT_MS);
    res.on('close', () => {
      off();
      clearInterval(heartbeat);
    });
  });

  /**
   * Writes `chunks` as the client takes them. A client that goes away mid-stream ends it:
   * the iterator is closed, so the file it reads from is too (waiting for a 'drain' that
   * never comes would keep both open for good).
   */
  async function streamChunks(res: Response, chunks: Iterable<string>): Promise<void> {
    const it = chunks[Symbol.iterator]();
    try {
      for (let next = it.next(); !next.done; next = it.next()) {
        if (res.write(next.value)) continue;
        const gone = await new Promise<boolean>((resolve) => {
          const drained = () => (res.off('close', closed), resolve(false));
          const closed = () => (res.off('drain', drained), resolve(true));
          res.once('drain', drained).once('close', closed);
        });
        if (gone) return;
      }
      res.end();
    } finally {
      it.return?.();
    }
  }

  const routes = new Map<string, string[]>();
  for (const [name, def] of Object.entries(operations) as [OperationName, OperationDef][]) {
    const path = toExpressPath(def.path);
    routes.set(path, [...(routes.get(path) ?? []), def.method]);
    const limit = bodyLimit(name, options.maxBodyBytes);
    app[def.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](path, async (req, res, next) => {
      try {
        // Who is asking comes first: nothing of the body is read for a caller without the token.
        if (def.auth && !authenticated(req)) return refuseUnauthenticated(req, res);
        let body: unknown;
        if (def.body) {
          const type = req.headers['content-type'];
          // JSON, or a body sent without a type; anything else is refused unread.
          if (type !== undefined && !/^application\/json\b/i.test(type)) {
            return send(req, res, 415, 'unsupported_media_type', 'Send the body as application/json.', 'Content-Type');
          }
          body = await readJsonBody(req, res, limit);
        }
        const output: unknown = await invoke(options.handlers, name, { params: req.params, query: req.query, body });
        if (def.status === 204) return void res.status(204).end();
        if (def.rawContentType) {
          res.status(def.status).type(def.rawContentType);
          if (def.attachment) res.attachment(def.attachment);
          if (typeof output === 'string') return void res.send(output);
          return await streamChunks(res, output as Iterable<string>);
        }
        res.status(def.status).json(output);
      } catch (err) {
        next(err);
      }
    });
  }

  // Unknown paths, and known paths with the wrong method.
  app.use(API_PREFIX, (req, res) => {
    const match = [...routes.entries()].find(([path]) => new RegExp('^' + path.replace(/:\w+/g, '[^/]+') + '/?$').test(API_PREFIX + req.path));
    if (match) {
      res.setHeader('Allow', match[1].join(', '));
      return send(req, res, 405, 'method_not_allowed', `${req.method} is not supported here; use ${match[1].join(' or ')}.`);
    }
    send(req, res, 404, 'not_found', `There is no ${req.method} ${API_PREFIX}${req.path}. See ${API_PREFIX}/openapi.json.`);
  });
  app.use((req, res) => send(req, res, 404, 'not_found', `There is nothing at ${req.path}. The API is under ${API_PREFIX}; see ${API_PREFIX}/openapi.json.`));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ClientGoneError) return void res.destroy();
    if (err instanceof ApiError) return sendError(req, res, err);
    if (err instanceof InvalidCursorError) return send(req, res, 400, 'invalid_cursor', err.message, 'cursor');
    const storage = asStorageUnavailable(err);
    if (storage) {
      res.setHeader('Retry-After', '30');
      return send(req, res, 503, 'storage_unavailable', storage.message);
    }
    const e = err as { status?: number; message?: string };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return send(req, res, e.status as ApiError['status'], 'bad_request', e.message ?? 'Bad request.');
    options.logger.error('API request failed', { method: req.method, path: req.path, error: err instanceof Error ? err.stack : String(err) });
    send(req, res, 500, 'internal', 'The companion hit an unexpected problem; it has been logged.');
  });
  return app;
}
