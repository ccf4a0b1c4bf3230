import { describe, expect, it } from 'vitest';
import type { ConnectionOverview } from '../../main/electron/status-types';
import { INITIAL_TRAY_MODEL, reduceTray, type TrayInput, type TrayModel, trayView } from '../../main/electron/tray-state';
import { connection, overview } from './fixtures';

const run = (...inputs: TrayInput[]): TrayModel => inputs.reduce(reduceTray, INITIAL_TRAY_MODEL);
const snapshot = (connections: ConnectionOverview[], paused = false): TrayInput => ({ type: 'overview', overview: overview(connections, paused) });

const acme = (o: Partial<ConnectionOverview> = {}) => connection({ instanceId: 'acme', name: 'Acme Ltd', ...o });
const pine = (o: Partial<ConnectionOverview> = {}) => connection({ instanceId: 'pine', name: 'Pine Street Bakery', ...o });

describe('tray state', () => {
  it('says it is starting before the first overview', () => {
    expect(trayView(INITIAL_TRAY_MODEL)).toEqual({ icon: 'idle', tooltip: 'QBWC Companion — Starting…', lines: [] });
  });

  it('invites to add a connection when there is none', () => {
    const view = trayView(run(snapshot([])));
    expect(view.icon).toBe('idle');
    expect(view.tooltip).toBe('QBWC Companion — No connections yet: open it to add one');
  });

  it('shows one line per connection, in the overview\'s words', () => {
    const view = trayView(run(snapshot([acme(), pine({ state: 'new', headline: "Waiting for Web Connector's first connection" })])));
    expect(view.icon).toBe('idle'); // a new connection is no problem
    expect(view.lines).toEqual(['Acme Ltd: Synced 5 minutes ago', "Pine Street Bakery: Waiting for Web Connector's first connection"]);
    expect(view.tooltip).toBe('QBWC Companion — Nothing needs you');
  });

  it('a single connection\'s tooltip is its own line', () => {
    expect(trayView(run(snapshot([acme()]))).tooltip).toBe('QBWC Companion — Acme Ltd: Synced 5 minutes ago');
  });

  it('ranks paused over error over attention over syncing over idle', () => {
    const all = [
      acme({ state: 'idle' }),
      pine({ state: 'syncing', headline: 'Syncing… 40%', progress: { percent: 40 } }),
      connection({ instanceId: 'c', name: 'Cedar', state: 'attention', headline: 'Wrong company file open' }),
      connection({ instanceId: 'd', name: 'Dune', state: 'error', headline: 'The last sync failed' }),
    ];
    expect(trayView(run(snapshot(all, true))).icon).toBe('paused');
    expect(trayView(run(snapshot(all))).icon).toBe('error');
    expect(trayView(run(snapshot(all.slice(0, 3)))).icon).toBe('attention');
    expect(trayView(run(snapshot(all.slice(0, 2)))).icon).toBe('syncing');
    expect(trayView(run(snapshot(all.slice(0, 1)))).icon).toBe('idle');
  });

  it('names the one connection with a problem, and counts several', () => {
    const one = trayView(run(snapshot([acme({ state: 'error', headline: 'The last sync failed' }), pine()])));
    expect(one.tooltip).toBe('QBWC Companion — Acme Ltd: The last sync failed');
    const two = trayView(run(snapshot([acme({ state: 'attention' }), pine({ state: 'attention' })])));
    expect(two.tooltip).toBe('QBWC Companion — 2 connections need you');
  });

  it('shows the running sessions\' percent while syncing, and only then', () => {
    const one = trayView(run(snapshot([acme({ state: 'syncing', progress: { percent: 40 } }), pine()])));
    expect(one).toMatchObject({ icon: 'syncing', percent: 40, tooltip: 'QBWC Companion — Syncing Acme Ltd… 40%' });
    const two = trayView(run(snapshot([acme({ state: 'syncing', progress: { percent: 40 } }), pine({ state: 'syncing', progress: { percent: 61 } })])));
    expect(two).toMatchObject({ icon: 'syncing', percent: 51, tooltip: 'QBWC Companion — Syncing 2 connections… 51%' });
    expect(trayView(run(snapshot([acme()]))).percent).toBeUndefined();
    const errorWins = trayView(run(snapshot([acme({ state: 'syncing', progress: { percent: 40 } }), pine({ state: 'error' })])));
    expect(errorWins.percent).toBeUndefined();
  });

  it('moves at once on session events between overviews', () => {
    let model = run(snapshot([acme(), pine()]));
    model = reduceTray(model, { type: 'session.started', data: { sessionId: 's2', instanceId: 'acme' } });
    expect(trayView(model)).toMatchObject({ icon: 'syncing', percent: 0 });
    model = reduceTray(model, { type: 'session.progress', data: { sessionId: 's2', instanceId: 'acme', percent: 37.4 } });
    expect(trayView(model)).toMatchObject({ icon: 'syncing', percent: 37, lines: ['Acme Ltd: Syncing… 37%', 'Pine Street Bakery: Synced 5 minutes ago'] });
    model = reduceTray(model, { type: 'session.progress', data: { sessionId: 's2', instanceId: 'acme', percent: 140 } });
    expect(trayView(model).percent).toBe(100);
    model = reduceTray(model, {
      type: 'session.ended',
      data: { sessionId: 's2', instanceId: 'acme', status: 'closed', requestsDone: 3, requestsFailed: 0, firstSuccess: false, lastError: null },
    });
    expect(trayView(model).icon).toBe('idle');
  });

  it('a session that ended since the overview said "syncing" no longer shows as syncing', () => {
    let model = run(snapshot([acme({ state: 'syncing', headline: 'Syncing… 90%', progress: { percent: 90 } })]));
    model = reduceTray(model, {
      type: 'session.ended',
      data: { sessionId: 's', instanceId: 'acme', status: 'closed', requestsDone: 1, requestsFailed: 0, firstSuccess: false, lastError: null },
    });
    expect(trayView(model)).toMatchObject({ icon: 'idle', lines: ['Acme Ltd: Sync just finished'] });
  });

  it('a session ending does not hide an error the overview reported', () => {
    let model = run(snapshot([acme({ state: 'error', headline: 'The last sync failed' })]));
    model = reduceTray(model, {
      type: 'session.ended',
      data: { sessionId: 's', instanceId: 'acme', status: 'closed', requestsDone: 0, requestsFailed: 1, firstSuccess: false, lastError: 'x' },
    });
    expect(trayView(model).icon).toBe('error');
  });

  it('the next overview replaces what events said', () => {
    let model = run(snapshot([acme()]), { type: 'session.started', data: { sessionId: 's', instanceId: 'acme' } });
    model = reduceTray(model, snapshot([acme({ headline: 'Synced just now' })]));
    expect(trayView(model)).toMatchObject({ icon: 'idle', lines: ['Acme Ltd: Synced just now'] });
  });

  it('pauses and resumes on settings.changed', () => {
    let model = run(snapshot([acme({ state: 'error' })]), { type: 'settings.changed', data: { paused: true } });
    expect(trayView(model)).toMatchObject({ icon: 'paused', tooltip: 'QBWC Companion — Syncing is paused' });
    model = reduceTray(model, { type: 'settings.changed', data: { paused: false } });
    expect(trayView(model).icon).toBe('error');
  });

  it('says so when the overview cannot be read, until one can', () => {
    let model = run(snapshot([acme()]), { type: 'overview.failed', message: 'disk full' });
    expect(trayView(model)).toMatchObject({ icon: 'error', tooltip: "QBWC Companion — Can't read the sync status: disk full" });
    model = reduceTray(model, snapshot([acme()]));
    expect(trayView(model).icon).toBe('idle');
  });

  it('ignores events that do not change the tray', () => {
    const model = run(snapshot([acme()]));
    expect(reduceTray(model, { type: 'request.queued', data: { requestId: 'r', instanceId: 'acme' } })).toBe(model);
    expect(reduceTray(model, { type: 'session.ended', data: { sessionId: 's', instanceId: null, status: 'rejected', requestsDone: 0, requestsFailed: 0, firstSuccess: false, lastError: null } })).toBe(model);
  });

  it('keeps the tooltip within what Windows shows (127 characters)', () => {
    const view = trayView(run(snapshot([acme({ name: 'A'.repeat(200) })])));
    expect(view.tooltip.length).toBe(127);
    expect(view.tooltip.endsWith('…')).toBe(true);
  });
});
