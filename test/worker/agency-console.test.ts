import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { eventually } from '../support/eventually.ts';
import {
  agencySession,
  agencyWith,
  locationOnlyAgency,
  locationSession,
  type Agency,
} from './agency-helpers.ts';
import { deliverEvent, emu } from './helpers.ts';
import { call, expectError, expectNoLeak, postSession, ssoPayload } from './panel-helpers.ts';

let north: Agency;
let south: Agency;

beforeAll(async () => {
  // North installed the app as an agency on 2 of its 3 sub-accounts; South is another agency.
  north = await agencyWith(3, 2);
  south = await agencyWith(1, 1);
});

describe('agency sessions', () => {
  it('an agency admin opening the app from the agency view gets an agency session of its company', async () => {
    const res = await postSession({
      payload: await ssoPayload({
        userId: 'agencyAdmin000000001',
        companyId: north.companyId,
        type: 'agency',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ context: 'agency', companyId: north.companyId, locationId: '' });
    expect(body.installStatus).toBe('active');
  });

  it('refuses the agency view to a non-admin agency user (403), failing closed', async () => {
    const res = await postSession({
      payload: await ssoPayload({
        userId: 'agencyUser0000000001',
        companyId: north.companyId,
        type: 'agency',
        role: 'user',
      }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('agency_admin_only');
  });

  it('an agency session cannot reach sub-account routes', async () => {
    for (const path of ['/api/contacts', '/api/settings', '/api/sync-log', '/api/connections'])
      expectError(await call(north.token, 'GET', path), 403, 'location_session_required');
  });

  it('a location session cannot reach agency routes, even an admin of that agency', async () => {
    const token = await locationSession(north.companyId, north.installedIds[0]!);
    expectError(await call(token, 'GET', '/api/agency/locations'), 403, 'agency_session_required');
    expectError(await call(token, 'GET', '/api/agency/defaults'), 403, 'agency_session_required');
    expectError(
      await call(token, 'PUT', '/api/agency/defaults', { dryRun: true }),
      403,
      'agency_session_required',
    );
    expectError(
      await call(token, 'POST', '/api/agency/settings/apply', {
        locationIds: [north.installedIds[1]],
        settings: { dryRun: true },
      }),
      403,
      'agency_session_required',
    );
    // The frame-domain setting stays where the sub-account settings screen uses it.
    expect((await call(token, 'GET', '/api/agency/frame-domains')).status).toBe(200);
  });
});

describe('GET /api/agency/locations', () => {
  it('lists every sub-account of the agency, installed or not, and no other agency’s', async () => {
    const res = await call(north.token, 'GET', '/api/agency/locations');
    expect(res.status, res.text).toBe(200);
    const byId = new Map(res.body.locations.map((l: any) => [l.id, l]));
    expect(res.body.total).toBe(3);
    for (const id of north.installedIds)
      expect(byId.get(id)).toMatchObject({ installed: true, status: 'active', backlog: 0, failures24h: 0 });
    expect(byId.get(north.notInstalledIds[0]!)).toMatchObject({
      installed: false,
      status: 'not_installed',
      backlog: null,
      failures24h: null,
    });
    expect(res.body.counts).toEqual({ active: 2, reconnect_needed: 0, pending: 0, not_installed: 1 });
    expect(res.body.directory.source).toBe('ghl');
    expectNoLeak(res, [south.installedIds[0]!]);
    // And the other way round: South's admin sees South only.
    const theirs = await call(south.token, 'GET', '/api/agency/locations');
    expect(theirs.body.locations.map((l: any) => l.id)).toEqual(south.installedIds);
    expectNoLeak(theirs, [...north.installedIds, ...north.notInstalledIds]);
  });

  it('pages with an opaque cursor', async () => {
    const first = await call(north.token, 'GET', '/api/agency/locations?limit=2');
    expect(first.body.locations).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call(
      north.token,
      'GET',
      `/api/agency/locations?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.locations).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.locations, ...second.body.locations].map((l: any) => l.id).sort();
    expect(ids).toEqual([...north.installedIds, ...north.notInstalledIds].sort());
    expectError(await call(north.token, 'GET', '/api/agency/locations?cursor=nope!'), 400, 'invalid_cursor');
    expectError(await call(north.token, 'GET', '/api/agency/locations?cursor=bm9wZQ'), 400, 'invalid_cursor');
    expectError(await call(north.token, 'GET', '/api/agency/locations?limit=0'), 400, 'invalid_query');
  });

  it('shows backlog and failures of the last 24 h from each sub-account’s object', async () => {
    const agency = await agencyWith(2, 2);
    const [busy] = agency.installedIds as [string];
    const stub = tenantStub(env, busy);
    const row = { trigger: 'ghl_webhook', action: 'upsert', objectKind: 'contact' } as const;
    await stub.recordSync(busy, { ...row, workKey: `${busy}:c1#1`, status: 'queued' });
    await stub.recordSync(busy, { ...row, workKey: `${busy}:c2#1`, status: 'retrying', error: 'GHL 503' });
    await stub.recordSync(busy, { ...row, workKey: `${busy}:c3#1`, status: 'failed', error: 'GHL 422' });
    const old = await stub.recordSync(busy, { ...row, workKey: `${busy}:c4#1`, status: 'failed' });
    await stub.recordSync(busy, { ...row, workKey: `${busy}:c5#1`, status: 'done' });
    // A failure from two days ago is not among the last 24 h.
    await runInDurableObject(stub, (_obj, state) => {
      state.storage.sql.exec(
        'UPDATE sync_log SET updated_at = ? WHERE id = ?',
        Date.now() - 48 * 3_600_000,
        old,
      );
    });
    const res = await call(agency.token, 'GET', '/api/agency/locations');
    const busyRow = res.body.locations.find((l: any) => l.id === busy);
    expect(busyRow).toMatchObject({ backlog: 2, failures24h: 1, status: 'active' });
    expect(Date.parse(busyRow.lastFailureAt)).toBeGreaterThan(Date.now() - 60_000);
    const quiet = res.body.locations.find((l: any) => l.id === agency.installedIds[1]);
    expect(quiet).toMatchObject({ backlog: 0, failures24h: 0 });
  });

  it('marks a sub-account that GHL shows installed but whose tokens we lost as reconnect needed', async () => {
    const agency = await agencyWith(2, 2);
    const [lost] = agency.installedIds as [string];
    expect((await deliverEvent({ type: 'UNINSTALL', locationId: lost })).status).toBe(200);
    await eventually(
      () => tenantStub(env, lost).installStatus(lost),
      (s) => s === 'uninstalled',
      { what: 'uninstall handled' },
    );
    const res = await call(agency.token, 'GET', '/api/agency/locations?refresh=1');
    expect(res.body.locations.find((l: any) => l.id === lost)).toMatchObject({
      installed: true,
      status: 'reconnect_needed',
    });
    expect(res.body.counts.reconnect_needed).toBe(1);
  });

  it('when the agency token dies, still lists the sub-accounts we hold and says the agency must reconnect', async () => {
    const agency = await agencyWith(3, 2);
    for (const what of ['expire', 'revoke-refresh'])
      await emu(`/_emulator/tokens/${what}`, { clientId: env.GHL_CLIENT_ID, companyId: agency.companyId });
    const first = await call(agency.token, 'GET', '/api/agency/locations?refresh=1');
    expect(first.status, first.text).toBe(200);
    expect(first.body.locations.map((l: any) => l.id).sort()).toEqual([...agency.installedIds].sort());
    expect(first.body.directory).toMatchObject({ source: 'installs', error: expect.any(String) });
    const later = await call(agency.token, 'GET', '/api/agency/locations');
    expect(later.body.directory.error).toMatch(/needs a reconnect/);
  });

  it('without an agency install, lists the sub-accounts that installed it and says why no more', async () => {
    const solo = await locationOnlyAgency();
    const res = await call(solo.token, 'GET', '/api/agency/locations');
    expect(res.status, res.text).toBe(200);
    expect(res.body.locations.map((l: any) => l.id)).toEqual(solo.installedIds);
    expect(res.body.directory).toMatchObject({
      source: 'installs',
      error: expect.stringMatching(/one by one/),
    });
  });
});

describe('agency defaults', () => {
  it('sub-accounts without their own value inherit them; their own choices still win', async () => {
    const agency = await agencyWith(2, 2);
    const [plain, own] = agency.installedIds as [string, string];
    const ownToken = await locationSession(agency.companyId, own);
    const plainToken = await locationSession(agency.companyId, plain);
    await call(ownToken, 'PUT', '/api/settings', { conflictPolicy: 'partner_wins' });

    const before = await call(agency.token, 'GET', '/api/agency/defaults');
    expect(before.body).toMatchObject({ conflictPolicy: 'newest_wins', defaults: {}, updatedAt: null });
    const put = await call(agency.token, 'PUT', '/api/agency/defaults', {
      conflictPolicy: 'ghl_wins',
      kinds: { tags: { enabled: false } },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({
      conflictPolicy: 'ghl_wins',
      defaults: { conflictPolicy: 'ghl_wins', kinds: { tags: { enabled: false } } },
      updatedBy: 'agencyAdmin000000001',
    });

    const plainSettings = (await call(plainToken, 'GET', '/api/settings')).body;
    expect(plainSettings.conflictPolicy).toBe('ghl_wins');
    expect(plainSettings.kinds.tags.enabled).toBe(false);
    const ownSettings = (await call(ownToken, 'GET', '/api/settings')).body;
    expect(ownSettings.conflictPolicy).toBe('partner_wins');
    expect(ownSettings.kinds.tags.enabled).toBe(false);
    // The console names what each sub-account set itself.
    const list = (await call(agency.token, 'GET', '/api/agency/locations')).body.locations;
    expect(list.find((l: any) => l.id === own).ownSettings).toEqual(['conflictPolicy']);
    expect(list.find((l: any) => l.id === plain).ownSettings).toEqual([]);
    // Another agency's sub-accounts follow nothing of this one.
    const southToken = await locationSession(south.companyId, south.installedIds[0]!);
    expect((await call(southToken, 'GET', '/api/settings')).body.conflictPolicy).toBe('newest_wins');
  });

  it('takes the GET answer back, and refuses unknown fields, connections and unknown partner fields', async () => {
    const token = await agencySession(north.companyId);
    const current = (await call(token, 'GET', '/api/agency/defaults')).body;
    const back = await call(token, 'PUT', '/api/agency/defaults', { ...current, dryRun: true });
    expect(back.status, back.text).toBe(200);
    expect(back.body.defaults.dryRun).toBe(true);
    expectError(await call(token, 'PUT', '/api/agency/defaults', { bogus: 1 }), 422, 'invalid_input');
    expectError(await call(token, 'PUT', '/api/agency/defaults', {}), 422, 'invalid_input');
    expectError(
      await call(token, 'PUT', '/api/agency/defaults', { connections: [{ id: 'conn_1', enabled: false }] }),
      422,
      'invalid_input',
    );
    expectError(
      await call(token, 'PUT', '/api/agency/defaults', {
        fieldMapping: { calcom: { phone: 'no.such.field' } },
      }),
      400,
      'invalid_field_map',
    );
  });
});

describe('POST /api/agency/settings/apply', () => {
  it('applies to the agency’s sub-accounts only, per location, and the same request twice leaves the same state', async () => {
    const agency = await agencyWith(3, 2);
    const [a, b] = agency.installedIds as [string, string];
    const notYet = agency.notInstalledIds[0]!;
    const foreign = south.installedIds[0]!;
    const body = {
      locationIds: [a, b, notYet, foreign, 'noSuchLocation000001'],
      settings: { dryRun: true, kinds: { notes: { direction: 'ghl_to_partner' } } },
    };
    const first = await call(agency.token, 'POST', '/api/agency/settings/apply', body);
    expect(first.status, first.text).toBe(200);
    const statusOf = (answer: any) =>
      Object.fromEntries(answer.results.map((r: any) => [r.locationId, r.status]));
    expect(statusOf(first.body)).toEqual({
      [a]: 'applied',
      [b]: 'applied',
      [notYet]: 'applied',
      [foreign]: 'not_found',
      noSuchLocation000001: 'not_found',
    });
    expect(first.body.summary).toEqual({ applied: 3, unchanged: 0, notFound: 2, failed: 0 });
    const again = await call(agency.token, 'POST', '/api/agency/settings/apply', body);
    expect(statusOf(again.body)[a]).toBe('unchanged');
    expect(again.body.summary).toEqual({ applied: 0, unchanged: 3, notFound: 2, failed: 0 });

    for (const id of [a, b]) {
      const s = (await call(await locationSession(agency.companyId, id), 'GET', '/api/settings')).body;
      expect(s.dryRun).toBe(true);
      expect(s.kinds.notes).toEqual({ enabled: true, direction: 'ghl_to_partner' });
    }
    const southToken = await locationSession(south.companyId, foreign);
    expect((await call(southToken, 'GET', '/api/settings')).body.dryRun).toBe(false);
  });

  it('honours an Idempotency-Key: a retry gets the first answer, another body under it is refused', async () => {
    const agency = await agencyWith(2, 2);
    const body = { locationIds: agency.installedIds, settings: { conflictPolicy: 'ghl_wins' } };
    const key = { 'idempotency-key': 'apply-2026-12-04-0001' };
    const first = await call(agency.token, 'POST', '/api/agency/settings/apply', body, key);
    expect(first.body.summary.applied).toBe(2);
    const retry = await call(agency.token, 'POST', '/api/agency/settings/apply', body, key);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expectError(
      await call(
        agency.token,
        'POST',
        '/api/agency/settings/apply',
        { ...body, settings: { dryRun: true } },
        key,
      ),
      422,
      'idempotency_key_reused',
    );
    expectError(
      await call(agency.token, 'POST', '/api/agency/settings/apply', body, { 'idempotency-key': 'x' }),
      400,
      'invalid_idempotency_key',
    );
    // The refused request changed nothing.
    const s = (
      await call(await locationSession(agency.companyId, agency.installedIds[0]!), 'GET', '/api/settings')
    ).body;
    expect(s).toMatchObject({ conflictPolicy: 'ghl_wins', dryRun: false });
  });

  it('refuses bodies that are not a bulk change', async () => {
    const cases = [
      {},
      { locationIds: [], settings: { dryRun: true } },
      { locationIds: ['../x'], settings: { dryRun: true } },
      { locationIds: north.installedIds, settings: {} },
      { locationIds: north.installedIds, settings: { connections: [{ id: 'c1', enabled: true }] } },
      { locationIds: north.installedIds, settings: { dryRun: 'yes' } },
    ];
    for (const body of cases)
      expectError(await call(north.token, 'POST', '/api/agency/settings/apply', body), 422, 'invalid_input');
  });
});
