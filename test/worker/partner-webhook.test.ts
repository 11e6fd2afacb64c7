import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  openConnection,
  rotateInboundKey,
  updateConnection,
} from '../../worker/tenants/connections.ts';
import { hmacSha256Hex } from '../../worker/connectors/signing.ts';
import type { PartnerChange } from '../../worker/connectors/types.ts';
import { AppError, errorBody } from '../../worker/errors.ts';
import {
  createPartnerWebhookRoutes,
  MAX_PARTNER_WEBHOOK_BYTES,
} from '../../worker/routes/webhooks-partner.ts';

/** POST /webhooks/partner/:connectionId in workerd, with real D1 connections. */

const LOC = 'partnerLoc0000000001';
const CAL_SECRET = 'cal-secret-0123456789abcdef';
let cal: { id: string };
let ap: { id: string; url: string };
let ya: { id: string; secret: string };

beforeAll(async () => {
  const c = await createConnection(env, {
    locationId: LOC,
    kind: 'calcom',
    name: 'Cal.com',
    credentials: { apiKey: 'cal_test_x', webhookSecret: CAL_SECRET },
    settings: { eventTypeId: 1 },
  });
  const a = await createConnection(env, { locationId: LOC, kind: 'appointlet', name: 'Appointlet' });
  const y = await createConnection(env, {
    locationId: LOC,
    kind: 'yourapp',
    name: 'Your app',
    settings: { webhookUrl: 'https://partner.example.com/hooks' },
  });
  cal = { id: c.connection.id };
  ap = { id: a.connection.id, url: a.inboundUrl };
  ya = { id: y.connection.id, secret: y.secrets.webhookSecret! };
});

const booking = (trigger = 'BOOKING_CREATED') =>
  JSON.stringify({
    triggerEvent: trigger,
    createdAt: new Date().toISOString(),
    payload: {
      uid: 'bk1',
      title: 'Intro',
      startTime: '2030-01-01T10:00:00Z',
      endTime: '2030-01-01T10:30:00Z',
      status: 'ACCEPTED',
      attendees: [{ email: 'a@example.com', name: 'A', timeZone: 'UTC' }],
      additionalNotes: 'Hi',
    },
  });
const activity = JSON.stringify({
  id: 1,
  type: 'Activity',
  created_at: '2030-01-01T00:00:00Z',
  action: 'Meeting.scheduled',
  message: null,
  metadata: null,
  entity: {
    id: 9,
    type: 'Meeting',
    name: 'M',
    start: '2030-01-01T10:00:00Z',
    end: '2030-01-01T10:30:00Z',
    approved: true,
    confirmed: false,
    cancelled: false,
    attendees: [{ id: 3, email: 'b@example.com', first_name: 'B' }],
  },
});
const yourEvent = JSON.stringify({
  type: 'contact.updated',
  timestamp: new Date().toISOString(),
  data: { id: 'c1', email: 'c@example.com' },
});

const calHeaders = async (body: string, secret = CAL_SECRET) => ({
  'content-type': 'application/json',
  'x-cal-signature-256': await hmacSha256Hex(secret, new TextEncoder().encode(body)),
});
const yourHeaders = (body: string, secret = ya.secret) => {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign('msg_1', at, body),
  };
};
const path = (url: string) => new URL(url).pathname + new URL(url).search;

const post = (
  target: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) =>
  SELF.fetch(`http://app.test${target.startsWith('/') ? target : `/webhooks/partner/${target}`}`, {
    method: 'POST',
    headers,
    body,
  });

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
}

