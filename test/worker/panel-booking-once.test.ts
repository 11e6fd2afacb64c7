/**
 * The panel's booking honours an `Idempotency-Key`, against the GHL emulator: a double click or a
 * retry after a lost answer books once and answers the same appointment; the key with another
 * body is refused; keys belong to one location.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emu, stats } from './helpers.ts';
import { call, expectError, panelLocations, type PanelLocation } from './panel-helpers.ts';

let A: PanelLocation;
let B: PanelLocation;
const DAY = 86_400_000;
const BOOK = 'POST /calendars/events/appointments';
const keyed = (key: string) => ({ 'idempotency-key': key });

type Appointment = { id: string; contactId: string; startTime: string; calendarId: string };
const appointmentsAt = async (loc: PanelLocation, slot: string) =>
  (await emu<{ appointments: Appointment[] }>(`/_emulator/state/${loc.locationId}`)).appointments.filter(
    (a) => Date.parse(a.startTime) === Date.parse(slot),
  );
/** Booking calls GHL received for the location (an injected fault counts as `POST fault`). */
const bookingCalls = async (loc: PanelLocation) =>
  ((await stats(loc.locationId)).byRoute[BOOK] ?? 0) as number;

/** Free slots of the location's calendar over the next week; each test takes its own. */
async function freeSlots(loc: PanelLocation): Promise<string[]> {
  const now = Date.now();
  const res = await call(
    loc.token,
    'GET',
    `/api/calendars/${loc.calendarId}/free-slots?startDate=${now}&endDate=${now + 7 * DAY}&timezone=UTC`,
  );
  expect(res.status, res.text).toBe(200);
  return (res.body.days as { slots: string[] }[]).flatMap((d) => d.slots);
}
let slots: string[] = [];
const nextSlot = () => slots.shift()!;

const book = (loc: PanelLocation, contactId: string, body: object, key?: string) =>
  call(loc.token, 'POST', `/api/contacts/${contactId}/appointments`, body, key ? keyed(key) : {});

beforeAll(async () => {
  [A, B] = (await panelLocations(2, 3)) as [PanelLocation, PanelLocation];
  // Every other slot, so one test's booking never makes another's slot busy.
  slots = (await freeSlots(A)).filter((_, i) => i % 2 === 0);
  expect(slots.length).toBeGreaterThan(8);
});

afterEach(async () => {
  await emu(`/_emulator/faults?locationId=${A.locationId}`, undefined, 'DELETE');
});

