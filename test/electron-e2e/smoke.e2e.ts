/**
 * The desktop app, really running: Electron, the packaged app's asar, better-sqlite3
 * rebuilt for Electron, the app:// protocol, the preload bridge, the tray. Needs the
 * Electron binary, so it runs only in .github/workflows/desktop.yml (Windows, online):
 *
 *   QBWC_COMPANION_EXE="release/win-unpacked/QBWC Companion.exe" node --test dist/test/electron-e2e/smoke.e2e.js
 *
 * Without QBWC_COMPANION_EXE it starts Electron on dist/main/electron/main.js (native
 * modules must then be built for Electron). Not a vitest test (vitest runs *.test.ts).
 * Screenshots go to E2E_ARTIFACTS_DIR (default test-results/electron-e2e).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { FakeQuickBooks } from '../../main/simulator/quickbooks';
import { runWebConnectorSession } from '../../main/simulator/web-connector';

/** Compiled to dist/test/electron-e2e/: the repository is three folders up. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const ARTIFACTS = process.env.E2E_ARTIFACTS_DIR ?? path.join(ROOT, 'test-results', 'electron-e2e');
const PASSWORD = 'smoke test password 1234';

interface Bridge {
  companion: { platform: string; invoke(name: string, raw?: unknown): Promise<{ ok: boolean; value?: unknown; error?: { message: string } }> };
}
interface TrayHooks {
  qbwcCompanionTest: { tray(): { exists: boolean; view: { icon: string; tooltip: string; lines: string[] } | null } };
}

let app: ElectronApplication;
let page: Page;
let dataDir: string;

/** An operation through the window's own bridge, as the UI calls it. */
async function call<T>(name: string, raw: unknown = {}): Promise<T> {
  const result = await page.evaluate(([n, r]) => (globalThis as unknown as Bridge).companion.invoke(n as string, r), [name, raw] as const);
  assert.ok(result.ok, `${name} failed: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

const tray = () => app.evaluate(() => (globalThis as unknown as TrayHooks).qbwcCompanionTest.tray());

async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qbwc-companion-e2e-'));
  const exe = process.env.QBWC_COMPANION_EXE;
  app = await electron.launch({
    ...(exe ? { executablePath: exe, args: [] } : { args: [path.join(ROOT, 'dist', 'main', 'electron', 'main.js')] }),
    env: { ...process.env, QBWC_COMPANION_DATA_DIR: dataDir, QBWC_COMPANION_MULTI_INSTANCE: '1', QBWC_COMPANION_TEST_HOOKS: '1' },
    timeout: 60_000,
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

after(async () => {
  await app?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the window shows the connections page, from app://', async () => {
  assert.match(page.url(), /^app:\/\/companion\//);
  await page.getByRole('heading', { name: /connections/i }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'connections-empty.png') });
});

test('the page gets window.companion and nothing of Node', async () => {
  const seen = await page.evaluate(() => ({
    platform: (globalThis as unknown as Bridge).companion.platform,
    keys: Object.keys((globalThis as unknown as Bridge).companion).sort(),
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
  }));
  assert.deepEqual(seen, { platform: 'electron', keys: ['invoke', 'onEvent', 'platform'], require: 'undefined', process: 'undefined' });
});

test('the tray exists', async () => {
  const state = await eventually('the tray', async () => {
    const t = await tray();
    return t.exists && t.view ? t : null;
  });
  assert.equal(state.view?.icon, 'idle');
});

test('a simulated Web Connector session shows up in the window and the tray', async () => {
  const instance = await call<{ instanceId: string; appUrl: string; username: string; ownerId: string; fileId: string }>('createInstance', {
    body: { name: 'Smoke Test Ltd', username: 'smoke', password: PASSWORD },
  });
  await page.getByText('Smoke Test Ltd').first().waitFor({ timeout: 20_000 });
  // Work for the session, queued the way a cloud app does.
  await call('enqueueRequest', { params: { instanceId: instance.instanceId }, body: { qbxml: '<CustomerQueryRq><MaxReturned>5</MaxReturned></CustomerQueryRq>' } });

  const report = await runWebConnectorSession({
    url: instance.appUrl,
    username: instance.username,
    password: PASSWORD,
    ownerId: instance.ownerId,
    fileId: instance.fileId,
    quickbooks: new FakeQuickBooks(),
    noopDelayMs: 50,
  });
  assert.ok(report.requestsProcessed >= 1, `the session ended ${report.outcome} having processed nothing: ${report.message}`);

  // The window follows from domain events, without a reload: it shows what the overview says
  // after the session (asked again each time: "just now" becomes "1 minute ago").
  const headline = await eventually('the session in the window', async () => {
    const o = await call<{ connections: { instanceId: string; headline: string; lastSession: unknown }[] }>('getOverview');
    const c = o.connections.find((x) => x.instanceId === instance.instanceId && x.lastSession !== null);
    return c && (await page.getByText(c.headline).count()) > 0 ? c.headline : null;
  });
  await eventually('the tray line', async () => (await tray()).view?.lines.includes(`Smoke Test Ltd: ${headline}`));
  await page.screenshot({ path: path.join(ARTIFACTS, 'connections-after-session.png') });
});

test('closing the window hides it and the companion keeps serving', async () => {
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  const state = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => ({ visible: w.isVisible(), destroyed: w.isDestroyed() })));
  assert.deepEqual(state, [{ visible: false, destroyed: false }]);
  const overview = await call<{ connections: unknown[] }>('getOverview');
  assert.equal(overview.connections.length, 1);
});
