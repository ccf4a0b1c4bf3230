import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ID } from '../../main/electron/desktop-config';
import { type TrayIcon, trayIconFile } from '../../main/electron/tray-state';

const ROOT = path.join(__dirname, '..', '..');
const ASSETS = path.join(ROOT, 'assets');

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const head = fs.readFileSync(file).subarray(0, 24);
  expect(head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`).toBe(true);
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

describe('icons (made by scripts/make-icons.ts from assets/icon.svg)', () => {
  it('has the one source image', () => {
    expect(fs.readFileSync(path.join(ASSETS, 'icon.svg'), 'utf8')).toMatch(/^<svg [^>]*viewBox="0 0 512 512"/);
  });

  it('has the 512 px app icon electron-builder makes the .ico and .icns from', () => {
    expect(pngSize(path.join(ASSETS, 'icon.png'))).toEqual({ width: 512, height: 512 });
  });

  it('has a tray icon for every state, at 16, 24 (@1.5x) and 32 px (@2x)', () => {
    const states: TrayIcon[] = ['idle', 'syncing', 'attention', 'error', 'paused'];
    for (const state of states) {
      const file = trayIconFile(ASSETS, state);
      expect(pngSize(file), file).toEqual({ width: 16, height: 16 });
      expect(pngSize(file.replace(/\.png$/, '@1.5x.png'))).toEqual({ width: 24, height: 24 });
      expect(pngSize(file.replace(/\.png$/, '@2x.png'))).toEqual({ width: 32, height: 32 });
    }
  });
});

describe('electron-builder.yml', () => {
  const yml = fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');

  it('names the same app id as the app (Windows toasts need it to match the Start menu shortcut)', () => {
    expect(yml).toMatch(new RegExp(`^appId: ${APP_ID.replace(/\./g, '\\.')}( +#.*)?$`, 'm'));
  });

  it('starts the desktop entry point, and packs what it loads at run time', () => {
    expect(yml).toMatch(/^\s+main: dist\/main\/electron\/main\.js$/m);
    expect(yml).toMatch(/^\s+- assets\/tray\/\*\*$/m);
    expect(yml).toMatch(/^\s+- assets\/icon\.png$/m);
  });
});
