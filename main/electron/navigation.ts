/**
 * No page of ours ever navigates away or opens a window: a link out goes to the system
 * browser, and only when the allow-list says so (security.ts). Applied to every
 * webContents the app creates (app 'web-contents-created'), not only the main window's.
 */
import type { WebContents } from 'electron';
import type { Logger } from '../logger';
import { isAllowedExternal, isAppUrl } from './security';

type Guarded = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export interface NavigationPolicy {
  openExternal(url: string): Promise<void>;
  /** The companion's own browser-mode origins (http://localhost:PORT). */
  ownOrigins(): readonly string[];
  logger: Logger;
}

export function guardNavigation(contents: Guarded, policy: NavigationPolicy): void {
  const leave = (url: string) => {
    if (!isAllowedExternal(url, policy.ownOrigins())) {
      policy.logger.warn('A link was blocked', { url: url.slice(0, 200) });
      return;
    }
    // Later, not inside the event: the checklist's advice, so a slow browser start never holds the page.
    setImmediate(() => policy.openExternal(url).catch((err: unknown) => policy.logger.warn('Could not open a link', { error: String(err) })));
  };
  contents.on('will-frame-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    leave(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    leave(url);
    return { action: 'deny' };
  });
}
