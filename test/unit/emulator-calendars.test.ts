import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHarness,
  TEST_CLIENT,
  type Harness,
  type Seeded,
  type SeededLocation,
} from '../emulator/testkit/harness.ts';

let h: Harness;
let seeded: Seeded;
let loc: SeededLocation;
let other: SeededLocation;
let token: string;

beforeAll(async () => {
  h = await startHarness();
  seeded = await h.seed(2, 1);
  [loc, other] = seeded.locations as [SeededLocation, SeededLocation];
  token = (await h.installLocation(loc.id, seeded.companyId)).access_token;
});
afterAll(() => h.close());

const api = async (method: string, path: string, body?: unknown) => {
  const res = await h.api(token, method, path, body);
  return { status: res.status, body: await res.json() };
};

const DAY = 86_400_000;
/** A Monday at least a week ahead, 00:00 UTC, and the next day's: one Chicago working day sits inside. */
function aMonday(): { from: number; to: number; date: string } {
  let t = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + 8 * DAY;
  while (new Date(t).getUTCDay() !== 1) t += DAY;
  return { from: t + 6 * 3_600_000, to: t + 30 * 3_600_000, date: new Date(t).toISOString().slice(0, 10) };
}
const slotsPath = (calendarId: string, from: number, to: number, extra = '') =>
  `/calendars/${calendarId}/free-slots?startDate=${from}&endDate=${to}${extra}`;

describe('calendars: list, free slots, bookings that take a slot', () => {
  it('lists the location calendar with its open hours, slot duration and interval', async () => {
    const res = await api('GET', `/calendars/?locationId=${loc.id}`);
    expect(res.status).toBe(200);
    expect(res.body.calendars).toEqual([
      expect.objectContaining({
        id: loc.calendarId,
        locationId: loc.id,
        slotDuration: 30,
        slotInterval: 30,
        openHours: [
          {
            daysOfTheWeek: [1, 2, 3, 4, 5],
            hours: [{ openHour: 9, openMinute: 0, closeHour: 17, closeMinute: 0 }],
          },
        ],
      }),
    ]);
  });

  it('free slots follow the open hours in the location zone, keyed by day, offsets in the asked zone', async () => {
    const { from, to, date } = aMonday();
    const local = await api('GET', slotsPath(loc.calendarId, from, to));
    expect(local.status).toBe(200);
    expect(Object.keys(local.body)).toEqual([date]);
    const slots: string[] = local.body[date].slots;
    expect(slots).toHaveLength(16);
    expect(slots[0]).toMatch(new RegExp(`^${date}T09:00:00-0[56]:00$`));
    expect(slots.at(-1)).toMatch(new RegExp(`^${date}T16:30:00-0[56]:00$`));
    expect(Date.parse(slots[1]!) - Date.parse(slots[0]!)).toBe(30 * 60_000);

    const utc = await api('GET', slotsPath(loc.calendarId, from, to, '&timezone=UTC'));
    const utcSlots: string[] = utc.body[date].slots;
    expect(utcSlots.map(Date.parse)).toEqual(slots.map(Date.parse));
    expect(utcSlots[0]).toMatch(/T1[45]:00:00\+00:00$/);
  });

  it('a booked slot is no longer free, a second booking of it is refused, and cancelling frees it', async () => {
    const { from, to, date } = aMonday();
    const before: string[] = (await api('GET', slotsPath(loc.calendarId, from, to))).body[date].slots;
    const taken = before[2]!;
    const contactId = loc.contactIds[0]!;
    const book = (body: Record<string, unknown> = {}) =>
      api('POST', '/calendars/events/appointments', {
        calendarId: loc.calendarId,
        locationId: loc.id,
        contactId,
        startTime: taken,
        ...body,
      });
    const first = await book();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const after: string[] = (await api('GET', slotsPath(loc.calendarId, from, to))).body[date].slots;
    expect(after).toEqual(before.filter((s) => s !== taken));
    expect(await book()).toEqual({
      status: 400,
      body: expect.objectContaining({ message: 'The slot you have selected is no longer available.' }),
    });
    const forced = await book({ ignoreFreeSlotValidation: true });
    expect(forced.status).toBe(200);

    const free = async () => (await api('GET', slotsPath(loc.calendarId, from, to))).body[date].slots;
    await api('PUT', `/calendars/events/appointments/${first.body.id}`, { appointmentStatus: 'cancelled' });
    expect(await free()).not.toContain(taken); // the forced booking still holds it
    await api('PUT', `/calendars/events/appointments/${forced.body.id}`, { appointmentStatus: 'cancelled' });
    expect(await free()).toEqual(before);
  });

  it('refuses a range over 31 days, a missing date, an unknown zone; another location calendar is 403', async () => {
    const now = Date.now();
    expect((await api('GET', slotsPath(loc.calendarId, now, now + 32 * DAY))).status).toBe(400);
    expect((await api('GET', `/calendars/${loc.calendarId}/free-slots?startDate=${now}`)).status).toBe(422);
    expect(
      (await api('GET', slotsPath(loc.calendarId, now, now + DAY, '&timezone=Mars/Olympus'))).status,
    ).toBe(400);
    expect((await api('GET', slotsPath(other.calendarId, now, now + DAY))).status).toBe(403);
    expect((await api('GET', slotsPath('NoSuchCalendar000000', now, now + DAY))).body).toMatchObject({
      statusCode: 400,
      message: 'Calendar not found',
    });
  });
});

describe('users of a location', () => {
  it('lists the location users and the agency users by name, never another location only user', async () => {
    const res = await api('GET', `/users/?locationId=${loc.id}`);
    expect(res.status).toBe(200);
    const ids = res.body.users.map((u: { id: string }) => u.id);
    for (const id of loc.userIds) expect(ids).toContain(id);
    for (const id of other.userIds) expect(ids).not.toContain(id);
    for (const u of res.body.users) {
      expect(u).toMatchObject({
        id: expect.any(String),
        name: `${u.firstName} ${u.lastName}`,
        deleted: false,
      });
      expect(['account', 'agency']).toContain(u.roles.type);
    }
    expect((await api('GET', `/users/?locationId=${other.id}`)).status).toBe(403);
    expect((await h.api(token, 'GET', `/users/?locationId=${loc.id}`, undefined, '2021-04-15')).status).toBe(
      400,
    );
  });

  it('answers 401 to a token whose install did not grant users.readonly', async () => {
    const { code } = await h.control('/_emulator/install', {
      clientId: TEST_CLIENT.clientId,
      companyId: seeded.companyId,
      userType: 'Location',
      locationIds: [other.id],
      webhooks: 'none',
      scope: 'contacts.readonly calendars.readonly',
    });
    const narrow = (await (await h.exchange(code)).json()).access_token as string;
    const res = await h.api(narrow, 'GET', `/users/?locationId=${other.id}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'The token is not authorized for this scope.' });
    expect((await h.api(narrow, 'GET', `/calendars/?locationId=${other.id}`)).status).toBe(200);
  });
});
