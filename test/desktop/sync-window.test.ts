/** Sync windows: when a connection may sync, on the PC's wall clock, across midnight and DST. */
import { describe, expect, it } from 'vitest';
import { inSyncWindow, secondsUntilOpen } from '../../main/qbwc/sync-window';

const NY = 'America/New_York';
const at = (iso: string) => Date.parse(iso);
const weekdayEvenings = { days: [1, 2, 3, 4, 5], start: '19:00', end: '07:00' };

describe('a sync window', () => {
  it('is always open when there is none', () => {
    expect(inSyncWindow(null, at('2026-12-07T12:00:00Z'), NY)).toBe(true);
    expect(secondsUntilOpen(null, at('2026-12-07T12:00:00Z'), NY)).toBe(0);
  });

  it('runs past midnight into the next morning, belonging to the day it starts', () => {
    // Monday 2026-12-07, New York (UTC-5).
    expect(inSyncWindow(weekdayEvenings, at('2026-12-07T23:59:00Z'), NY)).toBe(false); // Mon 18:59
    expect(inSyncWindow(weekdayEvenings, at('2026-12-08T00:00:00Z'), NY)).toBe(true); // Mon 19:00
    expect(inSyncWindow(weekdayEvenings, at('2026-12-08T11:59:00Z'), NY)).toBe(true); // Tue 06:59
    expect(inSyncWindow(weekdayEvenings, at('2026-12-08T12:00:00Z'), NY)).toBe(false); // Tue 07:00
    // Friday evening's window runs into Saturday morning; Saturday evening has none.
    expect(inSyncWindow(weekdayEvenings, at('2026-12-12T08:00:00Z'), NY)).toBe(true); // Sat 03:00
    expect(inSyncWindow(weekdayEvenings, at('2026-12-13T01:00:00Z'), NY)).toBe(false); // Sat 20:00
    // Monday 03:00 belongs to Sunday's (absent) window.
    expect(inSyncWindow(weekdayEvenings, at('2026-12-14T08:00:00Z'), NY)).toBe(false);
  });

  it('a window within a day, and a whole day (start = end)', () => {
    const lunch = { days: [3], start: '12:00', end: '13:30' };
    expect(inSyncWindow(lunch, at('2026-12-09T17:15:00Z'), NY)).toBe(true); // Wed 12:15
    expect(inSyncWindow(lunch, at('2026-12-09T18:30:00Z'), NY)).toBe(false); // Wed 13:30
    expect(inSyncWindow({ days: [0], start: '00:00', end: '00:00' }, at('2026-12-13T15:00:00Z'), NY)).toBe(true); // Sunday
    expect(inSyncWindow({ days: [0], start: '00:00', end: '00:00' }, at('2026-12-14T15:00:00Z'), NY)).toBe(false);
  });

  it('says how long until it opens, across a weekend and across the change to daylight time', () => {
    // Saturday 2026-12-12 20:00 → Monday 19:00 = 47 hours.
    expect(secondsUntilOpen(weekdayEvenings, at('2026-12-13T01:00:00Z'), NY)).toBe(47 * 3600);
    // Sunday 2026-03-08 is the spring-forward day in New York: Sunday 01:00 → Monday 19:00 is 42 hours of wall clock but 41 real hours.
    expect(secondsUntilOpen(weekdayEvenings, at('2026-03-08T06:00:00Z'), NY)).toBe(41 * 3600);
    expect(secondsUntilOpen({ days: [], start: '00:00', end: '01:00' }, at('2026-12-07T12:00:00Z'), NY)).toBeNull();
  });
});
