/**
 * The same UI over IPC, as the desktop app runs it: `window.companion` stands in for the
 * preload, and calls go through the main process's own runOperation (main/electron/ipc.ts)
 * into a real companion; domain events come back through onEvent. No sign-in, and not a
 * single request to the REST API.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../../main/companion';
import { runOperation } from '../../main/electron/ipc';
import { silentLogger } from '../../main/logger';
import { tempDir } from '../helpers';
import { assertUiBuilt, expectAccessible, expectNotReloaded, launch, markPage, newPage, screenshot } from './browser';

let companion: Companion;
let browser: Browser;
let page: Page;
const apiRequests: string[] = [];
let stopForwarding: () => void = () => {};

/** What the preload exposes, wired to the two functions the test provides. */
const BRIDGE = `
  const listeners = new Set();
  window.__companionEmit = (event) => listeners.forEach((listener) => listener(event));
  window.companion = {
    platform: 'electron',
    invoke: (name, raw) => window.__companionInvoke(name, raw),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
`;

beforeAll(async () => {
  assertUiBuilt();
  companion = await startCompanion({ dataDir: tempDir('qbwc-ipc-'), port: 0, logger: silentLogger });
  browser = await launch();
  ({ page } = await newPage(browser));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) apiRequests.push(r.url());
  });
  await page.exposeFunction('__companionInvoke', (name: unknown, raw: unknown) => runOperation(companion.handlers, name, raw, silentLogger));
  await page.addInitScript(BRIDGE);
  stopForwarding = companion.events.onAll((type, data) => {
    page.evaluate(`window.__companionEmit(${JSON.stringify({ type, data })})`).catch(() => {});
  });
});

afterAll(async () => {
  stopForwarding();
  await browser?.close();
  await companion?.stop();
});

describe('the UI over IPC (desktop app)', () => {
  it('needs no sign-in and follows the core through onEvent', async () => {
    // In the app the files come from app://; here the companion serves the same build.
    await page.goto(`${companion.url}/`);
    await page.getByRole('heading', { name: 'No connections yet' }).waitFor();
    await markPage(page);

    // A connection added elsewhere (the CLI, another window) appears by itself.
    await companion.handlers.createInstance({ body: { name: 'Maple Farm Supply', username: 'maple', password: 'a long enough password', frequencyInMinutes: 60, configuration: {}, lingerSeconds: 0, alternateCompanyFiles: [], readOnly: false, syncWindow: null } });
    await page.getByRole('link', { name: 'Maple Farm Supply' }).waitFor();
    await page.getByText('Not connected yet').waitFor();
    await expectAccessible(page, 'the connections page over IPC');
    await screenshot(page, '20-ipc-connections');
  });

  it('shows errors from the main process next to their field', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const idle = page.getByRole('spinbutton', { name: /End a session that goes quiet/ });
    await idle.fill('5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.fui-Field').filter({ has: idle }).getByText(/Must be at least 60/i).waitFor();
    await expectNotReloaded(page);
    expect(apiRequests).toEqual([]);
  });

  it('exports the event log as CSV from the text that crossed IPC (no link to follow)', async () => {
    await page.getByRole('link', { name: 'Event log' }).click();
    await page.getByText(/^\d+ events/).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('qbwc-companion-events.csv');
    const csv = fs.readFileSync(await download.path(), 'utf8');
    expect(csv).toMatch(/^time,connection,action,result,detail/);
    expect(csv).toContain('instance.created');
    expect(apiRequests).toEqual([]);
  });
});
