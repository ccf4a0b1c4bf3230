/**
 * The companion's HTTP front door: guards first (Host, Origin), then the QBWC endpoint
 * on its own fast path, the Web Connector's pages, and the REST API. A refused request's
 * body is never read: the answer closes the connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import { ApiError } from '../errors';
import { encodeFault, SOAP_CONTENT_TYPE } from '../qbwc/soap/encode';
import { bodyPending, closeWithoutReading, markExpectsContinue } from './body';
import type { Guard } from './guards';

export const QBWC_PATH = '/qbwc';

export interface Routes {
  guard: Guard;
  soap: (req: IncomingMessage, res: ServerResponse) => void;
  support: (req: IncomingMessage, res: ServerResponse) => void;
  interactive: (req: IncomingMessage, res: ServerResponse, token: string) => Promise<void>;
  rest: express.Express;
  /** Browser mode: the one-time login link and the built UI (absent on the LAN listener). */
  ui?: {
    login: (req: IncomingMessage, res: ServerResponse) => void;
    file: (req: IncomingMessage, res: ServerResponse, path: string) => void;
  };
}

function refuse(req: IncomingMessage, res: ServerResponse, soap: boolean, code: string, message: string, field: string): void {
  if (bodyPending(req)) closeWithoutReading(req);
  const body = soap ? encodeFault('Client', message) : JSON.stringify(new ApiError(403, code, message, field).toJSON());
  res.writeHead(403, { 'Content-Type': soap ? SOAP_CONTENT_TYPE : 'application/json; charset=utf-8', Connection: 'close' });
  res.end(body);
}

export interface RequestHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * For the server's 'checkContinue' event (a client sending `Expect: 100-continue` waits
   * for "100 Continue" before its body): the REST API says it only once the request has
   * been let in, so a refused client never sends its body; everything else gets it at once.
   */
  checkContinue(req: IncomingMessage, res: ServerResponse): void;
}

export function createRequestHandler(routes: Routes): RequestHandler {
  const handle = (req: IncomingMessage, res: ServerResponse, expectsContinue = false): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    // A URL typed into a QWC by hand may differ in case or end in a slash; it is still the endpoint.
    const soap = /^\/qbwc\/?$/i.test(path);
    if (!routes.guard.hostAllowed(req)) {
      return refuse(req, res, soap, 'forbidden_host', 'This service only answers requests addressed to localhost.', 'Host');
    }
    if (!routes.guard.originAllowed(req)) {
      return refuse(req, res, soap, 'forbidden_origin', 'Requests from other web sites are not allowed.', 'Origin');
    }
    const rest = !soap && path.startsWith('/api/');
    if (expectsContinue) {
      if (rest) markExpectsContinue(req);
      else res.writeContinue();
    }
    if (soap) return routes.soap(req, res);
    if (path === '/support' || path === '/support/') return routes.support(req, res);
    const interactive = /^\/interactive\/([\w-]{20,100})$/.exec(path);
    if (interactive) {
      routes.interactive(req, res, interactive[1] as string).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    if (routes.ui && !rest) {
      if (path === '/login') return routes.ui.login(req, res);
      return routes.ui.file(req, res, path);
    }
    routes.rest(req, res);
  };
  const handler = ((req: IncomingMessage, res: ServerResponse) => handle(req, res)) as RequestHandler;
  handler.checkContinue = (req, res) => handle(req, res, true);
  return handler;
}
