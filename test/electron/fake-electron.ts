/**
 * Electron's main-process API as far as the desktop app uses it, recording what the app
 * does with it. `vi.mock('electron', () => fakeElectron)`; `resetFakeElectron()` between tests.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export interface FakeMenu {
  items: { label?: string; type?: string; checked?: boolean; enabled?: boolean; click?: () => void }[];
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  url = '';
  destroyed = false;
  sent: [string, unknown][] = [];
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  isDestroyed = () => this.destroyed;
  getURL = () => this.url;
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  destroyed = false;
  show = vi.fn(() => void (this.visible = true));
  hide = vi.fn(() => void (this.visible = false));
  focus = vi.fn();
  restore = vi.fn(() => void (this.minimized = false));
  reload = vi.fn();
  isMinimized = () => this.minimized;
  isDestroyed = () => this.destroyed;
  loadURL = vi.fn(async (url: string) => {
    this.webContents.url = url;
  });
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  /** Plays the user closing the window; true when the app prevented it. */
  userCloses(): boolean {
    const event = { preventDefault: vi.fn() };
    this.emit('close', event);
    return event.preventDefault.mock.calls.length > 0;
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  image: string;
  tooltip = '';
  title = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: { path: string }) {
    super();
    this.image = image.path;
    FakeTray.instances.push(this);
  }
  setImage(image: { path: string }) {
    this.image = image.path;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setTitle(text: string) {
    this.title = text;
  }
  setContextMenu(menu: FakeMenu) {
    this.menu = menu;
  }
  isDestroyed = () => this.destroyed;
  destroy() {
    this.destroyed = true;
  }
  /** Clicks the menu item with this label. */
  click(label: string) {
    const item = this.menu?.items.find((i) => i.label === label);
    if (!item?.click) throw new Error(`no clickable "${label}" in ${JSON.stringify(this.menu?.items.map((i) => i.label))}`);
    item.click();
  }
  labels(): string[] {
    return (this.menu?.items ?? []).flatMap((i) => (i.label ? [i.label] : []));
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static isSupported = () => true;
  show = vi.fn();
  constructor(readonly options: { title: string; body: string }) {
    super();
    FakeNotification.instances.push(this);
  }
}

const app = Object.assign(new EventEmitter(), {
  paths: new Map<string, string>(),
  lock: true,
  ready: Promise.resolve(),
  setName: vi.fn(),
  setPath: vi.fn((name: string, value: string) => void app.paths.set(name, value)),
  getPath: (name: string) => app.paths.get(name) ?? `/fake/${name}`,
  requestSingleInstanceLock: vi.fn(() => app.lock),
  whenReady: vi.fn(() => app.ready),
  quit: vi.fn(),
  exit: vi.fn(),
  setAppUserModelId: vi.fn(),
  getLoginItemSettings: vi.fn(() => ({ openAtLogin: app.openAtLogin, wasOpenedAtLogin: false })),
  setLoginItemSettings: vi.fn((s: { openAtLogin: boolean }) => void (app.openAtLogin = s.openAtLogin)),
  openAtLogin: false,
});

export const fakeElectron = {
  app,
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Notification: FakeNotification,
  Menu: { buildFromTemplate: (items: FakeMenu['items']): FakeMenu => ({ items }) },
  nativeImage: { createFromPath: (path: string) => ({ path }) },
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
  session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
  shell: { openExternal: vi.fn(async () => {}), openPath: vi.fn(async () => '') },
  // "Encrypts" reversibly but visibly: a wrapped key never equals the key.
  safeStorage: {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (text: string) => Buffer.from(`os:${[...text].reverse().join('')}`),
    decryptString: (data: Buffer) => [...data.toString().slice(3)].reverse().join(''),
  },
  dialog: { showErrorBox: vi.fn() },
};

export function resetFakeElectron(): void {
  vi.clearAllMocks();
  app.removeAllListeners();
  app.paths.clear();
  app.lock = true;
  app.openAtLogin = false;
  app.ready = Promise.resolve();
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
}
