import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, type Mock, vi } from 'vitest';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../main/electron/ipc';

/** The renderer side of Electron, as far as the preload uses it. */
const fake = vi.hoisted(() => {
  const exposed: Record<string, unknown> = {};
  return {
    exposed,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) },
    ipcRenderer: null as unknown as EventEmitter & { invoke: Mock },
  };
});
vi.mock('electron', () => ({ contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer }));

interface CompanionApi {
  platform: string;
  invoke(name: string, raw?: unknown): Promise<unknown>;
  onEvent(cb: (event: unknown) => void): () => void;
}
let api: CompanionApi;

beforeAll(async () => {
  fake.ipcRenderer = Object.assign(new EventEmitter(), { invoke: vi.fn(async () => ({ ok: true, value: 'pong' })) });
  await import('../../preload/index.js');
  api = fake.exposed.companion as CompanionApi;
});

describe('preload', () => {
  it('exposes exactly window.companion = { invoke, onEvent, platform }', () => {
    expect(Object.keys(fake.exposed)).toEqual(['companion']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onEvent', 'platform']);
    expect(api.platform).toBe('electron');
    expect(typeof api.invoke).toBe('function');
    expect(typeof api.onEvent).toBe('function');
  });

  it('invoke calls the one invoke channel with the operation and its raw input', async () => {
    await expect(api.invoke('getOverview', { query: { x: 1 } })).resolves.toEqual({ ok: true, value: 'pong' });
    expect(fake.ipcRenderer.invoke).toHaveBeenCalledWith(INVOKE_CHANNEL, 'getOverview', { query: { x: 1 } });
  });

  it('onEvent passes only the payload, never the IpcRendererEvent', () => {
    const received: unknown[][] = [];
    const off = api.onEvent((...args) => received.push(args));
    const ipcEvent = { sender: fake.ipcRenderer, senderId: 0, ports: [] };
    fake.ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, { type: 'session.started', data: { sessionId: 's', instanceId: 'i' } });
    expect(received).toEqual([[{ type: 'session.started', data: { sessionId: 's', instanceId: 'i' } }]]);
    off();
    fake.ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, { type: 'x', data: {} });
    expect(received).toHaveLength(1);
    expect(fake.ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0);
  });

  it('listens on the event channel only', () => {
    const off = api.onEvent(() => {});
    expect(fake.ipcRenderer.eventNames()).toEqual([EVENT_CHANNEL]);
    off();
  });

  it('refuses a callback that is not a function', () => {
    expect(() => api.onEvent('alert(1)' as never)).toThrow(TypeError);
  });

  it('is self-contained: a sandboxed preload can require only electron', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'preload', 'index.ts'), 'utf8');
    const imports = [...source.matchAll(/(?:from\s+|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(imports).toEqual(['electron']);
  });
});
