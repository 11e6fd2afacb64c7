/**
 * The Cal.com connector through the real sync engine, both ways, against the Cal.com emulator
 * over HTTP (test/partners/README.md). The worker listens on no port in the test pool, so Cal.com
 * webhooks go to a dead end and each test hands the signed delivery to the worker itself.
 *
 * The Cal.com emulator is shared with every test file: each test uses its own location, its own
 * emails and its own booking times (one host, so times must not overlap).
 */
import {
  abortAllDurableObjects,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  SELF,
} from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { seal, unseal } from '../../worker/crypto/seal.ts';
import { createConnection, openConnection, updateConnection } from '../../worker/tenants/connections.ts';
import { contactStub, tenantStub } from '../../worker/durable/stubs.ts';
import { emu, installedLocation } from './helpers.ts';
import { call, sessionToken } from './panel-helpers.ts';
import { deliverGhlBody, eventually, ghlAct, ghlState, partner, settled, syncLog } from './sync-helpers.ts';

interface CalDelivery {
  event: string;
  body: string;
  headers: Record<string, string>;
}
interface CalBooking {
  uid: string;
  title: string;
  status: string;
  start: string;
  end: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
  metadata: Record<string, string>;
  duration: number;
  attendees: { name: string; email: string; absent: boolean; phoneNumber?: string }[];
}
interface CalRequest {
  method: string;
  path: string;
  bearer: string | null;
  body: any;
  status: number;
}

const cal = <T = any>(path: string, body?: unknown) => partner<T>(env.CALCOM_URL, path, body);
const calState = () => cal<{ bookings: CalBooking[] }>('/_partner/state');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let seq = 0;
const uniqueEmail = (tag: string) => `${tag}.${run}.${++seq}@calcom-test.example`;

/** A free half-hour far in the future: one host, so every booking needs its own time. */
const baseDay = Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 3000) * 86_400_000;
let slot = 0;
const nextSlot = () => new Date(baseDay + slot++ * 2 * 3600_000).toISOString().replace(/\.000Z$/, 'Z');
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();
const sameTime = (a: string, b: string) => Date.parse(a) === Date.parse(b);

beforeAll(async () => {
  // Cal.com sends only to a subscriber; its deliveries are read back from the log.
  await cal('/_partner/webhook', { subscriberUrl: `${env.CALCOM_URL}/_partner/no-subscriber` });
});

/** An installed location with a Cal.com connection on the emulator. */
async function calLocation(contacts = 2, opts: { calendar?: boolean } = {}) {
  const { seed, locationId, location } = await installedLocation(contacts);
  const calendarId = (seed.locations[0] as unknown as { calendarId: string }).calendarId;
  const created = await createConnection(env, {
    locationId,
    kind: 'calcom',
    name: 'Cal.com (emulator)',
    credentials: { apiKey: env.CALCOM_API_KEY, webhookSecret: env.CALCOM_WEBHOOK_SECRET },
    settings: {
      apiBase: env.CALCOM_URL,
      eventTypeId: 1,
      timeZone: 'UTC',
      ...(opts.calendar === false ? {} : { ghlCalendarId: calendarId }),
    },
  });
  const contact = (await ghlState(locationId)).contacts.find((c) => c.id === location.contactIds[0])!;
  return {
    locationId,
    connectionId: created.connection.id,
    contactIds: location.contactIds,
    contact,
    calendarId,
  };
}

