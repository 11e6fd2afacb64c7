import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { deliverEvent } from './helpers.ts';
import { eventually } from '../support/eventually.ts';
import {
  act,
  call,
  expectError,
  expectNoLeak,
  ghlRequests,
  panelLocations,
  type PanelLocation,
} from './panel-helpers.ts';

let A: PanelLocation;
let B: PanelLocation;
const DAY = 86_400_000;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();

/** Timeline of `contactId` and the GHL requests it cost, measured by the emulator. */
async function timeline(loc: PanelLocation, contactId: string, query = '') {
  const before = await ghlRequests(loc.locationId);
  const res = await call(loc.token, 'GET', `/api/contacts/${contactId}/timeline${query}`);
  const measured = (await ghlRequests(loc.locationId)) - before;
  return { res, body: res.body, measured };
}

beforeAll(async () => {
  [A, B] = (await panelLocations(2, 4)) as [PanelLocation, PanelLocation];
  const [c0] = A.contactIds;
  await act(A.locationId, 'note.create', { contactId: c0, body: 'First call went well' });
  await act(A.locationId, 'note.create', { contactId: c0, body: 'Sent the proposal', title: 'Proposal' });
  await act(A.locationId, 'task.create', {
    contactId: c0,
    title: 'Call back',
    body: 'About pricing',
    dueDate: iso(2),
  });
  await act(A.locationId, 'task.create', { contactId: c0, title: 'Send contract', dueDate: iso(5) });
  const done = await act(A.locationId, 'task.create', {
    contactId: c0,
    title: 'Intro email',
    dueDate: iso(-3),
  });
  await act(A.locationId, 'task.complete', { taskId: done.task.id });
  await act(A.locationId, 'appointment.create', { contactId: c0, title: 'Demo', startTime: iso(1) });
  await act(B.locationId, 'note.create', { contactId: B.contactIds[0], body: 'B-only secret note' });
  // The panel finds contacts by search first; that fills the location's contact index.
  expect((await call(A.token, 'GET', '/api/contacts?limit=50')).status).toBe(200);
});

