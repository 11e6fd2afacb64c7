/**
 * GHL signs every marketplace app's webhooks with the same keys: an event GHL delivered to
 * another app, replayed to us, verifies. Its `appId` tells, and such an event changes nothing.
 */
import { env, runDurableObjectAlarm, SELF } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocationGhlApi } from '../../worker/durable/ghl-api.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { callback, emu, installLocation, seedCompany, type SeededCompany } from './helpers.ts';
import { syncedLocation } from './sync-helpers.ts';

const OTHER_APP = {
  clientId: '65a0c0ffee0000000000beef-other001',
  clientSecret: 'other-app-secret',
  sharedSecret: 'other-app-shared',
};
const ourAppId = () => env.GHL_CLIENT_ID.split('-')[0]!;

type Signed = { body: string; headers: Record<string, string> };

beforeAll(async () => {
  await emu('/_emulator/clients', OTHER_APP);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const post = (signed: Signed) =>
  SELF.fetch('http://app.test/webhooks/ghl', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });

/** The event exactly as GHL would deliver it to the other app, signed with GHL's keys. */
const otherAppsEvent = (event: Record<string, unknown>) =>
  emu<Signed>('/_emulator/webhooks/event', { ...event, clientId: OTHER_APP.clientId });

/** A body of our own making (no appId, or one we choose), signed with GHL's keys. */
function signedBody(event: Record<string, unknown>) {
  const body = JSON.stringify({
    timestamp: new Date().toISOString(),
    webhookId: crypto.randomUUID(),
    ...event,
  });
  return emu<Signed>('/_emulator/webhooks/sign', { body });
}

/** Everything D1 holds about these resources: install rows, sealed tokens, connections. */
async function d1Rows(resourceIds: string[]) {
  const marks = resourceIds.map(() => '?').join(', ');
  const all = async (sql: string) =>
    (
      await env.DB.prepare(sql)
        .bind(...resourceIds)
        .all()
    ).results;
  return {
    installs: await all(`SELECT * FROM installs WHERE resource_id IN (${marks}) ORDER BY resource_id`),
    tokens: await all(`SELECT * FROM tokens WHERE resource_id IN (${marks}) ORDER BY resource_id`),
    connections: await all(`SELECT * FROM connections WHERE location_id IN (${marks}) ORDER BY id`),
  };
}

/** What the location (or agency) object holds: every stored event, and its sync log. */
async function objectState(resourceId: string) {
  const stub = tenantStub(env, resourceId);
  return {
    inbox: await stub.storedEvents(resourceId, { all: true }),
    syncLog: resourceId.startsWith('company:')
      ? []
      : (await stub.listSyncLog(resourceId, { limit: 50 })).entries,
  };
}

async function expectIgnored(res: Response) {
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, ignored: 'not_for_this_app' });
}

/** Bulk install of our app over the agency's locations, through the real callback. */
async function agencyInstall(seed: SeededCompany, locationIds = seed.locations.map((l) => l.id)) {
  const { code } = await emu<{ code: string }>('/_emulator/install', {
    clientId: env.GHL_CLIENT_ID,
    companyId: seed.companyId,
    userType: 'Company',
    locationIds,
    webhooks: 'none',
  });
  expect((await callback(code)).status).toBe(200);
}

