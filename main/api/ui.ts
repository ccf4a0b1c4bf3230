/**
 * Browser mode: the built UI (Vite's output, dist/renderer) served at /, and the
 * one-time login link that signs a browser in (see browser-sessions.ts). The files hold
 * no data, so they need no session; everything they show comes from the API, which does.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { BrowserSessions } from './browser-sessions';
import { htmlPage, sendHtml } from './pages';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type of a file of the built UI (browser mode here, app:// in the desktop app). */
export const uiContentType = (file: string): string => TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

/** The UI's policy: its own scripts only; styles inline too (Fluent UI writes style tags). */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** dist/renderer beside the compiled code (dist/main/api), also when run from the sources (main/api). */
export function defaultUiDir(): string {
  const root = path.resolve(__dirname, '..', '..');
  return path.join(path.basename(root) === 'dist' ? root : path.join(root, 'dist'), 'renderer');
}

const sendPage = (res: ServerResponse, status: number, title: string, body: string) => sendHtml(res, status, htmlPage(title, body), { 'Cache-Control': 'no-store' });

export function uiRoutes(options: { uiDir: string; sessions: BrowserSessions; productName: string }) {
  const root = path.resolve(options.uiDir);
  return {
    /** GET /login?code=…: a valid code becomes a session cookie, and the browser goes on to the UI. */
    login(req: IncomingMessage, res: ServerResponse): void {
      const code = new URL(req.url ?? '/', 'http://localhost').searchParams.get('code') ?? '';
      const session = code ? options.sessions.exchange(code) : undefined;
      if (!session) {
        return sendPage(
          res,
          401,
          'Sign-in link expired',
          `<h1>This sign-in link has expired</h1><p>Each link works once, for five minutes. For a new one, run <code>qbwc-companion open</code> on this computer, or open ${options.productName} from its tray icon.</p>`,
        );
      }
      res.writeHead(303, { Location: '/', 'Set-Cookie': BrowserSessions.cookie(session), 'Cache-Control': 'no-store' });
      res.end();
    },

    /** A file of the built UI; any other path is the app itself (it routes in the page). */
    file(req: IncomingMessage, res: ServerResponse, urlPath: string): void {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' });
        return void res.end();
      }
      let relative: string;
      try {
        relative = decodeURIComponent(urlPath).replace(/^\/+/, '');
      } catch {
        relative = '';
      }
      let file = path.resolve(root, relative || 'index.html');
      // Nothing outside the UI folder, and no dot-files.
      if (!file.startsWith(root + path.sep) || relative.split('/').some((p) => p.startsWith('.'))) file = path.join(root, 'index.html');
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) file = path.join(root, 'index.html');
      if (!fs.existsSync(file)) {
        return sendPage(
          res,
          503,
          `${options.productName}`,
          `<h1>The ${options.productName} pages are not built</h1><p>Run <code>npm run build</code> in the project folder, then reload this page. The API works meanwhile.</p>`,
        );
      }
      const hashed = file.includes(`${path.sep}assets${path.sep}`);
      res.writeHead(200, {
        'Content-Type': uiContentType(file),
        'Content-Length': fs.statSync(file).size,
        'Content-Security-Policy': UI_CSP,
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        // Vite names assets by content: they never change. The page itself always comes fresh.
        'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file).pipe(res);
    },
  };
}
