/**
 * The REST transport: one route per contract operation, generated — validation,
 * authentication and error rendering are the same for all of them. Bad input is always
 * a 4xx `{"error": {"code", "message", "field"}}`; a 500 means a bug, and is logged.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { API_PREFIX, type OperationDef, type OperationHandlers, type OperationName, operations } from '../contract/operations';
import { invoke } from '../contract/invoke';
import { ApiError, StorageUnavailableError } from '../errors';
import type { Logger } from '../logger';
import { constantTimeEqual } from '../security/tokens';
import { InvalidCursorError } from '../store/cursor';
import { buildOpenApi } from './openapi';

/** JSON bodies carry qbXML batches; generous, but bounded. */
const JSON_LIMIT = '64mb';

export interface RestOptions {
  handlers: OperationHandlers;
  apiToken: string;
  logger: Logger;
  productVersion: string;
  baseUrl: () => string;
}

const toExpressPath = (path: string) => API_PREFIX + path.replace(/\{(\w+)\}/g, ':$1');

function send(res: Response, status: number, code: string, message: string, field: string | null = null): void {
  res.status(status).json({ error: { code, message, field } });
}

export function createRestApp(options: RestOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get(`${API_PREFIX}/openapi.json`, (_req, res) => {
    res.json(buildOpenApi(options.productVersion, options.baseUrl()));
  });

  // Parse JSON (and bodies sent without a type); anything else reaches the route, which answers 415.
  app.use(API_PREFIX, express.json({ limit: JSON_LIMIT, type: (req) => !req.headers['content-type'] || /json/i.test(req.headers['content-type']) }));

  const authenticated = (req: Request): boolean => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m !== null && constantTimeEqual(m[1] as string, options.apiToken);
  };

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
    app[def.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](path, async (req, res, next) => {
      try {
        if (def.auth && !authenticated(req)) {
          res.setHeader('WWW-Authenticate', 'Bearer');
          return send(res, 401, 'unauthorized', 'Send the API token as "Authorization: Bearer <token>"; it is in the api-token file of the data folder.', 'Authorization');
        }
        if (def.body && req.headers['content-type'] !== undefined && !/^application\/json\b/i.test(req.headers['content-type'])) {
          return send(res, 415, 'unsupported_media_type', 'Send the body as application/json.', 'Content-Type');
        }
        const output: unknown = await invoke(options.handlers, name, { params: req.params, query: req.query, body: req.body });
        if (def.status === 204) return void res.status(204).end();
        if (def.rawContentType) {
          res.status(def.status).type(def.rawContentType);
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
      return send(res, 405, 'method_not_allowed', `${req.method} is not supported here; use ${match[1].join(' or ')}.`);
    }
    send(res, 404, 'not_found', `There is no ${req.method} ${API_PREFIX}${req.path}. See ${API_PREFIX}/openapi.json.`);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ApiError) return send(res, err.status, err.code, err.message, err.field);
    if (err instanceof InvalidCursorError) return send(res, 400, 'invalid_cursor', err.message, 'cursor');
    if (err instanceof StorageUnavailableError) {
      res.setHeader('Retry-After', '30');
      return send(res, 503, 'storage_unavailable', err.message);
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return send(res, 400, 'invalid_json', `The body is not valid JSON: ${e.message}`, 'body');
    if (e.type === 'entity.too.large') return send(res, 413, 'body_too_large', `The body is larger than ${JSON_LIMIT}.`, 'body');
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return send(res, e.status, 'bad_request', e.message ?? 'Bad request.');
    options.logger.error('API request failed', { method: req.method, path: req.path, error: err instanceof Error ? err.stack : String(err) });
    send(res, 500, 'internal', 'The companion hit an unexpected problem; it has been logged.');
  });
  return app;
}
