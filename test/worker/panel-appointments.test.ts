import { beforeAll, describe, expect, it } from 'vitest';
import { emu, installLocation, seedCompany } from './helpers.ts';
import {
  act,
  call,
  expectError,
  expectNoLeak,
  ghlRequests,
  panelLocations,
  sessionToken,
  type PanelLocation,
} from './panel-helpers.ts';

let A: PanelLocation;
let B: PanelLocation;
let bAppointmentId: string;
const DAY = 86_400_000;

type Appointment = {
  id: string;
  contactId: string;
  startTime: string;
  endTime: string;
  appointmentStatus: string;
};
const ghlAppointments = async (loc: PanelLocation) =>
  (await emu<{ appointments: Appointment[] }>(`/_emulator/state/${loc.locationId}`)).appointments;

/** The free slots of the next week, flattened. */
async function freeSlots(loc: PanelLocation, calendarId = loc.calendarId): Promise<string[]> {
  const now = Date.now();
  const res = await call(
    loc.token,
    'GET',
    `/api/calendars/${calendarId}/free-slots?startDate=${now}&endDate=${now + 7 * DAY}&timezone=America/Chicago`,
  );
  expect(res.status, res.text).toBe(200);
  return (res.body.days as { slots: string[] }[]).flatMap((d) => d.slots);
}

beforeAll(async () => {
  [A, B] = (await panelLocations(2, 3)) as [PanelLocation, PanelLocation];
  bAppointmentId = (
    await act(B.locationId, 'appointment.create', {
      contactId: B.contactIds[0],
      data: { startTime: new Date(Date.now() + 3 * DAY).toISOString(), title: 'B private visit' },
    })
  ).appointment.id;
});

describe('calendars and free slots of the session location', () => {
  it('lists only the location calendars, with their slot length', async () => {
    const res = await call(A.token, 'GET', '/api/calendars');
    expect(res.status, res.text).toBe(200);
    expect(res.body.calendars).toEqual([
      expect.objectContaining({ id: A.calendarId, slotDuration: 30, isActive: true }),
    ]);
    expectNoLeak(res, [B.calendarId]);
  });

  it('answers free slots by day in the asked zone; another location calendar is 404', async () => {
    const now = Date.now();
    const res = await call(
      A.token,
      'GET',
      `/api/calendars/${A.calendarId}/free-slots?startDate=${now}&endDate=${now + 7 * DAY}&timezone=America/Chicago`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.calendar.id).toBe(A.calendarId);
    expect(res.body.days.length).toBeGreaterThanOrEqual(4);
    for (const day of res.body.days) {
      expect(day.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const slot of day.slots) expect(slot.startsWith(day.date)).toBe(true);
    }
    const foreign = await call(
      A.token,
      'GET',
      `/api/calendars/${B.calendarId}/free-slots?startDate=${now}&endDate=${now + DAY}`,
    );
    expectError(foreign, 404, 'not_found');
    expectNoLeak(foreign, [B.locationId]);
  });

  it('refuses a range over 31 days, an end before the start, a made-up zone and a malformed id', async () => {
    const now = Date.now();
    const slots = (q: string, id = A.calendarId) =>
      call(A.token, 'GET', `/api/calendars/${id}/free-slots?${q}`);
    expectError(await slots(`startDate=${now}&endDate=${now + 32 * DAY}`), 400, 'invalid_query');
    expectError(await slots(`startDate=${now}&endDate=${now - DAY}`), 400, 'invalid_query');
    expectError(
      await slots(`startDate=${now}&endDate=${now + DAY}&timezone=Mars/Olympus`),
      400,
      'invalid_query',
    );
    expectError(await slots(`startDate=yesterday&endDate=${now}`), 400, 'invalid_query');
    expectError(await slots(`startDate=${now}&endDate=${now + DAY}`, 'bad$id'), 400, 'invalid_id');
  });
});

