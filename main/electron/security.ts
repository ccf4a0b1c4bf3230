/**
 * The Electron security checklist as plain functions, so each rule is a test: the
 * window's web preferences, who may call the IPC channel, which links may leave the app,
 * which permissions the page gets. (The app:// pages' content security policy is the
 * browser mode's, main/api/ui.ts.)
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { PRODUCT_NAME } from '../companion';

/** The UI is served from app://companion/ (a privileged standard scheme), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'companion';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/`;

export function windowOptions(preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    title: PRODUCT_NAME,
    width: 1180,
    height: 780,
    minWidth: 720,
    minHeight: 480,
    show: false, // shown on ready-to-show, unless started at login into the tray
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/** Whether a URL is one of the app's own pages. Parsed, never string-matched. */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/** What the UI may ask the browser for: writing the clipboard ("Copy password"), nothing else. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** A permission request or check (session handlers): granted only from our own pages. */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && requestingUrl !== undefined && isAppUrl(requestingUrl);
}

/** Sites a link in the UI may open in the bookkeeper's browser. */
const EXTERNAL_HOSTS = ['intuit.com'];

/**
 * Links that may leave the app for the system browser (shell.openExternal): https pages of
 * the allowed sites, and the companion's own browser-mode pages (`ownOrigins`, e.g.
 * http://localhost:8520, for "open in the browser" with a login link). Nothing else —
 * no file:, smb:, custom schemes or credentials in the URL.
 */
export function isAllowedExternal(url: string, ownOrigins: readonly string[] = []): boolean {
  const u = parse(url);
  if (!u || u.username || u.password) return false;
  if ((u.protocol === 'http:' || u.protocol === 'https:') && ownOrigins.some((o) => parse(o)?.origin === u.origin)) return true;
  if (u.protocol !== 'https:' || u.port !== '') return false;
  const host = u.hostname.toLowerCase();
  return EXTERNAL_HOSTS.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

/** The parts of an IPC event a sender check reads (Electron's IpcMainInvokeEvent has them). */
export interface IpcSender {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * An IPC call is served only from the main frame of one of our windows showing our own
 * pages: not from an iframe, not after a navigation somewhere else, not from any other
 * webContents.
 */
export function isTrustedSender(event: IpcSender, trusted: TrustedContents): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url) && trusted.has(event.sender.id);
}

/** What the registry needs of a webContents. */
export interface ContentsLike {
  id: number;
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
}

/** The webContents of our own windows: the only ones IPC answers and events go to. */
export class TrustedContents {
  private readonly contents = new Map<number, ContentsLike>();

  add(contents: ContentsLike): void {
    this.contents.set(contents.id, contents);
    contents.once('destroyed', () => this.contents.delete(contents.id));
  }

  has(id: number): boolean {
    return this.contents.has(id);
  }

  /** Sends to every live one still showing our pages. */
  broadcast(channel: string, payload: unknown): void {
    for (const c of this.contents.values()) if (!c.isDestroyed() && isAppUrl(c.getURL())) c.send(channel, payload);
  }
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
