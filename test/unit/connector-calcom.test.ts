import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { calcomConnector } from '../../worker/connectors/calcom.ts';
import {
  keptLengthNote,
  lengthForNewBooking,
  newBookingNote,
} from '../../worker/connectors/calcom-length.ts';
import {
  toCreateBookingInput,
  viewFromApi,
  CALCOM_DEFAULT_MAPS,
} from '../../worker/connectors/calcom-map.ts';
import { refreshCalcomTokens } from '../../worker/connectors/calcom-oauth.ts';
import {
  ACCESS_TOKEN_RENEW_AT,
  CredentialKeeper,
  outcomeError,
  type CredentialStore,
} from '../../worker/connectors/credential-keeper.ts';
import { PartnerApiError } from '../../worker/connectors/http.ts';
import type { ConnectorConnection, OutboundChange, PartnerChange } from '../../worker/connectors/types.ts';
import { AppError } from '../../worker/errors.ts';
import { startCalcomEmulator, type CalcomEmulator } from '../partners/calcom.ts';
import { requestErrors } from '../partners/calcom-openapi.ts';
import { startSink, type Sink } from '../partners/common.ts';

const SECRET = 'calcom-webhook-secret-for-tests';
let cal: CalcomEmulator;
let sink: Sink;

beforeAll(async () => {
  sink = await startSink();
  cal = await startCalcomEmulator({ subscriberUrl: `${sink.url}/hook`, webhookSecret: SECRET });
});
afterAll(async () => {
  await cal.close();
  await sink.close();
});
beforeEach(async () => {
  await ctl('/reset', {});
  await ctl('/webhook', { subscriberUrl: `${sink.url}/hook`, secret: SECRET });
  sink.received.length = 0;
});