describe('book, reschedule and cancel from the contact', () => {
  it('books a free slot in GHL, shows it on the warm timeline, and the slot is no longer free', async () => {
    const contactId = A.contactIds[0]!;
    expect((await call(A.token, 'GET', `/api/contacts/${contactId}/timeline`)).status).toBe(200);
    const [slot] = await freeSlots(A);
    const res = await call(A.token, 'POST', `/api/contacts/${contactId}/appointments`, {
      calendarId: A.calendarId,
      startTime: slot,
    });
    expect(res.status, res.text).toBe(201);
    const id = res.body.appointment.id as string;
    const inGhl = (await ghlAppointments(A)).find((a) => a.id === id)!;
    expect(inGhl).toMatchObject({ contactId, appointmentStatus: 'confirmed' });
    expect(Date.parse(inGhl.startTime)).toBe(Date.parse(slot!));
    expect(Date.parse(inGhl.endTime) - Date.parse(inGhl.startTime)).toBe(30 * 60_000);
    expect(await freeSlots(A)).not.toContain(slot);

    const before = await ghlRequests(A.locationId);
    const timeline = await call(A.token, 'GET', `/api/contacts/${contactId}/timeline`);
    expect((await ghlRequests(A.locationId)) - before).toBe(0);
    expect(timeline.body.items).toContainEqual(
      expect.objectContaining({ kind: 'appointment', id, status: 'confirmed' }),
    );

    const again = await call(A.token, 'POST', `/api/contacts/${A.contactIds[1]}/appointments`, {
      calendarId: A.calendarId,
      startTime: slot,
    });
    expectError(again, 409, 'slot_taken');
  });

  it('moves the appointment to another free slot, keeping its length, then cancels it and frees the slot', async () => {
    const contactId = A.contactIds[1]!;
    const slots = await freeSlots(A);
    const booked = await call(A.token, 'POST', `/api/contacts/${contactId}/appointments`, {
      calendarId: A.calendarId,
      startTime: slots[3],
      title: 'Check-up',
    });
    expect(booked.status, booked.text).toBe(201);
    const id = booked.body.appointment.id as string;

    const moved = await call(A.token, 'PUT', `/api/contacts/${contactId}/appointments/${id}`, {
      startTime: slots[5],
    });
    expect(moved.status, moved.text).toBe(200);
    const afterMove = (await ghlAppointments(A)).find((a) => a.id === id)!;
    expect(Date.parse(afterMove.startTime)).toBe(Date.parse(slots[5]!));
    expect(Date.parse(afterMove.endTime) - Date.parse(afterMove.startTime)).toBe(30 * 60_000);
    const free = await freeSlots(A);
    expect(free).toContain(slots[3]);
    expect(free).not.toContain(slots[5]);

    const cancelled = await call(A.token, 'PUT', `/api/contacts/${contactId}/appointments/${id}`, {
      appointmentStatus: 'cancelled',
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect((await ghlAppointments(A)).find((a) => a.id === id)!.appointmentStatus).toBe('cancelled');
    expect(await freeSlots(A)).toContain(slots[5]);
    const timeline = await call(A.token, 'GET', `/api/contacts/${contactId}/timeline`);
    expect(timeline.body.items).toContainEqual(expect.objectContaining({ id, status: 'cancelled' }));

    expectError(
      await call(A.token, 'PUT', `/api/contacts/${contactId}/appointments/${id}`, { startTime: slots[6] }),
      409,
      'appointment_cancelled',
    );
  });

  it('refuses a time the calendar does not offer', async () => {
    const sunday = new Date(Date.now() + 7 * DAY);
    sunday.setUTCDate(sunday.getUTCDate() + ((7 - sunday.getUTCDay()) % 7));
    sunday.setUTCHours(18, 0, 0, 0);
    const res = await call(A.token, 'POST', `/api/contacts/${A.contactIds[2]}/appointments`, {
      calendarId: A.calendarId,
      startTime: sunday.toISOString(),
    });
    expectError(res, 409, 'slot_taken');
  });

  it('another location calendar, contact or appointment answers 404 and changes nothing', async () => {
    const [slot] = await freeSlots(A);
    expectError(
      await call(A.token, 'POST', `/api/contacts/${A.contactIds[2]}/appointments`, {
        calendarId: B.calendarId,
        startTime: slot,
      }),
      404,
      'not_found',
    );
    expectError(
      await call(A.token, 'POST', `/api/contacts/${B.contactIds[0]}/appointments`, {
        calendarId: A.calendarId,
        startTime: slot,
      }),
      404,
      'not_found',
    );
    const before = (await ghlAppointments(B)).find((a) => a.id === bAppointmentId)!;
    for (const body of [{ appointmentStatus: 'cancelled' }, { startTime: slot }]) {
      const res = await call(
        A.token,
        'PUT',
        `/api/contacts/${A.contactIds[2]}/appointments/${bAppointmentId}`,
        body,
      );
      expectError(res, 404, 'not_found');
      expectNoLeak(res, ['B private visit']);
    }
    expect((await ghlAppointments(B)).find((a) => a.id === bAppointmentId)).toEqual(before);
    expect((await ghlAppointments(A)).filter((a) => a.contactId === A.contactIds[2])).toEqual([]);
  });

  it('an appointment GHL does not know is 404 "Appointment not found"', async () => {
    const res = await call(
      A.token,
      'PUT',
      `/api/contacts/${A.contactIds[0]}/appointments/NoSuchAppointment000`,
      {
        appointmentStatus: 'cancelled',
      },
    );
    expectError(res, 404, 'not_found');
    expect(res.body.error.message).toBe('Appointment not found');
  });

  it('an appointment of another contact of the same location is 404 under this contact', async () => {
    const [slot] = await freeSlots(A);
    const booked = await call(A.token, 'POST', `/api/contacts/${A.contactIds[0]}/appointments`, {
      calendarId: A.calendarId,
      startTime: slot,
    });
    expect(booked.status, booked.text).toBe(201);
    const res = await call(
      A.token,
      'PUT',
      `/api/contacts/${A.contactIds[2]}/appointments/${booked.body.appointment.id}`,
      {
        appointmentStatus: 'cancelled',
      },
    );
    expectError(res, 404, 'not_found');
  });

  it('refuses bodies that are not a slot or a status', async () => {
    const path = `/api/contacts/${A.contactIds[0]}/appointments`;
    expectError(
      await call(A.token, 'POST', path, { calendarId: A.calendarId, startTime: '2030-01-07 10:00' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'POST', path, { startTime: '2030-01-07T10:00:00Z' }),
      422,
      'invalid_input',
    );
    expectError(await call(A.token, 'PUT', `${path}/${bAppointmentId}`, {}), 422, 'invalid_input');
    expectError(
      await call(A.token, 'PUT', `${path}/${bAppointmentId}`, {
        appointmentStatus: 'cancelled',
        startTime: '2030-01-07T10:00:00Z',
      }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'PUT', `${path}/${bAppointmentId}`, { appointmentStatus: 'gone' }),
      422,
      'invalid_input',
    );
  });
});

describe('users of the session location', () => {
  it('lists the location users by name, never another location own users', async () => {
    const res = await call(A.token, 'GET', '/api/users');
    expect(res.status, res.text).toBe(200);
    const ids = res.body.users.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([A.adminId, A.userId]));
    expect(ids).not.toContain(B.adminId);
    expect(ids).not.toContain(B.userId);
    for (const u of res.body.users) expect(u.name).toMatch(/\S+ \S+/);
    const names = res.body.users.map((u: { name: string }) => u.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));
  });

  it('says the app must be reinstalled when its install never granted users.readonly, without a reconnect', async () => {
    const seed = await seedCompany(1, 1);
    await installLocation(
      seed,
      0,
      'contacts.readonly contacts.write calendars.readonly calendars/events.write',
    );
    const loc = seed.locations[0] as (typeof seed.locations)[number] & {
      userIds: string[];
      calendarId: string;
    };
    const token = await sessionToken({
      userId: loc.userIds[0]!,
      companyId: seed.companyId,
      activeLocation: loc.id,
      role: 'admin',
    });
    const res = await call(token, 'GET', '/api/users');
    expectError(res, 403, 'users_not_granted');
    expect(res.body.error.message).toContain('Reinstall');
    // The token is fine for everything else: no refresh, no "reconnect needed".
    const calendars = await call(token, 'GET', '/api/calendars');
    expect(calendars.status, calendars.text).toBe(200);
    expect(calendars.body.calendars.map((c: { id: string }) => c.id)).toEqual([loc.calendarId]);
  });
});

describe('task assignees', () => {
  it('assigns to a user of the location; a user of another location is refused and nothing is written', async () => {
    const contactId = A.contactIds[1]!;
    const task = (assignedTo: string) =>
      call(A.token, 'POST', `/api/contacts/${contactId}/tasks`, {
        title: `For ${assignedTo}`,
        dueDate: new Date(Date.now() + DAY).toISOString(),
        assignedTo,
      });
    const mine = await task(A.userId);
    expect(mine.status, mine.text).toBe(201);
    expect(mine.body.task.assignedTo).toBe(A.userId);
    expectError(await task(B.userId), 422, 'unknown_assignee');
    const tasks = (await emu<{ tasks: { title: string }[] }>(`/_emulator/state/${A.locationId}`)).tasks;
    expect(tasks.some((t) => t.title === `For ${B.userId}`)).toBe(false);
    expectError(
      await call(A.token, 'PUT', `/api/contacts/${contactId}/tasks/${mine.body.task.id}`, {
        assignedTo: B.adminId,
      }),
      422,
      'unknown_assignee',
    );
    const reassigned = await call(A.token, 'PUT', `/api/contacts/${contactId}/tasks/${mine.body.task.id}`, {
      assignedTo: A.adminId,
    });
    expect(reassigned.status, reassigned.text).toBe(200);
    expect(reassigned.body.task.assignedTo).toBe(A.adminId);
  });
});

describe('who made a task or an appointment', () => {
  it('the timeline names the panel user who made them, also after a reload from GHL; GHL-made ones name nobody', async () => {
    const contactId = A.contactIds[2]!;
    const task = await call(A.token, 'POST', `/api/contacts/${contactId}/tasks`, {
      title: 'Call back',
      dueDate: new Date(Date.now() + DAY).toISOString(),
    });
    expect(task.status, task.text).toBe(201);
    const [slot] = await freeSlots(A);
    const booked = await call(A.token, 'POST', `/api/contacts/${contactId}/appointments`, {
      calendarId: A.calendarId,
      startTime: slot,
    });
    expect(booked.status, booked.text).toBe(201);
    const inGhl = (
      await act(A.locationId, 'task.create', {
        contactId,
        data: { title: 'Made in GHL', dueDate: new Date(Date.now() + DAY).toISOString() },
      })
    ).task.id;

    for (const refresh of ['', '?refresh=1']) {
      const timeline = await call(A.token, 'GET', `/api/contacts/${contactId}/timeline${refresh}`);
      expect(timeline.status, timeline.text).toBe(200);
      const byId = new Map(timeline.body.items.map((i: { id: string }) => [i.id, i]));
      expect(byId.get(task.body.task.id)).toMatchObject({ kind: 'task', createdBy: A.adminId });
      expect(byId.get(booked.body.appointment.id)).toMatchObject({
        kind: 'appointment',
        createdBy: A.adminId,
      });
      expect(byId.get(inGhl)).toBeDefined();
      expect(byId.get(inGhl)).not.toHaveProperty('createdBy');
    }
  });
});
