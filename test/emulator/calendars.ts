import type { Hono } from 'hono';
import { createAppointment, deleteAppointment, updateAppointment } from './activity-ops.ts';
import { appointmentFor, assertLocation, CALENDARS_VERSION, contactFor, guard } from './auth.ts';
import type { AppEnv, Emu } from './context.ts';
import { badRequest, unprocessable } from './errors.ts';
import { freeSlotTimes, isTimeZone, overlapsBooking, slotsByDay } from './free-slots.ts';
import { appointmentResponseView, eventView } from './views.ts';
import { readJson, validate, type Rules } from './validate.ts';

const STATUSES = ['new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'] as const;

const EDIT_RULES: Rules = {
  title: { type: 'string' },
  meetingLocationType: {
    type: 'string',
    oneOf: ['custom', 'zoom', 'gmeet', 'phone', 'address', 'ms_teams', 'google'],
  },
  meetingLocationId: { type: 'string' },
  overrideLocationConfig: { type: 'boolean' },
  appointmentStatus: { type: 'string', oneOf: STATUSES },
  assignedUserId: { type: 'string' },
  description: { type: 'string' },
  address: { type: 'string' },
  ignoreDateRange: { type: 'boolean' },
  toNotify: { type: 'boolean' },
  ignoreFreeSlotValidation: { type: 'boolean' },
  rrule: { type: 'string' },
  calendarId: { type: 'string' },
  startTime: { type: 'isoDate' },
  endTime: { type: 'isoDate' },
};

const CREATE_RULES: Rules = {
  ...EDIT_RULES,
  calendarId: { type: 'string', required: true },
  locationId: { type: 'string', required: true },
  contactId: { type: 'string', required: true },
  startTime: { type: 'isoDate', required: true },
};

export function registerCalendars(app: Hono<AppEnv>, emu: Emu): void {
  const { state } = emu;
  const auth = guard(emu, 'location', CALENDARS_VERSION);

  app.get('/calendars', auth, (c) => {
    const q = validate(c.req.query(), { locationId: { type: 'string', required: true } });
    assertLocation(emu, c.get('auth'), String(q.locationId));
    const calendars = [...state.calendars.values()].filter((cal) => cal.locationId === q.locationId);
    return c.json({
      calendars: calendars.map((cal) => ({
        id: cal.id,
        locationId: cal.locationId,
        groupId: cal.groupId,
        name: cal.name,
        slotDuration: cal.slotDurationMin,
        slotDurationUnit: 'mins',
        slotInterval: cal.slotIntervalMin,
        slotIntervalUnit: 'mins',
        openHours: cal.openHours,
        isActive: true,
        teamMembers: cal.teamUserIds.map((userId) => ({ userId, priority: 0.5 })),
      })),
    });
  });

  app.get('/calendars/:calendarId/free-slots', auth, (c) => {
    const q = c.req.query();
    const startMs = Number(q.startDate);
    const endMs = Number(q.endDate);
    const problems = [
      ...(q.startDate && Number.isFinite(startMs) ? [] : ['startDate must be a number']),
      ...(q.endDate && Number.isFinite(endMs) ? [] : ['endDate must be a number']),
    ];
    if (problems.length) throw unprocessable(problems);
    if (endMs < startMs) throw badRequest('endDate must be after startDate');
    if (endMs - startMs > 31 * 86_400_000) throw badRequest('Date range cannot be more than 31 days');
    if (q.timezone !== undefined && !isTimeZone(q.timezone)) throw badRequest('Invalid timezone');
    const calendar = state.calendars.get(c.req.param('calendarId'));
    if (!calendar) throw badRequest('Calendar not found');
    assertLocation(emu, c.get('auth'), calendar.locationId);
    const calendarZone = state.locations.get(calendar.locationId)?.timezone ?? 'UTC';
    const answerZone = q.timezone || calendarZone;
    const booked = [...state.appointments.values()].filter(
      (a) => a.calendarId === calendar.id && (!q.userId || a.users.includes(q.userId)),
    );
    const times = freeSlotTimes({
      calendar,
      calendarZone,
      answerZone,
      startMs,
      endMs,
      now: Date.now(),
      booked,
    });
    return c.json(slotsByDay(times, answerZone));
  });

  app.get('/calendars/events', auth, (c) => {
    const q = validate(c.req.query(), {
      locationId: { type: 'string', required: true },
      startTime: { type: 'string', required: true },
      endTime: { type: 'string', required: true },
    });
    assertLocation(emu, c.get('auth'), String(q.locationId));
    const { calendarId, userId, groupId } = c.req.query();
    if (!calendarId && !userId && !groupId)
      throw unprocessable(['Either calendarId, userId or groupId is required']);
    const from = Number(q.startTime);
    const to = Number(q.endTime);
    const events = [...state.appointments.values()]
      .filter((a) => a.locationId === q.locationId)
      .filter(
        (a) =>
          (!calendarId || a.calendarId === calendarId) &&
          (!groupId || a.groupId === groupId) &&
          (!userId || a.users.includes(userId)),
      )
      .filter((a) => Date.parse(a.endTime) >= from && Date.parse(a.startTime) <= to)
      .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
    return c.json({ events: events.map(eventView) });
  });

  app.post('/calendars/events/appointments', auth, async (c) => {
    const body = validate(await readJson(c), CREATE_RULES);
    assertLocation(emu, c.get('auth'), String(body.locationId));
    const contact = contactFor(emu, c.get('auth'), String(body.contactId));
    // GHL refuses a time someone already holds unless told to skip its free-slot check.
    const calendar = state.calendars.get(String(body.calendarId));
    if (calendar && body.ignoreFreeSlotValidation !== true) {
      const start = Date.parse(String(body.startTime));
      const end = body.endTime ? Date.parse(String(body.endTime)) : start + calendar.slotDurationMin * 60_000;
      if (overlapsBooking(calendar, start, end, state.appointments.values()))
        throw badRequest('The slot you have selected is no longer available.');
    }
    return c.json(appointmentResponseView(createAppointment(emu, contact, body)));
  });

  app.get('/calendars/events/appointments/:eventId', auth, (c) => {
    return c.json({ event: eventView(appointmentFor(emu, c.get('auth'), c.req.param('eventId'))) });
  });

  app.put('/calendars/events/appointments/:eventId', auth, async (c) => {
    const appointment = appointmentFor(emu, c.get('auth'), c.req.param('eventId'));
    const body = validate(await readJson(c), EDIT_RULES);
    return c.json(appointmentResponseView(updateAppointment(emu, appointment, body)));
  });

  app.delete('/calendars/events/:eventId', auth, async (c) => {
    deleteAppointment(emu, appointmentFor(emu, c.get('auth'), c.req.param('eventId')));
    return c.json({ succeeded: true }, 201);
  });
}
