import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LocationGhlApi } from '../../worker/durable/ghl-api.ts';
import { emu, installLocation, seedCompany, stats } from './helpers.ts';

describe('GHL rate budget per location', () => {
  it('queues instead of bursting: 12 concurrent calls against a limit of 5 per second get no 429', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    await emu('/_emulator/rate-limit', { locationId: location.id, max: 5, intervalMs: 1000 });
    const api = new LocationGhlApi(env, location.id);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => api.getContact(location.contactIds[0]!)),
    );
    expect(results).toHaveLength(12);
    const s = await stats(location.id);
    expect(s.throttled).toBe(0);
  });

  it("one location's 429 storm does not delay another location", async () => {
    const seed = await seedCompany(2, 1);
    const stormy = await installLocation(seed, 0);
    const calm = await installLocation(seed, 1);
    const stormyApi = new LocationGhlApi(env, stormy.id);
    const calmApi = new LocationGhlApi(env, calm.id);
    await stormyApi.getContact(stormy.contactIds[0]!);
    await calmApi.getContact(calm.contactIds[0]!);
    await emu('/_emulator/faults', { locationId: stormy.id, status: 429, count: 12 });

    const finished: string[] = [];
    const stormCalls = Array.from({ length: 4 }, () =>
      stormyApi.getContact(stormy.contactIds[0]!).then(() => finished.push('stormy')),
    );
    const calmCalls = Array.from({ length: 8 }, () =>
      calmApi.getContact(calm.contactIds[0]!).then(() => finished.push('calm')),
    );
    await Promise.all([...stormCalls, ...calmCalls]);

    // Every calm call finished before the first stormy one got through its storm.
    expect(finished.slice(0, 8)).toEqual(Array(8).fill('calm'));
    expect(finished.filter((f) => f === 'stormy')).toHaveLength(4);
    expect((await stats(stormy.id)).throttled).toBe(12);
    expect((await stats(calm.id)).throttled).toBe(0);
  });
});
