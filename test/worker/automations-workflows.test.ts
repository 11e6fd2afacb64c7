/**
 * Our triggers and actions inside GHL's workflow builder, with the GHL emulator playing the
 * builder: a workflow that uses our trigger is subscribed (and unsubscribed) and receives it;
 * a workflow step that runs our action gets its custom variables and branch back.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { listSubscriptions } from '../../worker/automations/workflows/subscriptions.ts';
import { WORKFLOW_ACTIONS } from '../../worker/automations/workflows/modules.ts';
import { emu } from './helpers.ts';
import { forwardFrom, ghlDeliveries } from './automations-helpers.ts';
import { call, expectError, panelLocations, sessionToken } from './panel-helpers.ts';
import { eventually, ghlAct, ghlState, syncedLocation, yourAppAct, yourAppState } from './sync-helpers.ts';

async function toWorker(path: string, body: unknown, secret: string | null = env.WORKFLOW_SECRET) {
  const res = await SELF.fetch(`http://app.test${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { authorization: `Bearer ${secret}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

const executions = async (locationId: string) =>
  (await emu<{ executions: any[] }>(`/_emulator/workflows/executions?locationId=${locationId}`)).executions;

function booking(email: string, hour: number) {
  return {
    title: 'Partner intro',
    startTime: `2026-12-21T${hour}:00:00.000Z`,
    endTime: `2026-12-21T${hour}:30:00.000Z`,
    status: 'confirmed',
    contact: { email },
  };
}

describe('workflow triggers', () => {
  it('a workflow using "partner booking created" is subscribed, receives the booking, and stops after DELETED', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation(1);
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const saved = await emu('/_emulator/workflows/triggers', {
      locationId,
      key: 'partner_booking_created',
      filters: [{ field: 'connectionId', operator: '==', value: connectionId }],
    });
    expect((await toWorker('/workflows/triggers/subscription', saved.subscription)).status).toBe(200);
    expect((await listSubscriptions(env.DB, locationId)).map((s) => s.operation)).toEqual([
      'partner.booking.created',
    ]);

    await yourAppAct(connectionId, 'appointment.created', booking(contact.email, 10));
    const [fired] = await eventually('trigger fired', async () =>
      (await executions(locationId)).length ? executions(locationId) : null,
    );
    expect(fired).toMatchObject({
      triggerId: saved.trigger.id,
      started: true,
      key: 'partner_booking_created',
    });
    expect(fired.payload).toMatchObject({
      event: 'partner_booking_created',
      contactId: contact.id,
      connectionId,
      test: false,
      appointment: { title: 'Partner intro', startTime: '2026-12-21T10:00:00.000Z' },
    });

    const removed = await emu(`/_emulator/workflows/triggers/${saved.trigger.id}/delete`, {});
    expect((await toWorker('/workflows/triggers/subscription', removed.subscription)).status).toBe(200);
    expect(await listSubscriptions(env.DB, locationId)).toEqual([]);
    await yourAppAct(connectionId, 'appointment.created', booking(contact.email, 11));
    await eventually('booking synced', async () =>
      (await ghlState(locationId)).appointments.find((a) => a.startTime === '2026-12-21T11:00:00.000Z'),
    );
    expect(await executions(locationId)).toHaveLength(1);
  });

  it('"sync failed" reaches a workflow using it, and a recipe on it', async () => {
    const { seed, locationId, connectionId, contactIds } = await syncedLocation(1);
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const user = (seed.locations[0] as unknown as { userIds: string[] }).userIds[0]!;
    const token = await sessionToken({
      userId: user,
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    const made = await call(token, 'POST', '/api/automations/recipes', {
      name: 'Flag failures',
      trigger: 'sync.failed',
      steps: [{ action: 'ghl.task.create', input: { title: 'Sync failed: {{sync.action}}' } }],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    const saved = await emu('/_emulator/workflows/triggers', { locationId, key: 'sync_failed' });
    expect((await toWorker('/workflows/triggers/subscription', saved.subscription)).status).toBe(200);
    // GHL refuses the note the partner's change asks for: the sync gives up on it.
    await emu('/_emulator/faults', {
      locationId,
      pathPrefix: `/contacts/${contact.id}/notes`,
      method: 'POST',
      status: 422,
      count: 1,
    });
    await yourAppAct(connectionId, 'note.created', {
      body: 'Refused by GHL',
      contact: { email: contact.email },
    });
    const task = await eventually('failure task', async () =>
      (await ghlState(locationId)).tasks.find(
        (t) => t.contactId === contact.id && t.title.startsWith('Sync failed: '),
      ),
    );
    expect(task.title).toMatch(/note/i);
    const [fired] = await eventually('sync_failed fired', async () =>
      (await executions(locationId)).length ? executions(locationId) : null,
    );
    expect(fired.payload).toMatchObject({
      event: 'sync_failed',
      contactId: contact.id,
      connectionId,
      sync: { objectKind: 'note' },
    });
  });

  it('a subscription GHL answers "inactive" for is dropped', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation(1);
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const saved = await emu('/_emulator/workflows/triggers', { locationId, key: 'partner_booking_created' });
    await toWorker('/workflows/triggers/subscription', saved.subscription);
    // The workflow loses the trigger without the DELETED callback reaching us.
    await emu(`/_emulator/workflows/triggers/${saved.trigger.id}/delete`, {});
    await yourAppAct(connectionId, 'appointment.created', booking(contact.email, 12));
    await eventually(
      'subscription dropped',
      async () => (await listSubscriptions(env.DB, locationId)).length === 0,
    );
    expect(await executions(locationId)).toEqual([]);
  });

  it('subscriptions need the secret, an installed location and a GHL targetUrl', async () => {
    const [loc] = await panelLocations(1, 1);
    const saved = await emu('/_emulator/workflows/triggers', {
      locationId: loc!.locationId,
      key: 'partner_booking_cancelled',
    });
    expectError(
      (await toWorker('/workflows/triggers/subscription', saved.subscription, null)) as any,
      401,
      'bad_workflow_secret',
    );
    expectError(
      (await toWorker('/workflows/triggers/subscription', saved.subscription, 'wrong')) as any,
      401,
      'bad_workflow_secret',
    );
    const elsewhere = {
      ...saved.subscription,
      extras: { ...saved.subscription.extras, locationId: 'NotInstalledLoc1' },
    };
    expectError((await toWorker('/workflows/triggers/subscription', elsewhere)) as any, 403, 'forbidden');
    const evil = {
      ...saved.subscription,
      triggerData: { ...saved.subscription.triggerData, targetUrl: 'https://attacker.example/steal' },
    };
    expectError((await toWorker('/workflows/triggers/subscription', evil)) as any, 422, 'invalid_input');
    const unknown = {
      ...saved.subscription,
      triggerData: { ...saved.subscription.triggerData, key: 'nope' },
    };
    expectError((await toWorker('/workflows/triggers/subscription', unknown)) as any, 404, 'not_found');
    expect(await listSubscriptions(env.DB, loc!.locationId)).toEqual([]);
  });
});

describe('workflow actions', () => {
  const customVars = (key: string) => WORKFLOW_ACTIONS.find((a) => a.key === key)!.customVars;

  it('"has an upcoming appointment" answers the branch and variables a workflow reads', async () => {
    const [loc] = await panelLocations(1, 2);
    const [booked, free] = loc!.contactIds as [string, string];
    await ghlAct(
      loc!.locationId,
      {
        action: 'appointment.create',
        contactId: booked,
        data: { title: 'Soon', startTime: new Date(Date.now() + 86_400_000).toISOString() },
      },
      { deliver: false },
    );
    const answers = [];
    for (const contactId of [booked, free]) {
      const request = await emu('/_emulator/workflows/actions/request', {
        key: 'has_upcoming_appointment',
        locationId: loc!.locationId,
        contactId,
        workflowId: 'wf1',
        data: {},
      });
      const answer = await toWorker('/workflows/actions/has_upcoming_appointment', request);
      expect(answer.status, answer.text).toBe(200);
      answers.push(
        await emu('/_emulator/workflows/actions/variables', {
          answer: answer.body,
          customVars: customVars('has_upcoming_appointment'),
        }),
      );
    }
    expect(answers[0]).toMatchObject({ branchId: 'has_upcoming', variables: { upcoming: true } });
    expect(answers[1]).toMatchObject({
      branchId: 'no_upcoming',
      variables: { upcoming: false, nextStartTime: null },
    });
  });

  it('"send a booking link" writes the note and returns the link; it refuses a contact of another location', async () => {
    const [a, b] = await panelLocations(2, 1);
    const contactId = a!.contactIds[0]!;
    const request = await emu('/_emulator/workflows/actions/request', {
      key: 'send_booking_link',
      locationId: a!.locationId,
      contactId,
      workflowId: 'wf2',
      data: { url: 'https://cal.example/intro', message: 'Pick a time:' },
    });
    const answer = await toWorker('/workflows/actions/send_booking_link', request);
    expect(answer.status, answer.text).toBe(200);
    const { variables } = await emu('/_emulator/workflows/actions/variables', {
      answer: answer.body,
      customVars: customVars('send_booking_link'),
    });
    expect(variables.bookingUrl).toBe('https://cal.example/intro');
    expect((await ghlState(a!.locationId)).notes.find((n) => n.id === variables.noteId)?.body).toBe(
      'Pick a time: https://cal.example/intro',
    );
    const foreign = await emu('/_emulator/workflows/actions/request', {
      key: 'send_booking_link',
      locationId: b!.locationId,
      contactId,
      workflowId: 'wf3',
      data: { url: 'https://cal.example/intro' },
    });
    expectError((await toWorker('/workflows/actions/send_booking_link', foreign)) as any, 404, 'not_found');
    const bad = await emu('/_emulator/workflows/actions/request', {
      key: 'send_booking_link',
      locationId: a!.locationId,
      contactId,
      workflowId: 'wf4',
      data: { url: 'not a url' },
    });
    expectError((await toWorker('/workflows/actions/send_booking_link', bad)) as any, 422, 'invalid_input');
  });
});

describe('workflow action: book an appointment', () => {
  it("books the workflow's contact (length given as GHL sends numbers, a string) and answers its times", async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    const request = await emu('/_emulator/workflows/actions/request', {
      key: 'book_appointment',
      locationId: loc!.locationId,
      contactId,
      workflowId: 'wf5',
      data: { title: 'Onboarding', lengthMinutes: '45' },
    });
    const answer = await toWorker('/workflows/actions/book_appointment', request);
    expect(answer.status, answer.text).toBe(200);
    const { variables } = await emu('/_emulator/workflows/actions/variables', {
      answer: answer.body,
      customVars: WORKFLOW_ACTIONS.find((a) => a.key === 'book_appointment')!.customVars,
    });
    const booked = (await ghlState(loc!.locationId)).appointments.find(
      (a) => a.id === variables.appointmentId,
    )!;
    expect(booked).toMatchObject({ contactId, title: 'Onboarding', calendarId: loc!.calendarId });
    expect((Date.parse(variables.endTime) - Date.parse(variables.startTime)) / 60_000).toBe(45);
  });
});

describe("workflow action: find the partner's record", () => {
  it('answers the contact\'s id in the connected app once the sync has linked it, and "not found" before', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation(1);
    const contactId = contactIds[0]!;
    const find = async () => {
      const request = await emu('/_emulator/workflows/actions/request', {
        key: 'find_partner_record',
        locationId,
        contactId,
        workflowId: 'wf6',
        data: { connectionId },
      });
      const answer = await toWorker('/workflows/actions/find_partner_record', request);
      expect(answer.status, answer.text).toBe(200);
      return (
        await emu('/_emulator/workflows/actions/variables', {
          answer: answer.body,
          customVars: WORKFLOW_ACTIONS.find((a) => a.key === 'find_partner_record')!.customVars,
        })
      ).variables;
    };
    expect(await find()).toEqual({ found: false, partnerId: null, connectionId: null });
    await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Linked Co' } });
    const atPartner = await eventually('contact at the partner', async () =>
      (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId),
    );
    expect(await find()).toEqual({ found: true, partnerId: atPartner.id, connectionId });
  });
});

describe('workflow actions: reschedule and cancel', () => {
  it('move, then cancel, the next upcoming appointment in GHL, and the sync does the same at the partner', async () => {
    const { locationId, contactIds } = await syncedLocation(1);
    const contactId = contactIds[0]!;
    const start = Date.now() + 2 * 86_400_000;
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId,
      data: {
        title: 'Review',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + 45 * 60_000).toISOString(),
      },
    });
    const id = result.appointment.id as string;
    await eventually('appointment at the partner', async () =>
      (await yourAppState()).objects.appointment!.find((a) => a.ghlId === id),
    );
    const run = async (key: string, data: Record<string, unknown>) => {
      const seen = (await ghlDeliveries(locationId)).length;
      const request = await emu('/_emulator/workflows/actions/request', {
        key,
        locationId,
        contactId,
        workflowId: 'wf7',
        data,
      });
      const answer = await toWorker(`/workflows/actions/${key}`, request);
      expect(answer.status, answer.text).toBe(200);
      await forwardFrom(locationId, seen);
      return answer.body;
    };
    const newStart = '2026-12-28T15:00:00.000Z';
    expect(await run('reschedule_appointment', { startTime: newStart })).toEqual({
      rescheduled: true,
      appointmentId: id,
      startTime: newStart,
      endTime: '2026-12-28T15:45:00.000Z',
    });
    await eventually('moved at the partner', async () =>
      (await yourAppState()).objects.appointment!.find(
        (a) => a.ghlId === id && Date.parse(a.startTime) === Date.parse(newStart),
      ),
    );
    expect(await run('cancel_appointment', {})).toEqual({ cancelled: true, appointmentId: id });
    expect((await ghlState(locationId)).appointments.find((a) => a.id === id)!.appointmentStatus).toBe(
      'cancelled',
    );
    await eventually('cancelled at the partner', async () =>
      (await yourAppState()).objects.appointment!.find((a) => a.ghlId === id && a.status === 'cancelled'),
    );
    // Nothing upcoming is left to cancel.
    expect(await run('cancel_appointment', {})).toEqual({ cancelled: false, appointmentId: null });
  });
});

describe('workflow actions: a task and a note for the partner too', () => {
  it('write to the GHL contact, and the sync carries them to the connected app', async () => {
    const { locationId, contactIds } = await syncedLocation(1);
    const contactId = contactIds[0]!;
    const run = async (key: string, data: Record<string, unknown>) => {
      const seen = (await ghlDeliveries(locationId)).length;
      const request = await emu('/_emulator/workflows/actions/request', {
        key,
        locationId,
        contactId,
        workflowId: 'wf8',
        data,
      });
      const answer = await toWorker(`/workflows/actions/${key}`, request);
      expect(answer.status, answer.text).toBe(200);
      await forwardFrom(locationId, seen);
      return answer.body;
    };
    const task = await run('add_partner_task', {
      title: 'Send the proposal',
      dueDate: '2026-12-30T09:00:00.000Z',
    });
    expect(task).toEqual({ taskId: expect.any(String), dueDate: '2026-12-30T09:00:00.000Z' });
    const note = await run('add_partner_note', { body: 'Called from the workflow' });
    await eventually('task at the partner', async () =>
      (await yourAppState()).objects.task!.find(
        (t) => t.ghlId === task.taskId && t.title === 'Send the proposal',
      ),
    );
    await eventually('note at the partner', async () =>
      (await yourAppState()).objects.note!.find(
        (n) => n.ghlId === note.noteId && n.body === 'Called from the workflow',
      ),
    );
  });
});

describe('workflow option lists', () => {
  it("the connected apps of the installed location, for a select and for a trigger's filters", async () => {
    const { locationId, connectionId } = await syncedLocation(1);
    const get = (path: string, secret = env.WORKFLOW_SECRET) =>
      SELF.fetch(`http://app.test${path}`, { headers: { authorization: `Bearer ${secret}` } });
    const options = await get(`/workflows/options/connections?locationId=${locationId}`);
    expect(options.status).toBe(200);
    expect(await options.json()).toEqual({
      options: [{ label: 'Your app (emulator)', value: connectionId }],
    });
    expect((await get(`/workflows/options/connections?locationId=${locationId}`, 'wrong')).status).toBe(401);
    expect((await get('/workflows/options/connections?locationId=NotInstalledLoc1')).status).toBe(403);
    const filters = await toWorker('/workflows/triggers/partner_booking_created/filters', {
      data: {},
      extras: { locationId, workflowId: 'wf9' },
      meta: { key: 'partner_booking_created', version: '1.0' },
    });
    expect(filters.status, filters.text).toBe(200);
    expect(filters.body.filters).toEqual([
      expect.objectContaining({
        field: 'connectionId',
        fieldType: 'select',
        options: [{ label: 'Your app (emulator)', value: connectionId }],
      }),
    ]);
  });
});
