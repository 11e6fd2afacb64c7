import {
  createExecutionContext,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { app } from '../../worker/app.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { LOCATION_SCHEMA } from '../../worker/durable/location-schema.ts';
import { requestPressure } from '../../worker/lib/request-pressure.ts';
import { emu } from './helpers.ts';

type Signed = { body: string; headers: Record<string, string> };

let counter = 0;
const freshLocation = () =>
  `inLoc${Date.now().toString(36)}${(counter++).toString(36)}`.padEnd(20, '0').slice(0, 20);

const event = (locationId: string) =>
  emu<Signed>('/_emulator/webhooks/event', {
    type: 'ContactUpdate',
    locationId,
    id: 'contact0000000000001',
    email: 'a@example.com',
  });

const post = (e: Signed, path = '/webhooks/ghl') =>
  SELF.fetch(`http://app.test${path}`, { method: 'POST', headers: e.headers, body: e.body });

/** The app with extra vars, as `wrangler dev` would run it with them set. */
async function fetchWith(vars: Record<string, string>, path: string, e: Signed): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://app.test${path}`, { method: 'POST', headers: e.headers, body: e.body }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const stored = (locationId: string) => tenantStub(env, locationId).storedEvents(locationId, { all: true });
const dedupeRows = (locationId: string, webhookId: string) =>
  runInDurableObject(
    tenantStub(env, locationId),
    (_obj, state) =>
      state.storage.sql
        .exec<{ n: number }>('SELECT COUNT(*) AS n FROM seen_webhooks WHERE webhook_id = ?', webhookId)
        .one().n,
  );

describe('POST /webhooks/ghl intake semantics', () => {
  it('has the event stored when the 200 arrives, and the alarm armed to hand it on', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    const res = await post(e);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, duplicate: false });
    expect((await stored(loc)).map((s) => s.webhookId)).toEqual([JSON.parse(e.body).webhookId]);
    expect(
      await runInDurableObject(tenantStub(env, loc), (_obj, state) => state.storage.getAlarm()),
    ).not.toBeNull();
  });

  it('answers a redelivery as a duplicate, also after the first delivery was handed on', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    expect(await (await post(e)).json()).toEqual({ ok: true, duplicate: false });
    expect(await (await post(e)).json()).toEqual({ ok: true, duplicate: true });
    await runDurableObjectAlarm(tenantStub(env, loc));
    const again = await post(e);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    expect(await stored(loc)).toHaveLength(1);
  });

  it('answers 429 when the object cannot store the event, keeps no dedupe row, and stores the retry', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    const { webhookId } = JSON.parse(e.body) as { webhookId: string };
    const stub = tenantStub(env, loc);
    // A real storage failure in the real object: its inbox table is gone.
    await stub.storedEvents(loc);
    await runInDurableObject(stub, (_obj, state) => void state.storage.sql.exec('DROP TABLE inbox'));

    const failed = await post(e);
    expect(failed.status).toBe(429);
    expect(failed.headers.get('retry-after')).toBe('60');
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('try_again');
    expect(await dedupeRows(loc, webhookId)).toBe(0);

    await runInDurableObject(stub, (_obj, state) => {
      for (const ddl of LOCATION_SCHEMA.filter((s) => /\b(TABLE|INDEX \w+ ON) inbox\b/.test(s)))
        state.storage.sql.exec(ddl);
    });
    const retried = await post(e);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ ok: true, duplicate: false });
    expect((await stored(loc)).map((s) => s.webhookId)).toEqual([webhookId]);
  });
});

describe('bench probes (BENCH_PROBES)', () => {
  it('has no floor route and no Server-Timing unless BENCH_PROBES is exactly "1"', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    for (const res of [
      await post(e, '/_bench/verify'),
      await fetchWith({ BENCH_PROBES: 'true' }, '/_bench/verify', e),
      await fetchWith({ BENCH_PROBES: ' 1' }, '/_bench/verify', e),
    ]) {
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    const res = await post(e);
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toBeNull();
  });

  it('the floor route checks the signature over the body and stores nothing', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    const ok = await fetchWith({ BENCH_PROBES: '1' }, '/_bench/verify', e);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    const tampered = await fetchWith({ BENCH_PROBES: '1' }, '/_bench/verify', {
      ...e,
      body: e.body.replace('a@example.com', 'b@example.com'),
    });
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    const unsigned = await fetchWith({ BENCH_PROBES: '1' }, '/_bench/verify', {
      ...e,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(401);
    expect(await stored(loc)).toHaveLength(0);
  });

  it('intake reports its phases in Server-Timing and still stores the event first', async () => {
    const loc = freshLocation();
    const e = await event(loc);
    const res = await fetchWith({ BENCH_PROBES: '1' }, '/webhooks/ghl', e);
    expect(res.status).toBe(200);
    const phases = (res.headers.get('server-timing') ?? '').split(', ').map((p) => p.split(';dur=')[0]);
    expect(phases).toEqual(['read', 'verify', 'parse', 'rpc']);
    expect(await stored(loc)).toHaveLength(1);
  });
});

describe('handing stored events on (location alarm)', () => {
  const ingestMany = async (loc: string, n: number) => {
    const stub = tenantStub(env, loc);
    for (let i = 0; i < n; i++) {
      const id = `contact${String(i).padStart(13, '0')}`;
      await stub.ingest(loc, {
        type: 'ContactUpdate',
        locationId: loc,
        id,
        webhookId: crypto.randomUUID(),
        timestamp: new Date().toISOString(),
      });
    }
    return stub;
  };

  it('while requests pour in, hands one event on per pause, however often the alarm runs', async () => {
    const loc = freshLocation();
    const stub = await ingestMany(loc, 120);
    // The test's clock (Date only, shared with the objects of this isolate): stopped, it moves
    // when the test says, so the second pass comes within the pause however slow the machine.
    const started = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: started });
    // Requests keep arriving at the door of this isolate, as the app notes them.
    const knock = () => {
      for (let i = 0; i < 10; i++) {
        requestPressure.enter(Date.now());
        requestPressure.leave();
      }
    };
    try {
      knock();
      await runDurableObjectAlarm(stub);
      // Without requests at the door, one pass takes all 120.
      expect(await stub.storedEvents(loc)).toHaveLength(119);
      const next = await runInDurableObject(stub, (_obj, state) => state.storage.getAlarm());
      expect(next).toBeGreaterThanOrEqual(started + 250);
      // An alarm run sooner (a partner webhook arms it at once) hands nothing more on.
      vi.setSystemTime(started + 100);
      knock();
      await runDurableObjectAlarm(stub);
      expect(await stub.storedEvents(loc)).toHaveLength(119);
      // Once the pause is over, the next event goes.
      vi.setSystemTime(started + 260);
      knock();
      await runDurableObjectAlarm(stub);
      expect(await stub.storedEvents(loc)).toHaveLength(118);
    } finally {
      vi.useRealTimers();
    }
  });
});
