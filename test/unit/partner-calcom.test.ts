import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCalcomEmulator, type CalcomEmulator } from '../partners/calcom.ts';
import {
  componentErrors,
  requestErrors,
  responseErrors,
  undeclaredFields,
} from '../partners/calcom-openapi.ts';
import { startSink, type Sink } from '../partners/common.ts';

/**
 * Contract of the Cal.com emulator: every emulated operation's request and answer are checked
 * against Cal.com's v2 OpenAPI description (test/specs/calcom), and its webhooks against Cal.com's
 * documented delivery format.
 */

let cal: CalcomEmulator;
let sink: Sink;

beforeAll(async () => {
  sink = await startSink();
  cal = await startCalcomEmulator({ subscriberUrl: `${sink.url}/hook` });
});
afterAll(async () => {
  await cal.close();
  await sink.close();
});
beforeEach(async () => {
  await ctl('/reset', {});
  sink.received.length = 0;
  sink.status = 200;
});

async function ctl(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${cal.url}/_partner${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${cal.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${cal.apiKey}`,
      'cal-api-version': '2024-08-13',
      'content-type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const attendee = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  timeZone: 'Europe/London',
  phoneNumber: '+441234567890',
};
const createInput = (start = '2030-03-04T10:00:00Z') => ({
  start,
  eventTypeId: 1,
  attendee,
  bookingFieldsResponses: { notes: 'Bring the engine plans' },
  metadata: { syncKey: 'k1' },
});

function expectBooking(data: unknown) {
  expect(componentErrors('BookingOutput_2024_08_13', data)).toEqual([]);
  expect(undeclaredFields('BookingOutput_2024_08_13', data)).toEqual([]);
}

describe('Cal.com emulator: operations against the OpenAPI spec', () => {
  it('GET /v2/me', async () => {
    const res = await api('GET', '/v2/me');
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/me', 'get', 200, res.body)).toEqual([]);
  });

  it('POST /v2/bookings creates an accepted booking', async () => {
    const input = createInput();
    expect(requestErrors('/v2/bookings', 'post', input)).toEqual([]);
    const res = await api('POST', '/v2/bookings', input);
    expect(res.status).toBe(201);
    expect(responseErrors('/v2/bookings', 'post', 201, res.body)).toEqual([]);
    expectBooking(res.body.data);
    expect(res.body.data).toMatchObject({
      status: 'accepted',
      start: '2030-03-04T10:00:00.000Z',
      end: '2030-03-04T10:30:00.000Z',
      duration: 30,
      metadata: { syncKey: 'k1' },
    });
    expect(res.body.data.attendees[0]).toMatchObject({
      email: 'ada@example.com',
      phoneNumber: '+441234567890',
      absent: false,
    });
  });

  it('GET /v2/bookings/{uid}', async () => {
    const made = await api('POST', '/v2/bookings', createInput());
    const res = await api('GET', `/v2/bookings/${made.body.data.uid}`);
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/bookings/{bookingUid}', 'get', 200, res.body)).toEqual([]);
    expectBooking(res.body.data);
  });

  it('GET /v2/bookings pages with take/skip and the real pagination object', async () => {
    for (let i = 0; i < 5; i++) await api('POST', '/v2/bookings', createInput(`2030-03-0${i + 1}T10:00:00Z`));
    const res = await api('GET', '/v2/bookings?take=2&skip=2');
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/bookings', 'get', 200, res.body)).toEqual([]);
    for (const b of res.body.data) expectBooking(b);
    expect(res.body.data.map((b: any) => b.start)).toEqual([
      '2030-03-03T10:00:00.000Z',
      '2030-03-04T10:00:00.000Z',
    ]);
    expect(res.body.pagination).toEqual({
      totalItems: 5,
      remainingItems: 1,
      returnedItems: 2,
      itemsPerPage: 2,
      currentPage: 2,
      totalPages: 3,
      hasNextPage: true,
      hasPreviousPage: true,
    });
  });

  it('GET /v2/bookings filters by afterUpdatedAt, attendeeEmail and status, sorted by updatedAt', async () => {
    const a = (await api('POST', '/v2/bookings', createInput('2030-04-01T10:00:00Z'))).body.data;
    const b = (
      await api('POST', '/v2/bookings', {
        ...createInput('2030-04-02T10:00:00Z'),
        attendee: { ...attendee, email: 'bob@example.com' },
      })
    ).body.data;
    await api('POST', `/v2/bookings/${a.uid}/cancel`, {});
    const after = await api(
      'GET',
      `/v2/bookings?afterUpdatedAt=${encodeURIComponent(b.updatedAt)}&sortUpdatedAt=asc`,
    );
    expect(after.body.data.map((x: any) => x.uid)).toEqual([b.uid, a.uid]);
    expect(
      (await api('GET', '/v2/bookings?attendeeEmail=BOB@example.com')).body.data.map((x: any) => x.uid),
    ).toEqual([b.uid]);
    expect((await api('GET', '/v2/bookings?status=cancelled')).body.data.map((x: any) => x.uid)).toEqual([
      a.uid,
    ]);
    const desc = await api('GET', '/v2/bookings?sortUpdatedAt=desc');
    expect(desc.body.data[0].uid).toBe(a.uid);
  });

  it('POST /v2/bookings/{uid}/reschedule gives a new uid and cancels the old booking', async () => {
    const old = (await api('POST', '/v2/bookings', createInput())).body.data;
    const input = { start: '2030-03-05T15:00:00Z', reschedulingReason: 'Conflict' };
    expect(requestErrors('/v2/bookings/{bookingUid}/reschedule', 'post', input)).toEqual([]);
    const res = await api('POST', `/v2/bookings/${old.uid}/reschedule`, input);
    expect(res.status).toBe(201);
    expect(responseErrors('/v2/bookings/{bookingUid}/reschedule', 'post', 201, res.body)).toEqual([]);
    expectBooking(res.body.data);
    expect(res.body.data.uid).not.toBe(old.uid);
    expect(res.body.data).toMatchObject({
      rescheduledFromUid: old.uid,
      start: '2030-03-05T15:00:00.000Z',
      status: 'accepted',
    });
    const prev = (await api('GET', `/v2/bookings/${old.uid}`)).body.data;
    expect(prev).toMatchObject({
      status: 'cancelled',
      rescheduledToUid: res.body.data.uid,
      reschedulingReason: 'Conflict',
    });
  });

  it('POST /v2/bookings/{uid}/cancel; a second cancel is a 400', async () => {
    const b = (await api('POST', '/v2/bookings', createInput())).body.data;
    const input = { cancellationReason: 'No longer needed' };
    expect(requestErrors('/v2/bookings/{bookingUid}/cancel', 'post', input)).toEqual([]);
    const res = await api('POST', `/v2/bookings/${b.uid}/cancel`, input);
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/bookings/{bookingUid}/cancel', 'post', 200, res.body)).toEqual([]);
    expectBooking(res.body.data);
    expect(res.body.data).toMatchObject({ status: 'cancelled', cancellationReason: 'No longer needed' });
    const again = await api('POST', `/v2/bookings/${b.uid}/cancel`, input);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ status: 'error', error: { code: 'BadRequestException' } });
  });

  it('POST /v2/bookings/{uid}/mark-absent', async () => {
    const b = (await api('POST', '/v2/bookings', createInput())).body.data;
    const input = { attendees: [{ email: 'ada@example.com', absent: true }] };
    expect(requestErrors('/v2/bookings/{bookingUid}/mark-absent', 'post', input)).toEqual([]);
    const res = await api('POST', `/v2/bookings/${b.uid}/mark-absent`, input);
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/bookings/{bookingUid}/mark-absent', 'post', 200, res.body)).toEqual([]);
    expectBooking(res.body.data);
    expect(res.body.data.attendees[0].absent).toBe(true);
  });
});

describe('Cal.com emulator: booking length and event types', () => {
  it('GET /v2/event-types/{id} (cal-api-version 2024-06-14) names the lengths a booking may take', async () => {
    const res = await api('GET', '/v2/event-types/1', undefined, { 'cal-api-version': '2024-06-14' });
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/event-types/{eventTypeId}', 'get', 200, res.body)).toEqual([]);
    expect(componentErrors('EventTypeOutput_2024_06_14', res.body.data)).toEqual([]);
    expect(res.body.data).toMatchObject({
      id: 1,
      lengthInMinutes: 30,
      lengthInMinutesOptions: [15, 30, 45, 60],
    });
    expect(
      (await api('GET', '/v2/event-types/2', undefined, { 'cal-api-version': '2024-06-14' })).body.data,
    ).not.toHaveProperty('lengthInMinutesOptions');
    expect((await api('GET', '/v2/event-types/1')).status).toBe(400);
    expect(
      (await api('GET', '/v2/event-types/99', undefined, { 'cal-api-version': '2024-06-14' })).status,
    ).toBe(404);
  });

  it("lengthInMinutes sets a new booking's end; a reschedule keeps the booking's length", async () => {
    const made = await api('POST', '/v2/bookings', {
      ...createInput('2031-02-01T10:00:00Z'),
      lengthInMinutes: 45,
    });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({ duration: 45, end: '2031-02-01T10:45:00.000Z' });
    const moved = await api('POST', `/v2/bookings/${made.body.data.uid}/reschedule`, {
      start: '2031-02-02T09:00:00Z',
    });
    expect(moved.body.data).toMatchObject({ duration: 45, end: '2031-02-02T09:45:00.000Z' });
    const single = await api('POST', '/v2/bookings', {
      ...createInput('2031-02-03T10:00:00Z'),
      eventTypeId: 2,
      lengthInMinutes: 45,
    });
    expect(single.status).toBe(400);
    expect(single.body.error.message).toMatch(/lengthInMinutes/);
  });
});

describe('Cal.com emulator: OAuth token endpoint', () => {
  const token = async (body: Record<string, unknown>, form = false) => {
    const res = await fetch(`${cal.url}/v2/auth/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const bearer = (t: string) => api('GET', '/v2/me', undefined, { authorization: `Bearer ${t}` });

  it('refresh_token: new OAuth2TokensDto; the spent refresh token is refused (rotation)', async () => {
    const client = await ctl('/oauth/clients', {});
    const granted = await ctl('/oauth/grant', { clientId: client.clientId });
    expect((await bearer(granted.access_token)).status).toBe(200);
    const input = {
      grant_type: 'refresh_token',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      refresh_token: granted.refresh_token,
    };
    expect(requestErrors('/v2/auth/oauth2/token', 'post', input)).toEqual([]);
    const res = await token(input);
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/auth/oauth2/token', 'post', 200, res.body)).toEqual([]);
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 1800 });
    expect(res.body.refresh_token).not.toBe(granted.refresh_token);
    expect((await bearer(res.body.access_token)).status).toBe(200);
    expect(await token(input)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // Form-encoded, as RFC 6749 sends it.
    expect((await token({ ...input, refresh_token: res.body.refresh_token }, true)).status).toBe(200);
  });

  it('authorization_code: the authorize page sends the user back with a code that is good once, for its redirect URI', async () => {
    const client = await ctl('/oauth/clients', {});
    const redirectUri = `${sink.url}/oauth/calcom/callback`;
    const page = await fetch(
      `${cal.url}/auth/oauth2/authorize?${new URLSearchParams({ client_id: client.clientId, redirect_uri: redirectUri, state: 's1' })}`,
      { redirect: 'manual' },
    );
    expect(page.status).toBe(302);
    const back = new URL(page.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('s1');
    const input = {
      grant_type: 'authorization_code',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code: back.searchParams.get('code'),
      redirect_uri: redirectUri,
    };
    expect(requestErrors('/v2/auth/oauth2/token', 'post', input)).toEqual([]);
    const res = await token(input);
    expect(res.status).toBe(200);
    expect(responseErrors('/v2/auth/oauth2/token', 'post', 200, res.body)).toEqual([]);
    expect((await bearer(res.body.access_token)).status).toBe(200);
    expect(await token(input)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const unknown = await fetch(
      `${cal.url}/auth/oauth2/authorize?${new URLSearchParams({ client_id: 'nobody', redirect_uri: redirectUri })}`,
      { redirect: 'manual' },
    );
    expect(new URL(unknown.headers.get('location')!).searchParams.get('error')).toBe('invalid_client');
  });

  it('refuses a wrong secret or client, an unknown grant type, a revoked grant; expired access tokens get 401', async () => {
    const client = await ctl('/oauth/clients', { accessTokenTtlSec: 60 });
    const granted = await ctl('/oauth/grant', { clientId: client.clientId });
    const base = {
      grant_type: 'refresh_token',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      refresh_token: granted.refresh_token,
    };
    expect(await token({ ...base, client_secret: 'wrong' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await token({ ...base, client_id: 'nobody' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await token({ ...base, grant_type: 'password' })).toMatchObject({
      status: 400,
      body: { error: 'unsupported_grant_type' },
    });
    expect(await ctl('/oauth/expire', { accessToken: granted.access_token })).toEqual({ ok: true });
    expect((await bearer(granted.access_token)).status).toBe(401);
    expect(await ctl('/oauth/revoke', { refreshToken: granted.refresh_token })).toEqual({ ok: true });
    expect(await token(base)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(
      (await ctl('/oauth')).clients.find((c: { clientId: string }) => c.clientId === client.clientId),
    ).toMatchObject({ accessTokenTtlSec: 60 });
  });

  it('a public client refreshes with no secret', async () => {
    const client = await ctl('/oauth/clients', { clientSecret: null });
    const granted = await ctl('/oauth/grant', { clientId: client.clientId, accessTokenTtlSec: 5 });
    expect(granted.expires_in).toBe(5);
    expect(
      (
        await token({
          grant_type: 'refresh_token',
          client_id: client.clientId,
          refresh_token: granted.refresh_token,
        })
      ).status,
    ).toBe(200);
  });
});

describe('Cal.com emulator: errors', () => {
  it('401 without or with a wrong bearer token, in Cal.com error shape', async () => {
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer cal_live_wrong' }]) {
      const res = await api('GET', '/v2/bookings', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        status: 'error',
        path: '/v2/bookings',
        error: { code: 'UnauthorizedException' },
      });
      expect(typeof res.body.timestamp).toBe('string');
    }
  });

  it('400 without cal-api-version on bookings; /v2/me does not need it', async () => {
    expect((await api('GET', '/v2/bookings', undefined, { 'cal-api-version': '' })).status).toBe(400);
    expect((await api('GET', '/v2/me', undefined, { 'cal-api-version': '' })).status).toBe(200);
  });

  it('404 for an unknown uid, 400 for a bad body, a busy slot or an unknown length', async () => {
    expect((await api('GET', '/v2/bookings/nope')).status).toBe(404);
    const bad = await api('POST', '/v2/bookings', { start: 'tomorrow', attendee: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/start/);
    await api('POST', '/v2/bookings', createInput());
    expect((await api('POST', '/v2/bookings', createInput())).body.error.message).toMatch(/not available/);
    expect(
      (await api('POST', '/v2/bookings', { ...createInput('2031-01-01T10:00:00Z'), lengthInMinutes: 17 }))
        .status,
    ).toBe(400);
  });
});

describe('Cal.com emulator: webhooks', () => {
  const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

  it('signs each delivery over the raw body and sends x-cal-webhook-version', async () => {
    const r = await ctl('/act/book', {
      start: '2030-05-01T09:00:00Z',
      attendee: { name: 'Grace Hopper', email: 'grace@example.com', phoneNumber: '+15550001111' },
      notes: 'Hi',
    });
    expect(r.delivery.status).toBe(200);
    const got = sink.received[0]!;
    expect(got.headers['x-cal-signature-256']).toBe(hmac(cal.webhookSecret!, got.body));
    expect(got.headers['x-cal-webhook-version']).toBe('2021-10-20');
    const event = JSON.parse(got.body);
    expect(event).toMatchObject({
      triggerEvent: 'BOOKING_CREATED',
      payload: {
        uid: r.booking.uid,
        status: 'ACCEPTED',
        startTime: '2030-05-01T09:00:00.000Z',
        additionalNotes: 'Hi',
      },
    });
    expect(event.payload.responses.attendeePhoneNumber).toEqual({
      label: 'phone_number',
      value: '+15550001111',
      isHidden: false,
    });
    expect(Date.parse(event.createdAt)).toBeGreaterThan(0);
  });

  it('reschedule carries the new uid and rescheduleUid; cancel and no-show follow the builder shapes', async () => {
    const booked = await ctl('/act/book', {
      start: '2030-05-02T09:00:00Z',
      attendee: { name: 'G', email: 'g@example.com' },
    });
    const moved = await ctl('/act/reschedule', { uid: booked.booking.uid, start: '2030-05-03T09:00:00Z' });
    const noShow = await ctl('/act/no-show', { uid: moved.booking.uid });
    const cancelled = await ctl('/act/cancel', { uid: moved.booking.uid, reason: 'Sick' });
    expect([moved, noShow, cancelled].map((r) => r.delivery.status)).toEqual([200, 200, 200]);
    const [, re, ns, ca] = sink.received.map((r) => JSON.parse(r.body));
    expect(re).toMatchObject({
      triggerEvent: 'BOOKING_RESCHEDULED',
      payload: {
        uid: moved.booking.uid,
        rescheduleUid: booked.booking.uid,
        rescheduleStartTime: '2030-05-02T09:00:00.000Z',
        status: 'ACCEPTED',
      },
    });
    expect(ns).toMatchObject({
      triggerEvent: 'BOOKING_NO_SHOW_UPDATED',
      payload: {
        bookingUid: moved.booking.uid,
        attendees: [{ email: 'g@example.com', noShow: true }],
        message: 'x_marked_as_no_show',
      },
    });
    expect(ca).toMatchObject({
      triggerEvent: 'BOOKING_CANCELLED',
      payload: { uid: moved.booking.uid, status: 'CANCELLED', cancellationReason: 'Sick' },
    });
  });

  it('API mutations send webhooks in the background; flush waits for them', async () => {
    await api('POST', '/v2/bookings', createInput());
    await ctl('/deliveries/flush', {});
    expect(sink.received.map((r) => JSON.parse(r.body).triggerEvent)).toEqual(['BOOKING_CREATED']);
  });

  it('a webhook without secret is signed "no-secret-provided"; inactive or unsubscribed triggers send nothing', async () => {
    await ctl('/webhook', { subscriberUrl: `${sink.url}/hook`, secret: null });
    await ctl('/act/book', {
      start: '2030-06-01T09:00:00Z',
      attendee: { name: 'N', email: 'n@example.com' },
    });
    expect(sink.received[0]!.headers['x-cal-signature-256']).toBe('no-secret-provided');
    await ctl('/webhook', { subscriberUrl: `${sink.url}/hook`, triggers: ['BOOKING_CANCELLED'] });
    await ctl('/act/book', {
      start: '2030-06-02T09:00:00Z',
      attendee: { name: 'N', email: 'n@example.com' },
    });
    expect(sink.received).toHaveLength(1);
    await ctl('/webhook', { subscriberUrl: `${sink.url}/hook` });
  });
});

describe('Cal.com emulator: webhooks made through the API (/v2/webhooks)', () => {
  const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

  it('create, list, get, update and delete answer as the spec says; each webhook gets its triggers signed with its own secret', async () => {
    const input = {
      subscriberUrl: `${sink.url}/registered`,
      active: true,
      triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'],
      secret: 'reg-secret',
      version: '2021-10-20',
    };
    expect(requestErrors('/v2/webhooks', 'post', input)).toEqual([]);
    const made = await api('POST', '/v2/webhooks', input);
    expect(made.status).toBe(201);
    expect(responseErrors('/v2/webhooks', 'post', 201, made.body)).toEqual([]);
    const id = made.body.data.id as number;
    expect(made.body.data).toMatchObject({
      subscriberUrl: input.subscriberUrl,
      active: true,
      triggers: input.triggers,
    });
    const listed = await api('GET', '/v2/webhooks');
    expect(responseErrors('/v2/webhooks', 'get', 200, listed.body)).toEqual([]);
    expect(listed.body.data.map((w: { id: number }) => w.id)).toContain(id);
    const one = await api('GET', `/v2/webhooks/${id}`);
    expect(responseErrors('/v2/webhooks/{webhookId}', 'get', 200, one.body)).toEqual([]);

    await ctl('/act/book', {
      start: '2030-07-01T09:00:00Z',
      attendee: { name: 'R', email: 'r@example.com' },
    });
    const registered = sink.received.filter((r) => r.path === '/registered');
    expect(registered).toHaveLength(1);
    expect(registered[0]!.headers['x-cal-signature-256']).toBe(hmac('reg-secret', registered[0]!.body));

    const paused = await api('PATCH', `/v2/webhooks/${id}`, { active: false });
    expect(responseErrors('/v2/webhooks/{webhookId}', 'patch', 200, paused.body)).toEqual([]);
    await ctl('/act/book', {
      start: '2030-07-02T09:00:00Z',
      attendee: { name: 'R', email: 'r@example.com' },
    });
    expect(sink.received.filter((r) => r.path === '/registered')).toHaveLength(1);

    const gone = await api('DELETE', `/v2/webhooks/${id}`);
    expect(responseErrors('/v2/webhooks/{webhookId}', 'delete', 200, gone.body)).toEqual([]);
    expect((await api('GET', `/v2/webhooks/${id}`)).status).toBe(404);
  });

  it('refuses a webhook without subscriberUrl, active or triggers, or with an unknown trigger', async () => {
    expect((await api('POST', '/v2/webhooks', { subscriberUrl: `${sink.url}/x`, active: true })).status).toBe(
      400,
    );
    expect(
      (
        await api('POST', '/v2/webhooks', {
          subscriberUrl: `${sink.url}/x`,
          active: true,
          triggers: ['BOOKING_DONE'],
        })
      ).status,
    ).toBe(400);
    expect((await api('POST', '/v2/webhooks', { active: true, triggers: [] })).status).toBe(400);
  });
});

describe('Cal.com emulator: control API', () => {
  it('injects faults by status, count and delay, and counts calls', async () => {
    await ctl('/faults', { pathPrefix: '/v2/bookings', status: 503, count: 1 });
    const first = await api('GET', '/v2/bookings');
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ status: 'error', error: { code: 'ServiceUnavailableException' } });
    expect((await api('GET', '/v2/bookings')).status).toBe(200);
    await ctl('/faults', { pathPrefix: '/v2/me', delayMs: 50, count: 1 });
    const t = Date.now();
    await api('GET', '/v2/me');
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    const stats = await ctl('/stats');
    expect(stats.byRoute['GET /v2/bookings']).toBe(2);
    expect(stats.byStatus['503']).toBe(1);
  });

  it('probability 0 never fires but uses up the count', async () => {
    await ctl('/faults', { status: 500, count: 1, probability: 0 });
    expect((await api('GET', '/v2/me')).status).toBe(200);
    expect((await ctl('/faults')).faults).toEqual([]);
  });

  it('seeds bookings without webhooks and exposes state and the request log', async () => {
    const seeded = await ctl('/seed', {
      bookings: [{ start: '2030-07-01T10:00:00Z', attendee: { name: 'S', email: 's@example.com' } }],
    });
    expect(seeded.bookings).toHaveLength(1);
    expect(sink.received).toHaveLength(0);
    const state = await ctl('/state');
    expect(state.bookings.map((b: any) => b.uid)).toEqual([seeded.bookings[0].uid]);
    await api('GET', `/v2/bookings/${seeded.bookings[0].uid}`);
    const { requests } = await ctl('/requests');
    expect(requests.at(-1)).toMatchObject({ method: 'GET', apiVersion: '2024-08-13', status: 200 });
  });
});