async function ctl(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${cal.url}/_partner${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

function conn(over: Partial<ConnectorConnection> = {}): ConnectorConnection {
  return {
    id: 'conn_cal',
    locationId: 'loc1',
    kind: 'calcom',
    settings: { apiBase: cal.url, eventTypeId: 1, timeZone: 'Europe/Paris' },
    credentials: { apiKey: cal.apiKey, webhookSecret: SECRET },
    inboundSecretHash: null,
    createdAt: Date.parse('2020-01-01T00:00:00Z'),
    ...over,
  };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const sign = (body: string, secret = SECRET) =>
  new Headers({ 'x-cal-signature-256': createHmac('sha256', secret).update(body).digest('hex') });
/** The last webhook the emulator delivered, parsed by the connector as the route would. */
function lastDelivery(): { body: string; changes: PartnerChange[] } {
  const got = sink.received.at(-1)!;
  return {
    body: got.body,
    changes: calcomConnector.parseInbound(bytes(got.body), new Headers(got.headers), conn()),
  };
}

describe('Cal.com verifyInbound', () => {
  const body = JSON.stringify({ triggerEvent: 'PING', createdAt: '2030-01-01T00:00:00Z', payload: {} });

  it('accepts hex HMAC-SHA256 of the raw body, upper- or lower-case', async () => {
    expect(await calcomConnector.verifyInbound(bytes(body), sign(body), conn())).toBe(true);
    const upper = new Headers({
      'x-cal-signature-256': sign(body).get('x-cal-signature-256')!.toUpperCase(),
    });
    expect(await calcomConnector.verifyInbound(bytes(body), upper, conn())).toBe(true);
  });

  it('rejects missing, malformed, wrong-secret, no-secret and tampered signatures', async () => {
    const cases: [Uint8Array, Headers, ConnectorConnection][] = [
      [bytes(body), new Headers(), conn()],
      [bytes(body), new Headers({ 'x-cal-signature-256': 'zz' }), conn()],
      [bytes(body), new Headers({ 'x-cal-signature-256': 'no-secret-provided' }), conn()],
      [bytes(body), sign(body, 'other-secret'), conn()],
      [bytes(`${body} `), sign(body), conn()],
      [bytes(body), sign(body), conn({ credentials: { apiKey: 'x' } })],
    ];
    for (const [raw, headers, c] of cases)
      expect(await calcomConnector.verifyInbound(raw, headers, c)).toBe(false);
  });
});

describe('Cal.com parseInbound (webhooks from the emulator)', () => {
  it('BOOKING_CREATED → contact (email, phone from responses), appointment, note', async () => {
    await ctl('/act/book', {
      start: '2030-05-01T09:00:00Z',
      attendee: { name: 'Grace Hopper', email: 'Grace@Example.com', phoneNumber: '+15550001111' },
      notes: 'Bring slides',
    });
    const { changes } = lastDelivery();
    const [contact, appt, note] = changes;
    expect(changes.map((c) => `${c.kind}:${c.op}`)).toEqual([
      'contact:upsert',
      'appointment:upsert',
      'note:upsert',
    ]);
    expect(contact).toMatchObject({
      partnerId: 'email:grace@example.com',
      data: { email: 'grace@example.com', phone: '+15550001111', name: 'Grace Hopper' },
    });
    expect(appt).toMatchObject({
      connectionId: 'conn_cal',
      contact: { email: 'grace@example.com' },
      data: {
        startTime: '2030-05-01T09:00:00.000Z',
        endTime: '2030-05-01T09:30:00.000Z',
        status: 'confirmed',
        attendeeEmail: 'grace@example.com',
        attendeePhone: '+15550001111',
      },
    });
    expect(note).toMatchObject({ partnerId: `${appt!.partnerId}:notes`, data: { body: 'Bring slides' } });
    expect(new Set(changes.map((c) => c.dedupeKey)).size).toBe(3);
  });

  it('BOOKING_RESCHEDULED maps the old uid to previousPartnerId; CANCELLED gives status cancelled', async () => {
    const booked = await ctl('/act/book', {
      start: '2030-05-02T09:00:00Z',
      attendee: { name: 'G', email: 'g@example.com' },
    });
    const moved = await ctl('/act/reschedule', { uid: booked.booking.uid, start: '2030-05-03T09:00:00Z' });
    const re = lastDelivery().changes.find((c) => c.kind === 'appointment')!;
    expect(re).toMatchObject({
      partnerId: moved.booking.uid,
      previousPartnerId: booked.booking.uid,
      data: { startTime: '2030-05-03T09:00:00.000Z', status: 'confirmed' },
    });
    await ctl('/act/cancel', { uid: moved.booking.uid });
    expect(lastDelivery().changes.find((c) => c.kind === 'appointment')).toMatchObject({
      partnerId: moved.booking.uid,
      data: { status: 'cancelled' },
    });
  });

  it('BOOKING_NO_SHOW_UPDATED → op no_show per attendee', async () => {
    const booked = await ctl('/act/book', {
      start: '2030-05-04T09:00:00Z',
      attendee: { name: 'G', email: 'g@example.com' },
    });
    await ctl('/act/no-show', { uid: booked.booking.uid });
    expect(lastDelivery().changes).toEqual([
      expect.objectContaining({
        kind: 'appointment',
        op: 'no_show',
        partnerId: booked.booking.uid,
        contact: { email: 'g@example.com' },
        data: { absent: true, attendeeEmails: ['g@example.com'] },
      }),
    ]);
  });

  it('the same delivery parses to the same dedupe keys; another event to other keys', async () => {
    const booked = await ctl('/act/book', {
      start: '2030-05-05T09:00:00Z',
      attendee: { name: 'G', email: 'g@example.com' },
    });
    const first = lastDelivery();
    const again = calcomConnector.parseInbound(bytes(first.body), new Headers(), conn());
    expect(again.map((c) => c.dedupeKey)).toEqual(first.changes.map((c) => c.dedupeKey));
    await ctl('/act/cancel', { uid: booked.booking.uid });
    const keys = new Set(first.changes.map((c) => c.dedupeKey));
    expect(lastDelivery().changes.some((c) => keys.has(c.dedupeKey))).toBe(false);
  });

  it('field map overrides read booking responses into GHL fields and custom fields', () => {
    const body = JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      createdAt: '2030-01-01T00:00:00Z',
      payload: {
        uid: 'u1',
        title: 'T',
        startTime: '2030-01-02T10:00:00Z',
        endTime: '2030-01-02T10:30:00Z',
        status: 'ACCEPTED',
        attendees: [{ email: 'a@b.co', name: 'A B', timeZone: 'UTC' }],
        responses: {
          company: { label: 'Company', value: 'Acme' },
          industry: { label: 'Industry', value: 'Rockets' },
          name: { label: 'your_name', value: { firstName: 'A', lastName: 'B' } },
        },
      },
    });
    const c = conn({
      settings: {
        fieldMap: {
          contact: { companyName: 'responses.company', 'customField.cf123': 'responses.industry', name: '' },
        },
      },
    });
    const contact = calcomConnector.parseInbound(bytes(body), new Headers(), c)[0]!;
    expect(contact.data).toEqual({
      email: 'a@b.co',
      firstName: 'A',
      lastName: 'B',
      companyName: 'Acme',
      customFields: { cf123: 'Rockets' },
    });
  });

  it('malformed bodies are 400, unknown triggers 422, known but unsynced triggers give nothing', () => {
    const parse = (body: string) => calcomConnector.parseInbound(bytes(body), new Headers(), conn());
    const status = (body: string) => {
      try {
        parse(body);
        return 200;
      } catch (err) {
        return (err as AppError).status;
      }
    };
    expect(status('{nope')).toBe(400);
    expect(status('[]')).toBe(400);
    expect(status(JSON.stringify({ payload: {} }))).toBe(400);
    expect(
      status(JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt: 'x', payload: { uid: 'u' } })),
    ).toBe(400);
    expect(status(JSON.stringify({ triggerEvent: 'SOMETHING_NEW', payload: {} }))).toBe(422);
    expect(
      parse(
        JSON.stringify({
          triggerEvent: 'MEETING_ENDED',
          createdAt: '2030-01-01T00:00:00Z',
          payload: { uid: 'u' },
        }),
      ),
    ).toEqual([]);
    expect(parse(JSON.stringify({ triggerEvent: 'PING', createdAt: '2030-01-01T00:00:00Z' }))).toEqual([]);
  });
});

