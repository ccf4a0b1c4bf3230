/**
 * The event log with many rows: virtualized (a screenful of rows in the page, however
 * long the log), paged from the server as the list nears its end, searched on the server.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../../main/companion';
import { silentLogger } from '../../main/logger';
import { tempDir } from '../helpers';
import { assertUiBuilt, expectNotReloaded, launch, markPage, newPage, screenshot } from './browser';

const EVENTS = 20_000;
const PAGE_SIZE = 200; // renderer/src/data/queries.ts EVENT_PAGE_SIZE

let companion: Companion;
let browser: Browser;
let page: Page;
const pagesFetched: string[] = [];

beforeAll(async () => {
  assertUiBuilt();
  companion = await startCompanion({ dataDir: tempDir('qbwc-log-'), port: 0, logger: silentLogger });
  const t0 = Date.parse('2026-11-02T09:00:00Z');
  companion.store.transaction(() => {
    for (let i = 0; i < EVENTS; i++) {
      companion.store.events.append({
        clientId: null,
        timestamp: t0 + i * 1000,
        user: 'bench',
        action: i % 10 === 0 ? 'session.authenticate' : 'request.error',
        detail: `event number ${i}`,
        result: i === 12_345 ? 'needle' : 'ok',
        sessionId: null,
        requestId: null,
      });
    }
  });
  browser = await launch();
  ({ page } = await newPage(browser));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/events') pagesFetched.push(r.url());
  });
  const res = await fetch(`${companion.url}/api/v1/login-codes`, { method: 'POST', headers: { Authorization: `Bearer ${companion.apiToken}` } });
  const { url } = (await res.json()) as { url: string };
  await page.goto(url);
  await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
  await markPage(page);
});

afterAll(async () => {
  await browser?.close();
  await companion?.stop();
});

const rows = () => page.locator('[data-testid="event-rows"] [role="row"]');
/** The scrolling list, for page.evaluate (the tests are type-checked without the DOM's types). */
const LIST = `document.querySelector('[data-testid="event-rows"]')`;

describe('the event log with 20,000 events', () => {
  it('shows a screenful of rows, not all of them, and loads the next page as the list nears its end', async () => {
    await page.getByRole('link', { name: 'Event log' }).click();
    await page.getByText(`${PAGE_SIZE} events so far; more load as you scroll`).waitFor();
    expect(pagesFetched).toHaveLength(1);
    // Newest first.
    await rows().first().getByText('event number 19999').waitFor();
    expect(await rows().count()).toBeLessThan(60);

    // Scrolling to the end of what is loaded fetches the next page (with the cursor).
    await page.evaluate(`${LIST}.scrollTop = ${LIST}.scrollHeight`);
    await page.getByText(`${2 * PAGE_SIZE} events so far`).waitFor();
    expect(new URL(pagesFetched[1] as string).searchParams.get('cursor')).toBeTruthy();
    expect(await rows().count()).toBeLessThan(60);
    await screenshot(page, '21-event-log-long');
  });

  it('is scrolled by keyboard, and finds one event among them all on the server', async () => {
    const list = page.getByTestId('event-rows');
    await list.focus();
    await page.keyboard.press('Home');
    await rows().first().getByText('event number 19999').waitFor();
    await page.keyboard.press('PageDown');
    await expect.poll(() => page.evaluate(`${LIST}.scrollTop`)).toBeGreaterThan(0);

    const t0 = Date.now();
    await page.getByRole('searchbox', { name: 'Search' }).fill('needle');
    await page.getByText(/^1 events/).waitFor();
    expect(Date.now() - t0).toBeLessThan(2000);
    await rows().first().getByText('event number 12345').waitFor();
    expect(new URL(pagesFetched[pagesFetched.length - 1] as string).searchParams.get('q')).toBe('needle');
    await expectNotReloaded(page);
  });
});
