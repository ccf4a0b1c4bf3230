/**
 * Date and time helpers for qbXML (pure functions, no dependencies beyond Intl).
 *
 * QuickBooks interprets a DATETIMETYPE in the local time of the PC it runs on and
 * mis-reports UTC offsets during daylight-saving time (it returns, and expects, the
 * standard-time offset all year; see qbxml.md §4 and jsgoupil/quickbooks-sync#19). The
 * only reliable way to send an instant is therefore as a wall time in the QuickBooks
 * host's zone, without an offset: `toQuickBooksDateTime("2024-03-10T07:30:00Z",
 * "America/New_York")` is "2024-03-10T03:30:00".
 *
 * Ambiguity: when clocks fall back, one wall hour happens twice. In America/New_York
 * 2024-11-03T05:30:00Z (01:30 EDT) and 2024-11-03T06:30:00Z (01:30 EST) both become
 * "2024-11-03T01:30:00"; the wall time cannot say which one is meant, and QuickBooks will
 * pick one. Callers that filter on modification times should keep an overlap window
 * (qbxml.md §4 recommends ~10 minutes) rather than rely on the exact hour. The reverse
 * conversion (`wallTimeToInstant`) makes the choice explicit with `disambiguation`.
 */

/** The process's IANA time zone (what QuickBooks uses when the companion runs on its PC). */
export function localTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for an unknown zone, which is what callers should see.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone (or offset zone) this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock fields in `timeZone` at the instant `epochMs` (whole seconds). */
export function wallTimeFields(epochMs: number, timeZone: string): WallTime {
  const parts = formatter(timeZone).formatToParts(new Date(Math.floor(epochMs / 1000) * 1000));
  const w: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        w.year = Number(p.value);
        break;
      case 'month':
        w.month = Number(p.value);
        break;
      case 'day':
        w.day = Number(p.value);
        break;
      case 'hour':
        w.hour = Number(p.value) % 24;
        break;
      case 'minute':
        w.minute = Number(p.value);
        break;
      case 'second':
        w.second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) w.year = 1 - w.year;
  return w;
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const pad4 = (n: number): string => (n >= 1000 ? String(n) : String(n).padStart(4, '0'));

/** "YYYY-MM-DDTHH:MM:SS" for wall-clock fields. */
export function formatWallTime(w: WallTime): string {
  return `${pad4(w.year)}-${pad2(w.month)}-${pad2(w.day)}T${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}`;
}

/** The wall time in `timeZone` at `epochMs`, as QuickBooks wants it: "YYYY-MM-DDTHH:MM:SS", no offset. */
export function wallTimeAt(epochMs: number, timeZone: string): string {
  return formatWallTime(wallTimeFields(epochMs, timeZone));
}

