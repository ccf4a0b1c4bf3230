/**
 * The desktop app: the same core as `serve`, on the same per-user data folder (Electron's
 * userData), with a window, a tray icon and notifications around it. Glue only: what it
 * decides lives in the pure modules beside it.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, safeStorage, session, shell } from 'electron';
import { type Companion, defaultDataDir, PRODUCT_NAME, startCompanion } from '../companion';
import { invoke } from '../contract/invoke';
import { createLogger, type Logger } from '../logger';
import { makeDataFolder } from '../store/db';
import { serveAppRequest } from './app-protocol';
import { APP_ID, bundledPaths, type DesktopPaths, MULTI_INSTANCE_ENV, startupFailureMessage, TEST_HOOKS_ENV } from './desktop-config';
import { registerIpc } from './ipc';
import { osKeyVault, osSecretBox } from './secret-box';
import { openLogFile } from './log-file';
import { type LoginItem, loginItem, startedAtLogin } from './login-item';
import { guardNavigation } from './navigation';
import type { PlannedNotification } from './notifications';
import { APP_SCHEME, APP_URL, isPermissionAllowed, TrustedContents, windowOptions } from './security';
import { StatusMonitor } from './status-monitor';
import type { DomainEvent } from './status-types';
import { TrayController } from './tray';
import type { TrayView } from './tray-state';

export interface DesktopOptions {
  env: NodeJS.ProcessEnv;
  argv: readonly string[];
  platform: NodeJS.Platform;
  paths: DesktopPaths;
  startCompanion: typeof startCompanion;
}

export interface DesktopApp {
  /** Settles once the companion runs and the window and tray exist (or the start failed and the app is leaving). */
  ready: Promise<void>;
  showWindow(): void;
}

const defaultOptions = (): DesktopOptions => ({
  env: process.env,
  argv: process.argv,
  platform: process.platform,
  paths: bundledPaths(__dirname),
  startCompanion,
});

