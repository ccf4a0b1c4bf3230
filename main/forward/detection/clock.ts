/**
 * QuickBooks times for watermarks, with the engine's DST handling (main/qbxml/datetime.ts).
 *
 * QuickBooks prints local wall time with the zone's standard offset all year, so only the
 * wall time means anything: watermarks keep it ("2024-11-03T01:25:00") and are compared
 * as instants in the QuickBooks PC's zone. When clocks fall back, one wall hour happens
 * twice and a wall time can't say which: a watermark is read as its earliest instant,
 * and a FromModifiedDate is never sent inside the repeated hour (QuickBooks might read
 * it as the later one and skip the hour's first records) — it steps back before it.
 */
import { quickBooksWallTime, wallTimeAt, wallTimeToInstant } from '../../qbxml/datetime';

/** How far before a watermark the next query starts: QuickBooks' filter is inclusive and its clock coarse (qbxml.md §4: ~10 minutes). */
export const OVERLAP_MS = 10 * 60_000;
const STEP_MS = 15 * 60_000;

/** The wall time of a DATETIMETYPE QuickBooks returned. */
export const wallOf = (qbTime: string): string => quickBooksWallTime(qbTime);

const WALL = /^(\d{4}-\d{2}-\d{2}T\d{2}):(\d{2}):(\d{2})$/;
/**
 * The earliest instant of each wall hour converted so far, by zone and hour: converting
 * costs several Intl calls, and a page's records share few hours (the zone's offset
 * changes on the hour, so the rest of the hour is plain arithmetic).
 */
const hourStarts = new Map<string, number>();
const MAX_CACHED_HOURS = 10_000;

function convert(wall: string, timeZone: string): number {
  const t = wallTimeToInstant(wall, timeZone, 'earlier');
  if (t === null) throw new RangeError(`not a QuickBooks date-time: ${wall}`);
  return t;
}

/** The earliest instant a wall time can mean (epoch ms). */
export function instantOf(wall: string, timeZone: string): number {
  const text = wallOf(wall);
  const m = WALL.exec(text);
  if (!m) return convert(text, timeZone);
  const key = `${timeZone}|${m[1]}`;
  let hour = hourStarts.get(key);
  if (hour === undefined) {
    if (hourStarts.size >= MAX_CACHED_HOURS) hourStarts.clear();
    hour = convert(`${m[1]}:00:00`, timeZone);
    hourStarts.set(key, hour);
  }
  return hour + Number(m[2]) * 60_000 + Number(m[3]) * 1000;
}

/** ISO 8601 (UTC) of a time QuickBooks returned, for an event's lastUpdated. */
export const isoOf = (qbTime: string, timeZone: string): string => new Date(instantOf(qbTime, timeZone)).toISOString();

/** The later of two times QuickBooks returned (either may be absent), as given. */
export function later(a: string | null, b: string | null, timeZone: string): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return instantOf(b, timeZone) > instantOf(a, timeZone) ? b : a;
}

/** Whether a wall time happens twice (clocks fall back). */
const ambiguous = (wall: string, timeZone: string): boolean =>
  wallTimeToInstant(wall, timeZone, 'earlier') !== wallTimeToInstant(wall, timeZone, 'later');

/** The FromModifiedDate (or FromDeletedDate) for a watermark: an overlap before it, outside any repeated hour. */
export function queryFrom(watermark: string, timeZone: string): string {
  let t = instantOf(watermark, timeZone) - OVERLAP_MS;
  while (ambiguous(wallTimeAt(t, timeZone), timeZone)) t -= STEP_MS;
  return wallTimeAt(t, timeZone);
}
