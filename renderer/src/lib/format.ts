/** Dates, times and durations as a bookkeeper reads them, in the PC's language and time zone. */

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const dateTimeWithSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "in 2 hours", "now". */
export function fromNow(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  }
  return relative.format(0, 'minute');
}

/** "23 Nov 2026, 10:00". */
export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));

/** "23 Nov 2026, 10:00:05": for the event log, where many events share a minute. */
export const formatDateTimeSeconds = (iso: string): string => dateTimeWithSeconds.format(new Date(iso));

/** "10:00:05": for the calls of one session. */
export const formatTime = (iso: string): string => timeWithSeconds.format(new Date(iso));

/** "0.4 s", "12 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/** "every 15 minutes", "every hour", "every 2 days". */
export function formatEvery(minutes: number): string {
  if (minutes === 1) return 'every minute';
  if (minutes % 1440 === 0) return minutes === 1440 ? 'every day' : `every ${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'every hour' : `every ${minutes / 60} hours`;
  return `every ${minutes} minutes`;
}

export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "Mon–Fri, 19:00–07:00". */
export function formatSyncWindow(window: { days: number[]; start: string; end: string }): string {
  const days = [...window.days].sort((a, b) => a - b);
  const weekdays = days.length === 5 && days.every((d, i) => d === i + 1);
  const dayText = days.length === 7 ? 'Every day' : weekdays ? 'Mon–Fri' : days.map((d) => DAY_NAMES[d]?.slice(0, 3)).join(', ');
  const hours = window.start === window.end ? 'all day' : `${window.start}–${window.end}`;
  return `${dayText}, ${hours}`;
}

/** "1 request", "3 requests". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** An <input type="datetime-local"> value (local time) as an ISO date-time; "" is no time. */
export const fromLocalInput = (value: string): string | undefined => (value ? new Date(value).toISOString() : undefined);

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g;

/** The companion's messages name times as ISO instants ("…gone (410) at 2026-11-23T15:00:00.000Z"): shown in the PC's words and zone. */
export const withLocalTimes = (text: string): string => text.replace(ISO_INSTANT, (iso) => formatDateTime(iso));
