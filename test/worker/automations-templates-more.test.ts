/** More templates end to end: a first appointment proposed (and chased), and partner events into GHL. */
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index.ts';
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
import { panelLocations, sessionToken } from './panel-helpers.ts';
import { call } from './panel-helpers.ts';
import { eventually, ghlAct, ghlState, syncedLocation, yourAppAct, yourAppState } from './sync-helpers.ts';

const DAY = 24 * 3600_000;

describe('first appointment', () => {
  it('a new contact gets the booking link in a note; two days later a chase task, unless something was booked', async () => {
    const [loc] = await panelLocations(1, 0);
    const recipe = await enableTemplate(loc!.token, 'first-appointment');
    const idle = (
      await ghlAct(loc!.locationId, {
        action: 'contact.create',
        data: { firstName: 'Ida', lastName: 'Idle', email: 'ida@example.com' },
      })
    ).result.contact.id as string;
    const booked = (
      await ghlAct(loc!.locationId, {
        action: 'contact.create',
        data: { firstName: 'Bo', lastName: 'Booked', email: 'bo@example.com' },
      })
    ).result.contact.id as string;
    for (const contactId of [idle, booked]) {
      await eventually('booking link note', async () =>
        (await ghlState(loc!.locationId)).notes.find(
          (n) => n.contactId === contactId && n.body.includes('Booking link: https://example.com/book'),
        ),
      );
      await automationsIdle(loc!.locationId, contactId);
      expect((await steps(loc!.locationId, contactId)).map((s) => s.state)).toEqual(['done', 'waiting']);
    }
    await ghlAct(loc!.locationId, {
      action: 'appointment.create',
      contactId: booked,
      data: { title: 'First call', startTime: new Date(Date.now() + DAY).toISOString() },
    });
    // Two days pass.
    for (const contactId of [idle, booked]) await makeDue(loc!.locationId, contactId);
    await eventually('chase task', async () =>
      (await tasksOf(loc!.locationId, idle)).find(
        (t) => t.title === 'Chase Ida Idle: no appointment booked yet',
      ),
    );
    await automationsIdle(loc!.locationId, booked);
    expect(await tasksOf(loc!.locationId, booked)).toEqual([]);
    const runs = await runsOf(loc!.token, `recipeId=${recipe.id}&contactId=${booked}`);
    expect(runs.map((r) => [r.step, r.status])).toEqual([
      [1, 'skipped'],
      [0, 'done'],
    ]);
    expect(runs[0]!.detail.reason).toMatch(/conditions/);
  });
});

describe('conditional schedule', () => {
  it('"book-call" books an hour for a vip, half an hour for anyone else, next business day 10:00', async () => {
    const [loc] = await panelLocations(1, 2);
    const [vip, plain] = loc!.contactIds as [string, string];
    await enableTemplate(loc!.token, 'conditional-schedule');
    await ghlAct(loc!.locationId, { action: 'tags.add', contactId: vip, tags: ['vip'] });
    for (const contactId of [vip, plain])
      await ghlAct(loc!.locationId, { action: 'tags.add', contactId, tags: ['book-call'] });
    const booked = async (contactId: string) =>
      eventually('appointment', async () =>
        (await ghlState(loc!.locationId)).appointments.find((a) => a.contactId === contactId),
      );
    const [a, b] = [await booked(vip), await booked(plain)];
    const minutes = (x: { startTime: string; endTime: string }) =>
      (Date.parse(x.endTime) - Date.parse(x.startTime)) / 60_000;
    expect([a.title.startsWith('Strategy call with'), minutes(a)]).toEqual([true, 60]);
    expect([b.title.startsWith('Intro call with'), minutes(b)]).toEqual([true, 30]);
    // 10:00 on the location's own clock.
    const { timezone } = await emu<{ timezone: string }>(`/_emulator/state/${loc!.locationId}`);
    const hourThere = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hour: 'numeric',
      hourCycle: 'h23',
    });
    expect(hourThere.format(new Date(a.startTime))).toBe('10');
    expect(a.calendarId).toBe(loc!.calendarId);
    for (const contactId of [vip, plain]) await automationsIdle(loc!.locationId, contactId);
    expect(
      (await ghlState(loc!.locationId)).appointments.filter(
        (x) => x.contactId === vip || x.contactId === plain,
      ),
    ).toHaveLength(2);
  });
});