describe('booking from the panel under an Idempotency-Key', () => {
  it('the same request twice with one key books once and answers the same appointment', async () => {
    const contactId = A.contactIds[0]!;
    const slot = nextSlot();
    const body = { calendarId: A.calendarId, startTime: slot, title: 'Consultation' };
    const key = crypto.randomUUID();
    const before = await bookingCalls(A);
    const first = await book(A, contactId, body, key);
    expect(first.status, first.text).toBe(201);
    const again = await book(A, contactId, body, key);
    expect(again.status, again.text).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.appointment).toMatchObject({ id: first.body.appointment.id, contactId });
    expect(await appointmentsAt(A, slot)).toEqual([
      expect.objectContaining({ id: first.body.appointment.id }),
    ]);
    expect((await bookingCalls(A)) - before).toBe(1);
    // Without a key, the same request is a new booking: the slot is taken now.
    expectError(await book(A, contactId, body), 409, 'slot_taken');
  });

  it('a double click (two requests at once, one key) makes one appointment', async () => {
    const contactId = A.contactIds[1]!;
    const slot = nextSlot();
    const body = { calendarId: A.calendarId, startTime: slot };
    const key = crypto.randomUUID();
    const [one, two] = await Promise.all([book(A, contactId, body, key), book(A, contactId, body, key)]);
    expect(one.status, one.text).toBe(201);
    expect(two.status, two.text).toBe(201);
    expect(two.body.appointment.id).toBe(one.body.appointment.id);
    expect(await appointmentsAt(A, slot)).toHaveLength(1);
  });

  it('a retry after the answer was lost (GHL booked, then answered 502) gets that booking', async () => {
    const contactId = A.contactIds[2]!;
    const slot = nextSlot();
    const body = { calendarId: A.calendarId, startTime: slot, title: 'Lost answer' };
    const key = crypto.randomUUID();
    await emu('/_emulator/faults', {
      locationId: A.locationId,
      pathPrefix: '/calendars/events/appointments',
      method: 'POST',
      status: 502,
      afterWrite: true,
      count: 1,
    });
    expectError(await book(A, contactId, body, key), 503, 'ghl_unavailable');
    const [landed] = await appointmentsAt(A, slot);
    expect(landed).toMatchObject({ contactId, calendarId: A.calendarId });

    const retry = await book(A, contactId, body, key);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.body.appointment).toMatchObject({ id: landed!.id, contactId, title: 'Lost answer' });
    expect(await appointmentsAt(A, slot)).toHaveLength(1);
    // The timeline shows it once.
    const timeline = await call(A.token, 'GET', `/api/contacts/${contactId}/timeline`);
    expect(timeline.body.items.filter((i: any) => i.id === landed!.id)).toHaveLength(1);
  });

  it('the key with another body is 422 and books nothing; a malformed key is 400', async () => {
    const contactId = A.contactIds[0]!;
    const [slot, other] = [nextSlot(), nextSlot()];
    const key = crypto.randomUUID();
    expect((await book(A, contactId, { calendarId: A.calendarId, startTime: slot }, key)).status).toBe(201);
    const before = await bookingCalls(A);
    expectError(
      await book(A, contactId, { calendarId: A.calendarId, startTime: other }, key),
      422,
      'idempotency_key_reused',
    );
    expectError(
      await book(A, contactId, { calendarId: A.calendarId, startTime: slot, title: 'Renamed' }, key),
      422,
      'idempotency_key_reused',
    );
    expect(await appointmentsAt(A, other)).toEqual([]);
    expect((await bookingCalls(A)) - before).toBe(0);
    expectError(
      await book(A, contactId, { calendarId: A.calendarId, startTime: other }, 'short'),
      400,
      'invalid_idempotency_key',
    );
    expect(await appointmentsAt(A, other)).toEqual([]);
  });

  it('keys belong to one location: the same key books in another location as a new request', async () => {
    const key = crypto.randomUUID();
    const slotA = nextSlot();
    const inA = await book(A, A.contactIds[1]!, { calendarId: A.calendarId, startTime: slotA }, key);
    expect(inA.status, inA.text).toBe(201);
    const [slotB] = await freeSlots(B);
    const inB = await book(B, B.contactIds[0]!, { calendarId: B.calendarId, startTime: slotB }, key);
    expect(inB.status, inB.text).toBe(201);
    expect(inB.headers.get('idempotent-replayed')).toBeNull();
    expect(inB.body.appointment.id).not.toBe(inA.body.appointment.id);
    expect(await appointmentsAt(B, slotB!)).toEqual([
      expect.objectContaining({ id: inB.body.appointment.id, contactId: B.contactIds[0] }),
    ]);
  });

  it('a move or a cancel sent again (its first answer lost) answers the appointment where it is, once', async () => {
    const contactId = A.contactIds[2]!;
    const [slot, target] = [nextSlot(), nextSlot()];
    const booked = await book(
      A,
      contactId,
      { calendarId: A.calendarId, startTime: slot },
      crypto.randomUUID(),
    );
    expect(booked.status, booked.text).toBe(201);
    const path = `/api/contacts/${contactId}/appointments/${booked.body.appointment.id}`;
    await emu('/_emulator/faults', {
      locationId: A.locationId,
      pathPrefix: `/calendars/events/appointments/${booked.body.appointment.id}`,
      method: 'PUT',
      status: 502,
      afterWrite: true,
      count: 1,
    });
    expectError(await call(A.token, 'PUT', path, { startTime: target }), 503, 'ghl_unavailable');
    expect(await appointmentsAt(A, target)).toHaveLength(1);
    const retried = await call(A.token, 'PUT', path, { startTime: target });
    expect(retried.status, retried.text).toBe(200);
    expect(Date.parse(retried.body.appointment.startTime)).toBe(Date.parse(target));
    expect(await appointmentsAt(A, target)).toHaveLength(1);
    expect(await appointmentsAt(A, slot)).toEqual([]);

    for (let i = 0; i < 2; i++) {
      const cancelled = await call(A.token, 'PUT', path, { appointmentStatus: 'cancelled' });
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.body.appointment.appointmentStatus).toBe('cancelled');
    }
  });
});
