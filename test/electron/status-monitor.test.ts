import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainEvents } from '../../main/events';
import { silentLogger } from '../../main/logger';
import type { PlannedNotification } from '../../main/electron/notifications';
import { NOTIFICATION_TICK_MS, PERIODIC_REFRESH_MS, REFRESH_DELAY_MS, StatusMonitor } from '../../main/electron/status-monitor';
import type { DomainEvent, Overview } from '../../main/electron/status-types';
import type { TrayView } from '../../main/electron/tray-state';
import { connection, overview, T0 } from './fixtures';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

function monitor(load: () => Promise<Overview> = async () => overview([connection()])) {
  const events = new DomainEvents();
  const views: { view: TrayView; paused: boolean }[] = [];
  const notified: PlannedNotification[] = [];
  const loadOverview = vi.fn(load);
  const logger = { ...silentLogger, error: vi.fn() };
  const m = new StatusMonitor({
    loadOverview,
    subscribe: (listener) => events.onAll((type, data) => listener({ type, data } as DomainEvent)),
    render: (view, paused) => views.push({ view, paused }),
    notify: (n) => notified.push(n),
    logger,
  });
  const last = () => views[views.length - 1];
  return { m, events, views, last, notified, loadOverview, logger };
}

describe('status monitor', () => {
  it('draws "starting", then the overview', async () => {
    const { m, views, last } = monitor();
    m.start();
    expect(views[0]?.view.tooltip).toBe('QBWC Companion — Starting…');
    await vi.advanceTimersByTimeAsync(0);
    expect(last()?.view).toMatchObject({ icon: 'idle', lines: ['Acme Ltd: Synced 5 minutes ago'] });
    m.stop();
  });

  it('moves the tray at once on events, and reads the overview once after a burst', async () => {
    const { m, events, last, loadOverview } = monitor();
    m.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(loadOverview).toHaveBeenCalledTimes(1);
    events.emit('session.started', { sessionId: 's', instanceId: 'inst-acme' });
    expect(last()?.view).toMatchObject({ icon: 'syncing', percent: 0 });
    events.emit('session.progress', { sessionId: 's', instanceId: 'inst-acme', percent: 50 });
    events.emit('request.completed', { requestId: 'r', instanceId: 'inst-acme', status: 'done', userFacingMessage: null });
    expect(last()?.view).toMatchObject({ icon: 'syncing', percent: 50 });
    await vi.advanceTimersByTimeAsync(REFRESH_DELAY_MS);
    expect(loadOverview).toHaveBeenCalledTimes(2);
    m.stop();
  });

  it('progress alone does not read the overview', async () => {
    const { m, events, loadOverview } = monitor();
    m.start();
    await vi.advanceTimersByTimeAsync(0);
    events.emit('session.progress', { sessionId: 's', instanceId: 'inst-acme', percent: 10 });
    await vi.advanceTimersByTimeAsync(REFRESH_DELAY_MS * 2);
    expect(loadOverview).toHaveBeenCalledTimes(1);
    m.stop();
  });

  it('a change during a read is followed by one more read', async () => {
    let release: (() => void) | undefined;
    const { m, loadOverview } = monitor(
      () =>
        new Promise<Overview>((resolve) => {
          release = () => resolve(overview([connection()]));
        }),
    );
    m.start();
    void m.refresh();
    void m.refresh();
    expect(loadOverview).toHaveBeenCalledTimes(1);
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(loadOverview).toHaveBeenCalledTimes(2);
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(loadOverview).toHaveBeenCalledTimes(2);
    m.stop();
  });

  it('reads the overview every minute (headlines age; the watchdog measures silence)', async () => {
    const { m, loadOverview } = monitor();
    m.start();
    await vi.advanceTimersByTimeAsync(PERIODIC_REFRESH_MS * 3);
    expect(loadOverview).toHaveBeenCalledTimes(4);
    m.stop();
  });

  it('shows the tray paused on settings.changed', async () => {
    const { m, events, last } = monitor();
    m.start();
    await vi.advanceTimersByTimeAsync(0);
    events.emit('settings.changed', { paused: true });
    expect(last()).toMatchObject({ paused: true, view: { icon: 'paused' } });
    expect(m.paused).toBe(true);
    m.stop();
  });

  it('notifies: failures after they settle, first syncs at once', async () => {
    const { m, events, notified } = monitor();
    m.start();
    await vi.advanceTimersByTimeAsync(0);
    events.emit('session.ended', { sessionId: 's', instanceId: 'inst-acme', status: 'closed', requestsDone: 2, requestsFailed: 0, firstSuccess: true, lastError: null });
    expect(notified.map((n) => n.kind)).toEqual(['first_sync']);
    for (let i = 0; i < 5; i++) events.emit('request.completed', { requestId: `r${i}`, instanceId: 'inst-acme', status: 'error', userFacingMessage: 'No.' });
    expect(notified).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000 + NOTIFICATION_TICK_MS);
    expect(notified.map((n) => n.title)).toEqual(['Acme Ltd: first sync finished', '5 requests failed in Acme Ltd']);
    m.stop();
  });

  it('says when the overview cannot be read, logging it once', async () => {
    const { m, last, logger } = monitor(async () => {
      throw new Error('database is locked');
    });
    m.start();
    await vi.advanceTimersByTimeAsync(PERIODIC_REFRESH_MS * 2);
    expect(last()?.view).toMatchObject({ icon: 'error', tooltip: "QBWC Companion — Can't read the sync status: database is locked" });
    expect(logger.error).toHaveBeenCalledTimes(1);
    m.stop();
  });

  it('stops listening and reading when stopped', async () => {
    const { m, events, views, loadOverview } = monitor();
    m.start();
    await vi.advanceTimersByTimeAsync(0);
    m.stop();
    const drawn = views.length;
    events.emit('session.started', { sessionId: 's', instanceId: 'inst-acme' });
    await vi.advanceTimersByTimeAsync(PERIODIC_REFRESH_MS * 2);
    expect(views).toHaveLength(drawn);
    expect(loadOverview).toHaveBeenCalledTimes(1);
  });
});
