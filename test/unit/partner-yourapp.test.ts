import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startSink, type Sink } from '../partners/common.ts';
import { nowIso as ghlNowIso } from '../emulator/ids.ts';
import { eventually } from '../support/eventually.ts';
import { signHeaders, startYourAppEmulator, type YourAppEmulator } from '../partners/yourapp.ts';

/** The "your app" partner emulator: the contract of test/partners/README.md from the partner's side. */

let app: YourAppEmulator;
let sink: Sink;

beforeAll(async () => {
  sink = await startSink();
  app = await startYourAppEmulator({ targetUrl: `${sink.url}/in` });
});
afterAll(async () => {
  await app.close();
  await sink.close();
});
beforeEach(async () => {
  await post('/_partner/reset', {});
  sink.received.length = 0;
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${app.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as any };
};

const event = (type: string, data: Record<string, unknown>) =>
  JSON.stringify({ type, timestamp: new Date().toISOString(), data });

describe('your app emulator: receiving our events', () => {
  const wh = () => new Webhook(app.secret);

  it('answers a signed ping or test event without storing it; an unsigned one is 401', async () => {
    for (const type of ['ping', 'test']) {
      const body = JSON.stringify({
        type,
        test: true,
        timestamp: new Date().toISOString(),
        data: { message: 'hello' },
      });
      const res = await post('/webhooks', body, signHeaders(wh(), `msg_${type}`, body));
      expect(res).toEqual({ status: 200, body: { ok: true, test: true } });
      expect((await post('/webhooks', body, signHeaders(wh(), `msg_${type}2`, body, 'bad'))).status).toBe(
        401,
      );
    }
    const state = await get('/_partner/state');
    expect(state.body.tests.map((t: { event: { type: string } }) => t.event.type)).toEqual(['ping', 'test']);
    expect(state.body.received).toEqual([]);
    expect(state.body.feed).toEqual([]);
  });

  it('act sends a test event to us, signed and marked as a test, not in its feed', async () => {
    const r = await post('/_partner/act', { type: 'test', data: { message: 'from the partner' } });
    expect(r.body.deliveries).toHaveLength(1);
    const got = sink.received[0]!;
    expect(JSON.parse(got.body)).toMatchObject({
      type: 'test',
      test: true,
      data: { message: 'from the partner' },
    });
    expect(() => wh().verify(got.body, got.headers)).not.toThrow();
    expect((await get('/_partner/state')).body.feed).toEqual([]);
  });

  it('verifies Standard Webhooks signatures: valid 200, bad or missing 401', async () => {
    const body = event('contact.created', { ghlId: 'g1', email: 'a@example.com' });
    expect((await post('/webhooks', body, signHeaders(wh(), 'msg_a', body))).status).toBe(200);
    expect((await post('/webhooks', body, signHeaders(wh(), 'msg_b', body, 'bad'))).status).toBe(401);
    expect((await post('/webhooks', body, signHeaders(wh(), 'msg_c', body, 'none'))).status).toBe(401);
    expect(
      (
        await post(
          '/webhooks',
          body,
          signHeaders(wh(), 'msg_d', body, 'valid', new Date(Date.now() - 600_000)),
        )
      ).status,
    ).toBe(401);
  });

  it('stores objects, answers their id, dedupes on webhook-id and finds objects by ghlId', async () => {
    const created = event('appointment.created', {
      ghlId: 'ga',
      title: 'T',
      startTime: '2030-01-01T00:00:00Z',
      endTime: '2030-01-01T01:00:00Z',
      status: 'confirmed',
    });
    const first = await post('/webhooks', created, signHeaders(wh(), 'msg_1', created));
    const dup = await post('/webhooks', created, signHeaders(wh(), 'msg_1', created));
    expect(dup.body).toEqual({ id: first.body.id, duplicate: true });
    const updated = event('appointment.updated', { ghlId: 'ga', status: 'cancelled' });
    expect((await post('/webhooks', updated, signHeaders(wh(), 'msg_2', updated))).body.id).toBe(
      first.body.id,
    );
    const state = await get('/_partner/state');
    expect(state.body.objects.appointment).toEqual([
      expect.objectContaining({ id: first.body.id, status: 'cancelled', title: 'T' }),
    ]);
    expect(state.body.received.map((r: any) => r.id)).toEqual(['msg_1', 'msg_2']);
  });

  it('injected faults answer before verification', async () => {
    await post('/_partner/faults', { pathPrefix: '/webhooks', status: 500, count: 1 });
    const body = event('note.created', { ghlId: 'n', body: 'x' });
    expect((await post('/webhooks', body, signHeaders(wh(), 'msg_f', body))).status).toBe(500);
    expect((await post('/webhooks', body, signHeaders(wh(), 'msg_f', body))).status).toBe(200);
  });

  it('a held call waits, unanswered, until released; a cut one fails at the caller and still lands on release', async () => {
    await post('/_partner/faults', { pathPrefix: '/webhooks', hold: true, count: 2 });
    const send = (id: string, text: string) => {
      const body = event('note.created', { ghlId: id, body: text });
      return fetch(`${app.url}/webhooks`, { method: 'POST', headers: signHeaders(wh(), id, body), body });
    };
    const notes = async () => (await get('/_partner/state')).body.objects.note.map((n: any) => n.body);
    const kept = send('msg_h1', 'kept');
    const lost = send('msg_h2', 'lost').then(
      (res) => `answered ${res.status}`,
      () => 'failed',
    );
    await eventually(
      async () => (await get('/_partner/held')).body.held,
      (h) => h.length === 2,
      {
        what: 'two held calls',
      },
    );
    const [first, second] = (await get('/_partner/held')).body.held;
    expect(await notes()).toEqual([]);

    expect((await post('/_partner/held/cut', { id: second.id })).body).toEqual({ cut: 1 });
    expect(await lost).toBe('failed');
    expect((await get('/_partner/held')).body.held).toEqual([
      { id: first.id, method: 'POST', path: '/webhooks', cut: false },
      { id: second.id, method: 'POST', path: '/webhooks', cut: true },
    ]);
    expect(await notes()).toEqual([]);

    expect((await post('/_partner/held/release', { id: first.id })).body).toEqual({ released: 1 });
    expect((await kept).status).toBe(200);
    expect(await notes()).toEqual(['kept']);
    // Clearing the faults lets every held call go on: the cut one lands late.
    expect((await fetch(`${app.url}/_partner/faults`, { method: 'DELETE' })).status).toBe(200);
    await eventually(notes, (n) => n.length === 2, { what: 'the cut call applied' });
    expect((await get('/_partner/held')).body.held).toEqual([]);
  });
});

describe('your app emulator: its own changes', () => {
  it('stamps each change later than any change before it, its own or the GHL emulator’s', async () => {
    const stamps: string[] = [];
    for (let i = 0; i < 20; i++) {
      const acted = await post('/_partner/act', {
        type: 'note.created',
        data: { body: `n${i}`, contact: { email: 'x@example.com' } },
        deliver: false,
      });
      stamps.push(acted.body.event.timestamp, ghlNowIso());
    }
    const times = stamps.map(Date.parse);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
  });

  it('act sends a signed event to the target and logs it in GET /changes', async () => {
    const r = await post('/_partner/act', { type: 'contact.created', data: { email: 'z@example.com' } });
    expect(r.body.deliveries[0].status).toBe(200);
    const got = sink.received[0]!;
    expect(() => new Webhook(app.secret).verify(got.body, got.headers)).not.toThrow();
    expect(got.headers['webhook-id']).toBe(r.body.event.id);
    const feed = await get('/changes?since=1970-01-01T00:00:00Z', { authorization: `Bearer ${app.apiKey}` });
    expect(feed.body).toEqual({
      events: [
        {
          id: r.body.event.id,
          type: 'contact.created',
          timestamp: r.body.event.timestamp,
          data: r.body.event.data,
        },
      ],
      nextCursor: expect.stringMatching(/^c\d+$/),
      hasMore: false,
    });
    const cursor = feed.body.nextCursor;
    expect((await get(`/changes?since=${cursor}`, { authorization: `Bearer ${app.apiKey}` })).body).toEqual({
      events: [],
      nextCursor: cursor,
      hasMore: false,
    });
  });

  it('GET /changes needs the API key and a valid since; limit pages', async () => {
    expect((await get('/changes')).status).toBe(401);
    expect((await get('/changes?since=yesterday', { authorization: `Bearer ${app.apiKey}` })).status).toBe(
      400,
    );
    for (let i = 0; i < 3; i++)
      await post('/_partner/act', {
        type: 'note.created',
        data: { body: `n${i}`, contact: { email: 'x@example.com' } },
        deliver: false,
      });
    const page = await get('/changes?limit=2', { authorization: `Bearer ${app.apiKey}` });
    expect(page.body.events).toHaveLength(2);
    expect(page.body.hasMore).toBe(true);
    expect(sink.received).toHaveLength(0);
  });

  it('can send badly signed or duplicated deliveries on purpose', async () => {
    await post('/_partner/act', {
      type: 'contact.updated',
      data: { id: 'c1', email: 'q@example.com' },
      sign: 'bad',
      times: 2,
    });
    expect(sink.received).toHaveLength(2);
    expect(() => new Webhook(app.secret).verify(sink.received[0]!.body, sink.received[0]!.headers)).toThrow();
  });
});
