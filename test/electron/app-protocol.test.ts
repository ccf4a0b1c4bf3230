import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveAppFile, serveAppRequest } from '../../main/electron/app-protocol';
import { UI_CSP } from '../../main/api/ui';
import { tempDir } from '../helpers';

let root: string;
beforeAll(() => {
  const dir = tempDir('qbwc-app-protocol-');
  root = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>QBWC Companion</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the page');
});

const get = (url: string, method = 'GET') => serveAppRequest(root, { url, method });

describe('app:// protocol', () => {
  it('serves the built UI with the content security policy', async () => {
    const res = await get('app://companion/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(UI_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>QBWC Companion</title>');
  });

  it('serves scripts as JavaScript', async () => {
    const res = await get('app://companion/assets/index-abc.js');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('answers the UI\'s own routes with index.html', async () => {
    for (const url of ['app://companion/', 'app://companion/connections/inst-1', 'app://companion/events?q=x']) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(await res.text()).toContain('<title>');
    }
  });

  it('serves nothing outside the UI folder, however the path is written', async () => {
    expect(resolveAppFile(root, 'app://companion/%2e%2e%2fsecret.txt')).toBeNull(); // "../" once decoded
    for (const url of ['app://companion/../secret.txt', 'app://companion/%2e%2e/secret.txt', 'app://companion/assets/%2e%2e%2f%2e%2e%2fsecret.txt', 'app://companion/..%5csecret.txt']) {
      const file = resolveAppFile(root, url);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
      expect((await get(url)).status, url).toBe(404);
    }
  });

  it('serves only its own host', async () => {
    expect(resolveAppFile(root, 'app://other/index.html')).toBeNull();
    expect((await get('app://other/index.html')).status).toBe(404);
  });

  it('a missing file is a 404, still with the policy', async () => {
    const res = await get('app://companion/assets/missing.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(UI_CSP);
  });

  it('only reads', async () => {
    expect((await get('app://companion/index.html', 'POST')).status).toBe(405);
    const head = await get('app://companion/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
