import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../worker/app.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { emu } from './helpers.ts';

type Signed = { body: string; headers: Record<string, string> };

let counter = 0;
/** A fresh location id per case, so each case inspects only its own stored events. */
const freshLocation = () =>
  `whLoc${Date.now().toString(36)}${(counter++).toString(36)}`.padEnd(20, '0').slice(0, 20);

const event = (locationId: string, extra: Record<string, unknown> = {}) =>
  emu<Signed>('/_emulator/webhooks/event', {
    type: 'ContactUpdate',
    locationId,
    id: 'contact0000000000001',
    email: 'a@example.com',
    ...extra,
  });

const sign = (body: string, how: 'both' | 'ed25519' | 'rsa' | 'none' = 'both') =>
  emu<Signed>('/_emulator/webhooks/sign', { body, sign: how });

const post = (body: string | Uint8Array, headers: Record<string, string>) =>
  SELF.fetch('http://app.test/webhooks/ghl', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

const stored = (locationId: string) => tenantStub(env, locationId).storedEvents(locationId, { all: true });

async function expectRejected(res: Response, status: number, code: string, locationId?: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
  if (locationId) expect(await stored(locationId)).toHaveLength(0);
}

describe('POST /webhooks/ghl signatures', () => {
  it('accepts an Ed25519 x-ghl-signature and persists the event before answering', async () => {
    const loc = freshLocation();
    const e = await event(loc, { sign: 'ed25519' });
    expect(e.headers['x-wh-signature']).toBeUndefined();
    const res = await post(e.body, e.headers);
    expect(res.status).toBe(200);
    const events = await stored(loc);
    expect(events).toHaveLength(1);
    expect(events[0]!.webhookId).toBe(JSON.parse(e.body).webhookId);
  });

  it('accepts the legacy RSA x-wh-signature alone', async () => {
    const loc = freshLocation();
    const e = await event(loc, { sign: 'rsa' });
    expect(e.headers['x-ghl-signature']).toBeUndefined();
    expect((await post(e.body, e.headers)).status).toBe(200);
    expect(await stored(loc)).toHaveLength(1);
  });

  it('rejects a request with no signature (401, nothing stored)', async () => {
    const loc = freshLocation();
    const e = await event(loc, { sign: 'none' });
    await expectRejected(await post(e.body, e.headers), 401, 'invalid_signature', loc);
  });

  it('rejects a body changed after signing', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    await expectRejected(
      await post(e.body.replace('a@example.com', 'b@example.com'), e.headers),
      401,
      'invalid_signature',
      loc,
    );
  });

  it('does not fall back to a valid RSA signature when the Ed25519 one is bad', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    const other = await sign(e.body.replace('a@example.com', 'c@example.com'), 'ed25519');
    const headers = { ...e.headers, 'x-ghl-signature': other.headers['x-ghl-signature']! };
    await expectRejected(await post(e.body, headers), 401, 'invalid_signature', loc);
  });

  it('rejects garbage in the signature header', async () => {
    const loc = freshLocation();
    const e = await event(loc, { sign: 'none' });
    await expectRejected(
      await post(e.body, { 'x-ghl-signature': '%%%not-base64' }),
      401,
      'invalid_signature',
      loc,
    );
    await expectRejected(await post(e.body, { 'x-wh-signature': 'AAAA' }), 401, 'invalid_signature', loc);
  });

  it('fails closed when the verification key is not configured', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request('http://app.test/webhooks/ghl', { method: 'POST', headers: e.headers, body: e.body }),
      { ...env, GHL_WEBHOOK_ED25519_PUBLIC_KEY: '' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'GHL_WEBHOOK_ED25519_PUBLIC_KEY',
    );
    expect(await stored(loc)).toHaveLength(0);
  });
});

describe('POST /webhooks/ghl when the event cannot be stored', () => {
  it('answers 429 (the one status GHL retries), never 5xx', async () => {
    const e = await event(freshLocation());
    // Fault injection: the location's object is unavailable (an overloaded or resetting DO).
    const unavailable = {
      idFromName: (name: string) => env.LOCATION.idFromName(name),
      get: () => ({ ingest: async () => Promise.reject(new Error('Durable Object storage unavailable')) }),
    } as unknown as typeof env.LOCATION;
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request('http://app.test/webhooks/ghl', { method: 'POST', headers: e.headers, body: e.body }),
      { ...env, LOCATION: unavailable },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('try_again');
  });
});

describe('POST /webhooks/ghl input', () => {
  it('answers 413 for a body over the size limit', async () => {
    const big = JSON.stringify({ type: 'ContactUpdate', pad: 'x'.repeat(300 * 1024) });
    const res = await post(big, {});
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('answers 400 for signed bytes that are not JSON', async () => {
    const s = await sign('{"type": "ContactUpdate",');
    await expectRejected(await post(s.body, s.headers), 400, 'malformed_json');
  });

  it('answers 400 for an event without webhookId or with a stale timestamp, 422 for an unknown type', async () => {
    const loc = freshLocation();
    const base = {
      type: 'ContactUpdate',
      locationId: loc,
      id: 'c1',
      timestamp: new Date().toISOString(),
      webhookId: crypto.randomUUID(),
    };
    const noId = await sign(JSON.stringify({ ...base, webhookId: undefined }));
    await expectRejected(await post(noId.body, noId.headers), 400, 'invalid_event', loc);
    const stale = await sign(
      JSON.stringify({ ...base, timestamp: new Date(Date.now() - 3 * 3600_000).toISOString() }),
    );
    await expectRejected(await post(stale.body, stale.headers), 400, 'stale_event', loc);
    const unknown = await sign(JSON.stringify({ ...base, type: 'SomethingNew' }));
    await expectRejected(await post(unknown.body, unknown.headers), 422, 'unsupported_event', loc);
    const noOwner = await sign(JSON.stringify({ ...base, locationId: undefined }));
    await expectRejected(await post(noOwner.body, noOwner.headers), 400, 'invalid_event');
  });

  it('accepts a GHL retry within the two-hour replay window', async () => {
    const loc = freshLocation();
    const body = JSON.stringify({
      type: 'ContactUpdate',
      locationId: loc,
      id: 'c1',
      timestamp: new Date(Date.now() - 70 * 60_000).toISOString(),
      webhookId: crypto.randomUUID(),
    });
    const s = await sign(body);
    expect((await post(s.body, s.headers)).status).toBe(200);
  });
});

describe('POST /webhooks/ghl dedupe', () => {
  it('stores one event for a webhookId delivered three times', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    const answers = await Promise.all([
      post(e.body, e.headers),
      post(e.body, e.headers),
      post(e.body, e.headers),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { duplicate: boolean }[];
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    expect(await stored(loc)).toHaveLength(1);
  });
});
