import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../worker/automations/catalog/actions.ts';
import { catalogView, parseActionInput } from '../../worker/automations/catalog/index.ts';
import { TRIGGERS } from '../../worker/automations/catalog/triggers.ts';
import { allHold, hasUpcoming, holds } from '../../worker/automations/conditions.ts';
import { fromGhlEvent, fromPartnerChange, fromSyncLog } from '../../worker/automations/events.ts';
import {
  delayEnd,
  nextBusinessDay,
  nextBusinessDayIn,
  scheduleDue,
  zonedInstant,
} from '../../worker/automations/schedule.ts';
import { Delay } from '../../worker/automations/model.ts';
import { WORKFLOW_ACTIONS } from '../../worker/automations/workflows/modules.ts';
import { fill } from '../../worker/automations/template-text.ts';
import { TEMPLATES } from '../../worker/automations/templates.ts';
import { RecipeInput } from '../../worker/automations/validate.ts';
import type { PartnerChange } from '../../worker/connectors/types.ts';

const at = (iso: string) => Date.parse(iso);

describe('delays on a numeric clock', () => {
  it('"+1 h" and "+2 d" count from the trigger', () => {
    const from = at('2026-12-04T11:00:00Z');
    expect(delayEnd({ type: 'after', minutes: 60 }, from, {})).toBe(at('2026-12-04T12:00:00Z'));
    expect(delayEnd({ type: 'after', minutes: 2880 }, from, {})).toBe(at('2026-12-06T11:00:00Z'));
    expect(delayEnd({ type: 'now' }, from, {})).toBe(from);
  });

  it('"next business day 09:00" skips the weekend and honours the offset', () => {
    // Friday 4 Dec 2026 → Monday 7 Dec; Thursday → Friday.
    expect(nextBusinessDay(at('2026-12-04T11:00:00Z'), 9, 0, 0)).toBe(at('2026-12-07T09:00:00Z'));
    expect(nextBusinessDay(at('2026-12-03T23:30:00Z'), 9, 0, 0)).toBe(at('2026-12-04T09:00:00Z'));
    // Berlin (UTC+1): 23:30 UTC Thursday is already Friday there → Monday 09:00 local = 08:00 UTC.
    expect(nextBusinessDay(at('2026-12-03T23:30:00Z'), 9, 0, 60)).toBe(at('2026-12-07T08:00:00Z'));
    expect(nextBusinessDay(at('2026-12-05T10:00:00Z'), 9, 30, 0)).toBe(at('2026-12-07T09:30:00Z'));
  });

  it('"next business day 09:00" is 09:00 on the location\'s clock across daylight saving (Europe/Berlin)', () => {
    const berlin = (from: string) => nextBusinessDayIn(at(from), 9, 0, 'Europe/Berlin');
    // Clocks go forward on Sunday 29 March 2026: Friday's "next business day" is Monday, in summer time.
    expect(berlin('2026-03-26T10:00:00Z')).toBe(at('2026-03-27T08:00:00Z')); // Fri 09:00 CET
    expect(berlin('2026-03-27T10:00:00Z')).toBe(at('2026-03-30T07:00:00Z')); // Mon 09:00 CEST
    // And back on Sunday 25 October 2026.
    expect(berlin('2026-10-22T10:00:00Z')).toBe(at('2026-10-23T07:00:00Z')); // Fri 09:00 CEST
    expect(berlin('2026-10-23T10:00:00Z')).toBe(at('2026-10-26T08:00:00Z')); // Mon 09:00 CET
    // 23:30 UTC on a Thursday in winter is already Friday in Berlin: next is Monday.
    expect(berlin('2026-12-03T23:30:00Z')).toBe(at('2026-12-07T08:00:00Z'));
  });

  it('"next business day 09:00" across daylight saving in America/New_York, days counted on its clock', () => {
    const ny = (from: string) => nextBusinessDayIn(at(from), 9, 0, 'America/New_York');
    // Forward on Sunday 8 March 2026, back on Sunday 1 November 2026.
    expect(ny('2026-03-05T15:00:00Z')).toBe(at('2026-03-06T14:00:00Z')); // Fri 09:00 EST
    expect(ny('2026-03-06T15:00:00Z')).toBe(at('2026-03-09T13:00:00Z')); // Mon 09:00 EDT
    expect(ny('2026-10-30T15:00:00Z')).toBe(at('2026-11-02T14:00:00Z')); // Mon 09:00 EST
    // 03:00 UTC on Friday is still Thursday evening in New York: next is Friday.
    expect(ny('2026-03-06T03:00:00Z')).toBe(at('2026-03-06T14:00:00Z'));
  });

  it('wall times the clocks skip or repeat, and which zone a delay uses', () => {
    // 02:30 does not exist in Berlin on 29 March 2026 (it lands just after the jump: 03:30 CEST).
    expect(zonedInstant(2026, 3, 29, 2, 30, 'Europe/Berlin')).toBe(at('2026-03-29T01:30:00Z'));
    // 02:30 happens twice on 25 October 2026: the first one (CEST).
    expect(zonedInstant(2026, 10, 25, 2, 30, 'Europe/Berlin')).toBe(at('2026-10-25T00:30:00Z'));
    const from = at('2026-03-27T10:00:00Z');
    const nbd = { type: 'next_business_day' as const, hour: 9, minute: 0, utcOffsetMinutes: 0 };
    // No zone of its own: the location's.
    expect(delayEnd(nbd, from, {}, 'Europe/Berlin')).toBe(at('2026-03-30T07:00:00Z'));
    expect(delayEnd(nbd, from, {})).toBe(at('2026-03-30T09:00:00Z'));
    // Its own zone wins; an older recipe's fixed offset is kept.
    expect(delayEnd({ ...nbd, timeZone: 'America/New_York' }, from, {}, 'Europe/Berlin')).toBe(
      at('2026-03-30T13:00:00Z'),
    );
    expect(delayEnd({ ...nbd, utcOffsetMinutes: 60 }, from, {}, 'America/New_York')).toBe(
      at('2026-03-30T08:00:00Z'),
    );
    expect(v.safeParse(Delay, { ...nbd, timeZone: 'Europe/Berlin' }).success).toBe(true);
    const bad = v.safeParse(Delay, { ...nbd, timeZone: 'Mars/Olympus' });
    expect(bad.success).toBe(false);
    expect(bad.issues?.[0]?.message).toMatch(/IANA time zone/);
  });

  it('"1 h before the appointment" needs an appointment and never lies in the past', () => {
    const appointment = {
      id: 'a',
      startTime: '2026-12-08T10:00:00.000Z',
      endTime: '2026-12-08T10:30:00.000Z',
    };
    expect(
      delayEnd({ type: 'before_appointment', minutes: 60 }, at('2026-12-04T11:00:00Z'), { appointment }),
    ).toBe(at('2026-12-08T09:00:00Z'));
    expect(
      delayEnd({ type: 'after_appointment', minutes: 60 }, at('2026-12-04T11:00:00Z'), { appointment }),
    ).toBe(at('2026-12-08T11:30:00Z'));
    expect(
      delayEnd({ type: 'before_appointment', minutes: 60 }, at('2026-12-08T09:45:00Z'), { appointment }),
    ).toBe(at('2026-12-08T09:45:00Z'));
    expect(delayEnd({ type: 'before_appointment', minutes: 60 }, 0, {})).toBeNull();
  });
});

