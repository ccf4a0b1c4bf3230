import { describe, expect, it } from 'vitest';
import { UI_CSP } from '../../main/api/ui';
import { isAllowedExternal, isAppUrl, isPermissionAllowed, windowOptions } from '../../main/electron/security';

describe('window options', () => {
  const options = windowOptions('/app/dist/preload/index.js', '/app/assets/icon.png');
  const prefs = options.webPreferences ?? {};

  it('isolate the page from Node and Electron', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.preload).toBe('/app/dist/preload/index.js');
  });

  it('keep the web platform\'s own protections on and extras off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('start hidden: the app shows the window when it is ready (or not, started at login)', () => {
    expect(options.show).toBe(false);
    expect(options.title).toBe('QBWC Companion');
  });
});

describe('content security policy (the UI\'s, main/api/ui.ts, also on app://)', () => {
  const directives = new Map(UI_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const));

  it('runs scripts only from the app, never inline or eval', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(UI_CSP).not.toContain('unsafe-eval');
  });

  it('allows no plugins, base URL changes or framing, and forms only to the app', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect([["'none'"], ["'self'"]]).toContainEqual(directives.get('form-action'));
  });
});

describe('app URLs', () => {
  it('are app://companion/… only', () => {
    expect(isAppUrl('app://companion/')).toBe(true);
    expect(isAppUrl('app://companion/connections/abc?tab=queue#x')).toBe(true);
    for (const url of ['app://companion.evil/', 'app://evil/', 'https://companion/', 'file:///app/index.html', 'app://x@companion/', 'not a url']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});

describe('external links', () => {
  const own = ['http://127.0.0.1:8520', 'http://localhost:8520'];

  it('may open Intuit\'s https pages', () => {
    expect(isAllowedExternal('https://developer.intuit.com/app/developer/qbdesktop/docs/get-started/get-started-with-quickbooks-web-connector')).toBe(true);
    expect(isAllowedExternal('https://intuit.com/')).toBe(true);
  });

  it('may open the companion\'s own browser-mode pages (a login link)', () => {
    expect(isAllowedExternal('http://localhost:8520/login?code=abc', own)).toBe(true);
    expect(isAllowedExternal('http://127.0.0.1:8520/', own)).toBe(true);
    expect(isAllowedExternal('http://localhost:9999/', own)).toBe(false);
  });

  it('refuses everything else', () => {
    for (const url of [
      'http://developer.intuit.com/', // not https
      'https://intuit.com.evil.example/',
      'https://evilintuit.com/',
      'https://user:pw@developer.intuit.com/',
      'https://developer.intuit.com:8443/',
      'file:///C:/Windows/System32/calc.exe',
      'smb://server/share',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
      'mailto:help@example.com',
      'app://companion/',
      'not a url',
    ]) {
      expect(isAllowedExternal(url, own), url).toBe(false);
    }
  });
});

describe('permissions', () => {
  it('only clipboard writing ("Copy password"), only for our pages', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://companion/connections/new')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://companion')).toBe(true); // a check names the origin
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined)).toBe(false);
    for (const permission of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'hid', 'usb', 'serial']) {
      expect(isPermissionAllowed(permission, 'app://companion/'), permission).toBe(false);
    }
  });
});
