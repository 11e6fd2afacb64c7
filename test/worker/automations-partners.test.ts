/**
 * Catalog actions that write straight to the partner apps (not through GHL and the sync), end to
 * end against the partner emulators over HTTP: Cal.com's bookings API from a recipe and from the
 * panel's catalog; your app's signed API from GHL workflow actions, with their custom variables.
 *
 * Both emulators are shared with other files: each test uses its own location, its own contacts
 * and its own Cal.com times (one host).
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createConnection } from '../../worker/tenants/connections.ts';
import { WORKFLOW_ACTIONS } from '../../worker/automations/workflows/modules.ts';
import { automationsIdle, runsOf, steps } from './automations-helpers.ts';
import { emu, installedLocation } from './helpers.ts';
import { call, expectError, sessionToken } from './panel-helpers.ts';
import {
  eventually,
  ghlAct,
  ghlState,
  partner,
  syncedLocation,
  syncLog,
  yourAppAct,
  yourAppState,
} from './sync-helpers.ts';

interface CalBooking {
  uid: string;
  title: string;
  status: string;
  start: string;
  end: string;
  rescheduledToUid?: string;
  metadata: Record<string, string>;
  attendees: { email: string }[];
}

const cal = <T = any>(path: string, body?: unknown) => partner<T>(env.CALCOM_URL, path, body);
const calBookings = async () => (await cal<{ bookings: CalBooking[] }>('/_partner/state')).bookings;
/** Free slots far from the other files' (one Cal.com host for every test). */
const baseDay = Date.UTC(2033, 0, 3) + Math.floor(Math.random() * 3000) * 86_400_000;
let slot = 0;
const nextSlot = () => new Date(baseDay + slot++ * 2 * 3600_000).toISOString();

async function adminToken(seed: any, locationId: string) {
  return sessionToken({
    userId: (seed.locations[0] as { userIds: string[] }).userIds[0]!,
    companyId: seed.companyId,
    activeLocation: locationId,
    role: 'admin',
  });
}

