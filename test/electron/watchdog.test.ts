import { describe, expect, it } from 'vitest';
import type { ConnectionOverview } from '../../main/electron/status-types';
import { duration, overdueMinutes, Watchdog } from '../../main/electron/watchdog';
import { connection, iso, minutes, overview, T0 } from './fixtures';

/** A connection whose last session started `ago` minutes before T0, with the core's verdict. */
const lastSeen = (ago: number, overdue: number | null, o: Partial<ConnectionOverview> = {}) =>
  connection({
    overdueMinutes: overdue,
    lastSession: { sessionId: `sess-${ago}`, startedAt: iso(T0 - minutes(ago)), endedAt: iso(T0 - minutes(ago - 1)), status: 'closed', requestsDone: 1, requestsFailed: 0, lastError: null },
    ...o,
  });

describe('watchdog', () => {
  it('announces an overdue connection once per episode, in plain words', () => {
    const dog = new Watchdog();
    const late = overview([lastSeen(181, 150)]);
    const [alert, ...more] = dog.check(late, T0);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ instanceId: 'inst-acme', name: 'Acme Ltd', silentMinutes: 180, frequencyInMinutes: 15 });
    expect(alert?.message).toBe(
      "Web Connector hasn't connected for 3 hours although this connection runs every 15 minutes. " +
        'Check that QuickBooks Web Connector is running on this PC and that Auto-Run is ticked for this connection.',
    );
    expect(dog.check(late, T0 + minutes(1))).toEqual([]);
    expect(dog.check(overview([lastSeen(181, 151)]), T0 + minutes(60))).toEqual([]);
  });

  it('clears after a session, and announces the next episode', () => {
    const dog = new Watchdog();
    expect(dog.check(overview([lastSeen(181, 150)]), T0)).toHaveLength(1);
    expect(dog.check(overview([lastSeen(2, null)]), T0)).toEqual([]); // Web Connector came back
    expect(dog.check(overview([lastSeen(200, 170)]), T0)).toHaveLength(1); // …and went silent again
  });

  it('says nothing while paused or outside the sync window, and never before the first session', () => {
    const dog = new Watchdog();
    expect(dog.check(overview([lastSeen(181, 150)], true), T0)).toEqual([]);
    expect(dog.check(overview([lastSeen(181, 150, { state: 'paused' })]), T0)).toEqual([]);
    expect(dog.check(overview([lastSeen(181, 150, { inSyncWindow: false })]), T0)).toEqual([]);
    expect(dog.check(overview([connection({ state: 'new', lastSession: null, overdueMinutes: null })]), T0)).toEqual([]);
  });

  it('a pause ends the episode: overdue again after resuming is told again', () => {
    const dog = new Watchdog();
    expect(dog.check(overview([lastSeen(181, 150)]), T0)).toHaveLength(1);
    expect(dog.check(overview([lastSeen(181, 150)], true), T0)).toEqual([]);
    expect(dog.check(overview([lastSeen(181, 150)]), T0)).toHaveLength(1);
  });

  it('trusts the overview\'s overdueMinutes when it has one', () => {
    expect(overdueMinutes(lastSeen(181, null), T0)).toBeNull(); // the core says not overdue
    expect(overdueMinutes(lastSeen(5, 42), T0)).toBe(42);
    expect(overdueMinutes(lastSeen(5, 0), T0)).toBeNull();
  });

  it('computes it when the overview has none: more than two runs and half an hour late', () => {
    const without = (ago: number, frequencyInMinutes = 15) => {
      const c = lastSeen(ago, null, { frequencyInMinutes });
      delete (c as Partial<ConnectionOverview>).overdueMinutes;
      return c;
    };
    expect(overdueMinutes(without(45), T0)).toBeNull(); // 30 late: not more than 30
    expect(overdueMinutes(without(47), T0)).toBe(32);
    expect(overdueMinutes(without(180, 60), T0)).toBeNull(); // 120 late: two runs
    expect(overdueMinutes(without(190, 60), T0)).toBe(130);
  });

  it('forgets deleted connections', () => {
    const dog = new Watchdog();
    expect(dog.check(overview([lastSeen(181, 150)]), T0)).toHaveLength(1);
    expect(dog.check(overview([]), T0)).toEqual([]);
    expect(dog.check(overview([lastSeen(181, 150)]), T0)).toHaveLength(1); // re-created with the same id: a new episode
  });

  it('says durations the way a person does', () => {
    expect(duration(1)).toBe('1 minute');
    expect(duration(90)).toBe('90 minutes');
    expect(duration(120)).toBe('2 hours');
    expect(duration(60 * 47)).toBe('47 hours');
    expect(duration(60 * 24 * 3 + 5)).toBe('3 days');
  });
});
