import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appointletConnector } from '../../worker/connectors/appointlet.ts';
import { sha256Hex } from '../../worker/connectors/signing.ts';
import type { ConnectorConnection, PartnerChange } from '../../worker/connectors/types.ts';
import { AppError } from '../../worker/errors.ts';
import { startAppointletEmulator, type AppointletEmulator } from '../partners/appointlet.ts';
import { startSink, type Sink } from '../partners/common.ts';

const KEY = 'k3y-0f-this-connection-abcdef0123456789';
let emu: AppointletEmulator;
let sink: Sink;
let conn: ConnectorConnection;

beforeAll(async () => {
  sink = await startSink();
  emu = await startAppointletEmulator({ targetUrl: `${sink.url}/webhooks/partner/conn_ap?key=${KEY}` });
  conn = {
    id: 'conn_ap',
    locationId: 'loc1',
    kind: 'appointlet',
    settings: {},
    credentials: {},
    inboundSecretHash: await sha256Hex(KEY),
    createdAt: 0,
  };
});
afterAll(async () => {
  await emu.close();
  await sink.close();
});
beforeEach(() => {
  sink.received.length = 0;
});

async function act(body: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${emu.url}/_partner/act`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

const bytes = (s: string) => new TextEncoder().encode(s);
/** What the route would do with the last delivery: verify with its URL, then parse. */
async function lastDelivery(): Promise<{ ok: boolean; changes: PartnerChange[] }> {
  const got = sink.received.at(-1)!;
  const url = new URL(got.path, sink.url);
  const ok = await appointletConnector.verifyInbound(
    bytes(got.body),
    new Headers(got.headers),
    conn,
    new URL(`${url}?key=${KEY}`),
  );
  return { ok, changes: appointletConnector.parseInbound(bytes(got.body), new Headers(got.headers), conn) };
}

describe('Appointlet verifyInbound (per-connection URL key)', () => {
  const raw = bytes('{}');
  it('accepts the key whose hash is stored', async () => {
    expect(
      await appointletConnector.verifyInbound(
        raw,
        new Headers(),
        conn,
        new URL(`http://x/webhooks/partner/conn_ap?key=${KEY}`),
      ),
    ).toBe(true);
  });
  it('rejects a missing, wrong or empty key, no URL, and a connection without a stored hash', async () => {
    for (const url of ['http://x/w', 'http://x/w?key=wrong', 'http://x/w?key=']) {
      expect(await appointletConnector.verifyInbound(raw, new Headers(), conn, new URL(url))).toBe(false);
    }
    expect(await appointletConnector.verifyInbound(raw, new Headers(), conn)).toBe(false);
    expect(
      await appointletConnector.verifyInbound(
        raw,
        new Headers(),
        { ...conn, inboundSecretHash: null },
        new URL(`http://x/w?key=${KEY}`),
      ),
    ).toBe(false);
  });
});

