/**
 * Connections are checked with the partner: on save, by "Test connection" and "Send test event",
 * against the Cal.com and your-app emulators over HTTP. Cal.com's webhook is made through its
 * API (`/v2/webhooks`) and removed with the connection.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { installedLocation } from './helpers.ts';
import { call, expectError, sessionToken } from './panel-helpers.ts';
import { partner } from './sync-helpers.ts';

interface CalHook {
  id: number;
  subscriberUrl: string;
  active: boolean;
  triggers: string[];
  secret?: string;
}

const calState = () => partner<{ webhooks: CalHook[] }>(env.CALCOM_URL, '/_partner/state');
const yourAppTests = async () =>
  (await partner<{ tests: { id: string; event: any }[] }>(env.YOURAPP_URL, '/_partner/state')).tests;

async function admin(role = 'admin') {
  const { seed, locationId } = await installedLocation(1);
  const token = await sessionToken({
    userId: `checks-${role}`,
    companyId: seed.companyId,
    activeLocation: locationId,
    role,
  });
  return {
    locationId,
    companyId: seed.companyId,
    api: <T = any>(method: string, path: string, body?: unknown) => call<T>(token, method, path, body),
  };
}

const calcomInput = (apiKey: string) => ({
  kind: 'calcom',
  name: 'Cal.com',
  credentials: { apiKey },
  settings: { apiBase: env.CALCOM_URL, eventTypeId: 1 },
});

describe('Cal.com', () => {
  it('a made-up key is refused at save with Cal.com’s answer, and nothing is stored', async () => {
    const { api } = await admin();
    const answer = await api('POST', '/api/connections', calcomInput('cal_live_made_up_key'));
    expectError(answer, 422, 'connection_check_failed');
    expect(answer.body.error.message).toMatch(/refused.*401.*Invalid Access Token/);
    expect((await api('GET', '/api/connections')).body.connections).toEqual([]);
  });

  it('a good key saves, registers the webhook through /v2/webhooks (no secret to paste), tests green, and deleting removes the webhook', async () => {
    const { api } = await admin();
    const created = await api('POST', '/api/connections', calcomInput(env.CALCOM_API_KEY));
    expect(created.status, created.text).toBe(201);
    const { connection, check } = created.body;
    expect(created.body.webhookRegistered).toBe(true);
    expect(created.body.secrets).toEqual({});
    expect(check).toMatchObject({ state: 'ok' });
    expect(check.message).toMatch(/host@cal\.example/);
    const hook = (await calState()).webhooks.find((w) => w.id === connection.settings.webhookId)!;
    expect(hook).toMatchObject({ subscriberUrl: connection.inboundUrl, active: true });
    expect(hook.triggers).toEqual(
      expect.arrayContaining(['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_RESCHEDULED']),
    );

    // Cal.com signs what it sends with the secret we gave it: the worker takes the delivery.
    const booked = await partner(env.CALCOM_URL, '/_partner/act/book', {
      start: new Date(Date.UTC(2033, 0, 1) + Math.floor(Math.random() * 5000) * 3600_000).toISOString(),
      attendee: { name: 'Ada Lovelace', email: `ada.${Date.now()}@checks.example` },
    });
    await partner(env.CALCOM_URL, '/_partner/deliveries/flush', {});
    const { deliveries } = await partner<{
      deliveries: { url: string; body: string; headers: Record<string, string> }[];
    }>(env.CALCOM_URL, '/_partner/deliveries');
    const mine = deliveries.find(
      (d) => d.url === connection.inboundUrl && d.body.includes(booked.booking.uid),
    )!;
    const res = await SELF.fetch(`http://app.test/webhooks/partner/${connection.id}`, {
      method: 'POST',
      headers: mine.headers,
      body: mine.body,
    });
    expect(res.status).toBe(200);

    const tested = await api('POST', `/api/connections/${connection.id}/test`);
    expect(tested.body.check).toMatchObject({ state: 'ok' });
    expect(tested.body.check.message).toMatch(/webhook \d+ is active/);

    await fetch(`${env.CALCOM_URL}/v2/webhooks/${hook.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${env.CALCOM_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ active: false }),
    });
    const off = await api('POST', `/api/connections/${connection.id}/test`);
    expect(off.body.check).toMatchObject({ state: 'failed' });
    expect(off.body.check.message).toMatch(/switched off/);
    expect((await api('GET', '/api/connections')).body.connections[0].lastError).toMatch(/switched off/);

    const gone = await api('DELETE', `/api/connections/${connection.id}`);
    expect(gone.body).toMatchObject({ ok: true, webhook: 'removed' });
    expect((await calState()).webhooks.some((w) => w.id === hook.id)).toBe(false);
  });

  it('an edit to a made-up key is refused and the working key stays', async () => {
    const { api } = await admin();
    const { connection } = (await api('POST', '/api/connections', calcomInput(env.CALCOM_API_KEY))).body;
    expectError(
      await api('PATCH', `/api/connections/${connection.id}`, { credentials: { apiKey: 'cal_live_wrong' } }),
      422,
      'connection_check_failed',
    );
    expect((await api('POST', `/api/connections/${connection.id}/test`)).body.check.state).toBe('ok');
    // The form's settings never drop the webhook we registered.
    const edited = await api('PATCH', `/api/connections/${connection.id}`, {
      settings: { apiBase: env.CALCOM_URL, eventTypeId: 2 },
    });
    expect(edited.body.connection.settings).toMatchObject({
      eventTypeId: 2,
      webhookId: connection.settings.webhookId,
    });
    await api('DELETE', `/api/connections/${connection.id}`);
  });

  it('Send test event says Cal.com takes none', async () => {
    const { api } = await admin();
    const { connection } = (await api('POST', '/api/connections', calcomInput(env.CALCOM_API_KEY))).body;
    expect((await api('POST', `/api/connections/${connection.id}/test-event`)).body.check).toMatchObject({
      state: 'unchecked',
      message: expect.stringMatching(/takes no events/),
    });
    await api('DELETE', `/api/connections/${connection.id}`);
  });
});

describe('Your app', () => {
  const input = (credentials: Record<string, string>) => ({
    kind: 'yourapp',
    name: 'Your app',
    credentials,
    settings: { webhookUrl: `${env.YOURAPP_URL}/webhooks`, apiBase: env.YOURAPP_URL },
  });

  it('saving sends a signed ping marked as a test that the app answers, and reads its feed', async () => {
    const { api } = await admin();
    const created = await api(
      'POST',
      '/api/connections',
      input({ webhookSecret: env.YOURAPP_SECRET, apiKey: env.YOURAPP_API_KEY }),
    );
    expect(created.status).toBe(201);
    expect(created.body.check).toMatchObject({
      state: 'ok',
      message: expect.stringMatching(/ping \(200\).*feed \(200\)/),
    });
    const ping = (await yourAppTests()).find(
      (t) => t.event.type === 'ping' && t.event.data.connectionId === created.body.connection.id,
    );
    expect(ping?.event.test).toBe(true);
  });

  it('a secret the app does not know yet is kept, marked with the app’s answer, until Test connection passes', async () => {
    const { api } = await admin();
    const created = await api('POST', '/api/connections', input({ apiKey: env.YOURAPP_API_KEY }));
    expect(created.status).toBe(201);
    expect(created.body.secrets.webhookSecret).toMatch(/^whsec_/);
    expect(created.body.check).toMatchObject({ state: 'failed', code: 'auth_failed' });
    const listed = (await api('GET', '/api/connections')).body.connections[0];
    expect(listed.lastError).toMatch(/401/);
    // The admin gives the app's secret instead: the test passes and the mark goes.
    const fixed = await api('PATCH', `/api/connections/${created.body.connection.id}`, {
      credentials: { webhookSecret: env.YOURAPP_SECRET },
    });
    expect(fixed.body.check.state).toBe('ok');
    expect(fixed.body.connection.lastError).toBeNull();
  });

  it('Send test event posts one event marked as a test; one from the app is accepted and syncs nothing', async () => {
    const { api } = await admin();
    const { connection } = (
      await api('POST', '/api/connections', input({ webhookSecret: env.YOURAPP_SECRET }))
    ).body;
    const sent = await api('POST', `/api/connections/${connection.id}/test-event`);
    expect(sent.body.check).toMatchObject({ state: 'ok' });
    expect(
      (await yourAppTests()).some(
        (t) =>
          t.event.type === 'test' && t.event.test === true && t.event.data.connectionId === connection.id,
      ),
    ).toBe(true);

    const body = JSON.stringify({
      type: 'test',
      test: true,
      timestamp: new Date().toISOString(),
      data: { message: 'hi' },
    });
    const signed = await partner<{ body: string; headers: Record<string, string> }>(
      env.YOURAPP_URL,
      '/_partner/sign',
      { body },
    );
    const res = await SELF.fetch(`http://app.test/webhooks/partner/${connection.id}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, accepted: 0 });
  });
});

describe('access', () => {
  it('only admins test a connection or send test events; Appointlet has nothing to test', async () => {
    const { api, locationId, companyId } = await admin();
    const { connection } = (await api('POST', '/api/connections', { kind: 'appointlet', name: 'Appointlet' }))
      .body;
    expect((await api('POST', `/api/connections/${connection.id}/test`)).body.check).toMatchObject({
      state: 'unchecked',
    });
    const token = await sessionToken({
      userId: 'checks-user',
      companyId,
      activeLocation: locationId,
      role: 'user',
    });
    expectError(await call(token, 'POST', `/api/connections/${connection.id}/test`), 403, 'forbidden');
  });
});

describe('field maps', () => {
  it('refuse a field the partner does not have, in location settings and in a connection’s own map', async () => {
    const { api } = await admin();
    const bad = await api('PUT', '/api/settings', { fieldMapping: { calcom: { email: 'attendee.mail' } } });
    expectError(bad, 400, 'invalid_field_map');
    expect(bad.body.error.message).toMatch(/Cal\.com has no field "attendee\.mail".*attendee\.email/);
    expect(
      (
        await api('PUT', '/api/settings', {
          fieldMapping: {
            calcom: { 'contact.companyName': 'responses.company' },
            yourapp: { email: 'work.email' },
          },
        })
      ).status,
    ).toBe(200);
    const conn = await api('POST', '/api/connections', {
      kind: 'appointlet',
      name: 'A',
      settings: { fieldMap: { appointment: { title: 'subject' } } },
    });
    expectError(conn, 400, 'invalid_field_map');
    expect(
      (await api('GET', '/api/connections')).body.kinds.find((k: { kind: string }) => k.kind === 'calcom')
        .partnerFields.contact,
    ).toContain('attendee.email');
  });
});

describe('Sign in with Cal.com', () => {
  it('an admin signs in on Cal.com instead of pasting tokens: the code becomes the connection’s tokens, its webhook is made and the check passes', async () => {
    const { api } = await admin();
    const kinds = (await api('GET', '/api/connections')).body.kinds as { kind: string; signIn: boolean }[];
    expect(kinds.find((k) => k.kind === 'calcom')?.signIn).toBe(true);
    const { body } = await api('POST', '/api/connections/calcom/sign-in', {
      name: 'Cal.com (signed in)',
      settings: { eventTypeId: 1 },
    });
    const consent = await fetch(body.url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    expect(back.pathname).toBe('/oauth/calcom/callback');
    const done = await SELF.fetch(back.toString());
    expect(done.status, await done.clone().text()).toBe(200);
    expect(await done.text()).toMatch(/Cal\.com is connected/);

    const made = (await api('GET', '/api/connections')).body.connections.find(
      (c: { name: string }) => c.name === 'Cal.com (signed in)',
    );
    expect(made.credentialNames).toEqual([
      'accessToken',
      'clientId',
      'clientSecret',
      'refreshToken',
      'webhookSecret',
    ]);
    expect(made.settings).toMatchObject({
      eventTypeId: 1,
      apiBase: env.CALCOM_URL,
      webhookId: expect.any(Number),
    });
    expect(made.lastError).toBeNull();
    expect((await api('POST', `/api/connections/${made.id}/test`)).body.check.state).toBe('ok');
    // A used code or a state we did not sign makes nothing.
    expect((await SELF.fetch(back.toString())).status).toBe(502);
    const forged = new URL(back);
    forged.searchParams.set('state', 'not-ours');
    expect((await SELF.fetch(forged.toString())).status).toBe(400);
    expect((await api('GET', '/api/connections')).body.connections).toHaveLength(1);
    await api('DELETE', `/api/connections/${made.id}`);
  });

  it('only admins start a sign-in', async () => {
    const { locationId, companyId } = await admin();
    const token = await sessionToken({
      userId: 'signin-user',
      companyId,
      activeLocation: locationId,
      role: 'user',
    });
    expectError(await call(token, 'POST', '/api/connections/calcom/sign-in', {}), 403, 'forbidden');
  });
});
