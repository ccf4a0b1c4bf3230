/**
 * Issue 17: the UI in browser mode, driven in Debian's Chromium (headless, no GPU).
 *
 * - First paint: a fresh browser profile opens a one-time sign-in link (a 303 to /) — the
 *   first contentful paint of the page, and the time until the connections page shows
 *   its data. Median of --runs.
 * - The event log with --events (default 1,000,000) events in the store: the wheel scrolls
 *   the virtualized list for a few seconds, loading pages from the server as it nears
 *   their end, while requestAnimationFrame records every frame; reported: the longest
 *   frame, p99, and frames over 50 ms.
 * - Search over all of them: the server's answer to listAllEvents with q (the first page,
 *   as the UI asks for it) for a common word, a rarer one, an id, and text that is
 *   nowhere (a scan of every event); and in the page, from the last keystroke until the
 *   rows are painted — which includes the UI's 150 ms typing pause.
 *
 * The companion runs in this process (its store is seeded directly: a million events
 * through the API would take minutes and measure something else).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Companion } from '../main/companion';
import { silentLogger } from '../main/logger';
import { type BenchContext, type Benchmark, type BenchResult, intOption, runsOption } from './benchmark';
import { makeTempDir, removeTempDir, ROOT } from './procs';
import { median, percentileSorted, round } from './stats';

const TARGET = { firstPaintMs: 1000, longestFrameMs: 50, searchMs: 200 };
const CHROMIUM = '/usr/bin/chromium';
const ACTIONS = ['session.authenticate', 'request.queued', 'request.done', 'session.closeConnection', 'request.error'];

/** Events like a busy year of syncing: three connections, a session every 20 events. */
function seedEvents(companion: Companion, instanceIds: string[], count: number): void {
  const { store } = companion;
  const start = Date.now() - count * 1000;
  for (let batch = 0; batch < count; batch += 10_000) {
    store.transaction(() => {
      for (let n = batch; n < Math.min(count, batch + 10_000); n++) {
        store.events.append({
          clientId: instanceIds[n % instanceIds.length] as string,
          timestamp: start + n * 1000,
          user: 'companion',
          action: ACTIONS[n % ACTIONS.length] as string,
          detail: `CustomerQueryRq ${n} for Pine Street Bakery, invoice ${n % 997}`,
          result: n % 50 === 0 ? 'error' : 'ok',
          sessionId: `session-${Math.floor(n / 20)}`,
          requestId: `request-${n}`,
        });
      }
    });
  }
}

async function signIn(browser: Browser, companion: Companion): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const { url } = await companion.handlers.createLoginCode({});
  await page.goto(url);
  return page;
}

