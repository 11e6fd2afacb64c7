import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { partnerFetch, PartnerApiError } from '../../worker/connectors/http.ts';
import { armedFetchTimers } from '../../worker/lib/timed-fetch.ts';
import { emu } from './helpers.ts';
import { call, expectError, panelLocations, type PanelLocation } from './panel-helpers.ts';
import { eventually } from '../support/eventually.ts';

// The GHL emulator holds a request (a `hold` fault) until the test releases it. Its fault rules
// match a `?locationId=` query, so a made-up location keeps these holds apart from other tests'.

let A: PanelLocation;
const heldFor = async (locationId: string) =>
  (await emu<{ held: unknown[] }>(`/_emulator/held?locationId=${locationId}`)).held.length;
const holdNext = (locationId: string, pathPrefix: string) =>
  emu('/_emulator/faults', { locationId, pathPrefix, hold: true, count: 1 });
const released: string[] = [];

beforeAll(async () => {
  [A] = (await panelLocations(1, 1)) as [PanelLocation];
});

afterEach(async () => {
  for (const locationId of released.splice(0))
    await emu(`/_emulator/faults?locationId=${locationId}`, undefined, 'DELETE');
});

describe('partner calls', () => {
  it('a fast answer leaves no timer armed, and its body is still readable afterwards', async () => {
    const res = await partnerFetch(`${env.EMULATOR_URL}/_emulator/faults`, {}, 60_000);
    expect(armedFetchTimers()).toBe(0);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('faults');
  });

  it('the timer lives while the call is in flight and ends with the answer, long before the timeout', async () => {
    const locationId = `timed-${crypto.randomUUID()}`;
    released.push(locationId);
    await holdNext(locationId, '/slow-partner');
    const pending = partnerFetch(`${env.EMULATOR_URL}/slow-partner?locationId=${locationId}`, {}, 60_000);
    await eventually(
      () => heldFor(locationId),
      (n) => n === 1,
      { what: 'the held partner call' },
    );
    expect(armedFetchTimers()).toBe(1);
    await emu('/_emulator/held/release', { locationId });
    const res = await pending;
    expect(res.status).toBe(404);
    expect(armedFetchTimers()).toBe(0);
  });

  it('a call unanswered within its timeout fails as a retryable PartnerApiError "timeout"', async () => {
    const locationId = `timed-${crypto.randomUUID()}`;
    released.push(locationId);
    await holdNext(locationId, '/never');
    const err = await partnerFetch(`${env.EMULATOR_URL}/never?locationId=${locationId}`, {}, 300).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PartnerApiError);
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
    expect(armedFetchTimers()).toBe(0);
  });

  it('a body still arriving when the time is up fails as "timeout" too, before the call returns', async () => {
    const locationId = `timed-${crypto.randomUUID()}`;
    released.push(locationId);
    await emu('/_emulator/faults', { locationId, pathPrefix: '/oauth/slow-body', holdBody: true, count: 1 });
    const err = await partnerFetch(
      `${env.EMULATOR_URL}/oauth/slow-body?locationId=${locationId}`,
      {},
      300,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerApiError);
    expect(err).toMatchObject({ code: 'timeout' });
    expect(armedFetchTimers()).toBe(0);
  });

  it('an unreachable partner is a "network" failure, not a timeout, and arms nothing afterwards', async () => {
    const err = await partnerFetch('http://127.0.0.1:9/nothing-listens', {}, 60_000).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'network' });
    expect(armedFetchTimers()).toBe(0);
  });
});

describe('GHL calls through the location object', () => {
  it('hold a timer only while GHL has not answered', async () => {
    const contactId = A.contactIds[0]!;
    const contact = await call(A.token, 'GET', `/api/contacts/${contactId}/timeline`);
    expect(contact.status, contact.text).toBe(200);
    expect(armedFetchTimers()).toBe(0);

    await holdNext(A.locationId, `/contacts/${contactId}/notes`);
    released.push(A.locationId);
    const pending = call(A.token, 'POST', `/api/contacts/${contactId}/notes`, { body: 'held note' });
    await eventually(
      () => heldFor(A.locationId),
      (n) => n === 1,
      { what: 'the held GHL call' },
    );
    expect(armedFetchTimers()).toBe(1);
    await emu('/_emulator/held/release', { locationId: A.locationId });
    const made = await pending;
    expect(made.status, made.text).toBe(201);
    expect(armedFetchTimers()).toBe(0);
  });

  it('a GHL answer whose body is still arriving past GHL_TIMEOUT_MS is a 504 ghl_timeout', async () => {
    const contactId = A.contactIds[0]!;
    await emu('/_emulator/faults', {
      locationId: A.locationId,
      pathPrefix: `/contacts/${contactId}`,
      method: 'GET',
      holdBody: true,
      count: 1,
    });
    released.push(A.locationId);
    const answer = await call(A.token, 'GET', `/api/contacts/${contactId}`);
    expectError(answer, 504, 'ghl_timeout');
    expect(armedFetchTimers()).toBe(0);
  });

  it('a GHL call left unanswered past GHL_TIMEOUT_MS is still a 504 ghl_timeout', async () => {
    const contactId = A.contactIds[0]!;
    await holdNext(A.locationId, `/contacts/${contactId}`);
    released.push(A.locationId);
    const answer = await call(A.token, 'GET', `/api/contacts/${contactId}`);
    expectError(answer, 504, 'ghl_timeout');
    expect(armedFetchTimers()).toBe(0);
  });
});