describe('POST /webhooks/partner/:connectionId', () => {
  it('404 for an unknown or malformed connection id', async () => {
    await expectError(
      await post('conn_00000000000000000000000000000000', booking(), await calHeaders(booking())),
      404,
      'not_found',
    );
    await expectError(await post('no%20such%20thing', '{}'), 404, 'not_found');
  });

  it('401 for a missing or bad signature, per connector', async () => {
    const body = booking();
    await expectError(await post(cal.id, body), 401, 'invalid_signature');
    await expectError(
      await post(cal.id, body, await calHeaders(body, 'wrong-secret')),
      401,
      'invalid_signature',
    );
    const unkeyed = `/webhooks/partner/${ap.id}`;
    await expectError(await post(unkeyed, activity), 401, 'invalid_signature');
    await expectError(await post(`${unkeyed}?key=guess`, activity), 401, 'invalid_signature');
    await expectError(await post(ya.id, yourEvent), 401, 'invalid_signature');
    await expectError(
      await post(
        ya.id,
        yourEvent,
        yourHeaders(yourEvent, `whsec_${btoa('another secret of 32 bytes......')}`),
      ),
      401,
      'invalid_signature',
    );
    const res = await post(ya.id, `${yourEvent} `, yourHeaders(yourEvent));
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('413 for a body over 256 KB, before verifying', async () => {
    const big = JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      payload: { pad: 'x'.repeat(MAX_PARTNER_WEBHOOK_BYTES) },
    });
    await expectError(await post(cal.id, big, await calHeaders(big)), 413, 'payload_too_large');
  });

  it('400 for a signed body that is not JSON; 422 for a trigger Cal.com does not have', async () => {
    await expectError(
      await post(cal.id, '{"triggerEvent":', await calHeaders('{"triggerEvent":')),
      400,
      'malformed_json',
    );
    const odd = JSON.stringify({ triggerEvent: 'BOOKING_TELEPORTED', payload: {} });
    await expectError(await post(cal.id, odd, await calHeaders(odd)), 422, 'unsupported_event');
  });

  it('200 with counts for each connector (Standard Webhooks verified inside workerd)', async () => {
    const body = booking();
    const calRes = await post(cal.id, body, await calHeaders(body));
    expect(calRes.status).toBe(200);
    const calJson = (await calRes.json()) as { ok: boolean; accepted: number; duplicates: number };
    expect(calJson.ok).toBe(true);
    expect(calJson.accepted + calJson.duplicates).toBe(3);
    expect((await post(path(ap.url), activity)).status).toBe(200);
    expect((await post(ya.id, yourEvent, yourHeaders(yourEvent))).status).toBe(200);
  });
});