describe('Cal.com outbound mapping (pure)', () => {
  it('builds a CreateBookingInput_2024_08_13 the spec accepts', () => {
    const input = toCreateBookingInput(
      {
        title: 'Demo',
        startTime: '2030-02-01T10:00:00.000Z',
        endTime: '2030-02-01T10:30:00.000Z',
        status: 'confirmed',
      },
      {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        phone: '+441234567890',
        companyName: 'Engines',
      },
      {
        eventTypeId: 7,
        timeZone: 'Europe/London',
        contactMap: { ...CALCOM_DEFAULT_MAPS.contact, companyName: 'responses.company' },
        metadata: { syncKey: 'k' },
      },
    );
    expect(input).toEqual({
      start: '2030-02-01T10:00:00Z',
      eventTypeId: 7,
      attendee: {
        name: 'Ada Lovelace',
        timeZone: 'Europe/London',
        email: 'ada@example.com',
        phoneNumber: '+441234567890',
      },
      bookingFieldsResponses: { company: 'Engines' },
      metadata: { syncKey: 'k' },
    });
    expect(requestErrors('/v2/bookings', 'post', input)).toEqual([]);
  });

  it('passes the appointment length as lengthInMinutes, in a body the spec accepts', () => {
    const appt = {
      title: 'Long',
      startTime: '2030-02-01T10:00:00.000Z',
      endTime: '2030-02-01T10:45:00.000Z',
      status: 'confirmed' as const,
    };
    const input = toCreateBookingInput(
      appt,
      { email: 'a@example.com', name: 'A' },
      {
        eventTypeId: 1,
        lengthInMinutes: 45,
        timeZone: 'UTC',
        contactMap: CALCOM_DEFAULT_MAPS.contact!,
        metadata: {},
      },
    );
    expect(input).toMatchObject({ lengthInMinutes: 45 });
    expect(requestErrors('/v2/bookings', 'post', input)).toEqual([]);
  });

  it('sends a length only when the event type offers it, and explains any other outcome', () => {
    const at = (minutes: number) => ({
      title: 't',
      startTime: '2030-02-01T10:00:00.000Z',
      endTime: new Date(Date.parse('2030-02-01T10:00:00Z') + minutes * 60_000).toISOString(),
      status: 'confirmed' as const,
    });
    const multi = { id: 1, lengthInMinutes: 30, lengthInMinutesOptions: [15, 30, 45, 60] };
    const single = { id: 2, lengthInMinutes: 60 };
    expect(lengthForNewBooking(at(45), multi)).toBe(45);
    expect(lengthForNewBooking(at(50), multi)).toBeUndefined();
    expect(lengthForNewBooking(at(60), single)).toBeUndefined();
    expect(lengthForNewBooking(at(45), null)).toBeUndefined();
    const booked30 = { start: '2030-02-01T10:00:00Z', end: '2030-02-01T10:30:00Z' };
    expect(newBookingNote(at(30), booked30, multi)).toBeUndefined();
    expect(newBookingNote(at(50), booked30, multi)).toBe(
      "Cal.com event type 1 offers 15, 30, 45, 60 min, not the appointment's 50 min: the booking has 30 min.",
    );
    expect(newBookingNote(at(50), booked30, null)).toMatch(
      /booked 30 min, not the appointment's 50 min \(the event type's lengths could not be read\)/,
    );
    expect(keptLengthNote(at(30), booked30)).toBeUndefined();
    expect(keptLengthNote(at(45), booked30)).toMatch(
      /cannot change a booking's length.*stays 30 min, the appointment is 45 min/,
    );
    expect(keptLengthNote({ ...at(30), endTime: at(30).startTime }, booked30)).toMatch(
      /does not end after it starts/,
    );
  });

  it('reads an API booking into the same view as a webhook', () => {
    const view = viewFromApi({
      uid: 'u',
      title: 't',
      start: '2030-01-01T00:00:00Z',
      end: '2030-01-01T01:00:00Z',
      status: 'pending',
      attendees: [{ email: 'A@B.co', name: 'A', absent: false }],
      bookingFieldsResponses: { notes: 'n', attendeePhoneNumber: '+15550000000' },
      updatedAt: '2030-01-01T00:00:00Z',
    });
    expect(view).toMatchObject({
      uid: 'u',
      status: 'pending',
      notes: 'n',
      attendees: [{ email: 'a@b.co', phoneNumber: '+15550000000' }],
    });
  });
});

