/**
 * app://companion/ serves the built UI (dist/renderer), with the content security policy
 * browser mode sends too, and nothing outside that folder. A path without a file
 * extension gets index.html. No Electron here; the glue registers `serveAppRequest` with
 * protocol.handle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UI_CSP, uiContentType } from '../api/ui';
import { APP_HOST } from './security';


/** The file an app:// URL names inside `rootDir`, or null for anything else. */
export function resolveAppFile(rootDir: string, url: string): string | null {
  let u: URL;
  let pathname: string;
  try {
    u = new URL(url);
    pathname = decodeURIComponent(u.pathname); // "%2e%2e%2f" is "../" once decoded: checked below
  } catch {
    return null;
  }
  if (u.host !== APP_HOST || pathname.includes('\0')) return null;
  const root = path.resolve(rootDir);
  const relative = path.extname(pathname) === '' ? 'index.html' : pathname;
  const file = path.resolve(root, `.${path.posix.sep}${relative.replace(/^\/+/, '')}`);
  return file.startsWith(root + path.sep) ? file : null;
}

export async function serveAppRequest(rootDir: string, request: { url: string; method: string }): Promise<Response> {
  const headers = { 'Content-Security-Policy': UI_CSP, 'X-Content-Type-Options': 'nosniff' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405, headers });
  const file = resolveAppFile(rootDir, request.url);
  if (!file) return new Response('Not found', { status: 404, headers });
  let body: Buffer;
  try {
    body = await fs.promises.readFile(file);
  } catch {
    return new Response('Not found', { status: 404, headers });
  }
  const type = uiContentType(file);
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: { ...headers, 'Content-Type': type } });
}
