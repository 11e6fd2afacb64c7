import { env, SELF } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createConnection, openConnection } from '../../worker/tenants/connections.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../worker/lib/body.ts';
import { emu } from './helpers.ts';
import { call, expectError as expectApiError, panelLocations } from './panel-helpers.ts';

/** Bad input answers 4xx with nothing stored, never a status that makes the sender retry it. */

type Signed = { body: string; headers: Record<string, string> };

let counter = 0;
const freshLocation = () =>
  `inLim${Date.now().toString(36)}${(counter++).toString(36)}`.padEnd(20, '0').slice(0, 20);
const stored = (locationId: string) => tenantStub(env, locationId).storedEvents(locationId, { all: true });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const utf8 = (s: string) => new TextEncoder().encode(s);

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(nestsDeeperThan(utf8('{"a":[{"b":[]}]}'), 4)).toBe(false);
    expect(nestsDeeperThan(utf8('{"a":[{"b":[]}]}'), 3)).toBe(true);
    expect(nestsDeeperThan(utf8(JSON.stringify({ s: '[[[[{{{{ "\\" [[[[' })), 1)).toBe(false);
    expect(nestsDeeperThan(utf8(JSON.stringify({ s: 'é"[[[', t: [[1]] })), 2)).toBe(true);
    expect(nestsDeeperThan(utf8('[[],[],[],[]]'), 2)).toBe(false);
    // An escaped backslash before a quote does not escape the quote.
    expect(nestsDeeperThan(utf8('{"a":"x\\\\","b":[[[]]]}'), 3)).toBe(true);
    expect(nestsDeeperThan(utf8('{"a":"x\\"[[[[","b":[]}'), 2)).toBe(false);
  });
});

describe('POST /webhooks/ghl with a deeply nested body', () => {
  const sign = (body: string) => emu<Signed>('/_emulator/webhooks/sign', { body, sign: 'both' });
  const post = (s: Signed) =>
    SELF.fetch('http://app.test/webhooks/ghl', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...s.headers },
      body: s.body,
    });
  const contactUpdate = (loc: string, extra: string) =>
    `{"type":"ContactUpdate","locationId":"${loc}","id":"c1","timestamp":"${new Date().toISOString()}","webhookId":"${crypto.randomUUID()}"${extra}}`;

  it('answers 400 (not 429, which GHL would retry) and stores nothing', async () => {
    const loc = freshLocation();
    const message = await expectError(
      await post(await sign(contactUpdate(loc, `,"customFields":${nested(5000)}`))),
      400,
      'too_deeply_nested',
    );
    expect(message).toContain(String(MAX_JSON_DEPTH));
    await expectError(
      await post(await sign(contactUpdate(loc, `,"customFields":${nested(MAX_JSON_DEPTH)}`))),
      400,
      'too_deeply_nested',
    );
    expect(await stored(loc)).toHaveLength(0);
  });

  it('still accepts nesting up to the limit, and brackets inside strings', async () => {
    const loc = freshLocation();
    expect(
      (await post(await sign(contactUpdate(loc, `,"customFields":${nested(MAX_JSON_DEPTH - 1)}`)))).status,
    ).toBe(200);
    expect(
      (await post(await sign(contactUpdate(loc, `,"firstName":${JSON.stringify('['.repeat(5000))}`)))).status,
    ).toBe(200);
    expect(await stored(loc)).toHaveLength(2);
  });
});

describe('POST /webhooks/partner/:connectionId with a deeply nested body', () => {
  it('answers 400 and stores nothing', async () => {
    const loc = freshLocation();
    const { connection, secrets } = await createConnection(env, {
      locationId: loc,
      kind: 'yourapp',
      name: 'Your app',
      settings: { webhookUrl: 'https://partner.example.com/hooks' },
    });
    const send = (data: string) => {
      const body = `{"type":"contact.updated","timestamp":"${new Date().toISOString()}","data":${data}}`;
      const id = `msg_${crypto.randomUUID()}`;
      const at = new Date();
      const headers = {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secrets.webhookSecret!).sign(id, at, body),
      };
      return SELF.fetch(`http://app.test/webhooks/partner/${connection.id}`, {
        method: 'POST',
        headers,
        body,
      });
    };
    await expectError(
      await send(`{"id":"p1","email":"deep@example.com","firstName":${nested(5000)}}`),
      400,
      'too_deeply_nested',
    );
    expect(await stored(loc)).toHaveLength(0);
    expect((await send('{"id":"p1","email":"deep@example.com"}')).status).toBe(200);
    expect(await stored(loc)).toHaveLength(1);
  });
});