async function toWorkflows(path: string, body: unknown) {
  const res = await SELF.fetch(`http://app.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${env.WORKFLOW_SECRET}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** GHL's builder runs our action `key` on the contact; answers the custom variables GHL reads. */
async function runWorkflowAction(locationId: string, contactId: string, key: string, data: object) {
  const request = await emu('/_emulator/workflows/actions/request', {
    key,
    locationId,
    contactId,
    workflowId: 'wf_partner',
    data,
  });
  const answer = await toWorkflows(`/workflows/actions/${key}`, request);
  expect(answer.status, answer.text).toBe(200);
  const { variables } = await emu('/_emulator/workflows/actions/variables', {
    answer: answer.body,
    customVars: WORKFLOW_ACTIONS.find((a) => a.key === key)!.customVars,
  });
  return variables as Record<string, any>;
}

describe('partner writes: Cal.com', () => {
  it("a recipe books the contact through Cal.com's bookings API, once; the catalog moves and cancels it there", async () => {
    const { seed, locationId, location } = await installedLocation(1);
    const contactId = location.contactIds[0]!;
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    const { connection } = await createConnection(env, {
      locationId,
      kind: 'calcom',
      name: 'Cal.com (emulator)',
      credentials: { apiKey: env.CALCOM_API_KEY, webhookSecret: env.CALCOM_WEBHOOK_SECRET },
      settings: { apiBase: env.CALCOM_URL, eventTypeId: 1, timeZone: 'UTC' },
    });
    const token = await adminToken(seed, locationId);
    const start = nextSlot();
    const made = await call(token, 'POST', '/api/automations/recipes', {
      name: 'Book an intro in Cal.com',
      trigger: 'ghl.contact.tag_added',
      conditions: [{ type: 'field', path: 'tag', op: 'eq', value: 'wants-call' }],
      steps: [
        {
          action: 'partner.booking.create',
          input: { title: 'Intro with {{contact.firstName}}', startTime: start, lengthMinutes: 30 },
        },
      ],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    const before = (await calBookings()).length;

    // GHL tells us twice: still one booking.
    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['wants-call'] }, { times: 2 });
    const booking = await eventually('the Cal.com booking', async () =>
      (await calBookings()).find((b) => b.attendees[0]?.email === contact.email && b.start === start),
    );
    await automationsIdle(locationId, contactId);
    expect(booking.status).toBe('accepted');
    expect(booking.metadata.syncKey).toMatch(/^auto:/);
    expect((await calBookings()).length - before).toBe(1);
    // Written at Cal.com, not in GHL (the sync brings Cal.com's webhook about it later).
    expect((await ghlState(locationId)).appointments.filter((a) => a.contactId === contactId)).toEqual([]);
    const [run] = await runsOf(token, `recipeId=${made.body.recipe.id}`);
    expect(run).toMatchObject({ action: 'partner.booking.create', status: 'done' });
    expect(run!.detail).toMatchObject({
      bookingId: booking.uid,
      connectionId: connection.id,
      startTime: start,
    });

    // The panel's catalog: move it (Cal.com gives the moved booking a new uid), then cancel it.
    const newStart = nextSlot();
    const moved = await call(token, 'POST', '/api/catalog/actions/partner.booking.reschedule/run', {
      contactId,
      input: { bookingId: booking.uid, startTime: newStart },
    });
    expect(moved.status, moved.text).toBe(200);
    const newUid = moved.body.result.bookingId as string;
    expect(newUid).not.toBe(booking.uid);
    const after = await calBookings();
    expect(after.find((b) => b.uid === booking.uid)).toMatchObject({
      status: 'cancelled',
      rescheduledToUid: newUid,
    });
    expect(after.find((b) => b.uid === newUid)).toMatchObject({ start: newStart, status: 'accepted' });

    const cancelled = await call(token, 'POST', '/api/catalog/actions/partner.booking.cancel/run', {
      contactId,
      input: { bookingId: newUid },
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.result).toMatchObject({ cancelled: true, bookingId: newUid });
    expect((await calBookings()).find((b) => b.uid === newUid)?.status).toBe('cancelled');

    // Cal.com keeps no notes or tasks from us: the catalog says so instead of writing elsewhere.
    expectError(
      await call(token, 'POST', '/api/catalog/actions/partner.note.create/run', {
        contactId,
        input: { body: 'hello' },
      }),
      502,
      'action_failed',
    );
  });
});

describe('partner writes: your app, from GHL workflows', () => {
  it('book, move and cancel a booking, add a task and a note, each through the signed API, with variables back', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation(1);
    const contactId = contactIds[0]!;
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    const held = async (kind: string, id: string) =>
      (await yourAppState()).objects[kind]!.find((o: any) => o.id === id);

    const booked = await runWorkflowAction(locationId, contactId, 'create_partner_booking', {
      connectionId,
      title: 'Onboarding',
      startTime: '2031-05-06T09:00:00.000Z',
      lengthMinutes: '45',
    });
    expect(booked).toMatchObject({
      connectionId,
      startTime: '2031-05-06T09:00:00.000Z',
      endTime: '2031-05-06T09:45:00.000Z',
    });
    expect(await held('appointment', booked.bookingId)).toMatchObject({
      title: 'Onboarding',
      startTime: '2031-05-06T09:00:00.000Z',
      status: 'confirmed',
      contact: { email: contact.email, ghlId: contactId },
    });
    expect((await held('appointment', booked.bookingId)).ghlId).toBeUndefined();
    // The sync log names the GHL workflow that made it.
    const [row] = (await syncLog(locationId, { contactId })).filter((e) => e.trigger === 'automation');
    expect(row).toMatchObject({ status: 'done', objectId: booked.bookingId, connectionId });
    expect(JSON.parse(row!.detail!)).toMatchObject({
      recipe: { id: 'workflow' },
      action: 'partner.booking.create',
      run: expect.stringMatching(/^workflow:wf_partner:/),
    });

    const moved = await runWorkflowAction(locationId, contactId, 'reschedule_partner_booking', {
      bookingId: booked.bookingId,
      startTime: '2031-05-07T14:00:00.000Z',
    });
    expect(moved).toMatchObject({ rescheduled: true, bookingId: booked.bookingId });
    expect(await held('appointment', booked.bookingId)).toMatchObject({
      startTime: '2031-05-07T14:00:00.000Z',
      endTime: '2031-05-07T14:30:00.000Z',
      status: 'confirmed',
    });

    const cancelled = await runWorkflowAction(locationId, contactId, 'cancel_partner_booking', {
      bookingId: booked.bookingId,
    });
    expect(cancelled).toMatchObject({ cancelled: true, bookingId: booked.bookingId });
    // Nothing known of it from a trigger or the sync: the partner's delete.
    expect(await held('appointment', booked.bookingId)).toBeUndefined();

    const task = await runWorkflowAction(locationId, contactId, 'create_partner_task', {
      title: 'Send the quote',
      dueDate: '2031-05-08T12:00:00.000Z',
    });
    expect(await held('task', task.taskId)).toMatchObject({
      title: 'Send the quote',
      dueDate: '2031-05-08T12:00:00.000Z',
      completed: false,
      contact: { ghlId: contactId },
    });
    const note = await runWorkflowAction(locationId, contactId, 'create_partner_note', {
      body: 'Prefers mornings',
    });
    expect(await held('note', note.noteId)).toMatchObject({ body: 'Prefers mornings' });
    // Nothing of it went to GHL.
    const ghl = await ghlState(locationId);
    expect(ghl.tasks.filter((t) => t.contactId === contactId)).toEqual([]);
    expect(ghl.notes.filter((n) => n.contactId === contactId)).toEqual([]);
  });

  it('a recipe on a partner booking cancels that booking at the partner, keeping what it holds', async () => {
    const { seed, locationId, connectionId, contactIds } = await syncedLocation(1);
    const contactId = contactIds[0]!;
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    const token = await adminToken(seed, locationId);
    const made = await call(token, 'POST', '/api/automations/recipes', {
      name: 'No bookings on Sundays',
      trigger: 'partner.booking.created',
      steps: [{ action: 'partner.booking.cancel', input: {} }],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    // A person books in the app; its event reaches us and the recipe cancels that booking there.
    const acted = await yourAppAct(connectionId, 'appointment.created', {
      title: 'Sunday brunch',
      startTime: '2031-06-01T10:00:00.000Z',
      endTime: '2031-06-01T11:00:00.000Z',
      status: 'confirmed',
      contact: { email: contact.email },
    });
    const id = (acted as any).event.data.id as string;
    const done = await eventually('the booking cancelled at the partner', async () => {
      const o = (await yourAppState()).objects.appointment!.find((a: any) => a.id === id);
      return o?.status === 'cancelled' ? o : null;
    });
    expect(done).toMatchObject({ title: 'Sunday brunch', startTime: '2031-06-01T10:00:00.000Z' });
    await automationsIdle(locationId, contactId);
    const runs = await runsOf(token, `recipeId=${made.body.recipe.id}`);
    expect(runs.map((r) => [r.action, r.status])).toEqual([['partner.booking.cancel', 'done']]);
    expect(runs[0]!.detail).toMatchObject({ cancelled: true, bookingId: id, connectionId });
  });

  it("the partner's report of a booking a recipe made there does not start that recipe again (loop guard)", async () => {
    const { seed, locationId, connectionId, contactIds } = await syncedLocation(1);
    const contactId = contactIds[0]!;
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    const token = await adminToken(seed, locationId);
    const made = await call(token, 'POST', '/api/automations/recipes', {
      name: 'A follow-up for every booking',
      trigger: 'partner.booking.created',
      steps: [
        {
          action: 'partner.booking.create',
          input: { title: 'Follow-up: {{appointment.title}}', startTime: '2031-06-08T10:00:00.000Z' },
        },
      ],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    await yourAppAct(connectionId, 'appointment.created', {
      title: 'Kick-off',
      startTime: '2031-06-02T10:00:00.000Z',
      endTime: '2031-06-02T11:00:00.000Z',
      status: 'confirmed',
      contact: { email: contact.email },
    });
    const followUp = await eventually('the follow-up booked at the partner', async () =>
      (await yourAppState()).objects.appointment!.find((a: any) => a.title === 'Follow-up: Kick-off'),
    );
    // The app reports the booking we made (as a new booking to us): the recipe does not answer it.
    await yourAppAct(connectionId, 'appointment.updated', {
      ...followUp,
      contact: { email: contact.email },
    });
    await automationsIdle(locationId, contactId);
    const runs = await runsOf(token, `recipeId=${made.body.recipe.id}`);
    expect(runs.map((r) => r.status).sort()).toEqual(['done', 'skipped']);
    expect(runs.find((r) => r.status === 'skipped')!.detail).toMatchObject({ reason: 'loop_guard' });
    expect(
      (await yourAppState()).objects.appointment!.filter((a: any) => String(a.title).startsWith('Follow-up')),
    ).toHaveLength(1);
  });
});
