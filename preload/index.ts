/**
 * The window's only way to the companion: `window.companion`, the contract's operations
 * over IPC (main/electron/ipc.ts) and its domain events. A sandboxed preload can require
 * nothing but 'electron', so this file imports nothing else and names the channels itself
 * (test/electron/preload.test.ts checks they match). Listeners get the event's payload,
 * never Electron's IpcRendererEvent (which would hand the page `sender`).
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';

const INVOKE_CHANNEL = 'companion:invoke';
const EVENT_CHANNEL = 'companion:event';

contextBridge.exposeInMainWorld('companion', {
  platform: 'electron',
  /** Resolves to {ok: true, value} or {ok: false, error: {status, code, message, field, problems}}. */
  invoke: (name: string, raw?: { params?: unknown; query?: unknown; body?: unknown }): Promise<unknown> => ipcRenderer.invoke(INVOKE_CHANNEL, name, raw),
  /** Calls `callback` with each domain event ({type, data}); returns the unsubscribe. */
  onEvent(callback: (event: unknown) => void): () => void {
    if (typeof callback !== 'function') throw new TypeError('onEvent needs a function');
    const listener = (_event: IpcRendererEvent, payload: unknown) => callback(payload);
    ipcRenderer.on(EVENT_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, listener);
    };
  },
});