describe('Appointlet parseInbound (activities from the emulator)', () => {
  it('Meeting.scheduled → contact, appointment and note per attendee', async () => {
    const r = await act({
      action: 'Meeting.scheduled',
      name: 'Discovery',
      start: '2030-01-02T15:00:00Z',
      attendee: {
        email: 'Ann@Example.com',
        first_name: 'Ann',
        last_name: 'Lee',
        phone: '+1 555 000 1111',
        notes: 'Call me after 5',
      },
    });
    const { ok, changes } = await lastDelivery();
    expect(ok).toBe(true);
    expect(changes.map((c) => `${c.kind}:${c.op}`)).toEqual([
      'contact:upsert',
      'appointment:upsert',
      'note:upsert',
    ]);
    expect(changes[0]).toMatchObject({
      partnerId: 'email:ann@example.com',
      data: {
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        name: 'Ann Lee',
        phone: '+1 555 000 1111',
      },
    });
    expect(changes[1]).toMatchObject({
      data: {
        title: 'Discovery',
        startTime: '2030-01-02T15:00:00.000Z',
        endTime: '2030-01-02T15:30:00.000Z',
        status: 'confirmed',
        address: '123 Address Street',
      },
    });
    expect(changes[2]).toMatchObject({ data: { body: 'Call me after 5' } });
    expect(changes[1]!.partnerId).toBe(
      `meeting:${r.activity.entity.id}:${r.activity.entity.attendees[0].id}`,
    );
  });

  it('rescheduled keeps the appointment id; cancelled and declined cancel it; approved confirms', async () => {
    const r = await act({ action: 'Meeting.scheduled', attendee: { email: 'bo@example.com' } });
    const id = r.activity.entity.id;
    const appt = async () => (await lastDelivery()).changes.find((c) => c.kind === 'appointment')!;
    const scheduled = await appt();
    await act({ action: 'Meeting.rescheduled', meetingId: id, start: '2030-02-01T10:00:00Z' });
    expect(await appt()).toMatchObject({
      partnerId: scheduled.partnerId,
      data: { startTime: '2030-02-01T10:00:00.000Z', status: 'confirmed' },
    });
    await act({ action: 'Meeting.cancelled', meetingId: id });
    expect((await appt()).data).toMatchObject({ status: 'cancelled' });
    const r2 = await act({
      action: 'Meeting.scheduled',
      requiresApproval: true,
      attendee: { email: 'cy@example.com' },
    });
    await act({ action: 'Meeting.declined', meetingId: r2.activity.entity.id });
    expect((await appt()).data).toMatchObject({ status: 'cancelled' });
  });

  it("a meeting awaiting the host's approval (approved: null) is a new, unconfirmed appointment until approved", async () => {
    const r = await act({
      action: 'Meeting.scheduled',
      requiresApproval: true,
      attendee: { email: 'pending@example.com' },
    });
    expect(r.activity.entity).toMatchObject({ approved: null, cancelled: false });
    const appt = async () => (await lastDelivery()).changes.find((c) => c.kind === 'appointment')!;
    const pending = await appt();
    expect(pending.data).toMatchObject({ status: 'new' });
    await act({
      action: 'Meeting.rescheduled',
      meetingId: r.activity.entity.id,
      start: '2030-03-01T10:00:00Z',
    });
    expect(await appt()).toMatchObject({ partnerId: pending.partnerId, data: { status: 'new' } });
    await act({ action: 'Meeting.approved', meetingId: r.activity.entity.id });
    expect(await appt()).toMatchObject({ partnerId: pending.partnerId, data: { status: 'confirmed' } });
    // Each state prints differently, so none is taken for an echo of the one before.
    expect(new Set([pending.fingerprint, (await appt()).fingerprint]).size).toBe(2);
  });

  it('group requests are decided per attendee: Attendee.approved confirms while the meeting stays undecided', async () => {
    const r = await act({
      action: 'Meeting.scheduled',
      requiresApproval: true,
      attendees: [{ email: 'g-pend1@example.com' }, { email: 'g-pend2@example.com' }],
    });
    const [first, second] = r.activity.entity.attendees;
    await act({ action: 'Attendee.approved', meetingId: r.activity.entity.id, attendeeId: first.id });
    expect((await lastDelivery()).changes.find((c) => c.kind === 'appointment')).toMatchObject({
      contact: { email: 'g-pend1@example.com' },
      data: { status: 'confirmed' },
    });
    await act({ action: 'Attendee.declined', meetingId: r.activity.entity.id, attendeeId: second.id });
    expect((await lastDelivery()).changes.find((c) => c.kind === 'appointment')).toMatchObject({
      contact: { email: 'g-pend2@example.com' },
      data: { status: 'cancelled' },
    });
  });

  it('Meeting.tagged/untagged → tag_add / tag_remove on each attendee', async () => {
    const r = await act({
      action: 'Meeting.scheduled',
      attendees: [{ email: 'a1@example.com' }, { email: 'a2@example.com' }],
    });
    await act({ action: 'Meeting.tagged', meetingId: r.activity.entity.id, tag: 'VIP' });
    const tagged = (await lastDelivery()).changes;
    expect(tagged.map((c) => [c.kind, c.op, c.partnerId, c.data])).toEqual([
      ['tag', 'tag_add', 'email:a1@example.com', { tags: ['VIP'] }],
      ['tag', 'tag_add', 'email:a2@example.com', { tags: ['VIP'] }],
    ]);
    await act({ action: 'Meeting.untagged', meetingId: r.activity.entity.id, tag: 'VIP' });
    expect((await lastDelivery()).changes.map((c) => c.op)).toEqual(['tag_remove', 'tag_remove']);
  });

  it('Attendee.* concern one attendee of a group meeting; reminders and other actions give nothing', async () => {
    const r = await act({ action: 'Meeting.scheduled', attendees: [{ email: 'g1@example.com' }] });
    const meetingId = r.activity.entity.id;
    const joined = await act({
      action: 'Attendee.scheduled',
      meetingId,
      attendee: { email: 'g2@example.com', first_name: 'Gee' },
    });
    expect((await lastDelivery()).changes.map((c) => `${c.kind}:${c.contact?.email}`)).toEqual([
      'contact:g2@example.com',
      'appointment:g2@example.com',
    ]);
    await act({ action: 'Attendee.cancelled', meetingId, attendeeId: joined.activity.entity.id });
    expect((await lastDelivery()).changes.find((c) => c.kind === 'appointment')!.data).toMatchObject({
      status: 'cancelled',
    });
    await act({ action: 'Attendee.reminded', meetingId });
    expect((await lastDelivery()).changes).toEqual([]);
    await act({ action: 'MeetingType.updated', entity: { id: 5, type: 'MeetingType' } });
    expect((await lastDelivery()).changes).toEqual([]);
  });

  it('a redelivered activity parses to the same dedupe keys', async () => {
    await act({ action: 'Meeting.scheduled', attendee: { email: 'dup@example.com' }, times: 2 });
    const [a, b] = sink.received
      .slice(-2)
      .map((r) =>
        appointletConnector.parseInbound(bytes(r.body), new Headers(), conn).map((c) => c.dedupeKey),
      );
    expect(a).toEqual(b);
  });

  it('bad JSON and envelopes without action or entity are 400', () => {
    for (const body of [
      'nope',
      '{"type":"Activity"}',
      '{"action":"Meeting.scheduled"}',
      '{"action":"drop table","entity":{}}',
    ]) {
      let status = 0;
      try {
        appointletConnector.parseInbound(bytes(body), new Headers(), conn);
      } catch (err) {
        status = (err as AppError).status;
      }
      expect(status).toBe(400);
    }
  });

  it('is inbound only: apply skips and there is nothing to reconcile', async () => {
    const res = await appointletConnector.apply(
      { kind: 'note', op: 'create', ghlId: 'n', occurredAt: '', data: { body: 'x' } },
      conn,
      'k',
    );
    expect(res.skipped).toMatch(/no API/);
    expect(appointletConnector.capabilities.outbound).toEqual({});
    expect((await appointletConnector.listChangedSince(conn, null)).changes).toEqual([]);
  });
});
