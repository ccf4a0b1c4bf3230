/**
 * Every icon of the desktop app from one source image, assets/icon.svg, drawn by Chromium
 * (playwright-core with the system's /usr/bin/chromium, or CHROMIUM_PATH):
 *   assets/icon.png            512×512 — electron-builder makes the .ico and .icns from it
 *   assets/tray/tray-<state>.png, @1.5x, @2x   16, 24 and 32 px — the tray, one per state,
 *                              the source with a badge (paused: in grey)
 * The PNGs are committed; run this again after changing the SVG:
 *   npm run build && node dist/scripts/make-icons.js
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ASSETS = path.join(__dirname, '..', '..', 'assets');

type State = 'idle' | 'syncing' | 'attention' | 'error' | 'paused';

/** Badges on a 100×100 canvas: a coloured disc with a white ring (to stand off the tile) and a white glyph. */
const BADGES: Record<State, string | null> = {
  idle: null, // all is well: the plain icon
  syncing: disc('#107C10', '<path d="M31 58 A21 21 0 1 1 52 71" fill="none" stroke="#fff" stroke-width="11" stroke-linecap="round"/><path d="M18 52 L31 70 L44 52 Z" fill="#fff"/>'),
  attention: disc('#CA5010', '<path d="M50 25 V57" stroke="#fff" stroke-width="14" stroke-linecap="round"/><circle cx="50" cy="75" r="8.5" fill="#fff"/>'),
  error: disc('#C50F1F', '<path d="M34 34 L66 66 M66 34 L34 66" stroke="#fff" stroke-width="13" stroke-linecap="round"/>'),
  paused: disc('#605E5C', '<rect x="31" y="29" width="14" height="42" rx="3" fill="#fff"/><rect x="55" y="29" width="14" height="42" rx="3" fill="#fff"/>'),
};

function disc(color: string, glyph: string): string {
  return `<circle cx="50" cy="50" r="45" fill="${color}" stroke="#fff" stroke-width="8"/>${glyph}`;
}

/** The tray's sizes: 16 px at 100 % scaling, and what Windows and macOS pick at 150 % and 200 %. */
const TRAY_SIZES: [suffix: string, px: number][] = [
  ['', 16],
  ['@1.5x', 24],
  ['@2x', 32],
];

function page(svg: string, size: number, state: State | null): string {
  const source = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  const badge = state ? BADGES[state] : null;
  const grey = state === 'paused' ? 'filter: grayscale(1) brightness(1.15);' : '';
  const badgeSize = Math.round(size * 0.6);
  return `<!doctype html><html><body style="margin:0;background:transparent">
    <div id="icon" style="position:relative;width:${size}px;height:${size}px">
      <img src="${source}" style="display:block;width:${size}px;height:${size}px;${grey}">
      ${badge ? `<svg viewBox="0 0 100 100" style="position:absolute;right:0;bottom:0;width:${badgeSize}px;height:${badgeSize}px">${badge}</svg>` : ''}
    </div></body></html>`;
}

async function main(): Promise<void> {
  const svg = fs.readFileSync(path.join(ASSETS, 'icon.svg'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const tab = await browser.newPage({ deviceScaleFactor: 1 });
    const render = async (file: string, size: number, state: State | null) => {
      await tab.setViewportSize({ width: Math.max(size, 64), height: Math.max(size, 64) });
      await tab.setContent(page(svg, size, state));
      await tab.locator('#icon img').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await tab.locator('#icon').screenshot({ path: file, omitBackground: true });
      process.stdout.write(`${path.relative(process.cwd(), file)} (${size}×${size})\n`);
    };
    await render(path.join(ASSETS, 'icon.png'), 512, null);
    for (const state of Object.keys(BADGES) as State[]) {
      for (const [suffix, px] of TRAY_SIZES) await render(path.join(ASSETS, 'tray', `tray-${state}${suffix}.png`), px, state);
    }
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`make-icons: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
