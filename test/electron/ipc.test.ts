import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { OperationHandlers } from '../../main/contract/operations';
import { ApiError, StorageUnavailableError } from '../../main/errors';
import { DomainEvents } from '../../main/events';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type InvokeResult, registerIpc, runOperation } from '../../main/electron/ipc';
import { type ContentsLike, TrustedContents } from '../../main/electron/security';
import { silentLogger } from '../../main/logger';

const handlers = (h: Partial<Record<string, (input: never) => unknown>>) => h as unknown as OperationHandlers;

class FakeContents extends EventEmitter implements ContentsLike {
  sent: [string, unknown][] = [];
  destroyed = false;
  constructor(
    readonly id: number,
    public url = 'app://companion/',
  ) {
    super();
  }
  isDestroyed = () => this.destroyed;
  getURL = () => this.url;
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
}

/** Registers the IPC on a fake ipcMain; `call` plays the renderer. */
function setup(h: OperationHandlers = handlers({})) {
  let handler: ((event: never, ...args: unknown[]) => unknown) | undefined;
  const ipcMain = { handle: vi.fn((_channel: string, fn: (event: never, ...args: unknown[]) => unknown) => void (handler = fn)), removeHandler: vi.fn() };
  const events = new DomainEvents();
  const trusted = new TrustedContents();
  const window = new FakeContents(7);
  trusted.add(window);
  const logger = { ...silentLogger, warn: vi.fn(), error: vi.fn() };
  const unregister = registerIpc({ ipcMain, handlers: h, events, trusted, logger });
  const frame = (o: Partial<{ url: string; parent: unknown }> = {}) => ({ url: 'app://companion/connections', parent: null, ...o });
  const call = (name: unknown, raw?: unknown, event: unknown = { sender: { id: 7 }, senderFrame: frame() }) =>
    Promise.resolve(handler?.(event as never, name, raw)) as Promise<InvokeResult>;
  return { ipcMain, events, trusted, window, logger, call, frame, unregister };
}

const refused = { ok: false, error: { status: 403, code: 'forbidden', message: 'Only the QBWC Companion window may call the companion.', field: null, problems: expect.any(Array) } };

describe('IPC: who may call', () => {
  it('answers our window\'s main frame on our own pages', async () => {
    const { call } = setup(handlers({ getHealth: () => ({ status: 'ok' }) }));
    await expect(call('getHealth')).resolves.toEqual({ ok: true, value: { status: 'ok' } });
  });

  it('refuses an unknown webContents', async () => {
    const { call, frame, logger } = setup(handlers({ getHealth: () => ({ status: 'ok' }) }));
    await expect(call('getHealth', {}, { sender: { id: 99 }, senderFrame: frame() })).resolves.toEqual(refused);
    expect(logger.warn).toHaveBeenCalledWith('IPC call refused: not from a window of the app', expect.objectContaining({ operation: 'getHealth' }));
  });

  it('refuses a frame showing another site, or a lookalike URL', async () => {
    const { call, frame } = setup(handlers({ getHealth: () => ({ status: 'ok' }) }));
    for (const url of ['https://evil.example/', 'file:///C:/x.html', 'app://companion.evil/', 'app://evil/', 'app://user:pw@companion/', 'http://localhost:8520/']) {
      await expect(call('getHealth', {}, { sender: { id: 7 }, senderFrame: frame({ url }) })).resolves.toEqual(refused);
    }
  });

  it('refuses an iframe, and a frame that is gone', async () => {
    const { call, frame } = setup(handlers({ getHealth: () => ({ status: 'ok' }) }));
    await expect(call('getHealth', {}, { sender: { id: 7 }, senderFrame: frame({ parent: frame() }) })).resolves.toEqual(refused);
    await expect(call('getHealth', {}, { sender: { id: 7 }, senderFrame: null })).resolves.toEqual(refused);
  });

  it('forgets a window once its webContents is destroyed', async () => {
    const { call, window } = setup(handlers({ getHealth: () => ({ status: 'ok' }) }));
    window.emit('destroyed');
    await expect(call('getHealth')).resolves.toEqual(refused);
  });
});

