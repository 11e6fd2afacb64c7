import type { Appointment, Calendar } from './state.ts';

/**
 * Free slots of a calendar, as GHL computes them for `GET /calendars/:id/free-slots`: the
 * calendar's open hours (in the location's time zone), cut into slots of its duration every
 * interval, minus slots in the past and slots overlapping a booked, not cancelled appointment.
 * Answered per day in the asked time zone, each slot an ISO time with that zone's offset.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall-clock reading of an instant in a time zone. */
export function wallTime(ms: number, timeZone: string): Wall {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
  };
}

/** Minutes the zone is ahead of UTC at that instant. */
function offsetMinutes(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / MINUTE);
}

/** The instant a wall-clock time in a zone stands for (two passes settle daylight-saving edges). */
function instantOf(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day) + minutes * MINUTE;
  const first = guess - offsetMinutes(guess, timeZone) * MINUTE;
  return guess - offsetMinutes(first, timeZone) * MINUTE;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2024-10-28T10:00:00-05:00`: the instant in the zone, with its offset. */
export function isoInZone(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  const off = offsetMinutes(ms, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

export interface SlotQuery {
  calendar: Calendar;
  /** The location's zone: open hours are read in it. */
  calendarZone: string;
  /** The zone of the answer. */
  answerZone: string;
  startMs: number;
  endMs: number;
  now: number;
  booked: readonly Appointment[];
}

const busyOf = (calendar: Calendar, booked: Iterable<Appointment>) =>
  [...booked]
    .filter((a) => a.calendarId === calendar.id && a.appointmentStatus !== 'cancelled')
    .map((a) => [Date.parse(a.startTime), Date.parse(a.endTime)] as const);

/** Does `[start, end)` overlap a booked, not cancelled appointment of the calendar? */
export function overlapsBooking(
  calendar: Calendar,
  start: number,
  end: number,
  booked: Iterable<Appointment>,
): boolean {
  return busyOf(calendar, booked).some(([b0, b1]) => start < b1 && end > b0);
}

/** Slot start instants, ascending. */
export function freeSlotTimes(q: SlotQuery): number[] {
  const duration = q.calendar.slotDurationMin * MINUTE;
  const interval = q.calendar.slotIntervalMin * MINUTE;
  const busy = busyOf(q.calendar, q.booked);
  const out: number[] = [];
  // Walk the calendar's own days, a day either side so zone shifts lose nothing at the edges.
  for (let t = q.startMs - DAY; t <= q.endMs + DAY; t += DAY) {
    const d = wallTime(t, q.calendarZone);
    for (const open of q.calendar.openHours) {
      if (!open.daysOfTheWeek.includes(d.weekday)) continue;
      for (const h of open.hours) {
        const from = instantOf(d.year, d.month, d.day, h.openHour * 60 + h.openMinute, q.calendarZone);
        const to = instantOf(d.year, d.month, d.day, h.closeHour * 60 + h.closeMinute, q.calendarZone);
        for (let s = from; s + duration <= to; s += interval) {
          if (s < q.startMs || s > q.endMs || s <= q.now) continue;
          if (busy.some(([b0, b1]) => s < b1 && s + duration > b0)) continue;
          out.push(s);
        }
      }
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The free-slots answer: `{ "YYYY-MM-DD": { slots: [iso…] } }`, days in the answer's zone. */
export function slotsByDay(times: readonly number[], zone: string): Record<string, { slots: string[] }> {
  const out: Record<string, { slots: string[] }> = {};
  for (const t of times) {
    const iso = isoInZone(t, zone);
    (out[iso.slice(0, 10)] ??= { slots: [] }).slots.push(iso);
  }
  return out;
}