describe('partner events into GHL', () => {
  async function partnerSetup() {
    const { seed, locationId, connectionId, contactIds } = await syncedLocation(1);
    const loc = seed.locations[0] as (typeof seed.locations)[number] & { userIds: string[] };
    const token = await sessionToken({
      userId: loc.userIds[0]!,
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    return { locationId, connectionId, contact, token };
  }

  it('a partner deadline becomes a GHL task due at the same time', async () => {
    const { locationId, connectionId, contact, token } = await partnerSetup();
    await enableTemplate(token, 'partner-deadline');
    const due = '2026-12-18T15:00:00.000Z';
    await yourAppAct(connectionId, 'task.created', {
      title: 'Send contract',
      dueDate: due,
      completed: false,
      contact: { email: contact.email },
    });
    const task = await eventually('deadline task', async () =>
      (await tasksOf(locationId, contact.id)).find((t) => t.title === 'Deadline: Send contract'),
    );
    expect(task.dueDate).toBe(due);
  });

  it('meeting notes from a partner are captured into a GHL note', async () => {
    const { locationId, connectionId, contact, token } = await partnerSetup();
    await enableTemplate(token, 'meeting-notes');
    await yourAppAct(connectionId, 'note.created', {
      body: 'Agreed on a pilot in January',
      contact: { email: contact.email },
    });
    await eventually('meeting note', async () =>
      (await ghlState(locationId)).notes.find(
        (n) => n.contactId === contact.id && n.body === 'Meeting notes: Agreed on a pilot in January',
      ),
    );
  });

  it('a partner no-show tags the contact and adds a rebook task', async () => {
    const { locationId, connectionId, contact, token } = await partnerSetup();
    await enableTemplate(token, 'partner-no-show');
    const booking = {
      title: 'Consult',
      startTime: '2026-12-22T10:00:00.000Z',
      endTime: '2026-12-22T10:30:00.000Z',
      status: 'confirmed',
      contact: { email: contact.email },
    };
    const created = await yourAppAct(connectionId, 'appointment.created', booking);
    const partnerId = JSON.parse(created.body).data.id as string;
    await yourAppAct(connectionId, 'appointment.updated', { ...booking, id: partnerId, status: 'noshow' });
    await eventually('rebook task', async () =>
      (await tasksOf(locationId, contact.id)).find(
        (t) => t.title.startsWith('Rebook') && t.title.endsWith('(absent at a partner booking)'),
      ),
    );
    expect((await ghlState(locationId)).contacts.find((c) => c.id === contact.id)!.tags).toContain('no-show');
  });

  it('"push the contact to connected apps now" hands it to the sync at once', async () => {
    const { connectionId: _c, contact, token } = await partnerSetup();
    expect((await yourAppState()).objects.contact!.some((c) => c.ghlId === contact.id)).toBe(false);
    const ran = await call(token, 'POST', '/api/catalog/actions/engine.contact.push/run', {
      contactId: contact.id,
      input: {},
    });
    expect(ran.status, ran.text).toBe(200);
    expect(ran.body.result).toEqual({ queued: true });
    await eventually('contact at the partner', async () =>
      (await yourAppState()).objects.contact!.find((c) => c.ghlId === contact.id),
    );
  });

  it('changed contact details reach the upcoming appointment in GHL and at the partner', async () => {
    const { locationId, contact, token } = await partnerSetup();
    const start = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const { result } = await ghlAct(locationId, {
      action: 'appointment.create',
      contactId: contact.id,
      data: { title: 'Kick-off', startTime: start },
    });
    const appointmentId = result.appointment.id as string;
    await eventually('appointment at the partner', async () =>
      (await yourAppState()).objects.appointment!.find((a) => a.ghlId === appointmentId),
    );
    await enableTemplate(token, 'details-to-appointments');
    const seen = (await ghlDeliveries(locationId)).length;
    await ghlAct(locationId, {
      action: 'contact.update',
      contactId: contact.id,
      data: { firstName: 'Renata', lastName: 'Renamed' },
    });
    await eventually('appointment renamed in GHL', async () =>
      (await ghlState(locationId)).appointments.find(
        (a) => a.id === appointmentId && a.title === 'Call with Renata Renamed',
      ),
    );
    const runs = await runsOf(token, `contactId=${contact.id}`);
    expect(runs.map((r) => [r.action, r.status, r.detail.updated])).toEqual([
      ['ghl.appointments.update_upcoming', 'done', [appointmentId]],
    ]);
    await forwardFrom(locationId, seen);
    await eventually('appointment renamed at the partner', async () =>
      (await yourAppState()).objects.appointment!.find(
        (a) => a.ghlId === appointmentId && a.title === 'Call with Renata Renamed',
      ),
    );
  });

  it('a daily recipe pushes the tagged contacts to the partner once a day, from the cron', async () => {
    const { locationId, contact, token } = await partnerSetup();
    const template = (await call(token, 'GET', '/api/automations')).body.templates.find(
      (t: any) => t.id === 'daily-tag-sync',
    );
    // The template's 06:00 as midnight, so the test does not depend on the hour it runs at.
    const { id: _id, recipeId: _r, ...definition } = template;
    const made = await call(token, 'POST', '/api/automations/recipes', {
      ...definition,
      schedule: { ...definition.schedule, hour: 0 },
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    await ghlAct(
      locationId,
      { action: 'tags.add', contactId: contact.id, tags: ['sync-daily'] },
      { deliver: false },
    );
    const other = (
      await ghlAct(
        locationId,
        { action: 'contact.create', data: { firstName: 'Untagged', email: 'untagged@example.com' } },
        { deliver: false },
      )
    ).result.contact.id as string;
    const cron = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController(), env, ctx);
      await waitOnExecutionContext(ctx);
    };
    await cron();
    await eventually('contact at the partner', async () =>
      (await yourAppState()).objects.contact!.find((c) => c.ghlId === contact.id),
    );
    await automationsIdle(locationId, contact.id);
    await cron();
    await automationsIdle(locationId, contact.id);
    const runs = await runsOf(token, `recipeId=${made.body.recipe.id}`);
    expect(runs.map((r) => [r.contactId, r.action, r.status])).toEqual([
      [contact.id, 'engine.contact.push', 'done'],
    ]);
    // (The cron's reconciliation sweep syncs the untagged contact on its own; the recipe never ran for it.)
    expect(await runsOf(token, `contactId=${other}`)).toEqual([]);
  });
});