async function firstPaint(browser: Browser, companion: Companion): Promise<{ firstContentfulPaintMs: number; connectionsShownMs: number }> {
  const page = await signIn(browser, companion);
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  await page.getByText('Acme Bakery 1').first().waitFor();
  const shown = (await page.evaluate('performance.now()')) as number;
  const fcp = (await page.evaluate(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1`)) as number;
  await page.context().close();
  return { firstContentfulPaintMs: round(fcp, 1), connectionsShownMs: round(shown, 1) };
}

/** Wheel-scrolls the event log for `seconds`, recording every animation frame. */
async function scrollFrames(page: Page, seconds: number): Promise<{ frames: number; longestMs: number; p99Ms: number; over50: number; rowsLoaded: number }> {
  const rows = page.locator('[data-testid="event-rows"]');
  await rows.locator('[role="row"]').first().waitFor();
  const box = await rows.boundingBox();
  if (!box) throw new Error('the event list is not on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    const tick = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    await page.mouse.wheel(0, 2400);
    await page.waitForTimeout(16);
  }
  const frames = (await page.evaluate('window.__recording = false, window.__frames')) as number[];
  const deltas = frames.slice(1).map((t, i) => t - (frames[i] as number)).sort((a, b) => a - b);
  const loaded = (await page.getByText(/[\d,]+ events/).first().textContent()) ?? '';
  return {
    frames: frames.length,
    longestMs: round(deltas[deltas.length - 1] ?? 0, 1),
    p99Ms: round(percentileSorted(deltas, 0.99), 1),
    over50: deltas.filter((d) => d > 50).length,
    rowsLoaded: Number(loaded.replace(/[^\d]/g, '')),
  };
}

/** The server's answer to the UI's first page of a search, median of 5. */
async function searchServerMs(companion: Companion, q: string): Promise<{ ms: number; found: number }> {
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    found = (await companion.handlers.listAllEvents({ q, limit: 200 })).data.length;
    times.push(performance.now() - t0);
  }
  return { ms: round(median(times), 1), found };
}

/** In the page: from the last keystroke of a search until its rows are painted. */
async function searchInPage(page: Page, q: string): Promise<number> {
  const box = page.getByRole('searchbox');
  await box.fill('');
  await page.waitForLoadState('networkidle');
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/events?') && r.url().includes(`q=${encodeURIComponent(q).replace(/%20/g, '+')}`));
  const t0 = (await page.evaluate('performance.now()')) as number;
  await box.fill(q);
  await answered;
  const painted = (await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))).then(() => performance.now())')) as number;
  return round(painted - t0, 1);
}

export const uiBenchmark: Benchmark = {
  name: 'ui',
  key: 'ui',
  description: 'Browser mode in Chromium: first paint; the event log with 1,000,000 events — frame times while scrolling, search answers',
  async run(ctx: BenchContext): Promise<BenchResult> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium`);
    const uiDir = path.join(ROOT, 'dist', 'renderer');
    if (!fs.existsSync(path.join(uiDir, 'index.html'))) throw new Error(`${uiDir} has no built UI: npm run build`);
    const runs = runsOption(ctx);
    const eventCount = intOption(ctx, 'events', 1_000_000);
    const { startCompanion } = require(path.join(ROOT, 'dist', 'main', 'companion.js')) as typeof import('../main/companion');
    const dataDir = makeTempDir('ui');
    const companion = await startCompanion({ dataDir, port: 0, logger: silentLogger, uiDir });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) {
        const created = await companion.handlers.createInstance({
          body: { name: `Acme Bakery ${i}`, username: `bench${i}`, frequencyInMinutes: 60, configuration: {}, lingerSeconds: 0, alternateCompanyFiles: [], readOnly: false, syncWindow: null },
        });
        ids.push(created.instanceId);
      }
      ctx.log(`ui: seeding ${eventCount.toLocaleString()} events`);
      const seedStart = performance.now();
      seedEvents(companion, ids, eventCount);
      ctx.log(`ui: seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

      const paints = [];
      for (let r = 0; r < runs; r++) paints.push(await firstPaint(browser, companion));
      ctx.log(`ui: first paint ${JSON.stringify(paints)}`);

      const page = await signIn(browser, companion);
      await page.goto(`${companion.url.replace('127.0.0.1', 'localhost')}/#/events`);
      const scrolling = await scrollFrames(page, 6);
      ctx.log(`ui: scrolling ${JSON.stringify(scrolling)}`);

      const terms = { common: 'Bakery', rarer: 'invoice 996', id: 'request-999999', nowhere: 'no such text anywhere' };
      const server: Record<string, { ms: number; found: number }> = {};
      for (const [name, q] of Object.entries(terms)) server[name] = await searchServerMs(companion, q);
      const inPage: Record<string, number> = {};
      for (const [name, q] of Object.entries(terms)) inPage[name] = await searchInPage(page, q);
      ctx.log(`ui: search server ${JSON.stringify(server)} page ${JSON.stringify(inPage)}`);

      const fcp = median(paints.map((p) => p.firstContentfulPaintMs));
      const slowestSearch = Math.max(...Object.values(server).map((s) => s.ms));
      return {
        events: eventCount,
        firstPaint: { runs: paints, firstContentfulPaintMs: fcp, connectionsShownMs: median(paints.map((p) => p.connectionsShownMs)) },
        scrolling,
        search: { serverMs: server, inPageMsIncluding150msTypingPause: inPage },
        target: TARGET,
        meets: {
          firstPaint: fcp <= TARGET.firstPaintMs,
          scrolling: scrolling.longestMs <= TARGET.longestFrameMs,
          search: slowestSearch <= TARGET.searchMs,
        },
      };
    } finally {
      await browser.close();
      await companion.stop();
      removeTempDir(dataDir);
    }
  },
};
