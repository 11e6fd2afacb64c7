import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type Seeded, type SeededLocation } from '../emulator/testkit/harness.ts';

let h: Harness;
let seeded: Seeded;
let loc: SeededLocation;
let other: SeededLocation;
let token: string;
let otherToken: string;

beforeAll(async () => {
  h = await startHarness();
  seeded = await h.seed(2, 0);
  [loc, other] = seeded.locations as [SeededLocation, SeededLocation];
  token = (await h.installLocation(loc.id, seeded.companyId)).access_token;
  otherToken = (await h.installLocation(other.id, seeded.companyId)).access_token;
});
afterAll(() => h.close());

const api = async (method: string, path: string, body?: unknown, t = token) => {
  const res = await h.api(t, method, path, body);
  return { status: res.status, body: await res.json() };
};
let serial = 0;
const create = async (fields: Record<string, unknown> = {}) => {
  serial++;
  const res = await api('POST', '/contacts/', {
    locationId: loc.id,
    firstName: `First${serial}`,
    lastName: 'Tester',
    email: `t${serial}@example.com`,
    ...fields,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.contact as Record<string, any>;
};

describe('contacts', () => {
  it('create → get → update → delete, with dateUpdated moving on every change', async () => {
    const created = await create({ phone: '(503) 555-0101', tags: ['Lead ', 'lead', 'VIP'] });
    expect(created).toMatchObject({
      phone: '+15035550101',
      tags: ['lead', 'vip'],
      locationId: loc.id,
      dateAdded: created.dateUpdated,
    });
    const got = await api('GET', `/contacts/${created.id}`);
    expect(got.body.contact.email).toBe(created.email);
    const updated = await api('PUT', `/contacts/${created.id}`, { city: 'Austin' });
    expect(updated.body).toMatchObject({ succeded: true, contact: { city: 'Austin' } });
    expect(Date.parse(updated.body.contact.dateUpdated)).toBeGreaterThan(Date.parse(created.dateUpdated));
    const tagged = await api('POST', `/contacts/${created.id}/tags`, { tags: ['Gold'] });
    expect(tagged).toEqual({ status: 201, body: { tags: ['lead', 'vip', 'gold'] } });
    const after = (await api('GET', `/contacts/${created.id}`)).body.contact;
    expect(Date.parse(after.dateUpdated)).toBeGreaterThan(Date.parse(updated.body.contact.dateUpdated));
    expect((await api('DELETE', `/contacts/${created.id}/tags`, { tags: ['vip'] })).body.tags).toEqual([
      'lead',
      'gold',
    ]);
    expect(await api('DELETE', `/contacts/${created.id}`)).toEqual({ status: 200, body: { succeded: true } });
    expect(await api('GET', `/contacts/${created.id}`)).toEqual({
      status: 400,
      body: { statusCode: 400, message: 'Contact not found' },
    });
  });

  it('refuses a duplicate email or phone, like a location that does not allow duplicates', async () => {
    const first = await create({ phone: '+15035550177' });
    const dup = await api('POST', '/contacts/', { locationId: loc.id, email: first.email.toUpperCase() });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      message: 'This location does not allow duplicated contacts.',
      meta: { contactId: first.id, matchingField: 'email' },
    });
    expect(
      (await api('POST', '/contacts/', { locationId: loc.id, phone: '503-555-0177' })).body.meta
        .matchingField,
    ).toBe('phone');
    // The same email in another location is fine.
    expect(
      (await api('POST', '/contacts/', { locationId: other.id, email: first.email }, otherToken)).status,
    ).toBe(201);
  });

  it('upsert updates the match by email, or creates', async () => {
    const existing = await create();
    const up = await api('POST', '/contacts/upsert', {
      locationId: loc.id,
      email: existing.email,
      lastName: 'Changed',
    });
    expect(up.body).toMatchObject({
      new: false,
      contact: { id: existing.id, lastName: 'Changed' },
      traceId: expect.any(String),
    });
    const fresh = await api('POST', '/contacts/upsert', {
      locationId: loc.id,
      email: `brand-new-${Date.now()}@example.com`,
    });
    expect(fresh.body.new).toBe(true);
  });

  it('duplicate lookup by email or number', async () => {
    const c = await create({ phone: '+15035550188' });
    expect(
      (
        await api(
          'GET',
          `/contacts/search/duplicate?locationId=${loc.id}&email=${encodeURIComponent(c.email)}`,
        )
      ).body.contact.id,
    ).toBe(c.id);
    expect(
      (
        await api(
          'GET',
          `/contacts/search/duplicate?locationId=${loc.id}&number=${encodeURIComponent('+15035550188')}`,
        )
      ).body.contact.id,
    ).toBe(c.id);
    expect(
      (await api('GET', `/contacts/search/duplicate?locationId=${loc.id}&email=none%40example.com`)).body,
    ).toEqual({ contact: null });
  });

  it('answers 422 with class-validator messages and 400 for malformed JSON', async () => {
    const bad = await api('POST', '/contacts/', { email: 'not-an-email', tags: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        'locationId should not be empty',
        'email must be an email',
        'tags must be an array',
      ]),
    );
    const res = await fetch(`${h.url}/contacts/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        version: '2021-07-28',
        'content-type': 'application/json',
      },
      body: '{"oops',
    });
    expect(res.status).toBe(400);
    const withLocation = await api('PUT', `/contacts/${(await create()).id}`, { locationId: loc.id });
    expect(withLocation.body.message).toEqual(['property locationId should not exist']);
  });

  it('requires the right Version header', async () => {
    const c = await create();
    for (const version of ['', '2021-04-15']) {
      const res = await fetch(`${h.url}/contacts/${c.id}`, {
        headers: { authorization: `Bearer ${token}`, ...(version ? { version } : {}) },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: 400, message: expect.any(String) });
    }
  });

  it('a location token cannot touch another location: 403', async () => {
    const mine = await create();
    const expected = {
      status: 403,
      body: { statusCode: 403, message: 'The token does not have access to this location.' },
    };
    expect(await api('GET', `/contacts/${mine.id}`, undefined, otherToken)).toEqual(expected);
    expect(await api('PUT', `/contacts/${mine.id}`, { city: 'X' }, otherToken)).toEqual(expected);
    expect(await api('POST', '/contacts/search', { locationId: loc.id, pageLimit: 5 }, otherToken)).toEqual(
      expected,
    );
    expect(await api('POST', '/contacts/', { locationId: loc.id, firstName: 'Sneaky' }, otherToken)).toEqual(
      expected,
    );
    expect(await api('GET', `/contacts/${mine.id}/notes`, undefined, otherToken)).toEqual(expected);
  });
});

describe('POST /contacts/search', () => {
  let ids: string[];
  beforeAll(async () => {
    ids = [];
    for (const [first, last, email, phone, tags] of [
      ['Ada', 'Lovelace', 'ada@analytical.example.com', '+15125550001', ['math']],
      ['Alan', 'Turing', 'alan@bletchley.example.com', '+15125550002', ['math', 'crypto']],
      ['Grace', 'Hopper', 'grace@navy.example.com', '+15125550003', ['cobol']],
      ['Katherine', 'Johnson', 'kj@nasa.example.com', '+15125550004', []],
      ['Edsger', 'Dijkstra', 'ewd@utexas.example.com', '+15125550005', ['math']],
    ] as const) {
      ids.push(
        (
          await create({
            firstName: first,
            lastName: last,
            email,
            phone,
            tags: [...tags],
            city: 'Searchville',
          })
        ).id,
      );
    }
  });
  const search = (body: Record<string, unknown>) =>
    api('POST', '/contacts/search', { locationId: loc.id, pageLimit: 50, ...body });

  it('matches query text on name, email and phone', async () => {
    expect((await search({ query: 'hopper' })).body.contacts.map((c: any) => c.id)).toEqual([ids[2]]);
    expect((await search({ query: 'bletchley' })).body.contacts.map((c: any) => c.id)).toEqual([ids[1]]);
    expect((await search({ query: '5125550004' })).body.contacts.map((c: any) => c.id)).toEqual([ids[3]]);
    expect((await search({ query: 'zzz-nothing' })).body).toEqual({ contacts: [], total: 0 });
  });

  it('filters on email, phone, tags and a dateUpdated range', async () => {
    expect(
      (
        await search({ filters: [{ field: 'email', operator: 'eq', value: 'GRACE@navy.example.com' }] })
      ).body.contacts.map((c: any) => c.id),
    ).toEqual([ids[2]]);
    expect(
      (
        await search({ filters: [{ field: 'phone', operator: 'eq', value: '(512) 555-0005' }] })
      ).body.contacts.map((c: any) => c.id),
    ).toEqual([ids[4]]);
    const math = await search({
      filters: [
        { field: 'city', operator: 'eq', value: 'Searchville' },
        { field: 'tags', operator: 'eq', value: 'math' },
      ],
    });
    expect(math.body.total).toBe(3);
    const all = (
      await search({
        filters: [{ field: 'city', operator: 'eq', value: 'Searchville' }],
        sort: [{ field: 'dateUpdated', direction: 'asc' }],
      })
    ).body.contacts;
    const from = all[1].dateUpdated;
    const to = all[3].dateUpdated;
    const ranged = await search({
      filters: [
        { field: 'city', operator: 'eq', value: 'Searchville' },
        { field: 'dateUpdated', operator: 'range', value: { gte: from, lte: to } },
      ],
    });
    expect(ranged.body.contacts.map((c: any) => c.id).sort()).toEqual(
      [all[1].id, all[2].id, all[3].id].sort(),
    );
    const either = await search({
      filters: [
        {
          group: 'OR',
          filters: [
            { field: 'email', operator: 'eq', value: 'ada@analytical.example.com' },
            { field: 'email', operator: 'eq', value: 'kj@nasa.example.com' },
          ],
        },
      ],
    });
    expect(either.body.contacts.map((c: any) => c.id).sort()).toEqual([ids[0], ids[3]].sort());
  });

  it('sorts by dateUpdated and pages with searchAfter without gaps or repeats', async () => {
    await api('PUT', `/contacts/${ids[0]}`, { city: 'Searchville' }); // Ada becomes the most recently updated
    const base = {
      filters: [{ field: 'city', operator: 'eq', value: 'Searchville' }],
      sort: [{ field: 'dateUpdated', direction: 'desc' }],
      pageLimit: 2,
    };
    const seen: string[] = [];
    let searchAfter: unknown;
    for (let page = 0; page < 5; page++) {
      const res = await search({ ...base, ...(searchAfter ? { searchAfter } : {}) });
      expect(res.body.total).toBe(5);
      if (res.body.contacts.length === 0) break;
      seen.push(...res.body.contacts.map((c: any) => c.id));
      searchAfter = res.body.contacts.at(-1).searchAfter;
      expect(searchAfter).toEqual([expect.any(Number), expect.any(String)]);
    }
    expect(seen[0]).toBe(ids[0]);
    expect([...seen].sort()).toEqual([...ids].sort());
    const byPage = await search({ ...base, page: 2 });
    expect(byPage.body.contacts.map((c: any) => c.id)).toEqual(seen.slice(2, 4));
  });

  it('rejects what GHL rejects: no pageLimit, pageLimit over 500, unknown operators', async () => {
    expect((await api('POST', '/contacts/search', { locationId: loc.id })).status).toBe(422);
    expect((await search({ pageLimit: 501 })).status).toBe(422);
    expect((await search({ filters: [{ field: 'email', operator: 'like', value: 'x' }] })).status).toBe(422);
  });
});

describe('tasks, notes, appointments', () => {
  it('tasks: create, complete, list, search by contact; missing ones answer 404', async () => {
    const c = await create();
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const { body } = await api('POST', `/contacts/${c.id}/tasks`, {
      title: 'Call',
      dueDate: due,
      completed: false,
    });
    expect(body.task).toMatchObject({ title: 'Call', dueDate: due, completed: false, contactId: c.id });
    const done = await api('PUT', `/contacts/${c.id}/tasks/${body.task.id}/completed`, { completed: true });
    expect(done.body.task.completed).toBe(true);
    expect((await api('GET', `/contacts/${c.id}/tasks`)).body.tasks).toHaveLength(1);
    const found = await api('POST', `/locations/${loc.id}/tasks/search`, { contactId: [c.id] });
    expect(found.body.tasks[0]).toMatchObject({ id: body.task.id, contactId: c.id });
    expect(await api('GET', `/contacts/${c.id}/tasks/NoSuchTask0000000000`)).toEqual({
      status: 404,
      body: { statusCode: 404, message: 'Task not found' },
    });
    expect((await api('GET', `/contacts/${c.id}/notes/NoSuchNote0000000000`)).status).toBe(404);
  });

  it('appointments: create on the location calendar, list for the contact, update moves dateUpdated, delete answers 201', async () => {
    const c = await create();
    const start = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const created = await api('POST', '/calendars/events/appointments', {
      calendarId: loc.calendarId,
      locationId: loc.id,
      contactId: c.id,
      startTime: start,
      title: 'Visit',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      calendarId: loc.calendarId,
      contactId: c.id,
      startTime: start,
      title: 'Visit',
      id: expect.any(String),
    });
    const id = created.body.id;
    const listed = await api('GET', `/contacts/${c.id}/appointments`);
    expect(listed.body.events.map((e: any) => e.id)).toEqual([id]);
    const before = (await api('GET', `/calendars/events/appointments/${id}`)).body.event;
    const updated = await api('PUT', `/calendars/events/appointments/${id}`, { title: 'Visit (moved)' });
    expect(Date.parse(updated.body.dateUpdated)).toBeGreaterThan(Date.parse(before.dateUpdated));
    expect((await api('GET', `/calendars/events/appointments/${id}`, undefined, otherToken)).status).toBe(
      403,
    );
    expect(await api('DELETE', `/calendars/events/${id}`)).toEqual({
      status: 201,
      body: { succeeded: true },
    });
    expect((await api('GET', `/calendars/events/appointments/${id}`)).status).toBe(404);
    expect(
      (
        await api('POST', '/calendars/events/appointments', {
          calendarId: 'nope',
          locationId: loc.id,
          contactId: c.id,
          startTime: start,
        })
      ).status,
    ).toBe(400);
  });
});

describe('control state', () => {
  it('/_emulator/act edits data as a person in GHL and /_emulator/state shows it', async () => {
    const { contact } = await h.control('/_emulator/act', {
      locationId: loc.id,
      action: 'contact.create',
      data: { firstName: 'Walk', lastName: 'In', email: 'walkin@example.com' },
    });
    await h.control('/_emulator/act', {
      locationId: loc.id,
      action: 'note.create',
      contactId: contact.id,
      data: { body: 'Came in person' },
    });
    const state = await h.control(`/_emulator/state/${loc.id}`);
    expect(state.contacts.some((c: any) => c.id === contact.id)).toBe(true);
    expect(state.notes.find((n: any) => n.contactId === contact.id)).toMatchObject({
      body: 'Came in person',
    });
    await expect(
      h.control('/_emulator/act', { locationId: other.id, action: 'contact.delete', contactId: contact.id }),
    ).rejects.toThrow(/400/);
  });
});
