import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Companion, type CompanionOptions, startCompanion } from '../../main/companion';
import { invoke } from '../../main/contract/invoke';
import { runDesktopApp, type DesktopOptions } from '../../main/electron/desktop-app';
import { HIDDEN_ARG } from '../../main/electron/login-item';
import { silentLogger } from '../../main/logger';
import { tempDir } from '../helpers';
import { FakeBrowserWindow, FakeNotification, FakeTray, fakeElectron, FakeWebContents, resetFakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron);

const { app, dialog, ipcMain, protocol } = fakeElectron;
const assetsDir = path.join(__dirname, '..', '..', 'assets');

/** Waits for the tray to catch up: it reads the overview a second after a change. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 20 });

let running: Companion[] = [];
let dataDir: string;

beforeEach(() => {
  resetFakeElectron();
  dataDir = path.join(tempDir('qbwc-desktop-'), 'QBWC Companion');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(running.map((c) => c.stop()));
  running = [];
  delete (globalThis as { qbwcCompanionTest?: unknown }).qbwcCompanionTest;
});

/** The app on a real core (temporary data folder, any free port), with Electron faked. */
function options(overrides: Partial<DesktopOptions> = {}): DesktopOptions {
  return {
    env: { QBWC_COMPANION_DATA_DIR: dataDir },
    argv: ['electron', '.'],
    platform: 'win32',
    paths: { rendererDir: path.join(dataDir, 'no-ui'), preloadPath: '/app/dist/preload/index.js', assetsDir },
    startCompanion: async (o: CompanionOptions) => {
      const companion = await startCompanion({ ...o, port: 0, logger: silentLogger });
      running.push(companion);
      return companion;
    },
    ...overrides,
  };
}

async function launch(overrides: Partial<DesktopOptions> = {}) {
  const desktop = runDesktopApp(options(overrides));
  if (!desktop) throw new Error('the app did not start');
  await desktop.ready;
  await eventually(() => expect(FakeTray.instances[0]?.tooltip).toMatch(/No connections yet/));
  const companion = running[0] as Companion;
  return { desktop, companion, window: FakeBrowserWindow.instances[0] as FakeBrowserWindow, tray: FakeTray.instances[0] as FakeTray };
}