describe('conditions', () => {
  const data = {
    contact: {
      id: 'c',
      tags: ['Lead', 'vip'],
      email: 'a@b.co',
      source: 'Website form',
      businessId: 'biz1',
      customFields: { f1: 'gold' },
    },
    appointment: { id: 'a', calendarId: 'cal1' },
    tag: 'qualified',
  };

  it('tag, field, source, business and calendar', () => {
    expect(holds({ type: 'tag', op: 'has', tag: 'lead' }, data)).toBe(true);
    expect(holds({ type: 'tag', op: 'lacks', tag: 'lead' }, data)).toBe(false);
    expect(holds({ type: 'field', path: 'contact.customFields.f1', op: 'eq', value: 'Gold' }, data)).toBe(
      true,
    );
    expect(holds({ type: 'field', path: 'contact.phone', op: 'unset' }, data)).toBe(true);
    expect(holds({ type: 'field', path: 'contact.email', op: 'contains', value: '@B.' }, data)).toBe(true);
    expect(holds({ type: 'field', path: 'tag', op: 'eq', value: 'qualified' }, data)).toBe(true);
    expect(holds({ type: 'field', path: 'tag', op: 'neq', value: 'qualified' }, data)).toBe(false);
    expect(holds({ type: 'source', value: 'website form' }, data)).toBe(true);
    expect(holds({ type: 'business', value: 'biz2' }, data)).toBe(false);
    expect(holds({ type: 'calendar', value: 'cal1' }, data)).toBe(true);
    expect(allHold([], data)).toBe(true);
  });

  it('"has an upcoming appointment" fails closed when the fact is unknown', () => {
    expect(holds({ type: 'upcoming_appointment', value: false }, data)).toBe(false);
    expect(holds({ type: 'upcoming_appointment', value: false }, data, { upcomingAppointment: false })).toBe(
      true,
    );
    const now = at('2026-12-04T11:00:00Z');
    expect(hasUpcoming([{ startTime: '2026-12-05T10:00:00Z', appointmentStatus: 'confirmed' }], now)).toBe(
      true,
    );
    expect(
      hasUpcoming(
        [
          { startTime: '2026-12-05T10:00:00Z', appointmentStatus: 'cancelled' },
          { startTime: '2026-12-01T10:00:00Z' },
        ],
        now,
      ),
    ).toBe(false);
  });
});

