/**
 * Templates enabled on a location do what they say, end to end: GHL changes made in the
 * emulator, their webhooks delivered to the worker, recipes run in the contact's object, and
 * the results read back from the emulator's GHL state.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { contactStub } from '../../worker/durable/stubs.ts';
import { nextBusinessDayIn } from '../../worker/automations/schedule.ts';
import {
  automationsIdle,
  enableTemplate,
  forwardFrom,
  ghlDeliveries,
  makeDue,
  runsOf,
  steps,
  tasksOf,
} from './automations-helpers.ts';
import { emu } from './helpers.ts';
import { panelLocations } from './panel-helpers.ts';
import { deliverGhlBody, eventually, ghlAct, ghlState } from './sync-helpers.ts';

const HOUR = 3600_000;

describe('templates', () => {
  it('welcome task: a new contact gets one task, due next business day 09:00, even when GHL delivers twice', async () => {
    const [loc] = await panelLocations(1, 1);
    const recipe = await enableTemplate(loc!.token, 'welcome-task');
    const before = Date.now();
    const { result } = await ghlAct(
      loc!.locationId,
      {
        action: 'contact.create',
        data: { firstName: 'Wendy', lastName: 'Welcome', email: 'wendy@example.com' },
      },
      { times: 2 },
    );
    const contactId = result.contact.id as string;
    const [task] = await eventually('welcome task', async () => {
      const tasks = await tasksOf(loc!.locationId, contactId);
      return tasks.length ? tasks : null;
    });
    expect(task.title).toBe('Welcome call with Wendy Welcome');
    const due = Date.parse(task.dueDate);
    // 09:00 on the location's own clock (GHL's location record names its zone).
    const { timezone } = await emu<{ timezone: string }>(`/_emulator/state/${loc!.locationId}`);
    expect(timezone).toBe('America/Chicago');
    expect([
      nextBusinessDayIn(before, 9, 0, timezone),
      nextBusinessDayIn(Date.now(), 9, 0, timezone),
    ]).toContain(due);
    await automationsIdle(loc!.locationId, contactId);
    expect(await tasksOf(loc!.locationId, contactId)).toHaveLength(1);
    const runs = await runsOf(loc!.token, `recipeId=${recipe.id}`);
    expect(runs.map((r) => [r.contactId, r.action, r.status])).toEqual([
      [contactId, 'ghl.task.create', 'done'],
    ]);
    expect(runs[0]!.detail.taskId).toBe(task.id);
  });

  it('booking: a prep task before, a follow-up after the end; a cancellation stops the follow-up and closes the prep task', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    const recipe = await enableTemplate(loc!.token, 'booking-prep-follow-up');
    const start = Date.now() + 3 * 24 * HOUR;
    const { result } = await ghlAct(loc!.locationId, {
      action: 'appointment.create',
      contactId,
      data: {
        title: 'Strategy call',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + HOUR / 2).toISOString(),
      },
    });
    const appointmentId = result.appointment.id as string;
    const prep = await eventually('prep task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Prepare: Strategy call'),
    );
    expect(Date.parse(prep.dueDate)).toBe(start - HOUR);
    const waiting = (await steps(loc!.locationId, contactId)).filter((s) => s.state === 'waiting');
    expect(waiting.map((s) => [s.step, s.due_at])).toEqual([[1, start + HOUR / 2 + HOUR]]);

    await ghlAct(loc!.locationId, {
      action: 'appointment.update',
      appointmentId,
      data: { appointmentStatus: 'cancelled' },
    });
    await eventually(
      'prep task closed',
      async () =>
        (await tasksOf(loc!.locationId, contactId)).find((t) => t.id === prep.id)?.completed === true,
    );
    await automationsIdle(loc!.locationId, contactId);
    expect((await steps(loc!.locationId, contactId)).map((s) => [s.action, s.state])).toEqual([
      ['ghl.task.create', 'done'],
      ['ghl.task.create', 'cancelled'],
      ['ghl.tasks.close', 'done'],
    ]);
    // Even when the follow-up's time comes, nothing more is made.
    await makeDue(loc!.locationId, contactId);
    await runDurableObjectAlarm(contactStub(env, loc!.locationId, contactId));
    expect(
      (await tasksOf(loc!.locationId, contactId)).filter((t) => t.title.startsWith('Follow up')),
    ).toEqual([]);
    const runs = await runsOf(loc!.token, `recipeId=${recipe.id}&contactId=${contactId}`);
    expect(runs.map((r) => `${r.step}:${r.action}:${r.status}`).sort()).toEqual([
      '0:ghl.task.create:done',
      '0:ghl.tasks.close:done',
      '1:ghl.task.create:cancelled',
    ]);
  });

  it('booking follow-up survives a restart mid-delay and runs once, at its time', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    await enableTemplate(loc!.token, 'booking-prep-follow-up');
    const start = Date.now() + 2 * 24 * HOUR;
    await ghlAct(loc!.locationId, {
      action: 'appointment.create',
      contactId,
      data: {
        title: 'Review',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + HOUR).toISOString(),
      },
    });
    await eventually('prep task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Prepare: Review'),
    );
    const stub = contactStub(env, loc!.locationId, contactId);
    await evictDurableObject(stub);
    // Not due yet: an alarm now changes nothing.
    await runDurableObjectAlarm(stub);
    expect((await tasksOf(loc!.locationId, contactId)).some((t) => t.title === 'Follow up: Review')).toBe(
      false,
    );
    await evictDurableObject(stub);
    await makeDue(loc!.locationId, contactId);
    await eventually('follow-up task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Follow up: Review'),
    );
    await runDurableObjectAlarm(stub);
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    expect(
      (await tasksOf(loc!.locationId, contactId)).filter((t) => t.title === 'Follow up: Review'),
    ).toHaveLength(1);
  });

  it('no-show: the contact gets the tag, a note and a rebook task; our own writes coming back start nothing', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    const recipe = await enableTemplate(loc!.token, 'no-show');
    const { result } = await ghlAct(loc!.locationId, {
      action: 'appointment.create',
      contactId,
      data: { title: 'Demo', startTime: new Date(Date.now() - HOUR).toISOString() },
    });
    await ghlAct(loc!.locationId, {
      action: 'appointment.update',
      appointmentId: result.appointment.id,
      data: { appointmentStatus: 'noshow' },
    });
    await eventually('rebook task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Rebook Demo'),
    );
    const state = await ghlState(loc!.locationId);
    expect(state.contacts.find((c) => c.id === contactId)!.tags).toContain('no-show');
    expect(state.notes.filter((n) => n.contactId === contactId).map((n) => n.body)).toEqual([
      expect.stringContaining('Did not show up for "Demo"'),
    ]);
    const seen = (await ghlDeliveries(loc!.locationId)).length;
    await forwardFrom(loc!.locationId, 0);
    await automationsIdle(loc!.locationId, contactId);
    expect(seen).toBeGreaterThan(0);
    const runs = await runsOf(loc!.token, `recipeId=${recipe.id}`);
    expect(runs.map((r) => r.action).sort()).toEqual(['ghl.note.create', 'ghl.tags.add', 'ghl.task.create']);
    expect((await tasksOf(loc!.locationId, contactId)).filter((t) => t.title === 'Rebook Demo')).toHaveLength(
      1,
    );
  });

  it('milestone tag: tagging "qualified" adds a task; another tag does not', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    await enableTemplate(loc!.token, 'milestone-task');
    await ghlAct(loc!.locationId, { action: 'tags.add', contactId, tags: ['warm'] });
    await automationsIdle(loc!.locationId, contactId);
    expect(await tasksOf(loc!.locationId, contactId)).toEqual([]);
    await ghlAct(loc!.locationId, { action: 'tags.add', contactId, tags: ['qualified'] });
    const task = await eventually(
      'milestone task',
      async () => (await tasksOf(loc!.locationId, contactId))[0],
    );
    expect(task.title).toMatch(/^Book a call with .+ \(qualified\)$/);
  });

  it('a moved appointment moves the follow-up still waiting for it', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    await enableTemplate(loc!.token, 'booking-prep-follow-up');
    const start = Date.now() + 3 * 24 * HOUR;
    const { result } = await ghlAct(loc!.locationId, {
      action: 'appointment.create',
      contactId,
      data: {
        title: 'Moving',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + HOUR).toISOString(),
      },
    });
    await eventually('prep task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Prepare: Moving'),
    );
    const later = start + 24 * HOUR;
    await ghlAct(loc!.locationId, {
      action: 'appointment.update',
      appointmentId: result.appointment.id,
      data: { startTime: new Date(later).toISOString(), endTime: new Date(later + HOUR).toISOString() },
    });
    await eventually('follow-up moved', async () =>
      (await steps(loc!.locationId, contactId)).find(
        (s) => s.state === 'waiting' && s.due_at === later + 2 * HOUR,
      ),
    );
  });

  it('the same occurrence delivered again under another webhook id runs nothing twice', async () => {
    const [loc] = await panelLocations(1, 0);
    await enableTemplate(loc!.token, 'welcome-task');
    const { result, deliveries } = await ghlAct(loc!.locationId, {
      action: 'contact.create',
      data: { firstName: 'Otto', email: 'otto@example.com' },
    });
    const contactId = result.contact.id as string;
    await eventually('welcome task', async () => (await tasksOf(loc!.locationId, contactId))[0]);
    // GHL (or a replay) sends the ContactCreate again as a new delivery.
    const again = {
      ...JSON.parse(deliveries.find((d: { type: string }) => d.type === 'ContactCreate')!.body),
      webhookId: crypto.randomUUID(),
    };
    await deliverGhlBody(JSON.stringify(again));
    await automationsIdle(loc!.locationId, contactId);
    expect(await tasksOf(loc!.locationId, contactId)).toHaveLength(1);
  });

  it('a step cut off by a restart mid-run runs again when the object starts', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    await enableTemplate(loc!.token, 'booking-prep-follow-up');
    const start = Date.now() + 2 * 24 * HOUR;
    await ghlAct(loc!.locationId, {
      action: 'appointment.create',
      contactId,
      data: {
        title: 'Cut',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + HOUR).toISOString(),
      },
    });
    await eventually('prep task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Prepare: Cut'),
    );
    const stub = contactStub(env, loc!.locationId, contactId);
    // The follow-up was running (its GHL call in flight) when the object went away.
    await runInDurableObject(stub, async (_, state) => {
      state.storage.sql.exec("UPDATE auto_steps SET state = 'running' WHERE state = 'waiting'");
      await state.storage.deleteAlarm();
    });
    await evictDurableObject(stub);
    // Whatever starts the object next (here a read of its steps) finds the step and arms the alarm.
    await steps(loc!.locationId, contactId);
    await eventually('follow-up after the restart', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Follow up: Cut'),
    );
    expect((await steps(loc!.locationId, contactId)).map((s) => s.state)).toEqual(['done', 'done']);
  });
});