describe('partner webhook route with an injected intake', () => {
  function appWith(accept: Parameters<typeof createPartnerWebhookRoutes>[0]) {
    const app = new Hono<{ Bindings: Env }>();
    app.route('/webhooks/partner', createPartnerWebhookRoutes(accept));
    app.onError((err, c) =>
      err instanceof AppError
        ? c.json(errorBody(err.code, err.message), err.status)
        : c.json(errorBody('internal', String(err)), 500),
    );
    return app;
  }

  it('hands the parsed changes to the engine once verified, and records last_event_at', async () => {
    const calls: { connection: unknown; changes: PartnerChange[] }[] = [];
    const app = appWith(async (_env, connection, changes) => {
      calls.push({ connection, changes });
      return { accepted: changes.length - 1, duplicates: 1 };
    });
    const body = booking('BOOKING_CANCELLED');
    const ctx = createExecutionContext();
    const res = await app.request(
      `http://app.test/webhooks/partner/${cal.id}`,
      { method: 'POST', headers: await calHeaders(body), body },
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(await res.json()).toEqual({ ok: true, accepted: 2, duplicates: 1 });
    expect(calls[0]!.connection).toEqual({ id: cal.id, locationId: LOC, kind: 'calcom' });
    expect(calls[0]!.changes.map((c) => `${c.kind}:${c.op}`)).toEqual([
      'contact:upsert',
      'appointment:upsert',
      'note:upsert',
    ]);
    expect(calls[0]!.changes[1]!.data).toMatchObject({ status: 'cancelled' });
    const row = await env.DB.prepare('SELECT last_event_at FROM connections WHERE id = ?')
      .bind(cal.id)
      .first<{ last_event_at: number }>();
    expect(row!.last_event_at).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers 429 when the changes cannot be stored, and never calls the engine for a bad signature', async () => {
    let called = 0;
    const app = appWith(async () => {
      called++;
      throw new Error('storage down');
    });
    const body = booking();
    const res = await app.request(
      `http://app.test/webhooks/partner/${cal.id}`,
      { method: 'POST', headers: await calHeaders(body), body },
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(called).toBe(1);
    const bad = await app.request(
      `http://app.test/webhooks/partner/${cal.id}`,
      { method: 'POST', headers: await calHeaders(body, 'nope'), body },
      env,
      createExecutionContext(),
    );
    expect(bad.status).toBe(401);
    expect(called).toBe(1);
  });
});

describe('connections in D1', () => {
  it('seals credentials bound to the row and never returns them', async () => {
    const row = await env.DB.prepare('SELECT * FROM connections WHERE id = ?')
      .bind(cal.id)
      .first<Record<string, string>>();
    expect(row!.sealed_credentials).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(CAL_SECRET);
    const view = await getConnection(env, cal.id, LOC);
    expect(view).toMatchObject({
      kind: 'calcom',
      credentialNames: ['apiKey', 'webhookSecret'],
      status: 'active',
      inboundUrl: `http://app.test/webhooks/partner/${cal.id}`,
    });
    expect(JSON.stringify(view)).not.toContain(CAL_SECRET);
    expect((await openConnection(env, cal.id))!.credentials.webhookSecret).toBe(CAL_SECRET);
    // A sealed value copied onto another row does not open there.
    const other = await createConnection(env, {
      locationId: LOC,
      kind: 'calcom',
      name: 'Copy',
      credentials: { apiKey: 'k', webhookSecret: 's' },
    });
    await env.DB.prepare('UPDATE connections SET sealed_credentials = ? WHERE id = ?')
      .bind(row!.sealed_credentials, other.connection.id)
      .run();
    expect(await openConnection(env, other.connection.id)).toMatchObject({
      credentials: {},
      status: 'error',
    });
    expect(await getConnection(env, other.connection.id, LOC)).toMatchObject({
      credentialNames: [],
      status: 'reconnect_needed',
    });
    await deleteConnection(env, other.connection.id, LOC);
  });

  it('keeps connections inside their location', async () => {
    expect(await getConnection(env, cal.id, 'someOtherLocation000')).toBeNull();
    expect(await updateConnection(env, cal.id, 'someOtherLocation000', { name: 'x' })).toBeNull();
    expect(await deleteConnection(env, cal.id, 'someOtherLocation000')).toBe(false);
    expect((await listConnections(env, LOC)).map((c) => c.kind)).toEqual(
      expect.arrayContaining(['calcom', 'appointlet', 'yourapp']),
    );
    expect(await listConnections(env, 'someOtherLocation000')).toEqual([]);
  });

  it('validates kind, credentials and settings', async () => {
    const bad = [
      { locationId: LOC, kind: 'zoom', name: 'x' },
      { locationId: LOC, kind: 'calcom', name: 'x', credentials: { webhookSecret: 's' } },
      { locationId: LOC, kind: 'calcom', name: 'x', credentials: { apiKey: 'k', password: 'p' } },
      { locationId: LOC, kind: 'yourapp', name: 'x', settings: { webhookUrl: 'http://partner.example.com' } },
      {
        locationId: LOC,
        kind: 'yourapp',
        name: 'x',
        settings: { fieldMap: { contact: { email: '__proto__' } } },
      },
      { locationId: 'bad id!', kind: 'appointlet', name: 'x' },
    ];
    for (const input of bad)
      await expect(createConnection(env, input)).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('updates merge credentials; rotating the inbound key retires the old URL', async () => {
    const updated = await updateConnection(env, ya.id, LOC, {
      credentials: { apiKey: 'partner-api-key' },
      settings: { webhookUrl: 'https://partner.example.com/v2', apiBase: 'https://partner.example.com' },
      status: 'paused',
    });
    expect(updated).toMatchObject({
      status: 'paused',
      credentialNames: ['apiKey', 'webhookSecret'],
      settings: { apiBase: 'https://partner.example.com' },
    });
    await updateConnection(env, ya.id, LOC, { status: 'active' });
    const fresh = (await rotateInboundKey(env, ap.id, LOC))!;
    expect((await post(path(ap.url), activity)).status).toBe(401);
    expect((await post(path(fresh), activity)).status).toBe(200);
    ap.url = fresh;
    await expect(rotateInboundKey(env, cal.id, LOC)).rejects.toMatchObject({
      kind: 'invalid',
      code: 'invalid_connection',
    });
  });

  it('a deleted connection answers 404', async () => {
    const gone = await createConnection(env, { locationId: LOC, kind: 'appointlet', name: 'Temp' });
    expect(await deleteConnection(env, gone.connection.id, LOC)).toBe(true);
    await expectError(await post(path(gone.inboundUrl), activity), 404, 'not_found');
  });
});