/** The UTC offset of `timeZone` at `epochMs`, in minutes east of UTC (New York in July: -240). */
export function offsetMinutesAt(epochMs: number, timeZone: string): number {
  const w = wallTimeFields(epochMs, timeZone);
  const asUtc = utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60000);
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A real calendar date (proleptic Gregorian, from year 1). */
export function isValidDate(year: number, month: number, day: number): boolean {
  // XSD 1.0 (which qbXML's schema is) has no year 0000.
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a strict "YYYY-MM-DD" that names a real day (what DATETYPE fields take). */
export function isValidDateString(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && isValidDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * Date-times the builder accepts: the qbXML pattern (1–2 digit month/day/hour/minute/
 * second, optional parts), plus ISO 8601 conveniences: fractional seconds and a "Z" or
 * ±HH:MM offset after the minutes or seconds.
 */
const DATETIME_INPUT =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?(Z|[+-]\d{1,2}:\d{2})?)?$/;

export interface DateTimeInput {
  year: number;
  month: number;
  day: number;
  /** Absent for a date-only value. */
  hour?: number;
  minute?: number;
  second?: number;
  /** Minutes east of UTC when the text carried "Z" or an offset. */
  offsetMinutes?: number;
  /** The text without fractional seconds (and without the offset). */
  local: string;
}

/** Parses a date-time as the builder accepts it; null when malformed or not a real date/time. */
export function parseDateTimeInput(text: string): DateTimeInput | null {
  const m = DATETIME_INPUT.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (!isValidDate(year, month, day)) return null;
  const out: DateTimeInput = { year, month, day, local: text };
  if (m[4] === undefined) return out;
  const hour = Number(m[4]);
  const minute = m[5] === undefined ? undefined : Number(m[5]);
  const second = m[6] === undefined ? undefined : Number(m[6]);
  if (hour > 23 || (minute !== undefined && minute > 59) || (second !== undefined && second > 59)) return null;
  out.hour = hour;
  if (minute !== undefined) out.minute = minute;
  if (second !== undefined) out.second = second;
  const zone = m[7];
  if (zone !== undefined) {
    if (zone === 'Z') out.offsetMinutes = 0;
    else {
      const colon = zone.indexOf(':');
      const h = Number(zone.slice(1, colon));
      const min = Number(zone.slice(colon + 1));
      if (h > 23 || min > 59) return null;
      out.offsetMinutes = (zone.charCodeAt(0) === 45 ? -1 : 1) * (h * 60 + min);
    }
  }
  // Keep the caller's own spelling of the local part, minus any fraction and zone.
  const end = zone === undefined ? text.length : text.length - zone.length;
  const dot = text.indexOf('.');
  out.local = text.slice(0, dot !== -1 && dot < end ? dot : end);
  return out;
}

/** The instant a parsed input with an offset denotes, in epoch milliseconds. */
export function instantOf(input: DateTimeInput): number | null {
  if (input.offsetMinutes === undefined) return null;
  return (
    utcMs(input.year, input.month, input.day, input.hour ?? 0, input.minute ?? 0, input.second ?? 0) -
    input.offsetMinutes * 60000
  );
}

/**
 * A DATETIMETYPE value for QuickBooks: an input with "Z" or an offset becomes the wall time
 * in `timeZone` (default: this process's zone) without offset — unless the offset is the
 * zone's standard one, QuickBooks' convention (see quickBooksWallTimeFor); an input without
 * offset is already a QuickBooks wall time and is returned as given (fractional seconds
 * dropped).
 * Returns null when the text is not a valid date-time.
 */
export function toQuickBooksDateTime(text: string, timeZone: string = localTimeZone()): string | null {
  const input = parseDateTimeInput(text);
  return input === null ? null : quickBooksWallTimeFor(input, timeZone);
}

/**
 * The wall time in `timeZone` to send QuickBooks for a parsed input (see
 * toQuickBooksDateTime). An offset equal to the zone's standard offset is QuickBooks' own
 * convention — it writes that offset all year and reads offsets the same way — so such a
 * value (a TimeModified it returned, echoed back as FromModifiedDate) means the wall time
 * as written. Outside DST that is also the instant's wall time; inside DST, converting it
 * as a true instant would move a watermark an hour later and skip records.
 */
export function quickBooksWallTimeFor(input: DateTimeInput, timeZone: string): string {
  const instant = instantOf(input);
  if (instant === null || input.offsetMinutes === standardOffsetMinutes(instant, timeZone)) return input.local;
  return wallTimeAt(instant, timeZone);
}

/** The zone's standard-time offset in the year of `ms`: the smaller of January's and July's. */
export function standardOffsetMinutes(ms: number, timeZone: string): number {
  const year = new Date(ms).getUTCFullYear();
  return Math.min(offsetMinutesAt(Date.UTC(year, 0, 1), timeZone), offsetMinutesAt(Date.UTC(year, 6, 1), timeZone));
}

/**
 * The wall-time part of a date-time QuickBooks returned ("2024-04-21T09:31:27-07:00" →
 * "2024-04-21T09:31:27"). QuickBooks' offsets are unreliable during DST; the wall time
 * is what it means and what it expects back (e.g. as a FromModifiedDate watermark).
 */
export function quickBooksWallTime(text: string): string {
  const t = text.indexOf('T');
  if (t === -1) return text;
  for (let i = text.length - 1; i > t; i--) {
    const c = text.charCodeAt(i);
    if (c === 43 /* + */ || c === 45 /* - */ || c === 90 /* Z */) return text.slice(0, i);
  }
  return text;
}

export type Disambiguation = 'earlier' | 'later' | 'reject';

/**
 * The instant at which `timeZone`'s clocks show `wall` ("YYYY-MM-DDTHH:MM[:SS]").
 * When the wall time happens twice (clocks fall back) `disambiguation` picks the earlier
 * or later instant, or returns null ('reject'); when it never happens (clocks spring
 * forward) 'earlier'/'later' move it by the size of the gap, as Temporal does.
 */
export function wallTimeToInstant(wall: string, timeZone: string, disambiguation: Disambiguation = 'earlier'): number | null {
  const input = parseDateTimeInput(wall);
  if (input === null || input.offsetMinutes !== undefined) return null;
  const local = utcMs(input.year, input.month, input.day, input.hour ?? 0, input.minute ?? 0, input.second ?? 0);
  const before = offsetMinutesAt(local - 86400000, timeZone);
  const after = offsetMinutesAt(local + 86400000, timeZone);
  const candidates: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const instant = local - off * 60000;
    if (offsetMinutesAt(instant, timeZone) === off) candidates.push(instant);
  }
  candidates.sort((a, b) => a - b);
  if (candidates.length === 1) return candidates[0] as number;
  if (candidates.length > 1) {
    if (disambiguation === 'reject') return null;
    return (disambiguation === 'earlier' ? candidates[0] : candidates[candidates.length - 1]) as number;
  }
  // A gap: the wall time does not exist.
  if (disambiguation === 'reject') return null;
  return disambiguation === 'earlier' ? local - after * 60000 : local - before * 60000;
}
