/**
 * The Cal.com connector through the real sync engine, both ways, against the Cal.com emulator
 * over HTTP (test/partners/README.md). The worker listens on no port in the test pool, so Cal.com
 * webhooks go to a dead end and each test hands the signed delivery to the worker itself.
 *
 * The Cal.com emulator is shared with every test file: each test uses its own location, its own
 * emails and its own booking times (one host, so times must not overlap).
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConnection } from '../../worker/connectors/connections.ts';
import { tenantStub } from '../../worker/durable/location.ts';
import { emu, installedLocation } from './helpers.ts';
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
  attendees: { name: string; email: string; absent: boolean; phoneNumber?: string }[];
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
    settings: { apiBase: env.CALCOM_URL, eventTypeId: 1, timeZone: 'UTC', ...(opts.calendar === false ? {} : { ghlCalendarId: calendarId }) },
  });
  const contact = (await ghlState(locationId)).contacts.find((c) => c.id === location.contactIds[0])!;
  return { locationId, connectionId: created.connection.id, contactIds: location.contactIds, contact, calendarId };
}

/** Posts a Cal.com delivery to the worker with the headers Cal.com signed it with. */
async function deliverCal(connectionId: string, delivery: CalDelivery, expectStatus = 200) {
  const res = await SELF.fetch(`http://app.test/webhooks/partner/${connectionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cal-signature-256': delivery.headers['x-cal-signature-256']! },
    body: delivery.body,
  });
  const text = await res.text();
  expect(res.status, text).toBe(expectStatus);
  return JSON.parse(text) as { ok: boolean; accepted: number; duplicates: number };
}

/** A Cal.com user books on the booking page; the webhook is handed to the worker. */
async function book(connectionId: string, input: Record<string, unknown>) {
  const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', { eventTypeId: 1, ...input });
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
const apptsOf = async (locationId: string, contactId: string) => (await ghlState(locationId)).appointments.filter((a) => a.contactId === contactId);

/** Bookings the worker made in Cal.com for one GHL appointment (metadata.ghlAppointmentId). */
const bookingsFor = async (ghlAppointmentId: string) => (await calState()).bookings.filter((b) => b.metadata?.ghlAppointmentId === ghlAppointmentId);

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
  (await emu<{ deliveries: { body: string; type: string }[] }>(`/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`)).deliveries;

describe('Cal.com → GHL', () => {
  it('a booking by a known attendee becomes a GHL appointment on the contact matched by email', async () => {
    const { locationId, connectionId, contact, contactIds } = await calLocation();
    const start = nextSlot();
    const booking = await book(connectionId, { start, attendee: { name: contact.name, email: String(contact.email).toUpperCase(), timeZone: 'UTC' } });

    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    expect(sameTime(appt.startTime, start)).toBe(true);
    expect(sameTime(appt.endTime, plus(start, 30))).toBe(true);
    expect(appt.appointmentStatus).toBe('confirmed');
    expect(appt.title).toBe(booking.title);
    await settled(locationId, contact.id);

    const state = await ghlState(locationId);
    expect(state.contacts).toHaveLength(contactIds.length);
    expect(state.contacts.find((c) => c.id === contact.id)).toMatchObject({ email: contact.email, firstName: contact.firstName, lastName: contact.lastName });
    expect(state.appointments).toHaveLength(1);
    const log = await syncLog(locationId, { contactId: contact.id });
    expect(log.filter((e) => e.objectKind === 'appointment' && e.status === 'done' && e.action === 'create appointment in GHL')).toHaveLength(1);
    expect(log.filter((e) => e.status === 'failed')).toHaveLength(0);
  });

  it('a booking by an unknown attendee creates the GHL contact; its notes become a GHL note', async () => {
    const { locationId, connectionId, contactIds } = await calLocation();
    const email = uniqueEmail('newcomer');
    const start = nextSlot();
    await book(connectionId, { start, attendee: { name: 'Nora Newcomer', email, timeZone: 'Europe/Berlin' }, notes: 'Wants to talk about pricing' });

    const created = await eventually('new GHL contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    expect(contactIds).not.toContain(created.id);
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, created.id))[0]);
    expect(sameTime(appt.startTime, start)).toBe(true);
    const note = await eventually('GHL note', async () => (await ghlState(locationId)).notes.find((n) => n.contactId === created.id));
    expect(note.body).toBe('Wants to talk about pricing');
    await settled(locationId, created.id);

    const state = await ghlState(locationId);
    expect(state.contacts).toHaveLength(contactIds.length + 1);
    expect(state.notes.filter((n) => n.contactId === created.id)).toHaveLength(1);
    const log = await syncLog(locationId);
    expect(log.find((e) => e.action === 'create contact in GHL' && e.contactId === created.id)?.status).toBe('done');
    const done = log.filter((e) => e.contactId === created.id && e.status === 'done').map((e) => e.objectKind);
    expect(done).toEqual(expect.arrayContaining(['appointment', 'note']));
  });

  it('a reschedule (new uid) moves the same GHL appointment; a cancel cancels it', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('mover');
    const start = nextSlot();
    const booking = await book(connectionId, { start, attendee: { name: 'Max Mover', email, timeZone: 'UTC' } });
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    const first = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);

    const later = nextSlot();
    const moved = await calAct(connectionId, '/_partner/act/reschedule', { uid: booking.uid, start: later, reason: 'conflict' });
    expect(moved.booking.uid).not.toBe(booking.uid);
    await eventually('appointment moved', async () => sameTime((await apptsOf(locationId, contact.id))[0]?.startTime ?? '', later));
    await settled(locationId, contact.id);
    let appts = await apptsOf(locationId, contact.id);
    expect(appts).toHaveLength(1);
    expect(appts[0]!.id).toBe(first.id);
    expect(sameTime(appts[0]!.endTime, plus(later, 30))).toBe(true);
    expect(appts[0]!.appointmentStatus).toBe('confirmed');

    await calAct(connectionId, '/_partner/act/cancel', { uid: moved.booking.uid, reason: 'sick' });
    await eventually('appointment cancelled', async () => (await apptsOf(locationId, contact.id))[0]?.appointmentStatus === 'cancelled');
    await settled(locationId, contact.id);
    appts = await apptsOf(locationId, contact.id);
    expect(appts).toHaveLength(1);
    expect(appts[0]!.id).toBe(first.id);

    const log = (await syncLog(locationId, { contactId: contact.id })).filter((e) => e.objectKind === 'appointment');
    expect(log.filter((e) => e.status === 'done').map((e) => e.action).reverse()).toEqual([
      'create appointment in GHL',
      'update appointment in GHL',
      'update appointment in GHL',
    ]);
  });

  it('a booking and its reschedule arriving back to back give one GHL appointment at the new time', async () => {
    const { locationId, connectionId } = await calLocation(1);
    const email = uniqueEmail('burst');
    const booked = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', { eventTypeId: 1, start: nextSlot(), attendee: { name: 'Bea Burst', email, timeZone: 'UTC' }, notes: 'v1' });
    const later = nextSlot();
    const moved = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/reschedule', { uid: booked.booking.uid, start: later });
    await Promise.all([deliverCal(connectionId, booked.delivery), deliverCal(connectionId, moved.delivery)]);
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    await eventually('moved', async () => sameTime((await apptsOf(locationId, contact.id))[0]?.startTime ?? '', later));
    await settled(locationId, contact.id);
    expect(await apptsOf(locationId, contact.id)).toHaveLength(1);
    expect((await ghlState(locationId)).notes.filter((n) => n.contactId === contact.id)).toHaveLength(1);
  });

  // The ID map remembers the uids a booking had before a reschedule, so a BOOKING_CREATED for the
  // old uid delivered after the reschedule (a manual redelivery) is recognised as older.
  it('a late BOOKING_CREATED of a booking already rescheduled does not add a second GHL appointment', async () => {
    const { locationId, connectionId } = await calLocation(1);
    const email = uniqueEmail('late');
    const booked = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', { eventTypeId: 1, start: nextSlot(), attendee: { name: 'Lee Late', email, timeZone: 'UTC' } });
    const later = nextSlot();
    const moved = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/reschedule', { uid: booked.booking.uid, start: later });
    await deliverCal(connectionId, moved.delivery);
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
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
    const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', { eventTypeId: 1, start: nextSlot(), requiresConfirmation: true, attendee: { name: 'Pen Ding', email, timeZone: 'UTC' } });
    expect(r.delivery.event).toBe('BOOKING_REQUESTED');
    await deliverCal(connectionId, r.delivery);
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    expect(appt.appointmentStatus).toBe('new');
  });

  it('a no-show mark tags the GHL contact', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('absent');
    const booking = await book(connectionId, { start: nextSlot(), attendee: { name: 'Abby Absent', email, timeZone: 'UTC' } });
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);

    const r = await calAct(connectionId, '/_partner/act/no-show', { uid: booking.uid });
    expect(r.delivery.event).toBe('BOOKING_NO_SHOW_UPDATED');
    await eventually('no-show tag', async () => ((await ghlState(locationId)).contacts.find((c) => c.id === contact.id)?.tags ?? []).includes('no-show'));
    await settled(locationId, contact.id);
    const log = await syncLog(locationId, { contactId: contact.id });
    expect(log.find((e) => e.action.includes('no-show'))?.status).toBe('done');
  });

  it('a phone-only booking (Cal.com invents <digits>@sms.cal.com) matches the contact by phone and keeps its real email', async () => {
    const { locationId, connectionId, contact, contactIds } = await calLocation();
    expect(contact.phone).toMatch(/^\+\d{7,}$/);
    const start = nextSlot();
    const booking = await book(connectionId, { start, attendee: { name: contact.name, phoneNumber: contact.phone, timeZone: 'UTC' } });
    expect(booking.attendees[0]!.email).toMatch(/@sms\.cal\.com$/);
    await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);
    const r = await calAct(connectionId, '/_partner/act/no-show', { uid: booking.uid });
    expect(r.delivery.event).toBe('BOOKING_NO_SHOW_UPDATED');
    await eventually('no-show tag', async () => ((await ghlState(locationId)).contacts.find((c) => c.id === contact.id)?.tags ?? []).includes('no-show'));
    await settled(locationId, contact.id);

    const state = await ghlState(locationId);
    expect(state.contacts).toHaveLength(contactIds.length);
    expect(state.contacts.find((c) => c.id === contact.id)).toMatchObject({ email: contact.email, phone: contact.phone });
    expect(JSON.stringify(state.contacts)).not.toContain('sms.cal.com');
  });

  it('a phone-only booking by someone new creates a contact with the phone and no placeholder email', async () => {
    const { locationId, connectionId, contactIds } = await calLocation();
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    await book(connectionId, { start: nextSlot(), attendee: { name: 'Pat Phone', phoneNumber: phone, timeZone: 'UTC' } });
    const created = await eventually('new contact', async () => (await ghlState(locationId)).contacts.find((c) => c.phone === phone));
    expect(created.email).toBeUndefined();
    await eventually('GHL appointment', async () => (await apptsOf(locationId, created.id))[0]);
    await settled(locationId, created.id);
    expect((await ghlState(locationId)).contacts).toHaveLength(contactIds.length + 1);
  });

  it('a connection that names no GHL calendar books into the location’s calendar', async () => {
    const { locationId, connectionId, calendarId } = await calLocation(1, { calendar: false });
    const email = uniqueEmail('nocal');
    await book(connectionId, { start: nextSlot(), attendee: { name: 'Cal Less', email, timeZone: 'UTC' } });
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    expect(appt.calendarId).toBe(calendarId);
    await settled(locationId, contact.id);
    expect((await syncLog(locationId)).filter((e) => e.status === 'failed' || e.status === 'retrying')).toEqual([]);
  });

  it('a redelivered Cal.com webhook is applied once', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('twice');
    const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', { eventTypeId: 1, start: nextSlot(), attendee: { name: 'Tim Twice', email, timeZone: 'UTC' }, notes: 'once please' });
    const firstAnswer = await deliverCal(connectionId, r.delivery);
    expect(firstAnswer.accepted).toBe(3);
    for (let i = 0; i < 2; i++) expect(await deliverCal(connectionId, r.delivery)).toMatchObject({ accepted: 0, duplicates: 3 });
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);
    const state = await ghlState(locationId);
    expect(state.appointments.filter((a) => a.contactId === contact.id)).toHaveLength(1);
    expect(state.notes.filter((n) => n.contactId === contact.id)).toHaveLength(1);
  });

  it('refuses a delivery with a bad signature and stores nothing', async () => {
    const { locationId, connectionId } = await calLocation();
    const r = await cal<{ booking: CalBooking; delivery: CalDelivery }>('/_partner/act/book', { eventTypeId: 1, start: nextSlot(), attendee: { name: 'Eve', email: uniqueEmail('forged'), timeZone: 'UTC' } });
    const forged = await cal<{ body: string; headers: Record<string, string> }>('/_partner/sign', { body: r.delivery.body, secret: 'not-the-secret' });
    await deliverCal(connectionId, { event: r.delivery.event, body: forged.body, headers: forged.headers }, 401);
    await deliverCal(connectionId, { event: r.delivery.event, body: r.delivery.body, headers: { 'x-cal-signature-256': 'no-secret-provided' } }, 401);
    const state = await ghlState(locationId);
    expect(state.appointments).toHaveLength(0);
    expect(await syncLog(locationId)).toHaveLength(0);
  });

  it('our own write to GHL does not bounce back to Cal.com', async () => {
    const { locationId, connectionId } = await calLocation();
    const email = uniqueEmail('bounce');
    const booking = await book(connectionId, { start: nextSlot(), attendee: { name: 'Bo Bounce', email, timeZone: 'UTC' } });
    const contact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === email));
    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);

    // GHL now sends AppointmentCreate (and contact events) for what we wrote: hand them over.
    const sent = (await ghlDeliveries(locationId)).filter((d) => d.type.startsWith('Appointment') || d.type.startsWith('Contact'));
    expect(sent.some((d) => d.type === 'AppointmentCreate')).toBe(true);
    for (const d of sent) await deliverGhlBody(d.body);
    await settled(locationId, contact.id);

    expect(await bookingsFor(appt.id)).toHaveLength(0);
    let all = (await calState()).bookings.filter((b) => b.attendees.some((a) => a.email === email));
    expect(all.map((b) => b.uid)).toEqual([booking.uid]);

    // The same for GHL's AppointmentUpdate after a Cal.com reschedule and cancel.
    const mark = (await ghlDeliveries(locationId)).length;
    const moved = await calAct(connectionId, '/_partner/act/reschedule', { uid: booking.uid, start: nextSlot() });
    await eventually('appointment moved', async () => sameTime((await apptsOf(locationId, contact.id))[0]!.startTime, moved.booking.start));
    await settled(locationId, contact.id);
    await calAct(connectionId, '/_partner/act/cancel', { uid: moved.booking.uid });
    await eventually('appointment cancelled', async () => (await apptsOf(locationId, contact.id))[0]!.appointmentStatus === 'cancelled');
    await settled(locationId, contact.id);
    const updates = (await ghlDeliveries(locationId)).slice(mark).filter((d) => d.type === 'AppointmentUpdate');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const d of updates) await deliverGhlBody(d.body);
    await settled(locationId, contact.id);
    all = (await calState()).bookings.filter((b) => b.attendees.some((a) => a.email === email));
    expect(all.map((b) => [b.uid, b.status])).toEqual([[booking.uid, 'cancelled'], [moved.booking.uid, 'cancelled']]);
    const outbound = (await syncLog(locationId, { contactId: contact.id })).filter((e) => e.objectKind === 'appointment' && e.action.includes('Cal.com'));
    expect(outbound.length).toBeGreaterThan(0);
    expect(outbound.every((e) => e.status === 'skipped')).toBe(true);
  });
});

describe('reconciliation', () => {
  it('the sweep picks up a booking whose webhook was lost, once, and adds nothing for one already synced', async () => {
    const { locationId, connectionId } = await calLocation();
    const synced = uniqueEmail('synced');
    const lost = uniqueEmail('lost');
    await book(connectionId, { start: nextSlot(), attendee: { name: 'Sam Synced', email: synced, timeZone: 'UTC' } });
    const syncedContact = await eventually('contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === synced));
    await eventually('appointment', async () => (await apptsOf(locationId, syncedContact.id))[0]);
    await settled(locationId, syncedContact.id);
    const lostStart = nextSlot();
    // Booked, but its webhook never reached us.
    await cal('/_partner/act/book', { eventTypeId: 1, start: lostStart, attendee: { name: 'Lou Lost', email: lost, timeZone: 'UTC' }, notes: 'came via the sweep' });

    const first = await tenantStub(env, locationId).reconcile(locationId);
    expect(first.partnerChanges).toBeGreaterThan(0);
    const lostContact = await eventually('lost contact', async () => (await ghlState(locationId)).contacts.find((c) => c.email === lost));
    const appt = await eventually('lost appointment', async () => (await apptsOf(locationId, lostContact.id))[0]);
    expect(sameTime(appt.startTime, lostStart)).toBe(true);
    await eventually('note', async () => (await ghlState(locationId)).notes.find((n) => n.contactId === lostContact.id && n.body === 'came via the sweep'));
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
    const { result } = await ghlAct(locationId, { action: 'appointment.create', contactId: contact.id, data: { title: 'Demo call', startTime: start, endTime: plus(start, 30) } });
    const ghlId = result.appointment.id as string;

    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    expect(made!.status).toBe('accepted');
    expect(sameTime(made!.start, start)).toBe(true);
    expect(made!.attendees[0]!.email).toBe(String(contact.email).toLowerCase());
    await settled(locationId, contact.id);
    expect((await syncLog(locationId, { contactId: contact.id })).find((e) => e.action === 'create appointment in Cal.com')).toMatchObject({ status: 'done', objectId: made!.uid });

    // Cal.com announces the booking we made: that must not become a second GHL appointment.
    await deliverCal(connectionId, await deliveryOf('BOOKING_CREATED', made!.uid));
    await settled(locationId, contact.id);
    const appts = await apptsOf(locationId, contact.id);
    expect(appts.map((a) => a.id)).toEqual([ghlId]);
    const inbound = (await syncLog(locationId, { contactId: contact.id })).filter((e) => e.objectKind === 'appointment' && e.action.endsWith('in GHL'));
    expect(inbound.length).toBeGreaterThan(0);
    expect(inbound.every((e) => e.status === 'skipped')).toBe(true);
    expect(await bookingsFor(ghlId)).toHaveLength(1);
  });

  it('a moved GHL appointment reschedules the booking; a cancelled one cancels it', async () => {
    const { locationId, connectionId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(locationId, { action: 'appointment.create', contactId: contact.id, data: { title: 'Check-in', startTime: start, endTime: plus(start, 30) } });
    const ghlId = result.appointment.id as string;
    const [first] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);

    const later = nextSlot();
    await ghlAct(locationId, { action: 'appointment.update', appointmentId: ghlId, data: { startTime: later, endTime: plus(later, 30) } });
    const moved = await eventually('rescheduled booking', async () => (await bookingsFor(ghlId)).find((b) => b.rescheduledFromUid === first!.uid));
    expect(sameTime(moved.start, later)).toBe(true);
    expect(moved.status).toBe('accepted');
    expect(moved.attendees[0]!.email).toBe(String(contact.email).toLowerCase());
    expect((await calState()).bookings.find((b) => b.uid === first!.uid)).toMatchObject({ status: 'cancelled', rescheduledToUid: moved.uid });
    await settled(locationId, contact.id);

    // Cal.com's BOOKING_RESCHEDULED echo leaves GHL as it is.
    await deliverCal(connectionId, await deliveryOf('BOOKING_RESCHEDULED', moved.uid));
    await settled(locationId, contact.id);
    expect((await apptsOf(locationId, contact.id)).map((a) => a.id)).toEqual([ghlId]);

    await ghlAct(locationId, { action: 'appointment.update', appointmentId: ghlId, data: { appointmentStatus: 'cancelled' } });
    await eventually('booking cancelled', async () => (await calState()).bookings.find((b) => b.uid === moved.uid)?.status === 'cancelled');
    await settled(locationId, contact.id);
    expect((await bookingsFor(ghlId)).filter((b) => b.status !== 'cancelled')).toHaveLength(0);
    // ... and so does its BOOKING_CANCELLED echo.
    await deliverCal(connectionId, await deliveryOf('BOOKING_CANCELLED', moved.uid));
    await settled(locationId, contact.id);
    expect((await apptsOf(locationId, contact.id)).map((a) => [a.id, a.appointmentStatus])).toEqual([[ghlId, 'cancelled']]);
    const inbound = (await syncLog(locationId, { contactId: contact.id })).filter((e) => e.objectKind === 'appointment' && e.action.endsWith('in GHL'));
    expect(inbound.length).toBeGreaterThanOrEqual(2);
    expect(inbound.every((e) => e.status === 'skipped')).toBe(true);

    const actions = (await syncLog(locationId, { contactId: contact.id }))
      .filter((e) => e.objectKind === 'appointment' && e.action.includes('Cal.com') && e.status === 'done')
      .map((e) => e.action)
      .reverse();
    expect(actions).toEqual(['create appointment in Cal.com', 'update appointment in Cal.com', 'update appointment in Cal.com']);
    expect((await ghlState(locationId)).appointments.find((a) => a.id === ghlId)?.appointmentStatus).toBe('cancelled');
  });

  it('a Cal.com user moving and cancelling a booking made from GHL moves and cancels the GHL appointment', async () => {
    const { locationId, connectionId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(locationId, { action: 'appointment.create', contactId: contact.id, data: { title: 'Two-way', startTime: start, endTime: plus(start, 30) } });
    const ghlId = result.appointment.id as string;
    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);

    const later = nextSlot();
    const moved = await calAct(connectionId, '/_partner/act/reschedule', { uid: made!.uid, start: later });
    await eventually('GHL appointment moved', async () => sameTime((await apptsOf(locationId, contact.id)).find((a) => a.id === ghlId)?.startTime ?? '', later));
    await settled(locationId, contact.id);
    await calAct(connectionId, '/_partner/act/cancel', { uid: moved.booking.uid });
    await eventually('GHL appointment cancelled', async () => (await apptsOf(locationId, contact.id)).find((a) => a.id === ghlId)?.appointmentStatus === 'cancelled');
    await settled(locationId, contact.id);
    expect((await apptsOf(locationId, contact.id)).map((a) => a.id)).toEqual([ghlId]);
    const inbound = (await syncLog(locationId, { contactId: contact.id })).filter((e) => e.objectKind === 'appointment' && e.action.endsWith('in GHL') && e.status === 'done');
    expect(inbound.map((e) => e.action)).toEqual(['update appointment in GHL', 'update appointment in GHL']);
  });

  it('a contact with only a phone is booked by phone; the echo leaves the contact without an email', async () => {
    const { locationId, connectionId } = await calLocation(1);
    const phone = `+1555${String(Date.now() + 7).slice(-7)}`;
    const made = await ghlAct(locationId, { action: 'contact.create', data: { firstName: 'Phoebe', lastName: 'Only', phone } });
    const contactId = made.result.contact.id as string;
    const start = nextSlot();
    const { result } = await ghlAct(locationId, { action: 'appointment.create', contactId, data: { title: 'By phone', startTime: start, endTime: plus(start, 30) } });
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
    const { result } = await ghlAct(locationId, { action: 'appointment.create', contactId: contact.id, data: { title: 'Missed', startTime: start, endTime: plus(start, 30) } });
    const ghlId = result.appointment.id as string;
    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);
    await ghlAct(locationId, { action: 'appointment.update', appointmentId: ghlId, data: { appointmentStatus: 'noshow' } });
    await eventually('attendee absent', async () => (await calState()).bookings.find((b) => b.uid === made!.uid)?.attendees[0]?.absent === true);
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
    const { result } = await ghlAct(locationId, { action: 'appointment.create', contactId: contact.id, data: { title: 'Short lived', startTime: start, endTime: plus(start, 30) } });
    const ghlId = result.appointment.id as string;
    const [made] = await eventually('Cal.com booking', async () => {
      const list = await bookingsFor(ghlId);
      return list.length ? list : null;
    });
    await settled(locationId, contact.id);
    await ghlAct(locationId, { action: 'appointment.delete', appointmentId: ghlId });
    await eventually('booking cancelled', async () => (await calState()).bookings.find((b) => b.uid === made!.uid)?.status === 'cancelled');
    await settled(locationId, contact.id);
    expect((await syncLog(locationId, { contactId: contact.id })).find((e) => e.action === 'delete appointment in Cal.com')?.status).toBe('done');
  });

  it('the same GHL webhook delivered three times creates one booking', async () => {
    const { locationId, contact } = await calLocation();
    const start = nextSlot();
    const { result } = await ghlAct(locationId, { action: 'appointment.create', contactId: contact.id, data: { title: 'Thrice', startTime: start, endTime: plus(start, 30) } }, { times: 3 });
    const ghlId = result.appointment.id as string;
    await eventually('Cal.com booking', async () => (await bookingsFor(ghlId)).length > 0);
    await settled(locationId, contact.id);
    expect(await bookingsFor(ghlId)).toHaveLength(1);
    const creates = (await syncLog(locationId, { contactId: contact.id })).filter((e) => e.action === 'create appointment in Cal.com');
    expect(creates.map((e) => e.status)).toEqual(['done']);
  });

  it('notes, tasks and tags stay in GHL (Cal.com takes only appointments)', async () => {
    const { locationId, contact } = await calLocation();
    const before = (await cal<{ requests: unknown[] }>('/_partner/requests')).requests.length;
    await ghlAct(locationId, { action: 'note.create', contactId: contact.id, data: { body: 'internal only' } });
    await ghlAct(locationId, { action: 'tags.add', contactId: contact.id, tags: ['vip'] });
    await settled(locationId, contact.id);
    const calls = (await cal<{ requests: { body: unknown }[] }>('/_partner/requests')).requests.slice(before);
    expect(JSON.stringify(calls)).not.toContain('internal only');
    expect((await syncLog(locationId, { contactId: contact.id })).filter((e) => e.action.includes('Cal.com'))).toHaveLength(0);
  });
});
