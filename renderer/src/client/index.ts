import { createHttpClient } from './http';
import { createIpcClient } from './ipc';
import type { CompanionClient } from './types';

export { CompanionError } from './error';

/** IPC inside the desktop app (the preload set `window.companion`), REST in a browser. */
export function createClient(): CompanionClient {
  return window.companion ? createIpcClient(window.companion) : createHttpClient();
}