describe('placeholders', () => {
  it('fills paths, falls back, leaves unknowns empty', () => {
    const data = {
      contact: { id: 'c', firstName: 'Ada', tags: ['a', 'b'] },
      appointment: { id: 'x', title: '' },
    };
    expect(fill('Hi {{contact.firstName}} ({{ contact.tags }})', data)).toBe('Hi Ada (a, b)');
    expect(fill('{{appointment.title | the call}} / {{nope.x}}', data)).toBe('the call / ');
  });
});

const ghl = (type: string, fields: Record<string, unknown>) => ({
  type,
  webhookId: `wh-${type}-${Math.random()}`,
  timestamp: '2026-12-04T11:00:00Z',
  locationId: 'loc',
  ...fields,
});
const change = (fields: Record<string, unknown>) =>
  ({
    connectionId: 'conn',
    partnerId: 'p1',
    occurredAt: '2026-12-04T11:00:00Z',
    dedupeKey: 'k1',
    fingerprint: 'f',
    contact: { email: 'a@b.co' },
    ...fields,
  }) as unknown as PartnerChange;

describe('events become trigger occurrences', () => {
  it('tags: new against the baseline; a plain update without a baseline says nothing about tags', () => {
    const update = ghl('ContactUpdate', { id: 'c1', tags: ['lead', 'qualified'] });
    expect(fromGhlEvent(update, 'c1', ['lead']).events.map((e) => [e.trigger, e.data.tag])).toEqual([
      ['ghl.contact.updated', undefined],
      ['ghl.contact.tag_added', 'qualified'],
    ]);
    expect(fromGhlEvent(update, 'c1', undefined).events.map((e) => e.trigger)).toEqual([
      'ghl.contact.updated',
    ]);
    const tagUpdate = ghl('ContactTagUpdate', { id: 'c1', tags: ['lead'] });
    expect(fromGhlEvent(tagUpdate, 'c1', ['lead', 'old']).events.map((e) => [e.trigger, e.data.tag])).toEqual(
      [['ghl.contact.tag_removed', 'old']],
    );
    expect(fromGhlEvent(tagUpdate, 'c1', ['lead']).tags).toEqual(['lead']);
  });

  it('appointment status decides the trigger; keys repeat for the same occurrence', () => {
    const appt = (status: string) => ({
      appointment: {
        id: 'a1',
        contactId: 'c1',
        appointmentStatus: status,
        startTime: '2026-12-08T10:00:00Z',
      },
    });
    const one = fromGhlEvent(ghl('AppointmentUpdate', appt('noshow')), 'c1', undefined).events[0]!;
    const again = fromGhlEvent(ghl('AppointmentUpdate', appt('noshow')), 'c1', undefined).events[0]!;
    expect(one.trigger).toBe('ghl.appointment.no_show');
    expect(one.key).toBe(again.key);
    expect(
      fromGhlEvent(ghl('AppointmentDelete', appt('confirmed')), 'c1', undefined).events[0]!.trigger,
    ).toBe('ghl.appointment.cancelled');
    expect(
      fromGhlEvent(ghl('AppointmentCreate', appt('confirmed')), 'c1', undefined).events[0]!.subject,
    ).toBe('appointment:a1');
  });

  it('partner bookings: created once, rescheduled when the start moves, no-show only when absent', () => {
    const booking = change({
      kind: 'appointment',
      op: 'upsert',
      data: {
        title: 'Call',
        startTime: '2026-12-08T10:00:00Z',
        endTime: '2026-12-08T10:30:00Z',
        status: 'confirmed',
      },
    });
    expect(fromPartnerChange(booking, 'c1', undefined).map((e) => e.trigger)).toEqual([
      'partner.booking.created',
    ]);
    expect(fromPartnerChange(booking, 'c1', { startTime: '2026-12-08T10:00:00Z' })).toEqual([]);
    expect(
      fromPartnerChange(booking, 'c1', { startTime: '2026-12-08T09:00:00Z' }).map((e) => e.trigger),
    ).toEqual(['partner.booking.rescheduled']);
    expect(
      fromPartnerChange(
        change({ kind: 'appointment', op: 'no_show', data: { absent: false, attendeeEmails: [] } }),
        'c1',
        undefined,
      ),
    ).toEqual([]);
    const noshow = change({
      kind: 'appointment',
      op: 'upsert',
      data: {
        title: 'Call',
        startTime: '2026-12-08T10:00:00Z',
        endTime: '2026-12-08T10:30:00Z',
        status: 'noshow',
      },
    });
    const marked = change({ kind: 'appointment', op: 'no_show', data: { absent: true, attendeeEmails: [] } });
    // The same occurrence whether the partner says it by status or by an absent mark.
    expect(fromPartnerChange(noshow, 'c1', { startTime: '2026-12-08T10:00:00Z' })[0]!.key).toBe(
      fromPartnerChange(marked, 'c1', undefined)[0]!.key,
    );
  });

  it('every catalog trigger is one the runtime fires, and nothing fires outside the catalog', () => {
    const appt = (status: string) => ({ appointment: { id: 'a1', appointmentStatus: status } });
    const fired = new Set<string>();
    const add = (events: { trigger: string }[]) => events.forEach((e) => fired.add(e.trigger));
    add(fromGhlEvent(ghl('ContactCreate', { id: 'c1', tags: ['x'] }), 'c1', undefined).events);
    add(fromGhlEvent(ghl('ContactUpdate', { id: 'c1', tags: ['y'] }), 'c1', ['x']).events);
    for (const s of ['confirmed', 'cancelled', 'noshow', 'showed'])
      add(fromGhlEvent(ghl('AppointmentUpdate', appt(s)), 'c1', undefined).events);
    add(fromGhlEvent(ghl('AppointmentCreate', appt('confirmed')), 'c1', undefined).events);
    for (const type of ['TaskCreate', 'TaskComplete', 'NoteCreate'])
      add(fromGhlEvent(ghl(type, { id: 'o1', contactId: 'c1' }), 'c1', undefined).events);
    const data = {
      title: 'Call',
      startTime: '2026-12-08T10:00:00Z',
      endTime: '2026-12-08T10:30:00Z',
      status: 'confirmed',
    };
    add(fromPartnerChange(change({ kind: 'appointment', op: 'upsert', data }), 'c1', undefined));
    add(fromPartnerChange(change({ kind: 'appointment', op: 'upsert', data }), 'c1', { startTime: 'x' }));
    add(
      fromPartnerChange(
        change({ kind: 'appointment', op: 'upsert', data: { ...data, status: 'cancelled' } }),
        'c1',
        undefined,
      ),
    );
    add(
      fromPartnerChange(
        change({ kind: 'appointment', op: 'no_show', data: { absent: true, attendeeEmails: [] } }),
        'c1',
        undefined,
      ),
    );
    add(
      fromPartnerChange(
        change({ kind: 'contact', op: 'upsert', data: { email: 'a@b.co' } }),
        'c1',
        undefined,
      ),
    );
    add(
      fromPartnerChange(
        change({ kind: 'task', op: 'upsert', data: { title: 't', dueDate: 'd', completed: false } }),
        'c1',
        undefined,
      ),
    );
    add(fromPartnerChange(change({ kind: 'note', op: 'upsert', data: { body: 'b' } }), 'c1', undefined));
    for (const status of ['conflict', 'failed'])
      add(fromSyncLog({ action: 'update contact in partner', objectKind: 'contact', status }, 'c1', 0));
    add(
      fromSyncLog(
        {
          action: 'x',
          objectKind: 'contact',
          status: 'retrying',
          error: 'The connection needs a reconnect',
          connectionId: 'k',
        },
        'c1',
        0,
      ),
    );
    // schedule.daily comes from the cron (schedules.ts → runtime.onScheduled), not from an event.
    fired.add('schedule.daily');
    expect([...fired].sort()).toEqual(TRIGGERS.map((t) => t.key).sort());
  });
});