describe('desktop app: one copy per data folder', () => {
  it('a second launch shows and focuses the running one\'s window', async () => {
    const { window } = await launch();
    window.userCloses();
    window.minimized = true;
    app.emit('second-instance', {}, ['electron', '.'], '/');
    expect(window.restore).toHaveBeenCalled();
    expect(window.show).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
    expect(window.visible).toBe(true);
  });

  it('a second launch while the first is still starting at login shows the window once ready', async () => {
    let release = () => {};
    app.ready = new Promise<void>((resolve) => (release = resolve));
    const desktop = runDesktopApp(options({ argv: ['QBWC Companion.exe', HIDDEN_ARG] }));
    app.emit('second-instance', {}, ['QBWC Companion.exe'], '/');
    release();
    await desktop?.ready;
    const window = FakeBrowserWindow.instances[0] as FakeBrowserWindow;
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('without the lock (another copy runs), it quits before starting anything', () => {
    app.lock = false;
    const start = vi.fn();
    expect(runDesktopApp(options({ startCompanion: start }))).toBeNull();
    expect(app.quit).toHaveBeenCalled();
    expect(app.whenReady).not.toHaveBeenCalled();
    expect(start).not.toHaveBeenCalled();
  });

  it('QBWC_COMPANION_MULTI_INSTANCE=1 skips the lock (end-to-end tests)', () => {
    app.lock = false;
    const desktop = runDesktopApp(options({ env: { QBWC_COMPANION_DATA_DIR: dataDir, QBWC_COMPANION_MULTI_INSTANCE: '1' } }));
    expect(desktop).not.toBeNull();
    expect(app.requestSingleInstanceLock).not.toHaveBeenCalled();
    expect(app.quit).not.toHaveBeenCalled();
    return desktop?.ready;
  });

  it('takes the lock in the data folder: userData is set first', () => {
    runDesktopApp(options());
    expect(app.paths.get('userData')).toBe(dataDir);
    expect(app.paths.get('sessionData')).toBe(path.join(dataDir, 'Chromium'));
    const setUserData = app.setPath.mock.invocationCallOrder[0] as number;
    expect(setUserData).toBeLessThan(app.requestSingleInstanceLock.mock.invocationCallOrder[0] as number);
  });
});

describe('desktop app: data folder', () => {
  it.skipIf(process.platform === 'win32')('creates the data folder for this user only (0700), as the core requires', async () => {
    await launch();
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(dataDir, 'logs', 'companion.log'))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('refuses a data folder others can use, saying how to fix it', () => {
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    expect(runDesktopApp(options())).toBeNull();
    expect(dialog.showErrorBox).toHaveBeenCalledWith('QBWC Companion could not start', expect.stringContaining('chmod 700'));
    expect(app.exit).toHaveBeenCalledWith(1);
    expect(app.setPath).not.toHaveBeenCalled();
  });

  it('a companion that cannot start is said in plain words, and the app leaves', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // the app logs the failure there too
    const taken = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8520'), { code: 'EADDRINUSE' });
    const desktop = runDesktopApp(options({ startCompanion: () => Promise.reject(taken) }));
    await desktop?.ready;
    expect(dialog.showErrorBox).toHaveBeenCalledWith('QBWC Companion could not start', expect.stringContaining('Another program already uses port 8520'));
    expect(app.exit).toHaveBeenCalledWith(1);
    expect(FakeTray.instances).toHaveLength(0);
  });
});

describe('desktop app: window', () => {
  it('loads the UI from app:// in a sandboxed, isolated window', async () => {
    const { window } = await launch();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(window.loadURL).toHaveBeenCalledWith('app://companion/');
    expect(window.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: '/app/dist/preload/index.js' });
  });

  it('grants the page the clipboard (Copy password) and no other permission', async () => {
    await launch();
    const { setPermissionRequestHandler, setPermissionCheckHandler } = fakeElectron.session.defaultSession;
    const request = setPermissionRequestHandler.mock.calls[0]?.[0] as (c: unknown, p: string, cb: (ok: boolean) => void, d: object) => void;
    const answers: boolean[] = [];
    request({}, 'clipboard-sanitized-write', (ok) => answers.push(ok), { requestingUrl: 'app://companion/connections/new' });
    request({}, 'media', (ok) => answers.push(ok), { requestingUrl: 'app://companion/' });
    request({}, 'clipboard-sanitized-write', (ok) => answers.push(ok), { requestingUrl: 'https://evil.example/' });
    expect(answers).toEqual([true, false, false]);
    const check = setPermissionCheckHandler.mock.calls[0]?.[0] as (c: unknown, p: string, origin: string, d: object) => boolean;
    expect(check(null, 'clipboard-sanitized-write', 'app://companion', {})).toBe(true);
    expect(check(null, 'geolocation', 'app://companion', {})).toBe(false);
  });

  it('shows when ready, unless started at login', async () => {
    const { window } = await launch();
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('started at login (the Run key passes --hidden), it stays in the tray', async () => {
    const { window } = await launch({ argv: ['QBWC Companion.exe', HIDDEN_ARG] });
    window.emit('ready-to-show');
    expect(window.visible).toBe(false);
  });

  it('closing the window hides it; the companion keeps serving', async () => {
    const { window, companion } = await launch();
    window.emit('ready-to-show');
    expect(window.userCloses()).toBe(true);
    expect(window.visible).toBe(false);
    expect((await fetch(`${companion.url}/api/v1/health`)).status).toBe(200);
  });

  it('quitting closes the window for real and stops the companion first', async () => {
    const { window, companion, tray } = await launch();
    const stop = vi.spyOn(companion, 'stop');
    app.emit('before-quit');
    expect(window.userCloses()).toBe(false);
    const willQuit = { preventDefault: vi.fn() };
    app.emit('will-quit', willQuit);
    expect(willQuit.preventDefault).toHaveBeenCalled();
    await eventually(() => expect(app.quit).toHaveBeenCalled());
    expect(stop).toHaveBeenCalled();
    expect(tray.destroyed).toBe(true);
    const again = { preventDefault: vi.fn() };
    app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    running = [];
  });

  it('guards every webContents the app creates', async () => {
    await launch();
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const nav = { url: 'https://evil.example/', preventDefault: vi.fn() };
    contents.emit('will-frame-navigate', nav);
    expect(nav.preventDefault).toHaveBeenCalled();
  });
});

describe('desktop app: IPC', () => {
  it('answers its own window over companion:invoke, and forwards events to it', async () => {
    const { window, companion } = await launch();
    const [channel, handler] = ipcMain.handle.mock.calls[0] as [string, (event: unknown, ...args: unknown[]) => Promise<unknown>];
    expect(channel).toBe('companion:invoke');
    const fromWindow = { sender: { id: window.webContents.id }, senderFrame: { url: 'app://companion/', parent: null } };
    await expect(Promise.resolve(handler(fromWindow, 'getOverview', {}))).resolves.toMatchObject({ ok: true, value: { paused: false, connections: [] } });
    const fromElsewhere = { sender: { id: window.webContents.id + 100 }, senderFrame: { url: 'app://companion/', parent: null } };
    await expect(Promise.resolve(handler(fromElsewhere, 'getOverview', {}))).resolves.toMatchObject({ ok: false, error: { status: 403 } });
    await invoke(companion.handlers, 'createInstance', { body: { name: 'Acme Ltd', username: 'acme', password: 'correct horse battery staple' } });
    expect(window.webContents.sent).toContainEqual(['companion:event', { type: 'instance.changed', data: expect.objectContaining({ change: 'created' }) }]);
  });
});

describe('desktop app: tray', () => {
  it('has the menu, and a click on the icon opens the window', async () => {
    const { tray, window } = await launch();
    expect(tray.labels()).toEqual(['Open QBWC Companion', 'No connections yet', 'Pause syncing', 'Start at login', 'Open data folder', 'Quit QBWC Companion']);
    expect(tray.image).toBe(path.join(assetsDir, 'tray', 'tray-idle.png'));
    tray.emit('click');
    expect(window.visible).toBe(true);
  });

  it('pause from the menu pauses syncing in the core, and the tray shows it; resume undoes it', async () => {
    const { tray, companion } = await launch();
    tray.click('Pause syncing');
    await eventually(() => expect(tray.image).toBe(path.join(assetsDir, 'tray', 'tray-paused.png')));
    expect(companion.settings.get().paused).toBe(true);
    expect(tray.tooltip).toBe('QBWC Companion — Syncing is paused');
    expect(tray.labels()).toContain('Resume syncing');
    tray.click('Resume syncing');
    await eventually(() => expect(tray.image).toBe(path.join(assetsDir, 'tray', 'tray-idle.png')));
    expect(companion.settings.get().paused).toBe(false);
  });

  it('a connection gets its status line', async () => {
    const { tray, companion } = await launch();
    await invoke(companion.handlers, 'createInstance', { body: { name: 'Smith & Co', username: 'smith', password: 'correct horse battery staple' } });
    await eventually(() => expect(tray.labels().some((l) => l.startsWith('Smith && Co: '))).toBe(true));
  });

  it('start at login: the checkbox sets the Run entry that starts the app hidden', async () => {
    const { tray } = await launch();
    tray.click('Start at login');
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: [HIDDEN_ARG] });
    await eventually(() => expect(tray.menu?.items.find((i) => i.label === 'Start at login')?.checked).toBe(true));
  });

  it('Linux has no login item: no checkbox', async () => {
    const { tray } = await launch({ platform: 'linux' });
    expect(tray.labels()).not.toContain('Start at login');
  });

  it('opens the data folder', async () => {
    const { tray } = await launch();
    tray.click('Open data folder');
    expect(fakeElectron.shell.openPath).toHaveBeenCalledWith(dataDir);
  });
});

describe('desktop app: notifications', () => {
  it('shows planned notifications natively; a click opens the window', async () => {
    const { companion, window } = await launch();
    const { instanceId } = await invoke(companion.handlers, 'createInstance', { body: { name: 'Acme Ltd', username: 'acme', password: 'correct horse battery staple' } });
    companion.events.emit('session.ended', { sessionId: 's', instanceId, status: 'wrong_company', requestsDone: 0, requestsFailed: 0, firstSuccess: false, lastError: 'QuickBooks has another company file open.' });
    const note = FakeNotification.instances[0];
    expect(note?.options).toMatchObject({ body: 'QuickBooks has another company file open.' });
    expect(note?.show).toHaveBeenCalled();
    note?.emit('click');
    expect(window.visible).toBe(true);
  });
});

describe('desktop app: end-to-end hooks', () => {
  it('exposes the tray state only when asked to', async () => {
    await launch();
    expect((globalThis as { qbwcCompanionTest?: unknown }).qbwcCompanionTest).toBeUndefined();
  });

  it('with QBWC_COMPANION_TEST_HOOKS=1, a test can read the tray', async () => {
    await launch({ env: { QBWC_COMPANION_DATA_DIR: dataDir, QBWC_COMPANION_TEST_HOOKS: '1' } });
    const hooks = (globalThis as { qbwcCompanionTest?: { tray(): { exists: boolean; view: { icon: string } | null } } }).qbwcCompanionTest;
    expect(hooks?.tray()).toMatchObject({ exists: true, view: { icon: 'idle' } });
  });
});
