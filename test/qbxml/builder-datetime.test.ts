import { describe, expect, it } from 'vitest';
import {
  isValidDateString,
  localTimeZone,
  offsetMinutesAt,
  parseDateTimeInput,
  quickBooksWallTime,
  toQuickBooksDateTime,
  wallTimeAt,
  wallTimeToInstant,
} from '../../main/qbxml/datetime';

const NY = 'America/New_York';
const at = (iso: string): number => Date.parse(iso);

describe('qbXML date-times', () => {
  it('gives the wall time of an instant in a zone, DST included', () => {
    expect(wallTimeAt(at('2024-01-15T12:00:00Z'), NY)).toBe('2024-01-15T07:00:00');
    expect(wallTimeAt(at('2024-07-15T12:00:00Z'), NY)).toBe('2024-07-15T08:00:00');
    expect(wallTimeAt(at('2024-03-10T07:30:00Z'), NY)).toBe('2024-03-10T03:30:00');
    expect(wallTimeAt(at('2024-11-03T05:30:00Z'), NY)).toBe('2024-11-03T01:30:00');
    expect(wallTimeAt(at('2024-11-03T06:30:00Z'), NY)).toBe('2024-11-03T01:30:00');
    expect(wallTimeAt(at('2024-01-01T00:00:00.999Z'), 'UTC')).toBe('2024-01-01T00:00:00');
    expect(wallTimeAt(at('0999-05-01T00:00:00Z'), 'UTC')).toBe('0999-05-01T00:00:00');
    expect(offsetMinutesAt(at('2024-01-15T12:00:00Z'), NY)).toBe(-300);
    expect(offsetMinutesAt(at('2024-07-15T12:00:00Z'), NY)).toBe(-240);
    expect(offsetMinutesAt(at('2024-07-15T12:00:00Z'), 'Asia/Kathmandu')).toBe(345);
  });

  it('converts inputs for QuickBooks: offsets to wall time, wall times as given', () => {
    expect(toQuickBooksDateTime('2024-03-10T07:30:00Z', NY)).toBe('2024-03-10T03:30:00');
    expect(toQuickBooksDateTime('2024-11-03T05:30:00Z', NY)).toBe('2024-11-03T01:30:00');
    expect(toQuickBooksDateTime('2024-11-03T06:30:00Z', NY)).toBe('2024-11-03T01:30:00'); // ambiguous: same wall time
    expect(toQuickBooksDateTime('2024-11-03T01:30:00-04:00', NY)).toBe('2024-11-03T01:30:00');
    expect(toQuickBooksDateTime('2024-05-01T10:00+02:00', NY)).toBe('2024-05-01T04:00:00');
    expect(toQuickBooksDateTime('2024-05-01T10:00:00', NY)).toBe('2024-05-01T10:00:00');
    expect(toQuickBooksDateTime('2024-05-01', NY)).toBe('2024-05-01');
    expect(toQuickBooksDateTime('2024-05-01T25:00:00', NY)).toBeNull();
    expect(toQuickBooksDateTime('2024-05-01T10:00:00', 'UTC')).toBe('2024-05-01T10:00:00');
    expect(typeof localTimeZone()).toBe('string');
    expect(toQuickBooksDateTime('2024-05-01T10:00:00Z')).toBe(wallTimeAt(at('2024-05-01T10:00:00Z'), localTimeZone()));
  });

  it('finds the instant of a wall time, choosing in the fall-back hour and the spring-forward gap', () => {
    expect(wallTimeToInstant('2024-07-01T12:00:00', NY)).toBe(at('2024-07-01T16:00:00Z'));
    // 01:30 happens twice on 2024-11-03.
    expect(wallTimeToInstant('2024-11-03T01:30:00', NY, 'earlier')).toBe(at('2024-11-03T05:30:00Z'));
    expect(wallTimeToInstant('2024-11-03T01:30:00', NY, 'later')).toBe(at('2024-11-03T06:30:00Z'));
    expect(wallTimeToInstant('2024-11-03T01:30:00', NY, 'reject')).toBeNull();
    // 02:30 never happens on 2024-03-10: moved by the gap, as Temporal does.
    expect(wallTimeToInstant('2024-03-10T02:30:00', NY, 'earlier')).toBe(at('2024-03-10T06:30:00Z'));
    expect(wallTimeToInstant('2024-03-10T02:30:00', NY, 'later')).toBe(at('2024-03-10T07:30:00Z'));
    expect(wallTimeToInstant('2024-03-10T02:30:00', NY, 'reject')).toBeNull();
    expect(wallTimeToInstant('2024-03-10T02:30:00Z', NY)).toBeNull();
    // Round trip outside transitions.
    for (const iso of ['2023-12-31T23:59:59Z', '2024-06-30T04:00:00Z', '2024-11-03T07:00:00Z']) {
      expect(wallTimeToInstant(wallTimeAt(at(iso), NY), NY)).toBe(at(iso));
    }
  });

  it('reads QuickBooks output and validates inputs', () => {
    expect(quickBooksWallTime('2024-04-21T09:31:27-07:00')).toBe('2024-04-21T09:31:27');
    expect(quickBooksWallTime('2024-04-21T09:31:27+05:30')).toBe('2024-04-21T09:31:27');
    expect(quickBooksWallTime('2024-04-21T09:31:27')).toBe('2024-04-21T09:31:27');
    expect(quickBooksWallTime('2024-04-21')).toBe('2024-04-21');
    expect(isValidDateString('2024-02-29')).toBe(true);
    expect(isValidDateString('2100-02-29')).toBe(false);
    expect(isValidDateString('0000-01-01')).toBe(false); // XSD 1.0 has no year zero
    expect(isValidDateString('0001-01-01')).toBe(true);
    expect(isValidDateString('2000-02-29')).toBe(true);
    expect(isValidDateString('2024-04-31')).toBe(false);
    expect(parseDateTimeInput('2024-1-2T3:04:05.678-05:00')).toEqual({
      year: 2024,
      month: 1,
      day: 2,
      hour: 3,
      minute: 4,
      second: 5,
      offsetMinutes: -300,
      local: '2024-1-2T3:04:05',
    });
    expect(parseDateTimeInput('2024-01-02T03:04:60')).toBeNull();
  });
});