describe('daily recipes', () => {
  it('are due once a day, after their time (UTC)', () => {
    const recipe = { schedule: { hour: 6, minute: 30, tag: 'x' } };
    expect(scheduleDue(recipe, null, Date.parse('2026-12-04T06:29:00Z'))).toBeNull();
    expect(scheduleDue(recipe, null, Date.parse('2026-12-04T06:30:00Z'))).toBe('2026-12-04');
    expect(scheduleDue(recipe, '2026-12-04', Date.parse('2026-12-04T23:00:00Z'))).toBeNull();
    expect(scheduleDue(recipe, '2026-12-03', Date.parse('2026-12-04T23:00:00Z'))).toBe('2026-12-04');
    expect(scheduleDue({}, null, Date.parse('2026-12-04T23:00:00Z'))).toBeNull();
  });

  it("are due after their time on the location's clock, daylight saving included", () => {
    const recipe = { schedule: { hour: 6, minute: 0, tag: 'x' } };
    // Berlin, the Monday after clocks went forward: 06:00 CEST is 04:00 UTC.
    expect(scheduleDue(recipe, '2026-03-29', at('2026-03-30T03:59:00Z'), 'Europe/Berlin')).toBeNull();
    expect(scheduleDue(recipe, '2026-03-29', at('2026-03-30T04:00:00Z'), 'Europe/Berlin')).toBe('2026-03-30');
    // The week before, 06:00 CET is 05:00 UTC.
    expect(scheduleDue(recipe, '2026-03-22', at('2026-03-23T04:30:00Z'), 'Europe/Berlin')).toBeNull();
    expect(scheduleDue(recipe, '2026-03-22', at('2026-03-23T05:00:00Z'), 'Europe/Berlin')).toBe('2026-03-23');
    // 01:00 UTC on 2 Nov is still 1 Nov in New York: its day, already run.
    expect(scheduleDue(recipe, '2026-11-01', at('2026-11-02T01:00:00Z'), 'America/New_York')).toBeNull();
    expect(scheduleDue(recipe, '2026-11-01', at('2026-11-02T11:00:00Z'), 'America/New_York')).toBe(
      '2026-11-02',
    );
    // A schedule's own zone wins over the location's.
    const tokyo = { schedule: { ...recipe.schedule, timeZone: 'Asia/Tokyo' } };
    expect(scheduleDue(tokyo, null, at('2026-03-29T21:00:00Z'), 'Europe/Berlin')).toBe('2026-03-30');
  });

  it('a schedule.daily recipe needs a schedule naming a tag or a business, and nothing else takes one', () => {
    const base = { name: 'D', trigger: 'schedule.daily', steps: [{ action: 'engine.contact.push' }] };
    expect(v.safeParse(RecipeInput, { ...base, schedule: { hour: 6, tag: 't' } }).success).toBe(true);
    expect(v.safeParse(RecipeInput, base).success).toBe(false);
    expect(v.safeParse(RecipeInput, { ...base, schedule: { hour: 6 } }).success).toBe(false);
    expect(
      v.safeParse(RecipeInput, { ...base, schedule: { hour: 6, tag: 't', businessId: 'b' } }).success,
    ).toBe(false);
    expect(
      v.safeParse(RecipeInput, { ...base, trigger: 'ghl.contact.created', schedule: { hour: 6, tag: 't' } })
        .success,
    ).toBe(false);
  });
});

