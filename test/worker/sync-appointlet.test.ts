/**
 * The Appointlet connector through the real sync engine: Appointlet's unsigned Activity webhooks
 * (made by the Appointlet emulator, test/partners/README.md) go to the connection's inbound URL
 * with its `?key=`, and land in the GHL emulator. Appointlet has no API, so nothing flows back.
 *
 * The emulator is shared with every test file: activities are made with `deliver: false` and
 * posted to the worker here (the worker listens on no port), with unique emails per test.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createConnection } from '../../worker/tenants/connections.ts';
import { contactStub } from '../../worker/durable/stubs.ts';
import { installedLocation } from './helpers.ts';
import { eventually, ghlAct, ghlState, partner, settled, syncLog } from './sync-helpers.ts';

interface Acted {
  activity: {
    id: number;
    action: string;
    entity: { id: number; attendees?: { id: number; email: string }[] };
  };
  body: string;
}

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let seq = 0;
const uniqueEmail = (tag: string) => `${tag}.${run}.${++seq}@appointlet-test.example`;
const sameTime = (a: string, b: string) => Date.parse(a) === Date.parse(b);
const day = Date.UTC(2031, 5, 1) + Math.floor(Math.random() * 1000) * 86_400_000;
let slot = 0;
const nextSlot = () => new Date(day + slot++ * 3600_000).toISOString();

/** An installed location with an Appointlet connection; `post` sends an activity to its inbound URL. */
async function appointletLocation(contacts = 2) {
  const { seed, locationId, location } = await installedLocation(contacts);
  const calendarId = (seed.locations[0] as unknown as { calendarId: string }).calendarId;
  const created = await createConnection(env, {
    locationId,
    kind: 'appointlet',
    name: 'Appointlet (emulator)',
    settings: { ghlCalendarId: calendarId },
  });
  const url = new URL(created.inboundUrl);
  expect(url.searchParams.get('key')).toBeTruthy();
  const connectionId = created.connection.id;

  /** Posts a body to the inbound URL (or to another path+query); answers status and JSON. */
  async function post(body: string, target = `${url.pathname}${url.search}`) {
    const res = await SELF.fetch(`http://app.test${target}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  /** Acts as an Appointlet user and delivers the resulting Activity `times` times. */
  async function act(action: string, input: Record<string, unknown> = {}, times = 1): Promise<Acted> {
    const acted = await partner<Acted>(env.APPOINTLET_URL, '/_partner/act', {
      action,
      ...input,
      deliver: false,
    });
    for (let i = 0; i < times; i++) {
      const res = await post(acted.body);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    }
    return acted;
  }

  const contact = (await ghlState(locationId)).contacts.find((c) => c.id === location.contactIds[0])!;
  return { locationId, connectionId, contactIds: location.contactIds, contact, url, post, act };
}

const contactByEmail = (locationId: string, email: string) =>
  eventually(`GHL contact ${email}`, async () =>
    (await ghlState(locationId)).contacts.find((c) => c.email === email),
  );
const apptsOf = async (locationId: string, contactId: string) =>
  (await ghlState(locationId)).appointments.filter((a) => a.contactId === contactId);
const tagsOf = async (locationId: string, contactId: string) =>
  ((await ghlState(locationId)).contacts.find((c) => c.id === contactId)?.tags ?? []) as string[];

describe('Appointlet → GHL', () => {
  it('Meeting.scheduled by a known person: appointment on the contact matched by email, notes as a GHL note', async () => {
    const { locationId, contact, contactIds, act } = await appointletLocation();
    const start = nextSlot();
    await act('Meeting.scheduled', {
      name: 'Discovery call',
      start,
      location: '1 Main St',
      attendee: {
        email: String(contact.email).toUpperCase(),
        first_name: contact.firstName,
        last_name: contact.lastName,
        notes: 'Bring the floor plan',
      },
    });

    const appt = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    expect(appt).toMatchObject({
      title: 'Discovery call',
      appointmentStatus: 'confirmed',
      address: '1 Main St',
    });
    expect(sameTime(appt.startTime, start)).toBe(true);
    expect(sameTime(appt.endTime, new Date(Date.parse(start) + 30 * 60_000).toISOString())).toBe(true);
    const note = await eventually('GHL note', async () =>
      (await ghlState(locationId)).notes.find((n) => n.contactId === contact.id),
    );
    expect(note.body).toBe('Bring the floor plan');
    await settled(locationId, contact.id);

    const state = await ghlState(locationId);
    expect(state.contacts).toHaveLength(contactIds.length);
    expect(state.appointments).toHaveLength(1);
    expect(state.notes.filter((n) => n.contactId === contact.id)).toHaveLength(1);
    const done = (await syncLog(locationId, { contactId: contact.id }))
      .filter((e) => e.status === 'done')
      .map((e) => e.action);
    expect(done).toEqual(expect.arrayContaining(['create appointment in GHL', 'create note in GHL']));
    // A booking page only knows what the attendee typed: it fills blanks, it does not overwrite the contact.
    const contactEntry = (await syncLog(locationId, { contactId: contact.id })).find(
      (e) => e.action === 'update contact in GHL',
    );
    expect(contactEntry?.status ?? 'skipped').toBe('skipped');
  });

  it('Meeting.scheduled by someone new creates the GHL contact with name and phone', async () => {
    const { locationId, contactIds, act } = await appointletLocation();
    const email = uniqueEmail('new');
    await act('Meeting.scheduled', {
      start: nextSlot(),
      attendee: { email, first_name: 'Nia', last_name: 'Novak', phone: '+15550102030' },
    });
    const created = await contactByEmail(locationId, email);
    expect(created).toMatchObject({ firstName: 'Nia', lastName: 'Novak', phone: '+15550102030' });
    expect(contactIds).not.toContain(created.id);
    await eventually('GHL appointment', async () => (await apptsOf(locationId, created.id))[0]);
    await settled(locationId, created.id);
    expect((await ghlState(locationId)).contacts).toHaveLength(contactIds.length + 1);
    expect(
      (await syncLog(locationId)).find(
        (e) => e.action === 'create contact in GHL' && e.contactId === created.id,
      )?.status,
    ).toBe('done');
  });

  it('Meeting.rescheduled moves the same appointment; Meeting.cancelled cancels it', async () => {
    const { locationId, act } = await appointletLocation();
    const email = uniqueEmail('moves');
    const scheduled = await act('Meeting.scheduled', {
      start: nextSlot(),
      attendee: { email, notes: 'first note' },
    });
    const meetingId = scheduled.activity.entity.id;
    const contact = await contactByEmail(locationId, email);
    const first = await eventually('GHL appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);

    const later = nextSlot();
    await act('Meeting.rescheduled', {
      meetingId,
      start: later,
      end: new Date(Date.parse(later) + 45 * 60_000).toISOString(),
    });
    await eventually('moved', async () =>
      sameTime((await apptsOf(locationId, contact.id))[0]!.startTime, later),
    );
    await settled(locationId, contact.id);
    let appts = await apptsOf(locationId, contact.id);
    expect(appts.map((a) => a.id)).toEqual([first.id]);
    expect(sameTime(appts[0]!.endTime, new Date(Date.parse(later) + 45 * 60_000).toISOString())).toBe(true);

    await act('Meeting.cancelled', { meetingId });
    await eventually(
      'cancelled',
      async () => (await apptsOf(locationId, contact.id))[0]!.appointmentStatus === 'cancelled',
    );
    await settled(locationId, contact.id);
    appts = await apptsOf(locationId, contact.id);
    expect(appts.map((a) => a.id)).toEqual([first.id]);
    // The unchanged attendee notes are not written again.
    expect((await ghlState(locationId)).notes.filter((n) => n.contactId === contact.id)).toHaveLength(1);
    const log = (await syncLog(locationId, { contactId: contact.id })).reverse();
    expect(
      log.filter((e) => e.objectKind === 'appointment' && e.status === 'done').map((e) => e.action),
    ).toEqual(['create appointment in GHL', 'update appointment in GHL', 'update appointment in GHL']);
    expect(log.filter((e) => e.objectKind === 'note').map((e) => e.status)).toEqual(
      expect.arrayContaining(['done', 'skipped']),
    );
    expect(log.filter((e) => e.objectKind === 'note' && e.status === 'done')).toHaveLength(1);
  });

  // Under Manual Approval a meeting's `approved` is null until the host decides (FACTS §1.2–1.3).
  it('a meeting awaiting approval is a new (unconfirmed) GHL appointment; approval confirms it, a decline cancels it', async () => {
    const { locationId, act } = await appointletLocation();
    const approved = uniqueEmail('approve');
    const declined = uniqueEmail('decline');
    const m1 = await act('Meeting.scheduled', {
      start: nextSlot(),
      requiresApproval: true,
      attendee: { email: approved },
    });
    const m2 = await act('Meeting.scheduled', {
      start: nextSlot(),
      requiresApproval: true,
      attendee: { email: declined },
    });
    const c1 = await contactByEmail(locationId, approved);
    const c2 = await contactByEmail(locationId, declined);
    const pending1 = await eventually('pending 1', async () => (await apptsOf(locationId, c1.id))[0]);
    const pending2 = await eventually('pending 2', async () => (await apptsOf(locationId, c2.id))[0]);
    expect([pending1.appointmentStatus, pending2.appointmentStatus]).toEqual(['new', 'new']);
    await settled(locationId, c1.id);
    await settled(locationId, c2.id);

    await act('Meeting.approved', { meetingId: m1.activity.entity.id });
    await act('Meeting.declined', { meetingId: m2.activity.entity.id });
    await eventually(
      'approved',
      async () => (await apptsOf(locationId, c1.id))[0]!.appointmentStatus === 'confirmed',
    );
    await eventually(
      'declined',
      async () => (await apptsOf(locationId, c2.id))[0]!.appointmentStatus === 'cancelled',
    );
    await settled(locationId, c1.id);
    await settled(locationId, c2.id);
    expect((await apptsOf(locationId, c1.id)).map((a) => a.id)).toEqual([pending1.id]);
    expect((await apptsOf(locationId, c2.id)).map((a) => a.id)).toEqual([pending2.id]);
    const done = (await syncLog(locationId, { contactId: c1.id }))
      .filter((e) => e.objectKind === 'appointment' && e.status === 'done')
      .map((e) => e.action)
      .reverse();
    expect(done).toEqual(['create appointment in GHL', 'update appointment in GHL']);
  });

  it('Attendee.cancelled cancels only that attendee’s appointment', async () => {
    const { locationId, act } = await appointletLocation();
    const stays = uniqueEmail('stays');
    const leaves = uniqueEmail('leaves');
    const scheduled = await act('Meeting.scheduled', {
      start: nextSlot(),
      attendees: [{ email: stays }, { email: leaves }],
    });
    const leaving = scheduled.activity.entity.attendees!.find((a) => a.email === leaves)!;
    const cs = await contactByEmail(locationId, stays);
    const cl = await contactByEmail(locationId, leaves);
    await eventually(
      'appointments',
      async () =>
        (await apptsOf(locationId, cs.id)).length === 1 && (await apptsOf(locationId, cl.id)).length === 1,
    );
    await settled(locationId, cl.id);
    await act('Attendee.cancelled', { meetingId: scheduled.activity.entity.id, attendeeId: leaving.id });
    await eventually(
      'cancelled',
      async () => (await apptsOf(locationId, cl.id))[0]!.appointmentStatus === 'cancelled',
    );
    await settled(locationId, cl.id);
    expect((await apptsOf(locationId, cs.id))[0]!.appointmentStatus).toBe('confirmed');
    expect(await apptsOf(locationId, cl.id)).toHaveLength(1);
  });

  it('Attendee.scheduled adds a person to a group meeting: their own contact, appointment and note', async () => {
    const { locationId, act } = await appointletLocation();
    const host = uniqueEmail('group1');
    const joiner = uniqueEmail('group2');
    const scheduled = await act('Meeting.scheduled', {
      name: 'Workshop',
      start: nextSlot(),
      attendees: [{ email: host }],
    });
    const first = await contactByEmail(locationId, host);
    await eventually('first appointment', async () => (await apptsOf(locationId, first.id))[0]);
    await act('Attendee.scheduled', {
      meetingId: scheduled.activity.entity.id,
      attendee: { email: joiner, first_name: 'Jo', notes: 'Vegetarian lunch' },
    });
    const second = await contactByEmail(locationId, joiner);
    const appt = await eventually(
      'second appointment',
      async () => (await apptsOf(locationId, second.id))[0],
    );
    expect(appt.title).toBe('Workshop');
    await eventually('note', async () =>
      (await ghlState(locationId)).notes.find(
        (n) => n.contactId === second.id && n.body === 'Vegetarian lunch',
      ),
    );
    await settled(locationId, second.id);
    expect(await apptsOf(locationId, first.id)).toHaveLength(1);
  });

  it('Meeting.tagged / untagged add and remove the GHL tag on every attendee', async () => {
    const { locationId, act } = await appointletLocation();
    const a = uniqueEmail('tag-a');
    const b = uniqueEmail('tag-b');
    const scheduled = await act('Meeting.scheduled', {
      start: nextSlot(),
      attendees: [{ email: a }, { email: b }],
    });
    const meetingId = scheduled.activity.entity.id;
    const ca = await contactByEmail(locationId, a);
    const cb = await contactByEmail(locationId, b);
    await settled(locationId, ca.id);
    await settled(locationId, cb.id);

    await act('Meeting.tagged', { meetingId, tag: 'Workshop-2031' });
    await act('Meeting.tagged', { meetingId, tag: 'paid' });
    await eventually(
      'tags added',
      async () =>
        (await tagsOf(locationId, ca.id)).includes('paid') &&
        (await tagsOf(locationId, cb.id)).includes('paid'),
    );
    expect(await tagsOf(locationId, ca.id)).toEqual(expect.arrayContaining(['workshop-2031', 'paid']));
    expect(await tagsOf(locationId, cb.id)).toEqual(expect.arrayContaining(['workshop-2031', 'paid']));

    await act('Meeting.untagged', { meetingId, tag: 'Workshop-2031' });
    await eventually(
      'tag removed',
      async () =>
        !(await tagsOf(locationId, ca.id)).includes('workshop-2031') &&
        !(await tagsOf(locationId, cb.id)).includes('workshop-2031'),
    );
    await settled(locationId, ca.id);
    await settled(locationId, cb.id);
    expect(await tagsOf(locationId, ca.id)).toEqual(['paid']);
    expect(await tagsOf(locationId, cb.id)).toEqual(['paid']);
    const tagLog = (await syncLog(locationId, { contactId: ca.id }))
      .filter((e) => e.objectKind === 'tag')
      .reverse();
    expect(tagLog.map((e) => [e.action, e.status])).toEqual([
      ['add tags in GHL: Workshop-2031', 'done'],
      ['add tags in GHL: paid', 'done'],
      ['remove tags in GHL: Workshop-2031', 'done'],
    ]);
  });

  it('a redelivered activity is applied once', async () => {
    const { locationId, act, post } = await appointletLocation();
    const email = uniqueEmail('thrice');
    const acted = await act(
      'Meeting.scheduled',
      { start: nextSlot(), attendee: { email, notes: 'only once' } },
      1,
    );
    for (let i = 0; i < 2; i++)
      expect((await post(acted.body)).json).toMatchObject({ accepted: 0, duplicates: 3 });
    const contact = await contactByEmail(locationId, email);
    await eventually('appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);
    const state = await ghlState(locationId);
    expect(state.appointments.filter((x) => x.contactId === contact.id)).toHaveLength(1);
    expect(state.notes.filter((n) => n.contactId === contact.id)).toHaveLength(1);
    expect(state.contacts.filter((c) => c.email === email)).toHaveLength(1);
  });

  it('a wrong or missing key is refused with 401 and changes nothing', async () => {
    const { locationId, connectionId, url, post } = await appointletLocation();
    const acted = await partner<Acted>(env.APPOINTLET_URL, '/_partner/act', {
      action: 'Meeting.scheduled',
      start: nextSlot(),
      attendee: { email: uniqueEmail('intruder') },
      deliver: false,
    });
    const before = await ghlState(locationId);
    const key = url.searchParams.get('key')!;
    const wrongKey = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const target of [
      `/webhooks/partner/${connectionId}`,
      `/webhooks/partner/${connectionId}?key=`,
      `/webhooks/partner/${connectionId}?key=${wrongKey}`,
      `/webhooks/partner/${connectionId}?token=${key}`,
    ]) {
      const res = await post(acted.body, target);
      expect(res.status, target).toBe(401);
      expect(res.json.error.code).toBe('invalid_signature');
    }
    expect(await ghlState(locationId)).toEqual(before);
    expect(await syncLog(locationId)).toHaveLength(0);
  });
});

describe('GHL → Appointlet', () => {
  it('is inbound only: GHL changes queue no work for Appointlet', async () => {
    const { locationId, connectionId, contact, act } = await appointletLocation();
    await act('Meeting.scheduled', {
      start: nextSlot(),
      attendee: { email: contact.email, first_name: contact.firstName, last_name: contact.lastName },
    });
    const appt = await eventually('appointment', async () => (await apptsOf(locationId, contact.id))[0]);
    await settled(locationId, contact.id);
    const key = `${locationId}:${contact.id}`;
    const before = await contactStub(env, locationId, contact.id).syncStatus(key);

    const later = nextSlot();
    await ghlAct(locationId, {
      action: 'appointment.update',
      appointmentId: appt.id,
      data: { startTime: later },
    });
    await ghlAct(locationId, { action: 'note.create', contactId: contact.id, data: { body: 'GHL only' } });
    await ghlAct(locationId, { action: 'tags.add', contactId: contact.id, tags: ['ghl-only'] });
    await ghlAct(locationId, {
      action: 'contact.update',
      contactId: contact.id,
      data: { companyName: 'Acme' },
    });
    await settled(locationId, contact.id);

    const after = await contactStub(env, locationId, contact.id).syncStatus(key);
    expect(after.counts).toEqual(before.counts);
    const outbound = (await syncLog(locationId, { contactId: contact.id })).filter(
      (e) => e.connectionId === connectionId && !e.action.endsWith('in GHL'),
    );
    expect(outbound).toEqual([]);
    // GHL keeps its own change.
    expect(sameTime((await apptsOf(locationId, contact.id))[0]!.startTime, later)).toBe(true);
  });
});
