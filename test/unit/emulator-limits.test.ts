import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type Seeded } from '../emulator/testkit/harness.ts';
import { eventually } from '../support/eventually.ts';

let h: Harness;
let seeded: Seeded;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  h = await startHarness({ rateLimit: { max: 5, intervalMs: 500, daily: 1000 } });
  seeded = await h.seed(2, 1);
  tokenA = (await h.installLocation(seeded.locations[0]!.id, seeded.companyId)).access_token;
  tokenB = (await h.installLocation(seeded.locations[1]!.id, seeded.companyId)).access_token;
});
afterAll(() => h.close());

const getA = () => h.api(tokenA, 'GET', `/contacts/${seeded.locations[0]!.contactIds[0]}`);
const getB = () => h.api(tokenB, 'GET', `/contacts/${seeded.locations[1]!.contactIds[0]}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rate limits', () => {
  it('sends the five X-RateLimit headers and answers 429 after max requests in the window, per location', async () => {
    await sleep(550);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await getA());
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const first = answers[0]!.headers;
    expect(first.get('x-ratelimit-max')).toBe('5');
    expect(first.get('x-ratelimit-interval-milliseconds')).toBe('500');
    expect(first.get('x-ratelimit-limit-daily')).toBe('1000');
    expect(first.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(first.get('x-ratelimit-daily-remaining'))).toBeLessThan(1000);
    expect(answers[4]!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(answers[5]!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await answers[5]!.json()).toEqual({ statusCode: 429, message: 'Too Many Requests' });

    expect((await getB()).status).toBe(200); // another location has its own bucket
    await sleep(550);
    expect((await getA()).status).toBe(200); // the window slid
    const stats = await h.control(`/_emulator/stats?locationId=${seeded.locations[0]!.id}`);
    expect(stats.throttled).toBeGreaterThanOrEqual(1);
  });

  it('can be changed per location at run time', async () => {
    const other = await h.seed(1, 1);
    const loc = other.locations[0]!;
    const token = (await h.installLocation(loc.id, other.companyId)).access_token;
    await h.control('/_emulator/rate-limit', { locationId: loc.id, max: 2, intervalMs: 60_000 });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await h.api(token, 'GET', `/contacts/${loc.contactIds[0]}`)).status);
    expect(statuses).toEqual([200, 200, 429]);
    await sleep(550);
    expect((await getA()).status).toBe(200); // others keep the default
  });

  it('enforces the daily limit', async () => {
    const daily = await startHarness({ rateLimit: { max: 100, intervalMs: 1000, daily: 3 } });
    try {
      const s = await daily.seed(1, 1);
      const t = (await daily.installLocation(s.locations[0]!.id, s.companyId)).access_token;
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await daily.api(t, 'GET', `/contacts/${s.locations[0]!.contactIds[0]}`)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await daily.close();
    }
  });
});

describe('faults', () => {
  it('status + count: the next N matching requests fail, then it heals', async () => {
    await sleep(550);
    const { id } = await h.control('/_emulator/faults', {
      locationId: seeded.locations[0]!.id,
      pathPrefix: '/contacts/',
      status: 503,
      count: 2,
    });
    expect(id).toEqual(expect.any(String));
    const statuses = [(await getA()).status, (await getA()).status, (await getA()).status];
    expect(statuses).toEqual([503, 503, 200]);
    expect((await getB()).status).toBe(200);
  });

  it('an injected 429 has the GHL body', async () => {
    await h.control('/_emulator/faults', { locationId: seeded.locations[1]!.id, status: 429, count: 1 });
    const res = await getB();
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ statusCode: 429, message: 'Too Many Requests' });
  });

  it('method filter and probability 0 never fire; probability 1 always fires', async () => {
    await sleep(550);
    await h.control('/_emulator/faults', { method: 'POST', status: 500, count: 5 });
    expect((await getA()).status).toBe(200);
    await h.control('/_emulator/faults', {}, 'DELETE');
    await h.control('/_emulator/faults', { pathPrefix: '/contacts/', status: 500, probability: 0, count: 3 });
    expect([(await getA()).status, (await getA()).status]).toEqual([200, 200]);
    await h.control('/_emulator/faults', {}, 'DELETE');
    await sleep(550);
    await h.control('/_emulator/faults', { pathPrefix: '/contacts/', status: 502, probability: 1, count: 2 });
    expect([(await getA()).status, (await getA()).status, (await getA()).status]).toEqual([502, 502, 200]);
  });

  it('delayMs slows the answer down', async () => {
    await sleep(550);
    await h.control('/_emulator/faults', { pathPrefix: '/contacts/', delayMs: 250, count: 1 });
    const started = Date.now();
    const res = await getA();
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    const again = Date.now();
    await getA();
    expect(Date.now() - again).toBeLessThan(200);
  });

  it('hold: the request waits unanswered until released; DELETE of the faults lets it go on', async () => {
    await sleep(550);
    const A = seeded.locations[0]!.id;
    await h.control('/_emulator/faults', { locationId: A, pathPrefix: '/contacts/', hold: true, count: 2 });
    const answered: number[] = [];
    const first = getA().then((r) => answered.push(r.status));
    const second = getA().then((r) => answered.push(r.status));
    const held = await eventually(
      async () => (await h.control<{ held: { id: number }[] }>(`/_emulator/held?locationId=${A}`)).held,
      (list) => list.length === 2,
      { what: 'two held requests' },
    );
    expect(held[0]).toMatchObject({ method: 'GET', locationId: A, cut: false });
    expect((await h.control(`/_emulator/held?locationId=${seeded.locations[1]!.id}`)).held).toEqual([]);
    expect((await getB()).status).toBe(200);
    expect(answered).toEqual([]);
    expect(await h.control('/_emulator/held/release', { id: held[0]!.id })).toEqual({ released: 1 });
    await first;
    expect(answered).toEqual([200]);
    await h.control(`/_emulator/faults?locationId=${A}`, undefined, 'DELETE');
    await second;
    expect(answered).toEqual([200, 200]);
    expect((await h.control('/_emulator/held')).held).toEqual([]);
  });

  it('DELETE /_emulator/faults?locationId clears only that location', async () => {
    await sleep(550);
    await h.control('/_emulator/faults', { locationId: seeded.locations[0]!.id, status: 500 });
    await h.control('/_emulator/faults', { locationId: seeded.locations[1]!.id, status: 500 });
    await h.control(`/_emulator/faults?locationId=${seeded.locations[0]!.id}`, undefined, 'DELETE');
    expect((await getA()).status).toBe(200);
    expect((await getB()).status).toBe(500);
    await h.control('/_emulator/faults', undefined, 'DELETE');
    expect((await getB()).status).toBe(200);
  });

  it('faults also reach the token endpoint', async () => {
    await h.control('/_emulator/faults', { pathPrefix: '/oauth/token', status: 500, count: 1 });
    const res = await fetch(`${h.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({}) });
    expect(res.status).toBe(500);
  });
});

describe('stats', () => {
  it('counts requests by route and status, per location, and resets', async () => {
    await h.control('/_emulator/stats/reset', {});
    await sleep(550);
    await getA();
    await getA();
    const stats = await h.control(`/_emulator/stats?locationId=${seeded.locations[0]!.id}`);
    expect(stats.total).toBe(2);
    expect(stats.byRoute['GET /contacts/:contactId']).toBe(2);
    expect(stats.byStatus['200']).toBe(2);
    expect((await h.control('/_emulator/stats')).total).toBe(2);
  });
});