describe('GET /api/contacts/:contactId/timeline', () => {
  it('cold view: at most 3 GHL calls for a contact found by search; warm view: none', async () => {
    const cold = await timeline(A, A.contactIds[0]!);
    expect(cold.res.status, cold.res.text).toBe(200);
    expect(cold.measured).toBeLessThanOrEqual(3);
    expect(cold.body.freshness).toMatchObject({ source: 'ghl', ghlCalls: cold.measured });
    expect(Date.parse(cold.body.freshness.cachedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(cold.body.contact).toMatchObject({ id: A.contactIds[0], locationId: A.locationId });
    expect(cold.body.items).toHaveLength(6);
    for (const item of cold.body.items) {
      expect(['note', 'task', 'appointment']).toContain(item.kind);
      expect(item.source).toBe('ghl');
      expect(item.raw.id).toBe(item.id);
      expect(Number.isNaN(Date.parse(item.at))).toBe(false);
    }
    const ats = cold.body.items.map((i: any) => Date.parse(i.at));
    expect(ats).toEqual([...ats].sort((a, b) => b - a));
    const call = cold.body.items.find((i: any) => i.title === 'Call back');
    expect(call).toMatchObject({ kind: 'task', body: 'About pricing', status: 'pending' });
    expect(cold.body.items.find((i: any) => i.title === 'Intro email').status).toBe('completed');
    expect(cold.body.items.find((i: any) => i.kind === 'appointment')).toMatchObject({
      title: 'Demo',
      status: 'confirmed',
    });

    const warm = await timeline(A, A.contactIds[0]!);
    expect(warm.measured).toBe(0);
    expect(warm.body.freshness).toMatchObject({
      source: 'cache',
      ghlCalls: 0,
      cachedAt: cold.body.freshness.cachedAt,
    });
    expect(warm.body.items).toEqual(cold.body.items);
  });

  it('orders pending tasks first by due date with ?order=pending-first', async () => {
    const { body } = await timeline(A, A.contactIds[0]!, '?order=pending-first');
    expect(body.items.slice(0, 2).map((i: any) => i.title)).toEqual(['Call back', 'Send contract']);
    const rest = body.items.slice(2).map((i: any) => Date.parse(i.at));
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
  });

  it('?refresh=1 reloads from GHL (contact included)', async () => {
    const { body, measured } = await timeline(A, A.contactIds[0]!, '?refresh=1');
    expect(measured).toBe(4);
    expect(body.freshness).toMatchObject({ source: 'ghl', ghlCalls: 4 });
  });

  it('a contact never seen before costs one more call, once', async () => {
    const { contact } = await act(A.locationId, 'contact.create', {
      firstName: 'Walk',
      lastName: 'In',
      email: 'walk.in@example.com',
    });
    const cold = await timeline(A, contact.id);
    expect(cold.res.status).toBe(200);
    expect(cold.measured).toBe(4);
    expect(cold.body.items).toEqual([]);
    expect(cold.body.contact.email).toBe('walk.in@example.com');
    expect((await timeline(A, contact.id)).measured).toBe(0);
  });

  it('answers 404 and no data for a contact of another location', async () => {
    const { res } = await timeline(A, B.contactIds[0]!);
    expectError(res, 404, 'not_found');
    expectNoLeak(res, ['B-only secret note', B.locationId]);
    const refreshed = await call(A.token, 'GET', `/api/contacts/${B.contactIds[0]}/timeline?refresh=1`);
    expectError(refreshed, 404, 'not_found');
    // B still sees its own timeline.
    const own = await call(B.token, 'GET', `/api/contacts/${B.contactIds[0]}/timeline`);
    expect(own.body.items.map((i: any) => i.body)).toEqual(['B-only secret note']);
  });

  it('answers 404 for a contact deleted inside GHL, on a cold view and on refresh of a warm one', async () => {
    const cold = (await act(A.locationId, 'contact.create', { firstName: 'Gone', lastName: 'Cold' })).contact
      .id as string;
    const warm = (await act(A.locationId, 'contact.create', { firstName: 'Gone', lastName: 'Warm' })).contact
      .id as string;
    expect((await call(A.token, 'GET', '/api/contacts?query=gone')).body.contacts).toHaveLength(2);
    expect((await timeline(A, warm)).res.status).toBe(200);
    await act(A.locationId, 'contact.delete', { contactId: cold });
    await act(A.locationId, 'contact.delete', { contactId: warm });
    expectError((await timeline(A, cold)).res, 404, 'not_found');
    expectError((await timeline(A, warm, '?refresh=1')).res, 404, 'not_found');
    expect(await tenantStub(env, A.locationId).knownContact(A.locationId, cold)).toBeNull();
    expect(await tenantStub(env, A.locationId).knownContact(A.locationId, warm)).toBeNull();
  });

  it('validates its query', async () => {
    expectError(
      await call(A.token, 'GET', `/api/contacts/${A.contactIds[0]}/timeline?order=oldest`),
      400,
      'invalid_query',
    );
    expectError(
      await call(A.token, 'GET', `/api/contacts/${A.contactIds[0]}/timeline?refresh=maybe`),
      400,
      'invalid_query',
    );
  });
});

describe('timeline kept fresh by GHL webhooks', () => {
  it('shows a NoteCreate event without calling GHL', async () => {
    const contactId = A.contactIds[1]!;
    expect((await timeline(A, contactId)).body.items).toEqual([]);
    const { note } = await act(A.locationId, 'note.create', { contactId, body: 'Added inside GHL' });
    const res = await deliverEvent({
      type: 'NoteCreate',
      locationId: A.locationId,
      id: note.id,
      contactId,
      body: note.body,
      dateAdded: note.dateAdded,
    });
    expect(res.status).toBe(200);
    const seen = await eventually(
      () => timeline(A, contactId),
      (t) => t.body.items.length > 0,
      { what: 'the note from the event', timeoutMs: 8000 },
    );
    expect(seen.body.items[0]).toMatchObject({ kind: 'note', id: note.id, body: 'Added inside GHL' });
    expect(seen.measured).toBe(0);
    expect(seen.body.freshness).toMatchObject({ source: 'cache', ghlCalls: 0 });
  });

  it('completes a thin TaskCreate (no contactId, no body) from the task search that finds its contact, with no second fetch', async () => {
    const contactId = A.contactIds[2]!;
    await timeline(A, contactId);
    const { task } = await act(A.locationId, 'task.create', {
      contactId,
      title: 'Thin task',
      body: 'Only GET has this',
      dueDate: iso(3),
    });
    expect(
      (
        await deliverEvent({
          type: 'TaskCreate',
          locationId: A.locationId,
          id: task.id,
          title: task.title,
          dueDate: task.dueDate,
          dateAdded: task.dateAdded,
        })
      ).status,
    ).toBe(200);
    const seen = await eventually(
      () => timeline(A, contactId),
      (t) => t.body.items.length > 0,
      { what: 'the thin task', timeoutMs: 8000 },
    );
    expect(seen.body.items[0]).toMatchObject({
      kind: 'task',
      id: task.id,
      title: 'Thin task',
      body: 'Only GET has this',
      status: 'pending',
    });
    expect(seen.body.freshness.ghlCalls).toBe(0);
    expect((await timeline(A, contactId)).measured).toBe(0);
  });

  it('applies TaskComplete, NoteDelete, AppointmentUpdate and ContactUpdate events', async () => {
    const contactId = A.contactIds[0]!;
    const before = (await timeline(A, contactId)).body.items;
    const task = before.find((i: any) => i.title === 'Send contract');
    const note = before.find((i: any) => i.body === 'First call went well');
    const appt = before.find((i: any) => i.kind === 'appointment');
    await deliverEvent({
      type: 'TaskComplete',
      locationId: A.locationId,
      id: task.id,
      contactId,
      title: task.title,
      dueDate: task.raw.dueDate,
    });
    await deliverEvent({
      type: 'NoteDelete',
      locationId: A.locationId,
      id: note.id,
      contactId,
      body: note.body,
    });
    await deliverEvent({
      type: 'AppointmentUpdate',
      locationId: A.locationId,
      appointment: { ...appt.raw, appointmentStatus: 'cancelled' },
    });
    await deliverEvent({
      type: 'ContactUpdate',
      locationId: A.locationId,
      id: contactId,
      firstName: 'Evented',
      lastName: 'Name',
      email: 'evented@example.com',
    });
    const after = await eventually(
      () => timeline(A, contactId),
      (t) => t.body.contact.firstName === 'Evented',
      { what: 'all four events', timeoutMs: 8000 },
    );
    expect(after.measured).toBe(0);
    expect(after.body.items.find((i: any) => i.id === task.id).status).toBe('completed');
    expect(after.body.items.find((i: any) => i.id === task.id).body).toBeNull();
    expect(after.body.items.some((i: any) => i.id === note.id)).toBe(false);
    expect(after.body.items.find((i: any) => i.id === appt.id).status).toBe('cancelled');
    expect(after.body.contact.email).toBe('evented@example.com');
  });
});

describe('GET /api/contacts/:contactId/appointments', () => {
  it('lists the contact’s appointments with GHL field names', async () => {
    const res = await call(A.token, 'GET', `/api/contacts/${A.contactIds[0]}/appointments`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({
      title: 'Demo',
      contactId: A.contactIds[0],
      locationId: A.locationId,
    });
  });

  it('answers 404 and no data for a contact of another location', async () => {
    await act(B.locationId, 'appointment.create', {
      contactId: B.contactIds[1],
      title: 'B secret meeting',
      startTime: iso(2),
    });
    const res = await call(A.token, 'GET', `/api/contacts/${B.contactIds[1]}/appointments`);
    expectError(res, 404, 'not_found');
    expectNoLeak(res, ['B secret meeting']);
  });
});
