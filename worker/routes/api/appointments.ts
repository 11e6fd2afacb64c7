import type { Context } from 'hono';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { AppError } from '../../errors.ts';
import { idempotencyKeyReused } from '../../ghl/api.ts';
import { GhlError } from '../../ghl/errors.ts';
import type { GhlAppointment } from '../../ghl/types.ts';
import { assertSlotFree, calendarInLocation } from './calendars.ts';
import { outsideLocation } from './errors.ts';
import { createKeyOf } from './idempotency.ts';
import { contactInLocation, ghlOf, locationOf, writeThrough } from './scope.ts';
import { ContactParams, GhlId, jsonBody, paramsOf } from './validate.ts';

type C = Context<SessionEnv>;

const Instant = v.pipe(
  v.string(),
  v.maxLength(40),
  v.check(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) &&
      !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 time with its offset',
  ),
);
const Title = v.optional(v.pipe(v.string(), v.trim(), v.maxLength(255)));

const Book = v.object({ calendarId: GhlId, startTime: Instant, title: Title });
/** A reschedule names the new slot; a status change (cancel) names the status. Never both. */
const Change = v.union([
  v.strictObject({ startTime: Instant }),
  v.strictObject({ appointmentStatus: v.picklist(['confirmed', 'cancelled', 'showed', 'noshow']) }),
]);
const AppointmentParams = v.object({ contactId: GhlId, appointmentId: GhlId });

const MINUTE = 60_000;

/** A slot GHL says was taken between showing and booking is the same answer as our own check. */
async function slotCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof GhlError && err.kind === 'bad_request' && /slot|available/i.test(err.message))
      throw new AppError(
        409,
        'slot_taken',
        'That time is no longer free on this calendar. Pick another slot.',
      );
    throw err;
  }
}

/** An appointment of this contact in the session's location, or 404. */
async function appointmentOf(c: C, contactId: string, appointmentId: string): Promise<GhlAppointment> {
  const event = await ghlOf(c).getAppointment(appointmentId);
  if (event?.locationId !== c.var.session.locationId || event.contactId !== contactId)
    outsideLocation(
      'Appointment',
      `appointment ${appointmentId} is of ${String(event?.locationId)}/${String(event?.contactId)}`,
    );
  return event;
}

/** What GHL answered, checked to be where the path says before it is shown or cached. */
function mine(c: C, contactId: string, answer: GhlAppointment, fallback?: GhlAppointment): GhlAppointment {
  const merged = { ...fallback, ...answer };
  if (
    typeof merged.id !== 'string' ||
    (merged.contactId !== undefined && merged.contactId !== contactId) ||
    (merged.locationId !== undefined && merged.locationId !== c.var.session.locationId)
  )
    outsideLocation('Appointment', `GHL answered an appointment of ${String(merged.contactId)}`);
  return merged;
}

/**
 * `POST /api/contacts/:contactId/appointments` books a free slot of one of the location's
 * calendars; `PUT …/appointments/:appointmentId` moves it to another free slot or changes its
 * status (cancel). GHL reports both (AppointmentCreate/Update), so they sync like its own changes.
 * A booking with an `Idempotency-Key` is made once per key (the location's idempotent creates):
 * the same request again answers the same appointment, even after its slot stopped being free.
 */
export const appointmentRoutes = new Hono<SessionEnv>();

appointmentRoutes.post('/:contactId/appointments', paramsOf(ContactParams), jsonBody(Book), async (c) => {
  const { contactId } = c.req.valid('param');
  const body = c.req.valid('json');
  const { calendarId, startTime, title } = body;
  const { contact } = await contactInLocation(c, contactId);
  const calendar = await calendarInLocation(c, calendarId);
  const start = Date.parse(startTime);
  const key = await createKeyOf(c, body);
  const seen = key
    ? await locationOf(c).createKeySeen(c.var.session.locationId, key.key, key.fingerprint)
    : 'none';
  if (seen === 'different') throw idempotencyKeyReused();
  // A repeat is answered by the booking it made (the slot is that booking's now); a lost one is
  // looked for in GHL, and booked again only where GHL still finds the slot free.
  if (seen === 'none') await assertSlotFree(c, calendarId, start);
  const who = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.name || '';
  const input = {
    calendarId,
    contactId,
    startTime: new Date(start).toISOString(),
    endTime: new Date(start + (calendar.slotDuration ?? 30) * MINUTE).toISOString(),
    title: title || (who ? `${calendar.name} with ${who}` : calendar.name),
    appointmentStatus: 'confirmed',
  };
  const created = mine(c, contactId, await slotCall(() => ghlOf(c).createAppointment(input, key)));
  const appointment = { ...input, ...created, locationId: c.var.session.locationId };
  await writeThrough(c, contactId, {
    op: 'upsert',
    kind: 'appointment',
    item: appointment,
    createdBy: c.var.session.userId,
  });
  if (seen === 'same') c.header('idempotent-replayed', 'true');
  return c.json({ appointment }, 201);
});

appointmentRoutes.put(
  '/:contactId/appointments/:appointmentId',
  paramsOf(AppointmentParams),
  jsonBody(Change),
  async (c) => {
    const { contactId, appointmentId } = c.req.valid('param');
    const change = c.req.valid('json');
    await contactInLocation(c, contactId);
    const current = await appointmentOf(c, contactId, appointmentId);
    let patch: Record<string, unknown>;
    if ('startTime' in change) {
      if (current.appointmentStatus === 'cancelled')
        throw new AppError(
          409,
          'appointment_cancelled',
          'A cancelled appointment cannot be moved; book a new one.',
        );
      const start = Date.parse(change.startTime);
      const was = [Date.parse(String(current.startTime)), Date.parse(String(current.endTime))];
      // Already there (a retried move whose first answer was lost): its own slot is not free.
      if (was[0] === start) return c.json({ appointment: mine(c, contactId, current) });
      const length = was[1]! > was[0]! ? was[1]! - was[0]! : 30 * MINUTE;
      if (!current.calendarId)
        throw new AppError(409, 'no_calendar', 'This appointment has no calendar to move it in.');
      await assertSlotFree(c, current.calendarId, start);
      patch = { startTime: new Date(start).toISOString(), endTime: new Date(start + length).toISOString() };
    } else {
      patch = { appointmentStatus: change.appointmentStatus };
    }
    const answer = await slotCall(() => ghlOf(c).updateAppointment(appointmentId, patch));
    const appointment = mine(c, contactId, { ...answer, ...patch } as GhlAppointment, current);
    await writeThrough(c, contactId, { op: 'upsert', kind: 'appointment', item: appointment });
    return c.json({ appointment });
  },
);