describe('GHL webhooks addressed to another marketplace app', () => {
  it('the emulator addresses each delivery to the app it is sent to', async () => {
    const other = JSON.parse(
      (await otherAppsEvent({ type: 'ContactUpdate', locationId: 'loc0000000000000000x', id: 'c1' })).body,
    );
    expect(other.appId).toBe(OTHER_APP.clientId.split('-')[0]);
    expect(other.appId).not.toBe(ourAppId());
    expect(other.versionId).toMatch(/^[0-9a-f]{24}$/);
  });

  it('UNINSTALL of a location: answered 200, logged once, our install and tokens stay', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const d1Before = await d1Rows([location.id]);
    const log = vi.spyOn(console, 'log');

    const event = await otherAppsEvent({ type: 'UNINSTALL', locationId: location.id });
    await expectIgnored(await post(event));

    const lines = log.mock.calls
      .map((args) => args.join(' '))
      .filter((line) => line.includes('webhook ignored'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(OTHER_APP.clientId.split('-')[0]);
    expect(await objectState(location.id)).toEqual({ inbox: [], syncLog: [] });
    expect(await d1Rows([location.id])).toEqual(d1Before);
    expect(d1Before.installs[0]).toMatchObject({ status: 'active' });
    expect((await new LocationGhlApi(env, location.id).getContact(location.contactIds[0]!)).id).toBe(
      location.contactIds[0],
    );
  });

  it('UNINSTALL of an agency: its bulk-installed locations keep their installs', async () => {
    const seed = await seedCompany(2, 1);
    await agencyInstall(seed);
    const ids = [seed.companyId, ...seed.locations.map((l) => l.id)];
    const d1Before = await d1Rows(ids);
    expect(d1Before.tokens).toHaveLength(3);

    await expectIgnored(await post(await otherAppsEvent({ type: 'UNINSTALL', companyId: seed.companyId })));

    expect(await objectState(`company:${seed.companyId}`)).toEqual({ inbox: [], syncLog: [] });
    for (const l of seed.locations) expect(await objectState(l.id)).toEqual({ inbox: [], syncLog: [] });
    expect(await d1Rows(ids)).toEqual(d1Before);
    for (const l of seed.locations)
      expect((await new LocationGhlApi(env, l.id).getContact(l.contactIds[0]!)).id).toBe(l.contactIds[0]);
  });

  it('INSTALL of a location in an agency that installed us elsewhere: nothing is provisioned', async () => {
    const seed = await seedCompany(2, 1);
    const [ours, theirs] = seed.locations as [SeededCompany['locations'][0], SeededCompany['locations'][0]];
    await agencyInstall(seed, [ours.id]);
    const { code } = await emu<{ code: string }>('/_emulator/install', {
      clientId: OTHER_APP.clientId,
      companyId: seed.companyId,
      userType: 'Location',
      locationIds: [theirs.id],
      webhooks: 'none',
    });
    expect(code).toBeTruthy();
    const d1Before = await d1Rows([seed.companyId, ours.id, theirs.id]);
    expect(d1Before.installs.map((r) => r.resource_id)).not.toContain(theirs.id);

    const event = await otherAppsEvent({
      type: 'INSTALL',
      locationId: theirs.id,
      companyId: seed.companyId,
      installType: 'Location',
    });
    await expectIgnored(await post(event));

    expect(await objectState(theirs.id)).toEqual({ inbox: [], syncLog: [] });
    expect(await d1Rows([seed.companyId, ours.id, theirs.id])).toEqual(d1Before);
  });

  it('ContactUpdate about a contact of a synced location: not stored, not synced, not logged', async () => {
    const { locationId, contactIds } = await syncedLocation(1);
    const d1Before = await d1Rows([locationId]);
    const event = await otherAppsEvent({
      type: 'ContactUpdate',
      locationId,
      id: contactIds[0],
      email: 'changed-by-other-app@example.com',
      firstName: 'Other',
    });
    await expectIgnored(await post(event));
    expect(await objectState(locationId)).toEqual({ inbox: [], syncLog: [] });
    expect(await d1Rows([locationId])).toEqual(d1Before);
  });

  it('an UNINSTALL of another app already in the inbox (stored before the check) is skipped', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const d1Before = await d1Rows([location.id]);
    const stub = tenantStub(env, location.id);
    await stub.ingest(
      location.id,
      JSON.parse((await otherAppsEvent({ type: 'UNINSTALL', locationId: location.id })).body),
    );
    await runDurableObjectAlarm(stub);
    const [row] = (await objectState(location.id)).inbox;
    expect(row).toMatchObject({ type: 'UNINSTALL', state: 'skipped' });
    expect(await d1Rows([location.id])).toEqual(d1Before);
  });

  it('the same ContactUpdate addressed to us is stored (the check lets our own through)', async () => {
    const { locationId, contactIds } = await syncedLocation(1);
    const ours = await emu<Signed>('/_emulator/webhooks/event', {
      type: 'ContactUpdate',
      locationId,
      id: contactIds[0],
      email: 'ours@example.com',
      clientId: env.GHL_CLIENT_ID,
    });
    const res = await post(ours);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, duplicate: false });
    expect((await objectState(locationId)).inbox).toHaveLength(1);
  });
});

describe('GHL webhooks without an appId', () => {
  it('INSTALL and UNINSTALL without an appId do not act', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const d1Before = await d1Rows([seed.companyId, location.id]);
    await expectIgnored(await post(await signedBody({ type: 'UNINSTALL', locationId: location.id })));
    await expectIgnored(await post(await signedBody({ type: 'UNINSTALL', companyId: seed.companyId })));
    await expectIgnored(
      await post(
        await signedBody({
          type: 'INSTALL',
          locationId: location.id,
          companyId: seed.companyId,
          installType: 'Location',
        }),
      ),
    );
    expect(await objectState(location.id)).toEqual({ inbox: [], syncLog: [] });
    expect(await objectState(`company:${seed.companyId}`)).toEqual({ inbox: [], syncLog: [] });
    expect(await d1Rows([seed.companyId, location.id])).toEqual(d1Before);
  });

  it('an empty or non-string appId is not ours either', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    await expectIgnored(
      await post(await signedBody({ type: 'UNINSTALL', locationId: location.id, appId: '' })),
    );
    await expectIgnored(
      await post(await signedBody({ type: 'ContactUpdate', locationId: location.id, id: 'c1', appId: null })),
    );
    await expectIgnored(
      await post(
        await signedBody({ type: 'ContactUpdate', locationId: location.id, id: 'c1', appId: [ourAppId()] }),
      ),
    );
    expect(await objectState(location.id)).toEqual({ inbox: [], syncLog: [] });
  });

  it('a contact event without an appId is accepted and stored', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const res = await post(
      await signedBody({
        type: 'ContactUpdate',
        locationId: location.id,
        id: location.contactIds[0],
        email: 'x@example.com',
      }),
    );
    expect(res.status).toBe(200);
    expect((await objectState(location.id)).inbox).toHaveLength(1);
  });
});
