/**
 * Driving the built UI (dist/renderer) in Debian's Chromium, as a bookkeeper would:
 * one browser per test file, axe for accessibility, screenshots into test-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const ROOT = path.join(__dirname, '..', '..');
export const UI_DIR = path.join(ROOT, 'dist', 'renderer');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function assertUiBuilt(): void {
  if (!fs.existsSync(path.join(UI_DIR, 'index.html'))) throw new Error(`${UI_DIR} has no built UI: run \`npm run build\` first`);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

export interface Watched {
  page: Page;
  context: BrowserContext;
  /** Console errors and failed CSP checks seen so far. */
  errors: string[];
}

/** A fresh page (its own cookies) that records console errors, a laptop-sized window. */
export async function newPage(browser: Browser): Promise<Watched> {
  // Reduced motion: axe and screenshots see colours at rest, not half-way through a transition.
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    locale: 'en-US',
    timezoneId: 'America/New_York',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  // A wait that fails names what it waited for, well before the test's own time limit.
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  return { page, context, errors };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; why: string }[];
}

/**
 * Runs axe on the page as it is and fails on serious or critical violations. axe goes in
 * through the DevTools protocol (page.evaluate), which the page's CSP does not govern.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Colours at rest: a theme switch (dark mode) fades Fluent's buttons for a moment, and a
  // colour caught half-way fails the contrast check. (Spinners' endless animations are not waited for.)
  await page.evaluate('Promise.all(document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => a.finished.catch(() => {})))');
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 200), why: n.failureSummary })) })))`,
  )) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `axe on ${what}: ${JSON.stringify(bad, null, 1)}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top: a full-page picture taken scrolled down shows the sticky header mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Set once; still there later means the page was never reloaded. */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate('window.__notReloaded = true');
}
export async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate('window.__notReloaded === true'), 'the page was reloaded').toBe(true);
}
