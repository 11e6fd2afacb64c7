import type { Delay, Recipe } from './model.ts';
import type { TriggerData } from './trigger-data.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * When a delay ends, on a numeric clock (epoch ms). `null` when it cannot be computed: a delay
 * relative to an appointment on a trigger that names none. A time already past is `from`
 * (an appointment booked 30 minutes ahead still gets its "1 h before" step, at once).
 */
export function delayEnd(
  delay: Delay | undefined,
  from: number,
  data: TriggerData,
  locationZone = 'UTC',
): number | null {
  if (!delay || delay.type === 'now') return from;
  switch (delay.type) {
    case 'after':
      return from + delay.minutes * MINUTE;
    case 'next_business_day':
      // A fixed offset only where one was set (older recipes); else the zone, with its daylight saving.
      return delay.utcOffsetMinutes && !delay.timeZone
        ? nextBusinessDay(from, delay.hour, delay.minute ?? 0, delay.utcOffsetMinutes)
        : nextBusinessDayIn(from, delay.hour, delay.minute ?? 0, delay.timeZone ?? locationZone);
    case 'before_appointment': {
      const start = Date.parse(data.appointment?.startTime ?? '');
      return Number.isNaN(start) ? null : Math.max(from, start - delay.minutes * MINUTE);
    }
    case 'after_appointment': {
      const end = Date.parse(data.appointment?.endTime ?? data.appointment?.startTime ?? '');
      return Number.isNaN(end) ? null : Math.max(from, end + delay.minutes * MINUTE);
    }
  }
}

/** The next Monday-to-Friday after `from`'s local day, at `hour:minute` local time. */
export function nextBusinessDay(
  from: number,
  hour: number,
  minute: number,
  utcOffsetMinutes: number,
): number {
  const offset = utcOffsetMinutes * MINUTE;
  const localMidnight = Math.floor((from + offset) / DAY) * DAY;
  let day = localMidnight + DAY;
  // 1970-01-01 was a Thursday: weekday 0 = Sunday … 6 = Saturday.
  const weekday = (t: number) => (Math.floor(t / DAY) + 4) % 7;
  while (weekday(day) === 0 || weekday(day) === 6) day += DAY;
  return day + (hour * 60 + minute) * MINUTE - offset;
}

/** Whether a delay's end depends on the location's time zone (a wall time with no zone of its own). */
export function needsLocationZone(delay: Delay | undefined): boolean {
  return delay?.type === 'next_business_day' && !delay.timeZone && !delay.utcOffsetMinutes;
}

/** Whether `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `zone` at instant `t`: year, month (1-12), day, hour, minute, second. */
function wallClock(t: number, zone: string): number[] {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size > 100) formatters.clear();
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => Number(parts[k]));
}

/** How far `zone`'s wall clock is ahead of UTC at instant `t`, in ms. */
function offsetAt(t: number, zone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(t, zone) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(t / 1000) * 1000;
}

/**
 * The instant a wall time in `zone` names. A time the clocks skip (spring forward) is taken
 * with the offset before the switch, landing just after it; a time that occurs twice (fall
 * back), its first occurrence.
 */
export function zonedInstant(
  y: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone: string,
): number {
  const wall = Date.UTC(y, month - 1, day, hour, minute);
  const before = offsetAt(wall - DAY, zone);
  const after = offsetAt(wall + DAY, zone);
  // Try both offsets around the date; keep one that really shows this wall time.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const t = wall - offset;
    if (offsetAt(t, zone) === offset) return t;
  }
  return wall - before;
}

/** The next Monday-to-Friday after `from`'s day in `zone`, at `hour:minute` on that zone's clock. */
export function nextBusinessDayIn(from: number, hour: number, minute: number, zone: string): number {
  const [y, mo, d] = wallClock(from, zone) as [number, number, number];
  let day = Date.UTC(y, mo - 1, d) + DAY;
  const weekday = (t: number) => new Date(t).getUTCDay();
  while (weekday(day) === 0 || weekday(day) === 6) day += DAY;
  const date = new Date(day);
  return zonedInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, minute, zone);
}

/** A short human form of a delay, for run history and the panel. */
export function describeDelay(delay: Delay | undefined): string {
  if (!delay || delay.type === 'now') return 'at once';
  switch (delay.type) {
    case 'after':
      return delay.minutes % 1440 === 0
        ? `+${delay.minutes / 1440} d`
        : delay.minutes % 60 === 0
          ? `+${delay.minutes / 60} h`
          : `+${delay.minutes} min`;
    case 'next_business_day':
      return `next business day ${String(delay.hour).padStart(2, '0')}:${String(delay.minute ?? 0).padStart(2, '0')}`;
    case 'before_appointment':
      return `${delay.minutes} min before the appointment`;
    case 'after_appointment':
      return `${delay.minutes} min after the appointment`;
  }
}

/** The calendar day (YYYY-MM-DD) of instant `t` on `zone`'s clock. */
export function localDay(t: number, zone: string): string {
  const [y, mo, d] = wallClock(t, zone) as [number, number, number];
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Whether a daily recipe is due at `now`, given the day it last ran (pure): once a day, after
 * its time on the clock of its own zone, else the location's (`locationZone`).
 */
export function scheduleDue(
  recipe: Pick<Recipe, 'schedule'>,
  lastDay: string | null,
  now: number,
  locationZone = 'UTC',
): string | null {
  if (!recipe.schedule) return null;
  const zone = recipe.schedule.timeZone ?? locationZone;
  const day = localDay(now, zone);
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  const at = zonedInstant(y, mo, d, recipe.schedule.hour, recipe.schedule.minute ?? 0, zone);
  return now >= at && (lastDay === null || lastDay < day) ? day : null;
}
