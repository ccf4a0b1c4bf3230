/**
 * Dates and times the way QuickBooks Desktop writes and reads them: local wall-clock
 * time of the QuickBooks PC with a UTC offset, seconds resolution.
 *
 * The DST bug (shared/reference/qbxml.md §4, jsgoupil/quickbooks-sync README and #19):
 * during daylight saving time QuickBooks prints the correct local wall time with the
 * zone's STANDARD offset, e.g. 12:00 EDT as "12:00:00-05:00", and it reads offsets back
 * the same way, so a client that echoes the value it got (or sends local time without an
 * offset) stays consistent, while one that sends the true offset is off by an hour.
 */
import {
  formatWallTime,
  isValidTimeZone,
  localTimeZone,
  offsetMinutesAt,
  standardOffsetMinutes,
  type WallTime,
  wallTimeFields,
  wallTimeToInstant,
} from '../../qbxml/datetime';

/** Throws RangeError for a zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Invalid time zone: ${timeZone}`);
}

export const defaultTimeZone = localTimeZone;

/** The instant at which the zone's clocks show `wall` (the later one when ambiguous). */
const instantOfWall = (wall: WallTime, timeZone: string): number => wallTimeToInstant(formatWallTime(wall), timeZone, 'later') as number;

const wallAsUtc = (w: WallTime): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

const pad = (n: number): string => String(Math.abs(n)).padStart(2, '0');

function formatOffset(minutes: number): string {
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

export interface Clock {
  timeZone: string;
  dstOffsetBug: boolean;
}

/** DATETIMETYPE as QuickBooks writes it, e.g. "2014-11-27T18:03:44-02:00". */
export function formatDateTime(ms: number, clock: Clock): string {
  const offset = clock.dstOffsetBug ? standardOffsetMinutes(ms, clock.timeZone) : offsetMinutesAt(ms, clock.timeZone);
  return formatWallTime(wallTimeFields(ms, clock.timeZone)) + formatOffset(offset);
}

/** DATETYPE of the local calendar day, e.g. "2024-07-15". */
export function formatDate(ms: number, timeZone: string): string {
  return formatWallTime(wallTimeFields(ms, timeZone)).slice(0, 10);
}

// qbxmltypes160.xsd DATETIMETYPE (anchored as XSD patterns are).
const DATETIME = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:([+-])(\d{1,2}):(\d{1,2}))?)?)?)?$/;

/**
 * Reads a DATETIMETYPE filter value (FromModifiedDate…) as an instant. No offset means
 * QuickBooks-local time. A bare date means the start of that day, or its last second
 * when `endOfDay` (a "To" bound). Returns undefined for text the schema would reject.
 */
export function parseDateTime(text: string, clock: Clock, endOfDay = false): number | undefined {
  const m = DATETIME.exec(text.trim());
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i] ?? 0);
  const dateOnly = m[4] === undefined;
  const wall: WallTime = {
    year: n(1),
    month: n(2),
    day: n(3),
    hour: dateOnly && endOfDay ? 23 : n(4),
    minute: dateOnly && endOfDay ? 59 : n(5),
    second: dateOnly && endOfDay ? 59 : n(6),
  };
  if (m[7] === undefined) return instantOfWall(wall, clock.timeZone);
  const offset = (m[7] === '-' ? -1 : 1) * (n(8) * 60 + n(9));
  const instant = wallAsUtc(wall) - offset * 60000;
  if (!clock.dstOffsetBug) return instant;
  // QuickBooks converts with the standard offset, then treats the result as local wall time.
  const local = new Date(instant + standardOffsetMinutes(instant, clock.timeZone) * 60000);
  return instantOfWall(
    {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
    },
    clock.timeZone,
  );
}

/** Adds days to a DATETYPE string. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