describe('Cal.com apply against the emulator', () => {
  const appt = {
    title: 'Intro call',
    startTime: '2030-08-01T10:00:00.000Z',
    endTime: '2030-08-01T10:30:00.000Z',
    status: 'confirmed' as const,
  };
  const contact = { email: 'lin@example.com', firstName: 'Lin', lastName: 'Chen', phone: '+15551234567' };
  const change = (over: Partial<OutboundChange> = {}) =>
    ({
      kind: 'appointment',
      op: 'create',
      ghlId: 'ghl_appt_1',
      contact,
      occurredAt: '2030-01-01T00:00:00Z',
      data: appt,
      ...over,
    }) as OutboundChange;
  const bookings = async () => (await ctl('/state')).bookings as any[];
  const echoOf = async (kind = 'appointment') => {
    await cal.flush();
    return lastDelivery().changes.find((c) => c.kind === kind)!;
  };

  it('creates a booking; its webhook echo has the returned fingerprint; a retry with the key books nothing new', async () => {
    const result = await calcomConnector.apply(change(), conn(), 'idem-1');
    expect(result.skipped).toBeUndefined();
    const [b] = await bookings();
    expect(b).toMatchObject({
      uid: result.partnerId,
      metadata: { syncKey: 'idem-1', ghlAppointmentId: 'ghl_appt_1' },
      attendees: [
        { email: 'lin@example.com', name: 'Lin Chen', timeZone: 'Europe/Paris', phoneNumber: '+15551234567' },
      ],
    });
    expect((await echoOf()).fingerprint).toBe(result.echoFingerprint);
    const retry = await calcomConnector.apply(change(), conn(), 'idem-1');
    expect(retry.partnerId).toBe(result.partnerId);
    expect(await bookings()).toHaveLength(1);
    for (const r of cal.requests.filter((x) => x.method === 'POST'))
      expect(requestErrors('/v2/bookings', 'post', r.body)).toEqual([]);
  });

  it('a new start reschedules (new uid); a retry finds the successor instead of rescheduling twice', async () => {
    const made = await calcomConnector.apply(change(), conn(), 'idem-2');
    const moved = { ...appt, startTime: '2030-08-02T11:00:00.000Z', endTime: '2030-08-02T11:30:00.000Z' };
    const res = await calcomConnector.apply(
      change({ op: 'update', partnerId: made.partnerId!, data: moved } as Partial<OutboundChange>),
      conn(),
      'idem-3',
    );
    expect(res.partnerId).not.toBe(made.partnerId);
    const echo = await echoOf();
    expect(echo).toMatchObject({ partnerId: res.partnerId, previousPartnerId: made.partnerId });
    expect(echo.fingerprint).toBe(res.echoFingerprint);
    const again = await calcomConnector.apply(
      change({ op: 'update', partnerId: made.partnerId!, data: moved } as Partial<OutboundChange>),
      conn(),
      'idem-3',
    );
    expect(again.partnerId).toBe(res.partnerId);
    expect((await bookings()).filter((b) => b.status === 'accepted')).toHaveLength(1);
    const reschedule = cal.requests.find((r) => r.path.endsWith('/reschedule'))!;
    expect(requestErrors('/v2/bookings/{bookingUid}/reschedule', 'post', reschedule.body)).toEqual([]);
  });

  it('status cancelled or delete cancels once; noshow marks the attendee absent; echoes match', async () => {
    const made = await calcomConnector.apply(change(), conn(), 'idem-4');
    const absent = await calcomConnector.apply(
      change({
        op: 'update',
        partnerId: made.partnerId!,
        data: { ...appt, status: 'noshow' },
      } as Partial<OutboundChange>),
      conn(),
      'idem-5',
    );
    await cal.flush();
    expect(lastDelivery().changes[0]).toMatchObject({ op: 'no_show', fingerprint: absent.echoFingerprint });
    const cancelled = await calcomConnector.apply(
      change({ op: 'delete', partnerId: made.partnerId!, data: null } as Partial<OutboundChange>),
      conn(),
      'idem-6',
    );
    expect((await echoOf()).fingerprint).toBe(cancelled.echoFingerprint);
    const twice = await calcomConnector.apply(
      change({
        op: 'update',
        partnerId: made.partnerId!,
        data: { ...appt, status: 'cancelled' },
      } as Partial<OutboundChange>),
      conn(),
      'idem-7',
    );
    expect(twice.partnerId).toBe(made.partnerId);
    expect(cal.requests.filter((r) => r.path.endsWith('/cancel'))).toHaveLength(1);
    const mark = cal.requests.find((r) => r.path.endsWith('/mark-absent'))!;
    expect(requestErrors('/v2/bookings/{bookingUid}/mark-absent', 'post', mark.body)).toEqual([]);
  });

  it('skips what Cal.com cannot take, and says why', async () => {
    const note = {
      kind: 'note',
      op: 'create',
      ghlId: 'n1',
      occurredAt: '2030-01-01T00:00:00Z',
      data: { body: 'x' },
    } as OutboundChange;
    expect((await calcomConnector.apply(note, conn(), 'k')).skipped).toMatch(/only appointments/);
    expect(
      (
        await calcomConnector.apply(
          change({ data: { ...appt, status: 'cancelled' } } as Partial<OutboundChange>),
          conn(),
          'k',
        )
      ).skipped,
    ).toMatch(/cancelled/);
  });

  it('classifies failures: not configured, auth, rate limit and outage', async () => {
    const code = async (c: ConnectorConnection) => {
      try {
        await calcomConnector.apply(change(), c, `k-${Math.random()}`);
        return 'ok';
      } catch (err) {
        expect(err).toBeInstanceOf(PartnerApiError);
        return `${(err as PartnerApiError).code}:${(err as PartnerApiError).retryable}`;
      }
    };
    expect(await code(conn({ settings: { apiBase: cal.url } }))).toBe('not_configured:false');
    expect(await code(conn({ settings: { apiBase: 'http://evil.example.com', eventTypeId: 1 } }))).toBe(
      'not_configured:false',
    );
    expect(await code(conn({ credentials: { apiKey: 'cal_live_wrong', webhookSecret: SECRET } }))).toBe(
      'auth_failed:false',
    );
    await ctl('/faults', { pathPrefix: '/v2/bookings', status: 429, count: 1 });
    expect(await code(conn())).toBe('rate_limited:true');
    await ctl('/faults', { pathPrefix: '/v2/bookings', status: 503, count: 1 });
    expect(await code(conn())).toBe('unavailable:true');
  });
});