describe('IPC: running operations', () => {
  it('an unknown operation name is a 404, whatever it is', async () => {
    const { call } = setup(handlers({}));
    for (const name of ['dropDatabase', 'toString', '__proto__', 'constructor', 42, null]) {
      const result = await call(name, {});
      expect(result).toMatchObject({ ok: false, error: { status: 404, code: 'not_found', field: 'name' } });
    }
    await expect(call('nope')).resolves.toMatchObject({ error: { message: 'There is no operation named "nope".' } });
  });

  it('validates input as REST does: every problem, named by its path', async () => {
    const getInstance = vi.fn();
    const { call } = setup(handlers({ getInstance }));
    const result = await call('getInstance', { params: { instanceId: '' } });
    expect(result).toMatchObject({ ok: false, error: { status: 404, code: 'not_found', field: 'instanceId' } });
    expect(getInstance).not.toHaveBeenCalled();
    const updateSettings = vi.fn();
    const bad = await setup(handlers({ updateSettings })).call('updateSettings', { body: { paused: 'yes', colour: 'red' } });
    expect(bad.ok === false && bad.error).toMatchObject({ status: 400, code: 'invalid_field', problems: [{ field: 'paused' }, { field: 'colour' }] });
    expect(updateSettings).not.toHaveBeenCalled();
  });

  it('passes params, query and body to the handler merged, as invoke does', async () => {
    const updateInstance = vi.fn((input: { instanceId: string; body: { name: string } }) => ({ id: input.instanceId, name: input.body.name }));
    const { call } = setup(handlers({ updateInstance }));
    await expect(call('updateInstance', { params: { instanceId: 'i1' }, body: { name: 'Acme' } })).resolves.toEqual({ ok: true, value: { id: 'i1', name: 'Acme' } });
  });

  it('refuses input that is not {params, query, body}', async () => {
    const { call } = setup(handlers({ getHealth: () => ({}) }));
    await expect(call('getHealth', 'text')).resolves.toMatchObject({ ok: false, error: { status: 400, code: 'invalid_field' } });
    await expect(call('getHealth', [1])).resolves.toMatchObject({ ok: false, error: { status: 400 } });
    await expect(call('getHealth', { bodyy: {} })).resolves.toMatchObject({ ok: false, error: { status: 400, code: 'unknown_field', field: 'bodyy' } });
    await expect(call('getHealth')).resolves.toMatchObject({ ok: true });
  });

  it('an ApiError keeps its status, code, message, field and problems', async () => {
    const problems = [
      { field: 'body.name', message: 'is required', rule: 'required' },
      { field: 'body.port', message: 'must be a number', rule: 'type' },
    ];
    const { call } = setup(handlers({ getSettings: () => Promise.reject(ApiError.of(409, 'conflict_x', problems)) }));
    await expect(call('getSettings')).resolves.toEqual({ ok: false, error: { status: 409, code: 'conflict_x', message: 'is required', field: 'body.name', problems } });
  });

  it('joins a raw output given in chunks into one string', async () => {
    function* chunks() {
      yield '<?xml version="1.0"?>';
      yield '<QBWCXML>';
      yield '</QBWCXML>';
    }
    const { call } = setup(handlers({ getInstanceQwc: () => chunks() }));
    await expect(call('getInstanceQwc', { params: { instanceId: 'i1' } })).resolves.toEqual({ ok: true, value: '<?xml version="1.0"?><QBWCXML></QBWCXML>' });
  });

  it('leaves JSON outputs alone, arrays included', async () => {
    const { call } = setup(handlers({ listInstances: () => ({ data: ['a', 'b'] }) }));
    await expect(call('listInstances')).resolves.toEqual({ ok: true, value: { data: ['a', 'b'] } });
  });

  it('a full disk is a 503 in plain words', async () => {
    const { call } = setup(handlers({ getSettings: () => { throw new StorageUnavailableError('QBWC Companion cannot save to its data folder.'); } }));
    await expect(call('getSettings')).resolves.toMatchObject({ ok: false, error: { status: 503, code: 'storage_unavailable', message: 'QBWC Companion cannot save to its data folder.' } });
  });

  it('any other error is a generic 500, and is logged', async () => {
    const { call, logger } = setup(handlers({ getSettings: () => { throw new Error('SQLITE_CORRUPT at /home/x/secret/path'); } }));
    const result = await call('getSettings');
    expect(result).toEqual({
      ok: false,
      error: { status: 500, code: 'internal', message: 'The companion hit an unexpected problem; it has been logged.', field: null, problems: expect.any(Array) },
    });
    expect(JSON.stringify(result)).not.toContain('SQLITE_CORRUPT');
    expect(logger.error).toHaveBeenCalledWith('IPC operation failed', expect.objectContaining({ operation: 'getSettings' }));
  });

  it('runOperation never throws', async () => {
    await expect(runOperation(handlers({}), undefined, undefined, silentLogger)).resolves.toMatchObject({ ok: false });
  });
});

describe('IPC: domain events', () => {
  it('forwards every domain event to our windows as {type, data}', () => {
    const { events, window } = setup();
    events.emit('session.started', { sessionId: 's1', instanceId: 'i1' });
    events.emit('settings.changed', { paused: true });
    expect(window.sent).toEqual([
      [EVENT_CHANNEL, { type: 'session.started', data: { sessionId: 's1', instanceId: 'i1' } }],
      [EVENT_CHANNEL, { type: 'settings.changed', data: { paused: true } }],
    ]);
  });

  it('tells no destroyed window, and no window that shows another page', () => {
    const { events, trusted, window } = setup();
    const elsewhere = new FakeContents(8, 'https://evil.example/');
    const gone = new FakeContents(9);
    trusted.add(elsewhere);
    trusted.add(gone);
    gone.destroyed = true;
    events.emit('request.queued', { requestId: 'r', instanceId: 'i' });
    expect(window.sent).toHaveLength(1);
    expect(elsewhere.sent).toEqual([]);
    expect(gone.sent).toEqual([]);
  });

  it('unregisters the channel and the forwarding', () => {
    const { events, window, ipcMain, unregister } = setup();
    unregister();
    events.emit('request.queued', { requestId: 'r', instanceId: 'i' });
    expect(window.sent).toEqual([]);
    expect(ipcMain.removeHandler).toHaveBeenCalledWith(INVOKE_CHANNEL);
  });
});
