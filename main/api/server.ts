/**
 * The companion's HTTP front door: guards first (Host, Origin), then the QBWC endpoint
 * on its own fast path, the Web Connector's pages, and the REST API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import { encodeFault, SOAP_CONTENT_TYPE } from '../qbwc/soap/encode';
import type { Guard } from './guards';

export const QBWC_PATH = '/qbwc';

export interface Routes {
  guard: Guard;
  soap: (req: IncomingMessage, res: ServerResponse) => void;
  support: (req: IncomingMessage, res: ServerResponse) => void;
  interactive: (req: IncomingMessage, res: ServerResponse, token: string) => Promise<void>;
  rest: express.Express;
}

function refuse(res: ServerResponse, soap: boolean, code: string, message: string): void {
  const body = soap ? encodeFault('Client', message) : JSON.stringify({ error: { code, message, field: null } });
  res.writeHead(403, { 'Content-Type': soap ? SOAP_CONTENT_TYPE : 'application/json; charset=utf-8', Connection: 'close' });
  res.end(body);
}

export function createRequestHandler(routes: Routes) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    // A URL typed into a QWC by hand may differ in case or end in a slash; it is still the endpoint.
    const soap = /^\/qbwc\/?$/i.test(path);
    if (!routes.guard.hostAllowed(req)) {
      return refuse(res, soap, 'forbidden_host', 'This service only answers requests addressed to localhost.');
    }
    if (!routes.guard.originAllowed(req)) {
      return refuse(res, soap, 'forbidden_origin', 'Requests from other web sites are not allowed.');
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
    routes.rest(req, res);
  };
}
