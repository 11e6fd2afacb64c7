import type { Delay, Recipe } from './model.ts';
import type { TriggerData } from './trigger-data.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * When a delay ends, on a numeric clock (epoch ms). `null` when it cannot be computed: a delay
 * relative to an appointment on a trigger that names none. A time already past is `from`
 * (an appointment booked 30 minutes ahead still gets its "1 h before" step, at once).
 */
export function delayEnd(delay: Delay | undefined, from: number, data: TriggerData): number | null {
  if (!delay || delay.type === 'now') return from;
  switch (delay.type) {
    case 'after':
      return from + delay.minutes * MINUTE;
    case 'next_business_day':
      return nextBusinessDay(from, delay.hour, delay.minute ?? 0, delay.utcOffsetMinutes ?? 0);
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

/** Whether a daily recipe is due at `now`, given the day it last ran (pure). */
export function scheduleDue(
  recipe: Pick<Recipe, 'schedule'>,
  lastDay: string | null,
  now: number,
): string | null {
  if (!recipe.schedule) return null;
  const day = new Date(now).toISOString().slice(0, 10);
  const at =
    Math.floor(now / DAY) * DAY + (recipe.schedule.hour * 60 + (recipe.schedule.minute ?? 0)) * 60_000;
  return now >= at && (lastDay === null || lastDay < day) ? day : null;
}