/** Posts a Cal.com delivery to the worker with the headers Cal.com signed it with. */
async function deliverCal(connectionId: string, delivery: CalDelivery, expectStatus = 200) {
  const res = await SELF.fetch(`http://app.test/webhooks/partner/${connectionId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-cal-signature-256': delivery.headers['x-cal-signature-256']!,
    },
    body: delivery.body,
  });
  const text = await res.text();
  expect(res.status, text).toBe(expectStatus);
  return JSON.parse(text) as { ok: boolean; accepted: number; duplicates: number };
}

/** A Cal.com user books on the booking page; the webhook is handed to the worker. */
async function book(connectionId: string, input: Record<string, unknown>) {
  const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', {
    eventTypeId: 1,
    ...input,
  });
  expect(r.delivery?.event).toBe('BOOKING_CREATED');
  await deliverCal(connectionId, r.delivery);
  return r.booking;
}

async function calAct(connectionId: string, path: string, body: Record<string, unknown>) {
  const r = await cal<{ booking: CalBooking; previous?: CalBooking; delivery: CalDelivery }>(path, body);
  expect(r.delivery).toBeTruthy();
  await deliverCal(connectionId, r.delivery);
  return r;
}

/** GHL appointments of one contact. */
const apptsOf = async (locationId: string, contactId: string) =>
  (await ghlState(locationId)).appointments.filter((a) => a.contactId === contactId);

/** Bookings the worker made in Cal.com for one GHL appointment (metadata.ghlAppointmentId). */
const bookingsFor = async (ghlAppointmentId: string) =>
  (await calState()).bookings.filter((b) => b.metadata?.ghlAppointmentId === ghlAppointmentId);

/** The latest Cal.com deliveries of `event` for `uid` (after background sends finished). */
async function deliveryOf(event: string, uid: string): Promise<CalDelivery> {
  await cal('/_partner/deliveries/flush', {});
  const { deliveries } = await cal<{ deliveries: CalDelivery[] }>('/_partner/deliveries');
  const uidOf = (d: CalDelivery) => {
    const { payload } = JSON.parse(d.body) as { payload: { uid?: string; bookingUid?: string } };
    return payload.uid ?? payload.bookingUid;
  };
  const found = deliveries.filter((d) => d.event === event && uidOf(d) === uid).at(-1);
  if (!found) throw new Error(`no ${event} delivery for ${uid}`);
  return found;
}

/** GHL webhooks sent for a location so far (what GHL would deliver to us). */
const ghlDeliveries = async (locationId: string) =>
  (
    await emu<{ deliveries: { body: string; type: string }[] }>(
      `/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`,
    )
  ).deliveries;

describe('Cal.com → GHL', () => {
  it('a booking by a known attendee becomes a GHL appointment on the contact matched by email', async () => {
    const { locationId, connectionId, contact, contactIds } = await calLocation();
    const start = nextSlot();
    const booking = await book(connectionId, {
      start,
      attendee: { name: contact.name, email: String(contact.email).toUpperCase(), timeZone: 'UTC' },
    });

    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    expect(sameTime(appt.startTime, start)).toBe(true);
    expect(sameTime(appt.endTime, plus(start, 30))).toBe(true);
    expect(appt.appointmentStatus).toBe('confirmed');
    expect(appt.title).toBe(booking.title);
    await settled(locationId, contact.id);

    const state = await ghlState(locationId);
    expect(state.contacts).toHaveLength(contactIds.length);
    expect(state.contacts.find((c) => c.id === contact.id)).toMatchObject({
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
    });
    expect(state.appointments).toHaveLength(1);
    const log = await syncLog(locationId, { contactId: contact.id });
    expect(
      log.filter(
        (e) =>
          e.objectKind === 'appointment' && e.status === 'done' && e.action === 'create appointment in GHL',
      ),
    ).toHaveLength(1);
    expect(log.filter((e) => e.status === 'failed')).toHaveLength(0);
  });

  it('a booking by an unknown attendee creates the GHL contact; its notes become a GHL note', async () => {
    const { locationId, connectionId, contactIds } = await calLocation();
    const email = uniqueEmail('newcomer');
    const start = nextSlot();
    await book(connectionId, {
      start,
      attendee: { name: 'Nora Newcomer', email, timeZone: 'Europe/Berlin' },
      notes: 'Wants to talk about pricing',
    });

    const created = await eventually('new GHL contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    expect(contactIds).not.toContain(created.id);
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, created.id))[0]);
    expect(sameTime(appt.startTime, start)).toBe(true);
    const note = await eventually('GHL note', async () =>
      (await ghlState(locationId)).notes.find((n) => n.contactId === created.id),
    );
    expect(note.body).toBe('Wants to talk about pricing');
    await settled(locationId, created.id);

    const state = await ghlState(locationId);
    expect(state.contacts).toHaveLength(contactIds.length + 1);
    expect(state.notes.filter((n) => n.contactId === created.id)).toHaveLength(1);
    const log = await syncLog(locationId);
    expect(log.find((e) => e.action === 'create contact in GHL' && e.contactId === created.id)?.status).toBe(
      'done',
    );
    const done = log
      .filter((e) => e.contactId === created.id && e.status === 'done')
      .map((e) => e.objectKind);
    expect(done).toEqual(expect.arrayContaining(['appointment', 'note']));
  });

  it('a reschedule (new uid) moves the same GHL appointment; a cancel cancels it', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('mover');
    const start = nextSlot();
    const booking = await book(connectionId, {
      start,
      attendee: { name: 'Max Mover', email, timeZone: 'UTC' },
    });
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    const first = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);

    const later = nextSlot();
    const moved = await calAct(connectionId, '/_partner/act/reschedule', {
      uid: booking.uid,
      start: later,
      reason: 'conflict',
    });
    expect(moved.booking.uid).not.toBe(booking.uid);
    await eventually('appointment moved', async () =>
      sameTime((await apptsOf(locationId, contact.id))[0]?.startTime ?? '', later),
    );
    await settled(locationId, contact.id);
    let appts = await apptsOf(locationId, contact.id);
    expect(appts).toHaveLength(1);
    expect(appts[0]!.id).toBe(first.id);
    expect(sameTime(appts[0]!.endTime, plus(later, 30))).toBe(true);
    expect(appts[0]!.appointmentStatus).toBe('confirmed');

    await calAct(connectionId, '/_partner/act/cancel', { uid: moved.booking.uid, reason: 'sick' });
    await eventually(
      'appointment cancelled',
      async () => (await apptsOf(locationId, contact.id))[0]?.appointmentStatus === 'cancelled',
    );
    await settled(locationId, contact.id);
    appts = await apptsOf(locationId, contact.id);
    expect(appts).toHaveLength(1);
    expect(appts[0]!.id).toBe(first.id);

    const log = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.objectKind === 'appointment',
    );
    expect(
      log
        .filter((e) => e.status === 'done')
        .map((e) => e.action)
        .reverse(),
    ).toEqual(['create appointment in GHL', 'update appointment in GHL', 'update appointment in GHL']);
  });

  it('a booking and its reschedule arriving back to back give one GHL appointment at the new time', async () => {
    const { locationId, connectionId } = await calLocation(1);
    const email = uniqueEmail('burst');
    const booked = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', {
      eventTypeId: 1,
      start: nextSlot(),
      attendee: { name: 'Bea Burst', email, timeZone: 'UTC' },
      notes: 'v1',
    });
    const later = nextSlot();
    const moved = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/reschedule', {
      uid: booked.booking.uid,
      start: later,
    });
    await Promise.all([deliverCal(connectionId, booked.delivery), deliverCal(connectionId, moved.delivery)]);
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    await eventually('moved', async () =>
      sameTime((await apptsOf(locationId, contact.id))[0]?.startTime ?? '', later),
    );
    await settled(locationId, contact.id);
    expect(await apptsOf(locationId, contact.id)).toHaveLength(1);
    expect((await ghlState(locationId)).notes.filter((n) => n.contactId === contact.id)).toHaveLength(1);
  });

  // The ID map remembers the uids a booking had before a reschedule, so a BOOKING_CREATED for the
  // old uid delivered after the reschedule (a manual redelivery) is recognised as older.
  it('a late BOOKING_CREATED of a booking already rescheduled does not add a second GHL appointment', async () => {
    const { locationId, connectionId } = await calLocation(1);
    const email = uniqueEmail('late');
    const booked = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', {
      eventTypeId: 1,
      start: nextSlot(),
      attendee: { name: 'Lee Late', email, timeZone: 'UTC' },
    });
    const later = nextSlot();
    const moved = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/reschedule', {
      uid: booked.booking.uid,
      start: later,
    });
    await deliverCal(connectionId, moved.delivery);
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    await eventually('appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);
    await deliverCal(connectionId, booked.delivery);
    await settled(locationId, contact.id);
    const appts = await apptsOf(locationId, contact.id);
    expect(appts).toHaveLength(1);
    expect(sameTime(appts[0]!.startTime, later)).toBe(true);
  });

  it('a booking that needs confirmation arrives as a new (unconfirmed) GHL appointment', async () => {
    const { locationId, connectionId } = await calLocation(1);
    const email = uniqueEmail('pending');
    const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', {
      eventTypeId: 1,
      start: nextSlot(),
      requiresConfirmation: true,
      attendee: { name: 'Pen Ding', email, timeZone: 'UTC' },
    });
    expect(r.delivery.event).toBe('BOOKING_REQUESTED');
    await deliverCal(connectionId, r.delivery);
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    expect(appt.appointmentStatus).toBe('new');
  });

  it('a no-show mark tags the GHL contact', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('absent');
    const booking = await book(connectionId, {
      start: nextSlot(),
      attendee: { name: 'Abby Absent', email, timeZone: 'UTC' },
    });
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);

    const r = await calAct(connectionId, '/_partner/act/no-show', { uid: booking.uid });
    expect(r.delivery.event).toBe('BOOKING_NO_SHOW_UPDATED');
    await eventually('no-show tag', async () =>
      ((await ghlState(locationId)).contacts.find((c) => c.id === contact.id)?.tags ?? []).includes(
        'no-show',
      ),
    );
    await settled(locationId, contact.id);
    const log = await syncLog(locationId, { contactId: contact.id });
    expect(log.find((e) => e.action.includes('no-show'))?.status).toBe('done');
  });

  it('a phone-only booking (Cal.com invents <digits>@sms.cal.com) matches the contact by phone and keeps its real email', async () => {
    const { locationId, connectionId, contact, contactIds } = await calLocation();
    expect(contact.phone).toMatch(/^\+\d{7,}$/);
    const start = nextSlot();
    const booking = await book(connectionId, {
      start,
      attendee: { name: contact.name, phoneNumber: contact.phone, timeZone: 'UTC' },
    });
    expect(booking.attendees[0]!.email).toMatch(/@sms\.cal\.com$/);
    await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);
    const r = await calAct(connectionId, '/_partner/act/no-show', { uid: booking.uid });
    expect(r.delivery.event).toBe('BOOKING_NO_SHOW_UPDATED');
    await eventually('no-show tag', async () =>
      ((await ghlState(locationId)).contacts.find((c) => c.id === contact.id)?.tags ?? []).includes(
        'no-show',
      ),
    );
    await settled(locationId, contact.id);

    const state = await ghlState(locationId);
    expect(state.contacts).toHaveLength(contactIds.length);
    expect(state.contacts.find((c) => c.id === contact.id)).toMatchObject({
      email: contact.email,
      phone: contact.phone,
    });
    expect(JSON.stringify(state.contacts)).not.toContain('sms.cal.com');
  });

  it('a phone-only booking by someone new creates a contact with the phone and no placeholder email', async () => {
    const { locationId, connectionId, contactIds } = await calLocation();
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    await book(connectionId, {
      start: nextSlot(),
      attendee: { name: 'Pat Phone', phoneNumber: phone, timeZone: 'UTC' },
    });
    const created = await eventually('new contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.phone === phone),
    );
    expect(created.email).toBeUndefined();
    await eventually('GHL appointment', async () => (await apptsOf(locationId, created.id))[0]);
    await settled(locationId, created.id);
    expect((await ghlState(locationId)).contacts).toHaveLength(contactIds.length + 1);
  });

  it('a connection that names no GHL calendar books into the location’s calendar', async () => {
    const { locationId, connectionId, calendarId } = await calLocation(1, { calendar: false });
    const email = uniqueEmail('nocal');
    await book(connectionId, { start: nextSlot(), attendee: { name: 'Cal Less', email, timeZone: 'UTC' } });
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    expect(appt.calendarId).toBe(calendarId);
    await settled(locationId, contact.id);
    expect(
      (await syncLog(locationId)).filter((e) => e.status === 'failed' || e.status === 'retrying'),
    ).toEqual([]);
  });

  it('a redelivered Cal.com webhook is applied once', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('twice');
    const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', {
      eventTypeId: 1,
      start: nextSlot(),
      attendee: { name: 'Tim Twice', email, timeZone: 'UTC' },
      notes: 'once please',
    });
    const firstAnswer = await deliverCal(connectionId, r.delivery);
    expect(firstAnswer.accepted).toBe(3);
    for (let i = 0; i < 2; i++)
      expect(await deliverCal(connectionId, r.delivery)).toMatchObject({ accepted: 0, duplicates: 3 });
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);
    const state = await ghlState(locationId);
    expect(state.appointments.filter((a) => a.contactId === contact.id)).toHaveLength(1);
    expect(state.notes.filter((n) => n.contactId === contact.id)).toHaveLength(1);
  });

  it('refuses a delivery with a bad signature and stores nothing', async () => {
    const { locationId, connectionId } = await calLocation();
    const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', {
      eventTypeId: 1,
      start: nextSlot(),
      attendee: { name: 'Eve', email: uniqueEmail('forged'), timeZone: 'UTC' },
    });
    const forged = await cal<{ body: string; headers: Record<string, string> }>('/_partner/sign', {
      body: r.delivery.body,
      secret: 'not-the-secret',
    });
    await deliverCal(
      connectionId,
      { event: r.delivery.event, body: forged.body, headers: forged.headers },
      401,
    );
    await deliverCal(
      connectionId,
      {
        event: r.delivery.event,
        body: r.delivery.body,
        headers: { 'x-cal-signature-256': 'no-secret-provided' },
      },
      401,
    );
    const state = await ghlState(locationId);
    expect(state.appointments).toHaveLength(0);
    expect(await syncLog(locationId)).toHaveLength(0);
  });

  it('our own write to GHL does not bounce back to Cal.com', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('bounce');
    const booking = await book(connectionId, {
      start: nextSlot(),
      attendee: { name: 'Bo Bounce', email, timeZone: 'UTC' },
    });
    const contact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);

    // GHL now sends AppointmentCreate (and contact events) for what we wrote: hand them over.
    const sent = (await ghlDeliveries(locationId)).filter(
      (d) => d.type.startsWith('Appointment') || d.type.startsWith('Contact'),
    );
    expect(sent.some((d) => d.type === 'AppointmentCreate')).toBe(true);
    for (const d of sent) await deliverGhlBody(d.body);
    await settled(locationId, contact.id);

    expect(await bookingsFor(appt.id)).toHaveLength(0);
    let all = (await calState()).bookings.filter((b) => b.attendees.some((a) => a.email === email));
    expect(all.map((b) => b.uid)).toEqual([booking.uid]);

    // The same for GHL's AppointmentUpdate after a Cal.com reschedule and cancel.
    const mark = (await ghlDeliveries(locationId)).length;
    const moved = await calAct(connectionId, '/_partner/act/reschedule', {
      uid: booking.uid,
      start: nextSlot(),
    });
    await eventually('appointment moved', async () =>
      sameTime((await apptsOf(locationId, contact.id))[0]!.startTime, moved.booking.start),
    );
    await settled(locationId, contact.id);
    await calAct(connectionId, '/_partner/act/cancel', { uid: moved.booking.uid });
    await eventually(
      'appointment cancelled',
      async () => (await apptsOf(locationId, contact.id))[0]!.appointmentStatus === 'cancelled',
    );
    await settled(locationId, contact.id);
    const updates = (await ghlDeliveries(locationId))
      .slice(mark)
      .filter((d) => d.type === 'AppointmentUpdate');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const d of updates) await deliverGhlBody(d.body);
    await settled(locationId, contact.id);
    all = (await calState()).bookings.filter((b) => b.attendees.some((a) => a.email === email));
    expect(all.map((b) => [b.uid, b.status])).toEqual([
      [booking.uid, 'cancelled'],
      [moved.booking.uid, 'cancelled'],
    ]);
    const outbound = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.objectKind === 'appointment' && e.action.includes('Cal.com'),
    );
    expect(outbound.length).toBeGreaterThan(0);
    expect(outbound.every((e) => e.status === 'skipped')).toBe(true);
  });
});

describe('reconciliation', () => {
  it('the sweep picks up a booking whose webhook was lost, once, and adds nothing for one already synced', async () => {
    const { locationId, connectionId } = await calLocation();
    const synced = uniqueEmail('synced');
    const lost = uniqueEmail('lost');
    await book(connectionId, {
      start: nextSlot(),
      attendee: { name: 'Sam Synced', email: synced, timeZone: 'UTC' },
    });
    const syncedContact = await eventually('contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === synced),
    );
    await eventually('appointment', async () => (await apptsOf(locationId, syncedContact.id))[0]);
    await settled(locationId, syncedContact.id);
    const lostStart = nextSlot();
    // Booked, but its webhook never reached us.
    await cal('/_partner/act/book', {
      eventTypeId: 1,
      start: lostStart,
      attendee: { name: 'Lou Lost', email: lost, timeZone: 'UTC' },
      notes: 'came via the sweep',
    });

    const first = await tenantStub(env, locationId).reconcile(locationId);
    expect(first.partnerChanges).toBeGreaterThan(0);
    const lostContact = await eventually('lost contact', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === lost),
    );
    const appt = await eventually(
      'lost appointment',
      async () => (await apptsOf(locationId, lostContact.id))[0],
    );
    expect(sameTime(appt.startTime, lostStart)).toBe(true);
    await eventually('note', async () =>
      (await ghlState(locationId)).notes.find(
        (n) => n.contactId === lostContact.id && n.body === 'came via the sweep',
      ),
    );
    await settled(locationId, lostContact.id);
    await settled(locationId, syncedContact.id);

    expect((await tenantStub(env, locationId).reconcile(locationId)).partnerChanges).toBe(0);
    await settled(locationId, lostContact.id);
    const state = await ghlState(locationId);
    expect(state.appointments.filter((a) => a.contactId === syncedContact.id)).toHaveLength(1);
    expect(state.appointments.filter((a) => a.contactId === lostContact.id)).toHaveLength(1);
    expect(state.notes.filter((n) => n.contactId === lostContact.id)).toHaveLength(1);
    expect((await syncLog(locationId)).filter((e) => e.status === 'failed')).toHaveLength(0);
  });
});

describe('GHL → Cal.com', () => {
  it('a GHL appointment becomes a Cal.com booking for the contact; the echo does not add a GHL appointment', async () => {
    const { locationId, connectionId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId: contact.id,
      data: { title: 'Demo call', startTime: start, endTime: plus(start, 30) },
    });
    const ghlId = result.appointment.id as string;

    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    expect(made!.status).toBe('accepted');
    expect(sameTime(made!.start, start)).toBe(true);
    expect(made!.attendees[0]!.email).toBe(String(contact.email).toLowerCase());
    await settled(locationId, contact.id);
    expect(
      (await syncLog(locationId, { contactId: contact.id })).find(
        (e) => e.action === 'create appointment in Cal.com',
      ),
    ).toMatchObject({ status: 'done', objectId: made!.uid });

    // Cal.com announces the booking we made: that must not become a second GHL appointment.
    await deliverCal(connectionId, await deliveryOf('BOOKING_CREATED', made!.uid));
    await settled(locationId, contact.id);
    const appts = await apptsOf(locationId, contact.id);
    expect(appts.map((a) => a.id)).toEqual([ghlId]);
    const inbound = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.objectKind === 'appointment' && e.action.endsWith('in GHL'),
    );
    expect(inbound.length).toBeGreaterThan(0);
    expect(inbound.every((e) => e.status === 'skipped')).toBe(true);
    expect(await bookingsFor(ghlId)).toHaveLength(1);
  });

  it('a moved GHL appointment reschedules the booking; a cancelled one cancels it', async () => {
    const { locationId, connectionId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId: contact.id,
      data: { title: 'Check-in', startTime: start, endTime: plus(start, 30) },
    });
    const ghlId = result.appointment.id as string;
    const [first] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);

    const later = nextSlot();
    await ghlAct(locationId, {
      action: 'appointment.update',
      appointmentId: ghlId,
      data: { startTime: later, endTime: plus(later, 30) },
    });
    const moved = await eventually('rescheduled booking', async () =>
      (await bookingsFor(ghlId)).find((b) => b.rescheduledFromUid === first!.uid),
    );
    expect(sameTime(moved.start, later)).toBe(true);
    expect(moved.status).toBe('accepted');
    expect(moved.attendees[0]!.email).toBe(String(contact.email).toLowerCase());
    expect((await calState()).bookings.find((b) => b.uid === first!.uid)).toMatchObject({
      status: 'cancelled',
      rescheduledToUid: moved.uid,
    });
    await settled(locationId, contact.id);

    // Cal.com's BOOKING_RESCHEDULED echo leaves GHL as it is.
    await deliverCal(connectionId, await deliveryOf('BOOKING_RESCHEDULED', moved.uid));
    await settled(locationId, contact.id);
    expect((await apptsOf(locationId, contact.id)).map((a) => a.id)).toEqual([ghlId]);

    await ghlAct(locationId, {
      action: 'appointment.update',
      appointmentId: ghlId,
      data: { appointmentStatus: 'cancelled' },
    });
    await eventually(
      'booking cancelled',
      async () => (await calState()).bookings.find((b) => b.uid === moved.uid)?.status === 'cancelled',
    );
    await settled(locationId, contact.id);
    expect((await bookingsFor(ghlId)).filter((b) => b.status !== 'cancelled')).toHaveLength(0);
    // ... and so does its BOOKING_CANCELLED echo.
    await deliverCal(connectionId, await deliveryOf('BOOKING_CANCELLED', moved.uid));
    await settled(locationId, contact.id);
    expect((await apptsOf(locationId, contact.id)).map((a) => [a.id, a.appointmentStatus])).toEqual([
      [ghlId, 'cancelled'],
    ]);
    const inbound = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.objectKind === 'appointment' && e.action.endsWith('in GHL'),
    );
    expect(inbound.length).toBeGreaterThanOrEqual(2);
    expect(inbound.every((e) => e.status === 'skipped')).toBe(true);

    const actions = (await syncLog(locationId, { contactId: contact.id }))
      .filter((e) => e.objectKind === 'appointment' && e.action.includes('Cal.com') && e.status === 'done')
      .map((e) => e.action)
      .reverse();
    expect(actions).toEqual([
      'create appointment in Cal.com',
      'update appointment in Cal.com',
      'update appointment in Cal.com',
    ]);
    expect((await ghlState(locationId)).appointments.find((a) => a.id === ghlId)?.appointmentStatus).toBe(
      'cancelled',
    );
  });

  it('a Cal.com user moving and cancelling a booking made from GHL moves and cancels the GHL appointment', async () => {
    const { locationId, connectionId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId: contact.id,
      data: { title: 'Two-way', startTime: start, endTime: plus(start, 30) },
    });
    const ghlId = result.appointment.id as string;
    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);

    const later = nextSlot();
    const moved = await calAct(connectionId, '/_partner/act/reschedule', { uid: made!.uid, start: later });
    await eventually('GHL appointment moved', async () =>
      sameTime((await apptsOf(locationId, contact.id)).find((a) => a.id === ghlId)?.startTime ?? '', later),
    );
    await settled(locationId, contact.id);
    await calAct(connectionId, '/_partner/act/cancel', { uid: moved.booking.uid });
    await eventually(
      'GHL appointment cancelled',
      async () =>
        (await apptsOf(locationId, contact.id)).find((a) => a.id === ghlId)?.appointmentStatus ===
        'cancelled',
    );
    await settled(locationId, contact.id);
    expect((await apptsOf(locationId, contact.id)).map((a) => a.id)).toEqual([ghlId]);
    const inbound = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.objectKind === 'appointment' && e.action.endsWith('in GHL') && e.status === 'done',
    );
    expect(inbound.map((e) => e.action)).toEqual(['update appointment in GHL', 'update appointment in GHL']);
  });

  it('a contact with only a phone is booked by phone; the echo leaves the contact without an email', async () => {
    const { locationId, connectionId } = await calLocation(1);
    const phone = `+1555${String(Date.now() + 7).slice(-7)}`;
    const made = await ghlAct(locationId, {
      action: 'contact.create',
      data: { firstName: 'Phoebe', lastName: 'Only', phone },
    });
    const contactId = made.result.contact.id as string;
    const start = nextSlot();
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId,
      data: { title: 'By phone', startTime: start, endTime: plus(start, 30) },
    });
    const ghlId = result.appointment.id as string;
    const [booking] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    expect(booking!.attendees[0]).toMatchObject({ name: 'Phoebe Only', phoneNumber: phone });
    await settled(locationId, contactId);

    await deliverCal(connectionId, await deliveryOf('BOOKING_CREATED', booking!.uid));
    await settled(locationId, contactId);
    const state = await ghlState(locationId);
    expect(state.contacts.find((c) => c.id === contactId)).toMatchObject({ phone });
    expect(state.contacts.find((c) => c.id === contactId)?.email).toBeUndefined();
    expect(state.contacts.filter((c) => c.phone === phone)).toHaveLength(1);
    expect(state.appointments.filter((a) => a.contactId === contactId).map((a) => a.id)).toEqual([ghlId]);
  });

  it('a GHL no-show marks the Cal.com attendee absent; the echo changes nothing in GHL', async () => {
    const { locationId, connectionId, contact } = await calLocation(1);
    const start = nextSlot();
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId: contact.id,
      data: { title: 'Missed', startTime: start, endTime: plus(start, 30) },
    });
    const ghlId = result.appointment.id as string;
    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);
    await ghlAct(locationId, {
      action: 'appointment.update',
      appointmentId: ghlId,
      data: { appointmentStatus: 'noshow' },
    });
    await eventually(
      'attendee absent',
      async () => (await calState()).bookings.find((b) => b.uid === made!.uid)?.attendees[0]?.absent === true,
    );
    await settled(locationId, contact.id);
    const before = await ghlState(locationId);
    await deliverCal(connectionId, await deliveryOf('BOOKING_NO_SHOW_UPDATED', made!.uid));
    await settled(locationId, contact.id);
    expect(await ghlState(locationId)).toEqual(before);
    expect((await bookingsFor(ghlId)).map((b) => b.status)).toEqual(['accepted']);
  });

  it('a deleted GHL appointment cancels its booking', async () => {
    const { locationId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId: contact.id,
      data: { title: 'Short lived', startTime: start, endTime: plus(start, 30) },
    });
    const ghlId = result.appointment.id as string;
    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);
    await ghlAct(locationId, { action: 'appointment.delete', appointmentId: ghlId });
    await eventually(
      'booking cancelled',
      async () => (await calState()).bookings.find((b) => b.uid === made!.uid)?.status === 'cancelled',
    );
    await settled(locationId, contact.id);
    expect(
      (await syncLog(locationId, { contactId: contact.id })).find(
        (e) => e.action === 'delete appointment in Cal.com',
      )?.status,
    ).toBe('done');
  });

  it('the same GHL webhook delivered three times creates one booking', async () => {
    const { locationId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(
      locationId,
      {
        action: 'appointment.create',
        contactId: contact.id,
        data: { title: 'Thrice', startTime: start, endTime: plus(start, 30) },
      },
      { times: 3 },
    );
    const ghlId = result.appointment.id as string;
    await eventually('Cal.com booking', async () => (await bookingsFor(ghlId)).length > 0);
    await settled(locationId, contact.id);
    expect(await bookingsFor(ghlId)).toHaveLength(1);
    const creates = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.action === 'create appointment in Cal.com',
    );
    expect(creates.map((e) => e.status)).toEqual(['done']);
  });

  it('notes, tasks and tags stay in GHL (Cal.com takes only appointments)', async () => {
    const { locationId, contact } = await calLocation();
    const before = (await cal<{ requests: unknown[] }>('/_partner/requests')).requests.length;
    await ghlAct(locationId, {
      action: 'note.create',
      contactId: contact.id,
      data: { body: 'internal only' },
    });
    await ghlAct(locationId, { action: 'tags.add', contactId: contact.id, tags: ['vip'] });
    await settled(locationId, contact.id);
    const calls = (await cal<{ requests: { body: unknown }[] }>('/_partner/requests')).requests.slice(before);
    expect(JSON.stringify(calls)).not.toContain('internal only');
    expect(
      (await syncLog(locationId, { contactId: contact.id })).filter((e) => e.action.includes('Cal.com')),
    ).toHaveLength(0);
  });
});

/** A GHL appointment made by a person; waits for the Cal.com booking the worker makes of it. */
async function ghlAppointment(
  locationId: string,
  contactId: string,
  title: string,
  start: string,
  minutes: number,
) {
  const { result } = await ghlAct(locationId, {
    action: 'appointment.create',
    contactId,
    data: { title, startTime: start, endTime: plus(start, minutes) },
  });
  const ghlId = result.appointment.id as string;
  const [booking] = await eventually(`Cal.com booking for ${title}`, async () => {
    const list = await bookingsFor(ghlId);
    return list.length ? list : null;
  });
  return { ghlId, booking: booking! };
}

describe('GHL → Cal.com: booking length', () => {
  it("a booking keeps the GHL appointment's length (lengthInMinutes); so does its reschedule, and the echo leaves GHL as it is", async () => {
    const { locationId, connectionId, contact } = await calLocation();
    const start = nextSlot();
    const { ghlId, booking } = await ghlAppointment(locationId, contact.id, 'Long consult', start, 45);
    expect(booking).toMatchObject({ duration: 45, status: 'accepted' });
    expect(sameTime(booking.end, plus(start, 45))).toBe(true);
    await settled(locationId, contact.id);
    expect(
      (await syncLog(locationId, { contactId: contact.id })).find(
        (e) => e.action === 'create appointment in Cal.com',
      ),
    ).toMatchObject({ status: 'done', error: null });

    await deliverCal(connectionId, await deliveryOf('BOOKING_CREATED', booking.uid));
    await settled(locationId, contact.id);
    const appt = (await apptsOf(locationId, contact.id)).find((a) => a.id === ghlId)!;
    expect(sameTime(appt.endTime, plus(start, 45))).toBe(true);

    const later = nextSlot();
    await ghlAct(locationId, {
      action: 'appointment.update',
      appointmentId: ghlId,
      data: { startTime: later, endTime: plus(later, 45) },
    });
    const moved = await eventually('rescheduled booking', async () =>
      (await bookingsFor(ghlId)).find((b) => b.rescheduledFromUid === booking.uid),
    );
    expect(moved.duration).toBe(45);
    expect(sameTime(moved.end, plus(later, 45))).toBe(true);
    await settled(locationId, contact.id);
    await deliverCal(connectionId, await deliveryOf('BOOKING_RESCHEDULED', moved.uid));
    await settled(locationId, contact.id);
    const after = (await apptsOf(locationId, contact.id)).find((a) => a.id === ghlId)!;
    expect(sameTime(after.startTime, later) && sameTime(after.endTime, plus(later, 45))).toBe(true);
    const outbound = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.action.includes('Cal.com') && e.status === 'done',
    );
    expect(outbound.every((e) => e.error === null)).toBe(true);
  });

  it('a length the event type does not offer is booked at its default and said so in the sync log; GHL keeps its length', async () => {
    const { locationId, connectionId, contact } = await calLocation();
    const start = nextSlot();
    const { ghlId, booking } = await ghlAppointment(locationId, contact.id, 'Odd length', start, 50);
    expect(booking.duration).toBe(30);
    await settled(locationId, contact.id);
    const entry = (await syncLog(locationId, { contactId: contact.id })).find(
      (e) => e.action === 'create appointment in Cal.com',
    );
    expect(entry).toMatchObject({ status: 'done', objectId: booking.uid });
    expect(entry?.error).toMatch(
      /event type 1 offers 15, 30, 45, 60 min, not the appointment's 50 min: the booking has 30 min/,
    );

    await deliverCal(connectionId, await deliveryOf('BOOKING_CREATED', booking.uid));
    await settled(locationId, contact.id);
    const appt = (await apptsOf(locationId, contact.id)).find((a) => a.id === ghlId)!;
    expect(sameTime(appt.endTime, plus(start, 50))).toBe(true);
  });
});

describe('Cal.com OAuth credentials', () => {
  const TOKEN_PATH = '/v2/auth/oauth2/token';
  const calRequests = async () => (await cal<{ requests: CalRequest[] }>('/_partner/requests')).requests;
  const refreshesOf = async (clientId: string) =>
    (await calRequests()).filter((r) => r.path === TOKEN_PATH && r.body?.client_id === clientId);

  /** A location whose Cal.com connection holds OAuth tokens of a fresh client; `expired`: the access token no longer works. */
  async function oauthLocation(contacts = 2, opts: { ttlSec?: number; expired?: boolean } = {}) {
    const { seed, locationId, location } = await installedLocation(contacts);
    const client = await cal<{ clientId: string; clientSecret: string }>('/_partner/oauth/clients', {
      accessTokenTtlSec: opts.ttlSec ?? 1800,
    });
    const tokens = await cal<{ access_token: string; refresh_token: string }>('/_partner/oauth/grant', {
      clientId: client.clientId,
      accessTokenTtlSec: 1800,
    });
    if (opts.expired !== false) await cal('/_partner/oauth/expire', { accessToken: tokens.access_token });
    const created = await createConnection(env, {
      locationId,
      kind: 'calcom',
      name: 'Cal.com (OAuth)',
      credentials: {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        webhookSecret: env.CALCOM_WEBHOOK_SECRET,
      },
      settings: {
        apiBase: env.CALCOM_URL,
        eventTypeId: 1,
        timeZone: 'UTC',
        ghlCalendarId: (seed.locations[0] as unknown as { calendarId: string }).calendarId,
      },
    });
    const state = await ghlState(locationId);
    const people = location.contactIds.map((id) => state.contacts.find((c) => c.id === id)!);
    const loc = seed.locations[0] as unknown as { userIds: string[] };
    const admin = () =>
      sessionToken({
        userId: loc.userIds[0]!,
        companyId: seed.companyId,
        activeLocation: locationId,
        role: 'admin',
      });
    return { locationId, connectionId: created.connection.id, client, tokens, people, admin };
  }

  it('an expired access token is renewed once; the call goes through; the new pair is sealed in D1', async () => {
    const o = await oauthLocation(1);
    const contact = o.people[0]!;
    const { booking } = await ghlAppointment(o.locationId, contact.id, 'OAuth booking', nextSlot(), 30);
    expect(booking.attendees[0]!.email).toBe(String(contact.email).toLowerCase());
    await settled(o.locationId, contact.id);
    expect(await refreshesOf(o.client.clientId)).toHaveLength(1);

    const stored = (await openConnection(env, o.connectionId))!.credentials;
    expect(stored.accessToken).not.toBe(o.tokens.access_token);
    expect(stored.refreshToken).not.toBe(o.tokens.refresh_token);
    expect(Number(stored.accessTokenRenewAt)).toBeGreaterThan(Date.now() + 25 * 60_000);
    const row = await env.DB.prepare('SELECT * FROM connections WHERE id = ?')
      .bind(o.connectionId)
      .first<Record<string, unknown>>();
    const raw = JSON.stringify(row);
    for (const secret of [stored.accessToken!, stored.refreshToken!, o.client.clientSecret])
      expect(raw).not.toContain(secret);
    expect(row).toMatchObject({ status: 'active', last_error: null });
    expect(
      (await syncLog(o.locationId, { contactId: contact.id })).filter(
        (e) => e.status === 'failed' || e.status === 'retrying',
      ),
    ).toEqual([]);
  });

  it('contacts syncing at the same moment share one refresh', async () => {
    const o = await oauthLocation(3);
    const acted = [];
    for (const [i, person] of o.people.entries()) {
      const start = nextSlot();
      acted.push(
        await ghlAct(
          o.locationId,
          {
            action: 'appointment.create',
            contactId: person.id,
            data: { title: `Together ${i}`, startTime: start, endTime: plus(start, 30) },
          },
          { deliver: false },
        ),
      );
    }
    await Promise.all(acted.flatMap((a) => a.deliveries.map((d) => deliverGhlBody(d.body))));
    const ids = acted.map((a) => a.result.appointment.id as string);
    await eventually('three bookings', async () =>
      (await Promise.all(ids.map(bookingsFor))).every((list) => list.length === 1),
    );
    for (const person of o.people) await settled(o.locationId, person.id);
    expect(await refreshesOf(o.client.clientId)).toHaveLength(1);
    expect((await syncLog(o.locationId)).filter((e) => e.status === 'failed')).toEqual([]);
  });

  /**
   * The test's time travel for an access token: its renewal time, as stored, moves into the past
   * and Cal.com refuses it from now on, as if its life had run out. The objects' cached
   * connections go too (an abort), and so does the isolate's cached row (any write of it).
   */
  async function outlive(locationId: string, connectionId: string, accessToken: string) {
    const boundTo = `connection:${connectionId}`;
    const key = env.TOKEN_ENCRYPTION_KEY;
    const row = await env.DB.prepare('SELECT sealed_credentials AS sealed FROM connections WHERE id = ?')
      .bind(connectionId)
      .first<{ sealed: string }>();
    const credentials = JSON.parse(await unseal(key, row!.sealed, boundTo)) as Record<string, string>;
    expect(credentials.accessToken).toBe(accessToken);
    credentials.accessTokenRenewAt = String(Date.now() - 1);
    await env.DB.prepare('UPDATE connections SET sealed_credentials = ? WHERE id = ?')
      .bind(await seal(key, JSON.stringify(credentials), boundTo), connectionId)
      .run();
    await updateConnection(env, connectionId, locationId, {});
    await cal('/_partner/oauth/expire', { accessToken });
    await abortAllDurableObjects();
  }

  it('a token due for renewal is renewed before it is used', async () => {
    // The client's tokens live 2 s: due after 1 s (half their life), refused after 2 s.
    const o = await oauthLocation(1, { ttlSec: 2 });
    const contact = o.people[0]!;
    await ghlAppointment(o.locationId, contact.id, 'First', nextSlot(), 30);
    await settled(o.locationId, contact.id);
    const first = (await openConnection(env, o.connectionId))!.credentials;
    const renewAt = Number(first.accessTokenRenewAt);
    expect(renewAt - Date.now()).toBeLessThan(1000);
    await outlive(o.locationId, o.connectionId, first.accessToken!);

    await ghlAppointment(o.locationId, contact.id, 'Second', nextSlot(), 30);
    await settled(o.locationId, contact.id);
    expect(await refreshesOf(o.client.clientId)).toHaveLength(2);
    const sentWithFirst = (await calRequests()).filter((r) => r.bearer === first.accessToken);
    expect(sentWithFirst.length).toBeGreaterThan(0);
    // Renewed before use: the expired token was never sent (and so never refused).
    expect(sentWithFirst.filter((r) => r.status === 401)).toEqual([]);
    expect((await openConnection(env, o.connectionId))!.credentials.accessToken).not.toBe(first.accessToken);
  });

  it('the reconciliation sweep (in the location object) renews too', async () => {
    const o = await oauthLocation(1);
    const email = uniqueEmail('swept');
    await cal('/_partner/act/book', {
      eventTypeId: 1,
      start: nextSlot(),
      attendee: { name: 'Sid Swept', email, timeZone: 'UTC' },
    });
    const result = await tenantStub(env, o.locationId).reconcile(o.locationId);
    expect(result.partnerChanges).toBeGreaterThan(0);
    await eventually('swept contact', async () =>
      (await ghlState(o.locationId)).contacts.find((c) => c.email === email),
    );
    expect(await refreshesOf(o.client.clientId)).toHaveLength(1);
  });

  it('a refresh refused for good: the connection needs a reconnect (panel health), its work waits, and new tokens bring it back', async () => {
    const o = await oauthLocation(1);
    const contact = o.people[0]!;
    await cal('/_partner/oauth/revoke', { refreshToken: o.tokens.refresh_token });
    const start = nextSlot();
    const { result } = await ghlAct(o.locationId, {
      action: 'appointment.create',
      contactId: contact.id,
      data: { title: 'Refused', startTime: start, endTime: plus(start, 30) },
    });
    const waiting = await eventually('sync waiting', async () =>
      (await syncLog(o.locationId, { contactId: contact.id })).find(
        (e) =>
          e.objectKind === 'appointment' &&
          e.status === 'retrying' &&
          /^Reconnect needed/.test(e.error ?? ''),
      ),
    );
    expect(waiting.error).toMatch(/^Reconnect needed: Cal\.com refused to renew .*invalid_grant/);
    expect(await bookingsFor(result.appointment.id as string)).toEqual([]);

    const token = await o.admin();
    const listed = await call(token, 'GET', '/api/connections');
    const shown = listed.body.connections.find((c: { id: string }) => c.id === o.connectionId);
    expect(shown).toMatchObject({ status: 'error', lastError: expect.stringMatching(/^Reconnect needed/) });
    expect(shown.health).toMatchObject({ failed: 0, backlog: 1 });
    expect(shown.credentialNames).not.toContain('accessTokenRenewAt');
    expect(await refreshesOf(o.client.clientId)).toHaveLength(1);

    const fresh = await cal<{ access_token: string; refresh_token: string }>('/_partner/oauth/grant', {
      clientId: o.client.clientId,
    });
    const patched = await call(token, 'PATCH', `/api/connections/${o.connectionId}`, {
      credentials: { accessToken: fresh.access_token, refreshToken: fresh.refresh_token },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.connection).toMatchObject({ status: 'active', lastError: null });
    // The waiting item looks again every 10 minutes; here, now, with the object's cache of
    // connections dropped (an abort: eviction would first wait out the timers of its last calls).
    await abortAllDurableObjects();
    const stub = contactStub(env, o.locationId, contact.id);
    await runInDurableObject(
      stub,
      (_obj, state) =>
        void state.storage.sql.exec("UPDATE work SET next_attempt_at = 0 WHERE state = 'retry'"),
    );
    await runDurableObjectAlarm(stub);
    await eventually(
      'the waiting booking made',
      async () => (await bookingsFor(result.appointment.id as string)).length === 1,
    );
    const again = await ghlAppointment(o.locationId, contact.id, 'Reconnected', nextSlot(), 30);
    expect(again.booking.status).toBe('accepted');
  });
});