describe('Cal.com listChangedSince', () => {
  it('pages through every booking by updatedAt, skips the old side of reschedules, and ends', async () => {
    const seeded = await ctl('/seed', {
      bookings: Array.from({ length: 230 }, (_, i) => ({
        start: new Date(Date.parse('2031-01-01T00:00:00Z') + i * 3_600_000).toISOString(),
        attendee: { name: `P${i}`, email: `p${i}@example.com` },
      })),
    });
    const first = seeded.bookings[0].uid;
    const moved = await ctl('/act/reschedule', { uid: first, start: '2032-01-01T00:00:00Z' });
    const seen = new Map<string, PartnerChange>();
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await calcomConnector.listChangedSince(conn(), cursor);
      for (const c of page.changes) if (c.kind === 'appointment') seen.set(c.partnerId, c);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(seen.size).toBe(230);
    expect(seen.has(first)).toBe(false);
    expect(seen.get(moved.booking.uid)).toMatchObject({ previousPartnerId: first });
    const rest = await calcomConnector.listChangedSince(conn(), cursor);
    expect(rest.hasMore).toBe(false);
    expect(rest.changes.filter((c) => c.kind === 'appointment').length).toBeLessThanOrEqual(1);
    for (const r of cal.requests.filter((x) => x.path === '/v2/bookings' && x.method === 'GET'))
      expect(r.query).toMatchObject({ sortUpdatedAt: 'asc' });
  });

  it('the sweep of an unchanged booking keeps its dedupe key', async () => {
    await ctl('/seed', {
      bookings: [{ start: '2031-02-01T00:00:00Z', attendee: { name: 'Q', email: 'q@example.com' } }],
    });
    const a = await calcomConnector.listChangedSince(conn(), null);
    const b = await calcomConnector.listChangedSince(conn(), null);
    expect(a.changes.map((c) => c.dedupeKey)).toEqual(b.changes.map((c) => c.dedupeKey));
  });
});

