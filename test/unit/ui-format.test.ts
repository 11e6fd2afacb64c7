import { describe, expect, it } from 'vitest';
import {
  contactName,
  dueLabel,
  dueText,
  fromDateTimeLocal,
  initials,
  isOverdue,
  parseDate,
  relativeTime,
  toDateTimeLocal,
} from '../../ui/lib/format.ts';

// Noon local time, so "today" and "yesterday" do not depend on the machine's time zone.
const NOW = new Date(2026, 0, 15, 12, 0, 0).getTime();
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('parseDate', () => {
  it('reads ISO strings, GHL "YYYY-MM-DD hh:mm:ss", epoch milliseconds and seconds', () => {
    expect(parseDate('2026-01-15T10:00:00.000Z')?.toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(parseDate('2021-07-16 11:00:00')?.getTime()).toBe(new Date(2021, 6, 16, 11, 0, 0).getTime());
    expect(parseDate(1_768_471_200_000)?.toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(parseDate(1_768_471_200)?.toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(parseDate('1768471200000')?.toISOString()).toBe('2026-01-15T10:00:00.000Z');
  });

  it('answers null for empty, invalid or non-date values', () => {
    for (const v of [null, undefined, '', '  ', 'soon', {}, Number.NaN]) expect(parseDate(v)).toBeNull();
  });
});

describe('relativeTime', () => {
  it('says "just now" for the last 45 seconds', () => {
    expect(relativeTime(NOW - 10_000, NOW)).toBe('just now');
    expect(relativeTime(NOW, NOW)).toBe('just now');
  });

  it('counts minutes, hours and days both ways', () => {
    expect(relativeTime(NOW - 5 * MIN, NOW)).toBe('5 min ago');
    expect(relativeTime(NOW + 5 * MIN, NOW)).toBe('in 5 min');
    expect(relativeTime(NOW - 3 * 60 * MIN, NOW)).toBe('3 h ago');
    expect(relativeTime(NOW - DAY, NOW)).toBe('yesterday');
    expect(relativeTime(NOW + DAY, NOW)).toBe('tomorrow');
    expect(relativeTime(NOW - 3 * DAY, NOW)).toBe('3 days ago');
  });

  it('falls back to a date after a week, and to "" for no date', () => {
    expect(relativeTime(NOW - 30 * DAY, NOW, 'en-US')).toBe('Dec 16, 2025');
    expect(relativeTime(null, NOW)).toBe('');
  });
});

describe('task due dates', () => {
  it('is overdue only when open and past due', () => {
    expect(isOverdue(NOW - MIN, false, NOW)).toBe(true);
    expect(isOverdue(NOW - MIN, true, NOW)).toBe(false);
    expect(isOverdue(NOW + MIN, false, NOW)).toBe(false);
    expect(isOverdue(undefined, false, NOW)).toBe(false);
  });

  it('labels due dates', () => {
    expect(dueLabel(NOW - 2 * 60 * MIN, false, NOW)).toBe('Overdue');
    expect(dueLabel(NOW - 2 * DAY, false, NOW)).toBe('Overdue by 2 days');
    expect(dueLabel(NOW + 2 * 60 * MIN, false, NOW)).toBe('Due today');
    expect(dueLabel(NOW + DAY, false, NOW)).toBe('Due tomorrow');
    expect(dueLabel(NOW + 3 * DAY, false, NOW)).toBe('Due in 3 days');
    expect(dueLabel(NOW + 30 * DAY, false, NOW, 'en-US')).toBe('Due Feb 14, 2026');
    expect(dueLabel(undefined, false, NOW)).toBe('No due date');
  });

  it('writes the full due line without repeating the date', () => {
    const far = new Date(2026, 1, 14, 9, 0).getTime();
    expect(dueText(far, false, NOW, 'en-US')).toBe('Due Feb 14, 2026, 9:00 AM');
    expect(dueText(new Date(2026, 0, 13, 9, 0).getTime(), false, NOW, 'en-US')).toBe(
      'Overdue by 2 days · Jan 13, 2026, 9:00 AM',
    );
    expect(dueText(null, false, NOW)).toBe('No due date');
  });
});

describe('datetime-local inputs', () => {
  it('round-trips an instant through the local input value', () => {
    const iso = new Date(2026, 2, 1, 9, 30).toISOString();
    expect(toDateTimeLocal(iso)).toBe('2026-03-01T09:30');
    expect(fromDateTimeLocal('2026-03-01T09:30')).toBe(iso);
  });

  it('keeps empty and invalid values empty', () => {
    expect(toDateTimeLocal('')).toBe('');
    expect(fromDateTimeLocal('')).toBe('');
    expect(fromDateTimeLocal('not a date')).toBe('');
  });
});

describe('names', () => {
  it('prefers first and last name, then name, email, phone', () => {
    expect(contactName({ firstName: 'Ada', lastName: 'Lovelace', name: 'x' })).toBe('Ada Lovelace');
    expect(contactName({ name: 'Grace Hopper' })).toBe('Grace Hopper');
    expect(contactName({ email: 'a@example.com' })).toBe('a@example.com');
    expect(contactName({})).toBe('Unnamed contact');
  });

  it('makes initials', () => {
    expect(initials('Ada King Lovelace')).toBe('AL');
    expect(initials('grace')).toBe('G');
    expect(initials('  ')).toBe('?');
  });
});
