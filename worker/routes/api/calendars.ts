import type { Context } from 'hono';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { freeSlots } from '../../ghl/scheduling.ts';
import { slotDays } from '../../ghl/slot-days.ts';
import { AppError } from '../../errors.ts';
import { outsideLocation } from './errors.ts';
import { ghlOf } from './scope.ts';
import { GhlId, paramsOf, queryOf } from './validate.ts';

type C = Context<SessionEnv>;

/** GHL's free-slots endpoint takes at most 31 days. */
export const MAX_SLOT_RANGE_MS = 31 * 86_400_000;

export interface PanelCalendar {
  id: string;
  name: string;
  /** Minutes an appointment lasts. */
  slotDuration: number | null;
  isActive: boolean;
}

type GhlCalendar = {
  id?: unknown;
  locationId?: unknown;
  name?: unknown;
  isActive?: unknown;
  slotDuration?: unknown;
  slotDurationUnit?: unknown;
};

function minutes(c: GhlCalendar): number | null {
  if (typeof c.slotDuration !== 'number') return null;
  return c.slotDurationUnit === 'hours' ? c.slotDuration * 60 : c.slotDuration;
}

/** The session location's calendars; one GHL says belongs elsewhere is left out. */
export async function locationCalendars(c: C): Promise<PanelCalendar[]> {
  const { locationId } = c.var.session;
  const all = (await ghlOf(c).listCalendars()) as GhlCalendar[];
  return all
    .filter((cal) => typeof cal.id === 'string' && cal.locationId === locationId)
    .map((cal) => ({
      id: cal.id as string,
      name: typeof cal.name === 'string' && cal.name ? cal.name : 'Calendar',
      slotDuration: minutes(cal),
      isActive: cal.isActive !== false,
    }));
}

/** A calendar of the session's location, or 404 (another location's id is never used). */
export async function calendarInLocation(c: C, calendarId: string): Promise<PanelCalendar> {
  const found = (await locationCalendars(c)).find((cal) => cal.id === calendarId);
  if (!found) outsideLocation('Calendar', `calendar ${calendarId} is not one of ${c.var.session.locationId}`);
  return found;
}

/** A named IANA zone the runtime knows. */
export const TimeZone = v.pipe(
  v.string(),
  v.maxLength(64),
  v.check((name) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  }, 'must be a time zone like America/Chicago'),
);

const Millis = v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be a time in epoch milliseconds'));
const SlotsQuery = v.pipe(
  v.object({ startDate: Millis, endDate: Millis, timezone: v.optional(TimeZone) }),
  v.check((q) => Number(q.endDate) > Number(q.startDate), 'endDate must be after startDate'),
  v.check(
    (q) => Number(q.endDate) - Number(q.startDate) <= MAX_SLOT_RANGE_MS,
    'the range may span at most 31 days',
  ),
);

/** The calendar's free slots in a range, by day; the calendar must be the session location's. */
export async function slotsOf(
  c: C,
  calendarId: string,
  range: { startDate: number; endDate: number; timezone?: string },
) {
  // Both in parallel; the slots are only answered once the calendar proved to be this location's.
  const [calendar, answer] = await Promise.all([
    calendarInLocation(c, calendarId),
    freeSlots(ghlOf(c), calendarId, range),
  ]);
  return { calendar, days: slotDays(answer as Record<string, unknown>) };
}

/** `GET /api/calendars` and `GET /api/calendars/:calendarId/free-slots`. */
export const calendarRoutes = new Hono<SessionEnv>();

calendarRoutes.get('/', async (c) => c.json({ calendars: await locationCalendars(c) }));

calendarRoutes.get(
  '/:calendarId/free-slots',
  paramsOf(v.object({ calendarId: GhlId })),
  queryOf(SlotsQuery),
  async (c) => {
    const { calendarId } = c.req.valid('param');
    const q = c.req.valid('query');
    const range = { startDate: Number(q.startDate), endDate: Number(q.endDate), timezone: q.timezone };
    const { calendar, days } = await slotsOf(c, calendarId, range);
    return c.json({ calendar, timezone: q.timezone ?? null, days });
  },
);

/**
 * Refuses a time the calendar does not offer (taken since it was shown, or never free). The caller
 * has checked the calendar is the location's; one free-slots read around the time.
 */
export async function assertSlotFree(c: C, calendarId: string, start: number): Promise<void> {
  const day = 86_400_000;
  const answer = await freeSlots(ghlOf(c), calendarId, { startDate: start - day, endDate: start + day });
  const days = slotDays(answer as Record<string, unknown>);
  if (!days.some((d) => d.slots.some((s) => Date.parse(s) === start)))
    throw new AppError(409, 'slot_taken', 'That time is no longer free on this calendar. Pick another slot.');
}
