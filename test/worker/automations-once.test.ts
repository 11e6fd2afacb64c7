/**
 * A recipe step whose write landed but whose answer was lost (the emulators carry the request
 * out, then answer an error: `afterWrite`) runs again after a restart and writes nothing twice:
 * GHL creates go under the step's key through the location's idempotent creates (the object is
 * looked up before creating again); partner writes carry the same key (your app's webhook-id,
 * Cal.com's booking metadata).
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { contactStub } from '../../worker/durable/stubs.ts';
import { createConnection } from '../../worker/tenants/connections.ts';
import { automationsIdle, enableTemplate, makeDue, runsOf, steps, tasksOf } from './automations-helpers.ts';
import { emu } from './helpers.ts';
import { call, panelLocations } from './panel-helpers.ts';
import { eventually, ghlAct, ghlState, partner, yourAppState } from './sync-helpers.ts';

const MILESTONE_TITLE = /^Book a call with .* \(qualified\)$/;

afterEach(async () => {
  await emu('/_emulator/faults', undefined, 'DELETE');
  await partner(env.YOURAPP_URL, '/_partner/faults', undefined, 'DELETE');
  await partner(env.CALCOM_URL, '/_partner/faults', undefined, 'DELETE');
});

/**
 * The step failed once (its answer lost) and waits for its retry; then it runs again, after the
 * object restarted where `restart` (a partner call leaves its 15 s abort timer behind, which
 * holds an eviction that long: the partner cases re-run without one).
 */
async function restartAndRerun(locationId: string, contactId: string, restart = true) {
  const waiting = await eventually('the step waiting for its retry', async () => {
    const rows = await steps(locationId, contactId);
    const failed = rows.filter((r) => r.state === 'waiting' && r.error);
    return failed.length === 1 && !rows.some((r) => r.state === 'running') ? failed[0] : null;
  });
  if (restart) await evictDurableObject(contactStub(env, locationId, contactId));
  expect(await makeDue(locationId, contactId)).toBe(1);
  await eventually('the step done after the run again', async () =>
    (await steps(locationId, contactId)).find((r) => r.id === waiting.id && r.state === 'done'),
  );
  await automationsIdle(locationId, contactId);
}

describe('a write that landed, its answer lost', () => {
  it('GHL task: the re-run after a restart finds the task the lost call made; exactly one task', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const recipe = await enableTemplate(token, 'milestone-task');
    await emu('/_emulator/faults', {
      locationId,
      pathPrefix: `/contacts/${contactId}/tasks`,
      method: 'POST',
      status: 502,
      afterWrite: true,
      count: 1,
    });
    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['qualified'] });
    // The task is in GHL although the step heard a 502.
    await eventually('the task landed in GHL', async () =>
      (await tasksOf(locationId, contactId)).find((t) => MILESTONE_TITLE.test(t.title)),
    );
    await restartAndRerun(locationId, contactId);

    const tasks = (await tasksOf(locationId, contactId)).filter((t) => MILESTONE_TITLE.test(t.title));
    expect(tasks).toHaveLength(1);
    const [step] = await steps(locationId, contactId);
    expect(JSON.parse(step!.result!).taskId).toBe(tasks[0]!.id);
    const runs = await runsOf(token, `recipeId=${recipe.id}`);
    expect(runs.map((r) => [r.status, r.detail.taskId])).toEqual([['done', tasks[0]!.id]]);
  });

  it('GHL appointment: the re-run after a restart takes the appointment the lost call booked', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const recipe = await enableTemplate(token, 'conditional-schedule');
    await emu('/_emulator/faults', {
      locationId,
      pathPrefix: '/calendars/events/appointments',
      method: 'POST',
      status: 502,
      afterWrite: true,
      count: 1,
    });
    const mine = async () =>
      (await ghlState(locationId)).appointments.filter((a) => a.contactId === contactId);
    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['book-call'] });
    await eventually('the appointment landed in GHL', async () => ((await mine()).length ? true : null));
    await restartAndRerun(locationId, contactId);
    const booked = await mine();
    expect(booked).toHaveLength(1);
    const runs = await runsOf(token, `recipeId=${recipe.id}`);
    // One step booked (the other is for VIPs only and was skipped).
    expect(runs.filter((r) => r.status === 'done').map((r) => r.detail.appointmentId)).toEqual([
      booked[0]!.id,
    ]);
  });

  it('your app note: the re-run carries the same key, and the app keeps one note', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    await createConnection(env, {
      locationId,
      kind: 'yourapp',
      name: 'Your app (emulator)',
      credentials: { webhookSecret: env.YOURAPP_SECRET, apiKey: env.YOURAPP_API_KEY },
      settings: { webhookUrl: `${env.YOURAPP_URL}/webhooks`, apiBase: env.YOURAPP_URL },
    });
    const body = `Qualified lead ${crypto.randomUUID()}`;
    const made = await call(token, 'POST', '/api/automations/recipes', {
      name: 'Tell the app',
      trigger: 'ghl.contact.tag_added',
      steps: [{ action: 'partner.note.create', input: { body } }],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    await partner(env.YOURAPP_URL, '/_partner/faults', {
      pathPrefix: '/webhooks',
      method: 'POST',
      status: 500,
      afterWrite: true,
      count: 1,
    });
    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['qualified'] });
    await eventually('the note landed in the app', async () =>
      (await yourAppState()).objects.note!.find((n: any) => n.body === body),
    );
    await restartAndRerun(locationId, contactId, false);
    const notes = (await yourAppState()).objects.note!.filter((n: any) => n.body === body);
    expect(notes).toHaveLength(1);
    const [step] = await steps(locationId, contactId);
    expect(JSON.parse(step!.result!).noteId).toBe(notes[0].id);
  });

  it('Cal.com booking: the re-run finds the booking by its key before booking again', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const email = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!.email;
    await createConnection(env, {
      locationId,
      kind: 'calcom',
      name: 'Cal.com (emulator)',
      credentials: { apiKey: env.CALCOM_API_KEY, webhookSecret: env.CALCOM_WEBHOOK_SECRET },
      settings: { apiBase: env.CALCOM_URL, eventTypeId: 1, timeZone: 'UTC' },
    });
    const start = new Date(
      Date.UTC(2034, 2, 6) + Math.floor(Math.random() * 2000) * 86_400_000,
    ).toISOString();
    const made = await call(token, 'POST', '/api/automations/recipes', {
      name: 'Book it',
      trigger: 'ghl.contact.tag_added',
      steps: [{ action: 'partner.booking.create', input: { title: 'Call', startTime: start } }],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    await partner(env.CALCOM_URL, '/_partner/faults', {
      pathPrefix: '/v2/bookings',
      method: 'POST',
      status: 500,
      afterWrite: true,
      count: 1,
    });
    const mine = async () =>
      (await partner<{ bookings: any[] }>(env.CALCOM_URL, '/_partner/state')).bookings.filter(
        (b) => b.start === start && b.attendees[0]?.email === email,
      );
    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['qualified'] });
    await eventually('the booking landed in Cal.com', async () => ((await mine()).length ? true : null));
    await restartAndRerun(locationId, contactId, false);
    const bookings = await mine();
    expect(bookings).toHaveLength(1);
    const [step] = await steps(locationId, contactId);
    expect(JSON.parse(step!.result!).bookingId).toBe(bookings[0].uid);
  });
});