describe('panel API bodies nested too deep', () => {
  it('answer 400 instead of overflowing on their way to GHL (a 500), and create nothing', async () => {
    const [A] = await panelLocations(1, 1);
    const deep = `{"firstName":"Deep","customFields":[{"id":"cf1","value":${nested(5000)}}]}`;
    const contact = await call(A!.token, 'POST', '/api/contacts', deep);
    expectApiError(contact, 400, 'too_deeply_nested');
    const settings = await call(
      A!.token,
      'POST',
      '/api/connections',
      `{"kind":"yourapp","name":"Deep","settings":{"webhookUrl":"https://partner.example.com/h","x":${nested(5000)}}}`,
    );
    expectApiError(settings, 400, 'too_deeply_nested');
    expect((await call(A!.token, 'GET', '/api/connections')).body.connections).toEqual([]);
    // Ordinary bodies still read normally after the check.
    const ok = await call(A!.token, 'PUT', '/api/settings', {
      dryRun: true,
      kinds: { notes: { enabled: false } },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.kinds.notes.enabled).toBe(false);
    expectApiError(await call(A!.token, 'PUT', '/api/settings', '{"dryRun":'), 400, 'malformed_json');
  });
});

describe('a "your app" connection with a malformed webhook secret', () => {
  const good = `whsec_${btoa('0123456789abcdef0123456789abcdef')}`;
  const yourApp = (webhookSecret: string) => ({
    kind: 'yourapp',
    name: 'Your app',
    credentials: { webhookSecret },
    settings: { webhookUrl: 'https://partner.example.com/hooks' },
  });

  it('is refused when saved (POST and PATCH), naming the field, and nothing changes', async () => {
    const [A] = await panelLocations(1, 1);
    for (const secret of [
      'not-a-secret',
      'whsec_',
      'whsec_not base64!!',
      `whsec_${btoa('too short')}`,
      btoa('0123456789abcdef0123456789abcdef'),
      `whsec_${btoa('x'.repeat(65))}`,
    ]) {
      const res = await call(A!.token, 'POST', '/api/connections', yourApp(secret));
      expectApiError(res, 400, 'invalid_credentials');
      expect(res.body.error.message).toContain('credentials.webhookSecret');
      expect(res.body.error.message).toContain('whsec_');
    }
    expect((await call(A!.token, 'GET', '/api/connections')).body.connections).toEqual([]);

    const created = await call(A!.token, 'POST', '/api/connections', yourApp(good));
    expect(created.status, created.text).toBe(201);
    const id = created.body.connection.id as string;
    const res = await call(A!.token, 'PATCH', `/api/connections/${id}`, {
      credentials: { webhookSecret: 'whsec_abc' },
    });
    expectApiError(res, 400, 'invalid_credentials');
    expect(res.body.error.message).toContain('credentials.webhookSecret');
    expect((await openConnection(env, id))!.credentials.webhookSecret).toBe(good);
    // A generated secret and a well-formed one of the user's are both fine.
    expect(
      (await call(A!.token, 'POST', '/api/connections', { kind: 'yourapp', name: 'Minted', settings: {} }))
        .status,
    ).toBe(201);
    const rotated = `whsec_${btoa('a fresh secret, 24 bytes')}`;
    expect(
      (
        await call(A!.token, 'PATCH', `/api/connections/${id}`, {
          credentials: { webhookSecret: ` ${rotated} ` },
        })
      ).status,
    ).toBe(200);
    expect((await openConnection(env, id))!.credentials.webhookSecret).toBe(rotated);
  });
});