describe('sync log entries', () => {
  it('a reconnect fires once per connection and day; retries and successes fire nothing', () => {
    const reconnect = {
      action: 'x',
      objectKind: 'contact',
      status: 'retrying',
      error: 'The connection needs a reconnect',
      connectionId: 'k',
    };
    const day = Date.parse('2026-12-04T08:00:00Z');
    expect(fromSyncLog(reconnect, 'c1', day)[0]!.key).toBe(
      fromSyncLog(reconnect, 'c1', day + 3600_000)[0]!.key,
    );
    expect(fromSyncLog(reconnect, 'c1', day)[0]!.key).not.toBe(
      fromSyncLog(reconnect, 'c1', day + 86_400_000)[0]!.key,
    );
    expect(fromSyncLog({ ...reconnect, error: 'GHL 503' }, 'c1', day)).toEqual([]);
    expect(fromSyncLog({ ...reconnect, status: 'done', error: null }, 'c1', day)).toEqual([]);
  });
});

describe('the catalog', () => {
  it('every action has a handler, a scope, a description and a sample its own schema accepts', () => {
    for (const a of ACTIONS) {
      expect(typeof a.run).toBe('function');
      expect(a.description.length).toBeGreaterThan(10);
      // GHL actions need a GHL scope; a partner lookup in our own ID map needs none.
      if (a.group === 'ghl' || a.scope !== null)
        expect(a.scope, a.key).toMatch(/^(contacts|calendars\/events)\.(readonly|write)$/);
      else expect(['partner', 'sync'], a.key).toContain(a.group);
      expect(parseActionInput(a.key, a.sample), a.key).toMatchObject({ ok: true });
    }
    // Engine operations are the admins'; GHL workflows never run them.
    const adminOnly = ACTIONS.filter((a) => a.adminOnly).map((a) => a.key);
    expect(adminOnly.sort()).toEqual(['engine.backfill.start', 'engine.sync_log.replay']);
    for (const w of WORKFLOW_ACTIONS) expect(adminOnly, w.key).not.toContain(w.operation);
    // Every partner write is a GHL workflow action too.
    for (const key of [
      'partner.booking.create',
      'partner.booking.reschedule',
      'partner.booking.cancel',
      'partner.task.create',
      'partner.note.create',
    ])
      expect(WORKFLOW_ACTIONS.map((w) => w.operation)).toContain(key);
    expect(parseActionInput('ghl.task.create', { title: '' })).toMatchObject({ ok: false });
    expect(parseActionInput('nope.action', {})).toMatchObject({ ok: false });
  });

  it("describes each action's input fields", () => {
    const task = catalogView().actions.find((a) => a.key === 'ghl.task.create')!;
    expect(task.fields).toEqual([
      expect.objectContaining({ name: 'title', type: 'string', required: true }),
      expect.objectContaining({ name: 'body', required: false }),
      expect.objectContaining({ name: 'due', type: 'delay', required: false }),
      expect.objectContaining({ name: 'dueDate', type: 'string', required: false }),
    ]);
  });

  it('every template is a valid recipe over catalog operations', () => {
    for (const t of TEMPLATES) {
      const parsed = v.safeParse(RecipeInput, t.definition);
      expect(parsed.success, `${t.id}: ${JSON.stringify(parsed.issues?.map((i) => i.message))}`).toBe(true);
    }
    const bad = v.safeParse(RecipeInput, {
      ...TEMPLATES[0]!.definition,
      steps: [{ action: 'ghl.task.create', input: {} }],
    });
    expect(bad.success).toBe(false);
    expect(
      v.safeParse(RecipeInput, { ...TEMPLATES[0]!.definition, trigger: 'ghl.nothing.here' }).success,
    ).toBe(false);
    // Stopping, and times counted from the appointment, need a trigger that names one.
    const onTag = {
      name: 'x',
      trigger: 'ghl.contact.tag_added',
      steps: [{ action: 'ghl.task.create', input: { title: 't' } }],
    };
    const messages = (r: unknown) => v.safeParse(RecipeInput, r).issues?.map((i) => i.message) ?? [];
    expect(messages({ ...onTag, stopOn: { triggers: ['ghl.appointment.cancelled'] } })).toContainEqual(
      expect.stringMatching(/^stopOn: needs a trigger about an appointment/),
    );
    expect(
      messages({
        ...onTag,
        steps: [
          {
            action: 'ghl.task.create',
            input: { title: 't', due: { type: 'before_appointment', minutes: 60 } },
          },
        ],
      }),
    ).toEqual(['steps.0.input.due: "60 min before the appointment" needs a trigger about an appointment']);
    expect(
      messages({
        ...onTag,
        trigger: 'ghl.appointment.booked',
        stopOn: { triggers: ['ghl.contact.tag_added'] },
      }),
    ).toEqual(['stopOn: ghl.contact.tag_added names no appointment']);
    expect(
      messages({
        ...onTag,
        trigger: 'ghl.appointment.booked',
        stopOn: { triggers: ['ghl.appointment.cancelled'] },
        steps: [
          {
            action: 'ghl.task.create',
            input: { title: 't', due: { type: 'after_appointment', minutes: 30 } },
          },
        ],
      }),
    ).toEqual([]);
  });
});