describe('Cal.com booking length', () => {
  const contact = { email: 'len@example.com', name: 'Len Gth' };
  const appt = (start: string, minutes: number) => ({
    title: 'Sized',
    startTime: start,
    endTime: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    status: 'confirmed' as const,
  });
  const create = (data: ReturnType<typeof appt>, key: string) =>
    calcomConnector.apply(
      {
        kind: 'appointment',
        op: 'create',
        ghlId: `g-${key}`,
        contact,
        occurredAt: '2030-01-01T00:00:00Z',
        data,
      },
      conn(),
      key,
    );
  const update = (partnerId: string, data: ReturnType<typeof appt>, key: string) =>
    calcomConnector.apply(
      {
        kind: 'appointment',
        op: 'update',
        ghlId: 'g',
        partnerId,
        contact,
        occurredAt: '2030-01-01T00:00:00Z',
        data,
      },
      conn(),
      key,
    );
  const booking = async (uid: string) => ((await ctl('/state')).bookings as any[]).find((b) => b.uid === uid);

  it('a length the event type offers is booked; a reschedule keeps it', async () => {
    const made = await create(appt('2030-09-01T10:00:00.000Z', 45), 'len-1');
    expect(made.skipped === undefined && made.note).toBeUndefined();
    expect(await booking(made.partnerId!)).toMatchObject({ duration: 45, end: '2030-09-01T10:45:00.000Z' });
    const post = cal.requests.find((r) => r.method === 'POST' && r.path === '/v2/bookings')!;
    expect(post.body).toMatchObject({ lengthInMinutes: 45 });
    expect(cal.requests.find((r) => r.path === '/v2/event-types/1')).toMatchObject({
      apiVersion: '2024-06-14',
      status: 200,
    });

    const moved = await update(made.partnerId!, appt('2030-09-02T14:00:00.000Z', 45), 'len-2');
    expect(moved.partnerId).not.toBe(made.partnerId);
    expect(moved.skipped === undefined && moved.note).toBeUndefined();
    expect(await booking(moved.partnerId!)).toMatchObject({
      duration: 45,
      start: '2030-09-02T14:00:00.000Z',
      end: '2030-09-02T14:45:00.000Z',
    });
  });

  it('a length Cal.com cannot take is booked at the default and said so; so is a length change', async () => {
    const made = await create(appt('2030-09-03T10:00:00.000Z', 50), 'len-3');
    expect(await booking(made.partnerId!)).toMatchObject({ duration: 30 });
    expect(made.skipped === undefined && made.note).toMatch(
      /offers 15, 30, 45, 60 min, not the appointment's 50 min: the booking has 30 min/,
    );
    expect(
      (
        cal.requests.find((r) => r.method === 'POST' && r.path === '/v2/bookings')!.body as Record<
          string,
          unknown
        >
      ).lengthInMinutes,
    ).toBeUndefined();

    const before = cal.requests.length;
    const longer = await update(made.partnerId!, appt('2030-09-03T10:00:00.000Z', 45), 'len-4');
    expect(longer.partnerId).toBe(made.partnerId);
    expect(longer.skipped === undefined && longer.note).toMatch(
      /cannot change a booking's length .*stays 30 min, the appointment is 45 min/,
    );
    expect(cal.requests.slice(before).filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('an event type this connection cannot read: booked at its default, and said so', async () => {
    await ctl('/faults', { pathPrefix: '/v2/event-types', status: 404, count: 1 });
    const made = await create(appt('2030-09-04T10:00:00.000Z', 45), 'len-5');
    expect(await booking(made.partnerId!)).toMatchObject({ duration: 30 });
    expect(made.skipped === undefined && made.note).toMatch(/lengths could not be read/);
  });
});

describe('Cal.com OAuth credentials', () => {
  const appt = {
    title: 'OAuth call',
    startTime: '2030-10-01T10:00:00.000Z',
    endTime: '2030-10-01T10:30:00.000Z',
    status: 'confirmed' as const,
  };
  const create = (c: ConnectorConnection, key: string, startTime = appt.startTime) =>
    calcomConnector.apply(
      {
        kind: 'appointment',
        op: 'create',
        ghlId: `g-${key}`,
        contact: { email: `${key}@example.com`, name: key },
        occurredAt: '2030-01-01T00:00:00Z',
        data: { ...appt, startTime, endTime: new Date(Date.parse(startTime) + 30 * 60_000).toISOString() },
      },
      c,
      key,
    );

  /** An OAuth connection whose renewals go through a keeper over an in-memory store. */
  function oauthConnection(
    opts: { ttlSec?: number; publicClient?: boolean; extra?: Record<string, string> } = {},
  ) {
    const client = cal.oauth.addClient({ ...(opts.publicClient ? { clientSecret: null } : {}) });
    const tokens = cal.oauth.grant(client.clientId, opts.ttlSec);
    const saved = {
      credentials: {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        clientId: client.clientId,
        ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
        webhookSecret: SECRET,
        ...opts.extra,
      } as Record<string, string>,
      version: 1,
      status: 'active',
      lastError: null as string | null,
    };
    const store: CredentialStore = {
      load: async () => ({
        connection: conn({ credentials: { ...saved.credentials } }),
        status: saved.status,
        lastError: saved.lastError,
        version: String(saved.version),
      }),
      save: async (_id, version, credentials) => {
        if (version !== String(saved.version)) return false;
        saved.credentials = { ...credentials };
        saved.version++;
        return true;
      },
      markReconnectNeeded: async (_id, _version, reason) => {
        saved.status = 'error';
        saved.lastError = reason;
      },
    };
    const keeper = new CredentialKeeper(() => calcomConnector);
    const c = conn({
      credentials: { ...saved.credentials },
      renewCredentials: async (stale) => {
        const outcome = await keeper.renew(store, c.id, c.locationId, stale);
        if (!outcome.ok) throw outcomeError(outcome);
        return outcome.credentials;
      },
    });
    return { conn: c, saved, tokens, client };
  }
  const tokenCalls = () => cal.requests.filter((r) => r.path === '/v2/auth/oauth2/token');

  it('an access token refused with 401 is renewed once, the call repeated, the new pair stored', async () => {
    const o = oauthConnection();
    cal.oauth.expire(o.tokens.access_token);
    const made = await create(o.conn, 'oauth-1');
    expect(made.skipped).toBeUndefined();
    expect(tokenCalls()).toHaveLength(1);
    const [first, second] = cal.requests.filter((r) => r.path === '/v2/event-types/1');
    expect([first?.status, second?.status]).toEqual([401, 200]);
    expect(requestErrors('/v2/auth/oauth2/token', 'post', tokenCalls()[0]!.body)).toEqual([]);
    expect(tokenCalls()[0]!.body).toMatchObject({
      grant_type: 'refresh_token',
      client_id: o.client.clientId,
      client_secret: o.client.clientSecret,
      refresh_token: o.tokens.refresh_token,
    });
    expect(o.saved.credentials.accessToken).not.toBe(o.tokens.access_token);
    expect(o.saved.credentials.refreshToken).not.toBe(o.tokens.refresh_token);
    expect(Number(o.saved.credentials[ACCESS_TOKEN_RENEW_AT])).toBeGreaterThan(Date.now() + 1700_000);
    expect(o.conn.credentials).toEqual(o.saved.credentials);
    // The connection holds the new token: the next write needs no renewal.
    await create(o.conn, 'oauth-2', '2030-10-02T10:00:00.000Z');
    expect(tokenCalls()).toHaveLength(1);
  });

  it('renews ahead of expiry, before any call is refused', async () => {
    const o = oauthConnection({ extra: { [ACCESS_TOKEN_RENEW_AT]: String(Date.now() - 1) } });
    await create(o.conn, 'oauth-3');
    expect(cal.requests[0]!.path).toBe('/v2/auth/oauth2/token');
    expect(cal.requests.filter((r) => r.status === 401)).toEqual([]);
  });

  it('a public client renews without a secret', async () => {
    const o = oauthConnection({ publicClient: true });
    const fresh = await refreshCalcomTokens(o.conn);
    expect(tokenCalls()[0]!.body).not.toHaveProperty('client_secret');
    expect(fresh).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    await expect(refreshCalcomTokens(o.conn)).rejects.toMatchObject({
      code: 'reconnect_needed',
      status: 400,
    });
  });

  it('a revoked grant: reconnect needed, not retried, the connection marked', async () => {
    const o = oauthConnection();
    cal.oauth.expire(o.tokens.access_token);
    cal.oauth.revoke(o.tokens.refresh_token);
    const err = await create(o.conn, 'oauth-4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerApiError);
    expect(err).toMatchObject({
      code: 'reconnect_needed',
      retryable: false,
      message: expect.stringMatching(/^Reconnect needed: .*invalid_grant/),
    });
    expect(o.saved).toMatchObject({ status: 'error', lastError: expect.stringMatching(/invalid_grant/) });
    await expect(create(o.conn, 'oauth-5')).rejects.toMatchObject({ code: 'reconnect_needed' });
    expect(tokenCalls()).toHaveLength(1);
  });

  it('a token endpoint outage is retryable and marks nothing', async () => {
    const o = oauthConnection();
    cal.oauth.expire(o.tokens.access_token);
    await ctl('/faults', { pathPrefix: '/v2/auth/oauth2/token', status: 503, count: 1 });
    await expect(create(o.conn, 'oauth-6')).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    expect(o.saved.status).toBe('active');
    const made = await create(o.conn, 'oauth-6');
    expect(made.skipped).toBeUndefined();
  });

  it('without a refresh token a refused access token is an auth failure', async () => {
    const o = oauthConnection();
    cal.oauth.expire(o.tokens.access_token);
    const { refreshToken: _r, ...rest } = o.conn.credentials;
    await expect(create({ ...o.conn, credentials: rest }, 'oauth-7')).rejects.toMatchObject({
      code: 'auth_failed',
      retryable: false,
    });
  });
});
