/**
 * A connection's sync window: the days and hours the Web Connector may sync (e.g. only
 * 19:00–07:00 on weekdays), something its own Auto-Run cannot express. Outside it,
 * authenticate answers "none" with a postpone until the window opens. Times are the
 * PC's wall clock; a window whose end is before its start runs past midnight, and
 * belongs to the day it starts on.
 */
import { wallTimeFields } from '../qbxml/datetime';
import type { SyncWindow } from '../store/types';

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h as number) * 60 + (m as number);
};

const MINUTES_PER_DAY = 24 * 60;

/** Day of the week (0 = Sunday) and minute of the day at `epochMs` on the wall clock of `timeZone`. */
function wallClock(epochMs: number, timeZone: string): { weekday: number; minute: number } {
  const w = wallTimeFields(epochMs, timeZone);
  return { weekday: new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay(), minute: w.hour * 60 + w.minute };
}

/** Whether syncing is allowed at `epochMs`. No window: always. */
export function inSyncWindow(window: SyncWindow | null, epochMs: number, timeZone: string): boolean {
  if (!window) return true;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const { weekday, minute } = wallClock(epochMs, timeZone);
  if (start === end) return window.days.includes(weekday); // the whole day
  if (start < end) return window.days.includes(weekday) && minute >= start && minute < end;
  // Past midnight: the evening part of today's window, or the morning part of yesterday's.
  return (window.days.includes(weekday) && minute >= start) || (window.days.includes((weekday + 6) % 7) && minute < end);
}

/**
 * Seconds until the window next opens (0 when open now), found minute by minute over the
 * next week, so DST changes need no arithmetic of their own. Null when it never opens.
 */
export function secondsUntilOpen(window: SyncWindow | null, epochMs: number, timeZone: string): number | null {
  if (inSyncWindow(window, epochMs, timeZone)) return 0;
  const first = Math.ceil(epochMs / 60_000) * 60_000;
  for (let t = first; t <= epochMs + 8 * MINUTES_PER_DAY * 60_000; t += 60_000) {
    if (inSyncWindow(window, t, timeZone)) return Math.ceil((t - epochMs) / 1000);
  }
  return null;
}
