import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardNavigation } from '../../main/electron/navigation';
import { silentLogger } from '../../main/logger';

/** A webContents as far as the guard uses it: events, and the window-open handler. */
class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
  /** Emits a navigation-like event; true when the guard prevented it. */
  attempt(event: string, url: string): boolean {
    const e = { url, preventDefault: vi.fn() };
    this.emit(event, e);
    return e.preventDefault.mock.calls.length > 0;
  }
}

function guarded() {
  const contents = new FakeContents();
  const openExternal = vi.fn((_url: string) => Promise.resolve());
  const logger = { ...silentLogger, warn: vi.fn() };
  guardNavigation(contents as never, { openExternal, ownOrigins: () => ['http://localhost:8520'], logger });
  return { contents, openExternal, logger };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => vi.restoreAllMocks());

describe('navigation and new windows', () => {
  it('lets our own pages navigate among themselves', () => {
    const { contents } = guarded();
    expect(contents.attempt('will-frame-navigate', 'app://companion/connections')).toBe(false);
  });

  it('stops any navigation away, opening allowed links in the browser instead', async () => {
    const { contents, openExternal } = guarded();
    expect(contents.attempt('will-frame-navigate', 'https://developer.intuit.com/docs')).toBe(true);
    await settle();
    expect(openExternal).toHaveBeenCalledWith('https://developer.intuit.com/docs');
  });

  it('stops navigation to anything else without opening it', async () => {
    const { contents, openExternal, logger } = guarded();
    for (const url of ['https://evil.example/', 'file:///C:/Windows/win.ini', 'smb://host/share']) {
      expect(contents.attempt('will-frame-navigate', url)).toBe(true);
    }
    await settle();
    expect(openExternal).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith('A link was blocked', { url: 'https://evil.example/' });
  });

  it('stops redirects away from the app', () => {
    const { contents } = guarded();
    expect(contents.attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'app://companion/')).toBe(false);
  });

  it('never attaches a webview', () => {
    const { contents } = guarded();
    expect(contents.attempt('will-attach-webview', 'https://evil.example/')).toBe(true);
  });

  it('denies every new window; an allowed link goes to the browser', async () => {
    const { contents, openExternal } = guarded();
    expect(contents.openHandler?.({ url: 'http://localhost:8520/login?code=x' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'app://companion/' })).toEqual({ action: 'deny' });
    await settle();
    expect(openExternal.mock.calls).toEqual([['http://localhost:8520/login?code=x']]);
  });
});