/** Starts the app; null when another copy already runs (it is shown instead) or the data folder is unusable. */
export function runDesktopApp(options: DesktopOptions = defaultOptions()): DesktopApp | null {
  const { env, platform } = options;
  const dataDir = defaultDataDir(env, platform);
  app.setName(PRODUCT_NAME);
  try {
    // Before Chromium writes there: created for this user only (0700), or refused if others can use it.
    makeDataFolder(dataDir);
  } catch (err) {
    dialog.showErrorBox(`${PRODUCT_NAME} could not start`, startupFailureMessage(err));
    app.exit(1);
    return null;
  }
  app.setPath('userData', dataDir);
  // Chromium's caches and storage in a folder of their own, not among the companion's files.
  app.setPath('sessionData', path.join(dataDir, 'Chromium'));
  // The lock lives in userData, so it is taken after setPath: one app per data folder.
  if (env[MULTI_INSTANCE_ENV] !== '1' && !app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  if (platform === 'win32') app.setAppUserModelId(APP_ID);

  const writeLog = openLogFile(path.join(dataDir, 'logs'));
  const logger = createLogger((line) => {
    writeLog(line);
    process.stderr.write(line);
  });
  const running = new RunningApp(options, dataDir, logger);

  app.on('second-instance', () => running.showWindow());
  app.on('activate', () => running.showWindow()); // macOS: the Dock icon
  // Closing the window hides it; the companion keeps serving Web Connector from the tray.
  app.on('window-all-closed', () => {});
  app.on('before-quit', () => running.beginQuit());
  app.on('will-quit', (event) => {
    if (running.stopped) return;
    event.preventDefault();
    void running.stop().finally(() => app.quit());
  });
  app.on('web-contents-created', (_event, contents) =>
    guardNavigation(contents, { openExternal: (url) => shell.openExternal(url), ownOrigins: () => running.ownOrigins(), logger }),
  );

  const ready = app
    .whenReady()
    .then(() => running.launch())
    .catch((err: unknown) => running.fail(err));
  return { ready, showWindow: () => running.showWindow() };
}

/** Everything that exists once the app is ready. */
class RunningApp {
  stopped = false;
  private quitting = false;
  private companion: Companion | null = null;
  private window: BrowserWindow | null = null;
  private tray: TrayController | null = null;
  private monitor: StatusMonitor | null = null;
  private stopIpc: (() => void) | null = null;
  private readonly trusted = new TrustedContents();
  private readonly loginItem: LoginItem;
  private openAtLogin: boolean | null = null;
  private startHidden = false;
  private askedToShow = false;
  /** Windows drops a toast's click handler when its object is collected: kept until closed. */
  private readonly notifications = new Set<Notification>();

  constructor(
    private readonly options: DesktopOptions,
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {
    this.loginItem = loginItem(app, options.platform);
  }

  async launch(): Promise<void> {
    const { paths, platform, argv } = this.options;
    this.startHidden = !this.askedToShow && startedAtLogin(argv, platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(paths.rendererDir, request));
    // No camera, location, notifications of its own…: only the clipboard, for "Copy password".
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
      callback(isPermissionAllowed(permission, 'requestingUrl' in details ? details.requestingUrl : undefined)),
    );
    session.defaultSession.setPermissionCheckHandler((_contents, permission, origin, details) => isPermissionAllowed(permission, details.requestingUrl ?? origin));
    // The OS keychain keeps the key that seals secrets, where it offers one worth the name.
    const secretBox = osSecretBox(safeStorage, this.options.platform);
    this.companion = await this.options.startCompanion({
      dataDir: this.dataDir,
      logger: this.logger,
      ownerWaitMs: 5_000, // a one-shot CLI command may hold the folder for a moment
      openFile: async (file) => (await shell.openPath(file)) === '',
      keyVault: secretBox ? osKeyVault(secretBox, this.dataDir) : undefined,
    });
    const { handlers, events } = this.companion;
    this.stopIpc = registerIpc({ ipcMain, handlers, events, trusted: this.trusted, logger: this.logger });
    this.createWindow();
    this.openAtLogin = this.loginItem.get();
    this.tray = new TrayController(paths.assetsDir, {
      open: () => this.showWindow(),
      togglePause: () => this.togglePause(),
      toggleOpenAtLogin: () => this.toggleOpenAtLogin(),
      openDataFolder: () => void shell.openPath(this.dataDir),
      quit: () => app.quit(),
    });
    this.monitor = new StatusMonitor({
      loadOverview: () => invoke(handlers, 'getOverview', {}),
      subscribe: (listener) => events.onAll((type, data) => listener({ type, data } as DomainEvent)),
      render: (view, paused) => this.tray?.render(view, { paused, openAtLogin: this.openAtLogin }),
      notify: (n) => this.notify(n),
      logger: this.logger,
    });
    this.monitor.start();
    if (this.options.env[TEST_HOOKS_ENV] === '1') this.exposeTestHooks();
  }

  /** A start that cannot go on (the companion, the window or the tray): said in a dialog, then the app leaves. */
  fail(err: unknown): void {
    this.logger.error('QBWC Companion could not start', { error: err instanceof Error ? err.stack : String(err) });
    dialog.showErrorBox(`${PRODUCT_NAME} could not start`, startupFailureMessage(err));
    this.stopped = true;
    app.exit(1);
  }

  showWindow(): void {
    if (!this.companion) {
      this.askedToShow = true; // still starting: shown when ready, even if started at login
      return;
    }
    if (!this.window || this.window.isDestroyed()) this.createWindow();
    const win = this.window as BrowserWindow;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  ownOrigins(): string[] {
    return this.companion ? [this.companion.url, this.companion.publicBaseUrl()] : [];
  }

  beginQuit(): void {
    this.quitting = true;
  }

  async stop(): Promise<void> {
    this.monitor?.stop();
    this.stopIpc?.();
    this.tray?.destroy();
    try {
      await this.companion?.stop();
    } catch (err) {
      this.logger.error('Stopping the companion failed', { error: String(err) });
    }
    this.stopped = true;
  }

  private createWindow(): void {
    const win = new BrowserWindow(windowOptions(this.options.paths.preloadPath, path.join(this.options.paths.assetsDir, 'icon.png')));
    this.window = win;
    this.trusted.add(win.webContents);
    win.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      win.hide();
    });
    win.once('ready-to-show', () => {
      if (!this.startHidden) win.show();
    });
    let reloadedAt = 0;
    win.webContents.on('render-process-gone', (_event, details) => {
      this.logger.error('The window crashed', { reason: details.reason });
      // Once, not in a loop: a page that crashes again at once stays down (the tray still works).
      if (win.isDestroyed() || Date.now() - reloadedAt < 60_000) return;
      reloadedAt = Date.now();
      win.reload();
    });
    void win.loadURL(APP_URL);
  }

  private togglePause(): void {
    const handlers = this.companion?.handlers;
    if (!handlers || !this.monitor) return;
    // The settings.changed event that follows turns the tray to paused (or back).
    invoke(handlers, 'updateSettings', { body: { paused: !this.monitor.paused } }).catch((err: unknown) => {
      this.logger.error('Pausing or resuming failed', { error: String(err) });
      dialog.showErrorBox(PRODUCT_NAME, `Syncing could not be ${this.monitor?.paused ? 'resumed' : 'paused'}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private toggleOpenAtLogin(): void {
    this.loginItem.set(!this.openAtLogin);
    this.openAtLogin = this.loginItem.get();
    if (this.monitor) this.tray?.render(this.monitor.view, { paused: this.monitor.paused, openAtLogin: this.openAtLogin });
  }

  private notify(n: PlannedNotification): void {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title: n.title, body: n.body, icon: path.join(this.options.paths.assetsDir, 'icon.png') });
    this.notifications.add(note);
    const forget = () => this.notifications.delete(note);
    note.on('click', () => {
      forget();
      this.showWindow();
    });
    note.on('close', forget);
    note.on('failed', forget);
    note.show();
  }

  /** For the end-to-end smoke test only (TEST_HOOKS_ENV): the tray as drawn. */
  private exposeTestHooks(): void {
    const hooks: { tray(): { exists: boolean; view: TrayView | null } } = {
      tray: () => ({ exists: this.tray !== null && !this.tray.isDestroyed(), view: this.monitor?.view ?? null }),
    };
    Object.assign(globalThis, { qbwcCompanionTest: hooks });
  }
}
