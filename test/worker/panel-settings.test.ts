import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../worker/settings/model.ts';
import { call, expectError, panelLocations, sessionToken, type PanelLocation } from './panel-helpers.ts';

let A: PanelLocation;
let B: PanelLocation;
let aUserToken: string;

beforeAll(async () => {
  [A, B] = (await panelLocations(2, 1)) as [PanelLocation, PanelLocation];
  aUserToken = await sessionToken({
    userId: A.userId,
    companyId: A.companyId,
    activeLocation: A.locationId,
    role: 'user',
  });
});

describe('resolveSettings (pure)', () => {
  it('layers built-in defaults, agency defaults and location choices', () => {
    expect(resolveSettings(null, null)).toEqual({
      kinds: {
        contacts: { enabled: true, direction: 'both' },
        tasks: { enabled: true, direction: 'both' },
        notes: { enabled: true, direction: 'both' },
        appointments: { enabled: true, direction: 'both' },
        tags: { enabled: true, direction: 'both' },
      },
      conflictPolicy: 'newest_wins',
      dryRun: false,
      fieldMapping: {},
      connections: [],
    });
    const s = resolveSettings(
      {
        conflictPolicy: 'ghl_wins',
        kinds: { tasks: { enabled: false } },
        fieldMapping: { calcom: { phone: 'attendee.phone', email: 'attendee.email' } },
      },
      {
        kinds: { tasks: { direction: 'ghl_to_partner' } },
        fieldMapping: { calcom: { email: null } },
        dryRun: true,
      },
    );
    expect(s.kinds.tasks).toEqual({ enabled: false, direction: 'ghl_to_partner' });
    expect(s.conflictPolicy).toBe('ghl_wins');
    expect(s.dryRun).toBe(true);
    expect(s.fieldMapping).toEqual({ calcom: { phone: 'attendee.phone' } });
  });
});

describe('GET /api/settings', () => {
  it('answers built-in defaults for a location with no settings', async () => {
    const res = await call(A.token, 'GET', '/api/settings');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      conflictPolicy: 'newest_wins',
      dryRun: false,
      updatedAt: null,
      updatedBy: null,
      canEdit: true,
      connections: [],
    });
    expect(res.body.kinds.appointments).toEqual({ enabled: true, direction: 'both' });
    expect((await call(aUserToken, 'GET', '/api/settings')).body.canEdit).toBe(false);
  });

  it('takes defaults from the agency where it set them', async () => {
    const [C] = await panelLocations(1, 1);
    await env.DB.prepare(
      'INSERT INTO agency_settings (company_id, settings, updated_by, updated_at) VALUES (?, ?, ?, ?)',
    )
      .bind(
        C!.companyId,
        JSON.stringify({ conflictPolicy: 'partner_wins', kinds: { tags: { enabled: false } } }),
        'agencyAdmin',
        Date.now(),
      )
      .run();
    const res = await call(C!.token, 'GET', '/api/settings');
    expect(res.body.conflictPolicy).toBe('partner_wins');
    expect(res.body.kinds.tags).toEqual({ enabled: false, direction: 'both' });
    // The location's own choice beats the agency default.
    await call(C!.token, 'PUT', '/api/settings', { kinds: { tags: { enabled: true } } });
    expect((await call(C!.token, 'GET', '/api/settings')).body.kinds.tags.enabled).toBe(true);
  });
});

describe('PUT /api/settings', () => {
  it('lets an admin change settings, merging with what was set, and says who and when', async () => {
    const first = await call(A.token, 'PUT', '/api/settings', {
      kinds: { notes: { direction: 'partner_to_ghl' } },
      dryRun: true,
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body.kinds.notes).toEqual({ enabled: true, direction: 'partner_to_ghl' });
    expect(first.body.dryRun).toBe(true);
    expect(first.body.updatedBy).toBe(A.adminId);
    expect(Date.parse(first.body.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    const second = await call(A.token, 'PUT', '/api/settings', {
      kinds: { notes: { enabled: false } },
      conflictPolicy: 'ghl_wins',
      fieldMapping: { calcom: { phone: 'responses.mobile' } },
      connections: [{ id: 'conn_1', enabled: false }],
    });
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({
      kinds: { notes: { enabled: false, direction: 'partner_to_ghl' } },
      conflictPolicy: 'ghl_wins',
      dryRun: true,
      fieldMapping: { calcom: { phone: 'responses.mobile' } },
      connections: [{ id: 'conn_1', enabled: false }],
    });
    expect((await call(A.token, 'GET', '/api/settings')).body).toEqual(second.body);
  });

  it('accepts the whole GET answer sent back with one toggle changed, ignoring its read-only fields', async () => {
    await call(A.token, 'PUT', '/api/settings', { connections: [{ id: 'conn_rt', enabled: true }] });
    const got = (await call(A.token, 'GET', '/api/settings')).body;
    expect(got).toHaveProperty('updatedAt');
    expect(got).toHaveProperty('canEdit', true);
    const res = await call(A.token, 'PUT', '/api/settings', {
      ...got,
      kinds: { ...got.kinds, tasks: { ...got.kinds.tasks, enabled: !got.kinds.tasks.enabled } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      ...got,
      kinds: { ...got.kinds, tasks: { ...got.kinds.tasks, enabled: !got.kinds.tasks.enabled } },
      updatedAt: res.body.updatedAt,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(got.updatedAt));
  });

  it('never takes the read-only fields from the body, and still refuses unknown fields beside them', async () => {
    const got = (await call(A.token, 'GET', '/api/settings')).body;
    const res = await call(A.token, 'PUT', '/api/settings', {
      ...got,
      dryRun: !got.dryRun,
      updatedAt: '2000-01-01T00:00:00.000Z',
      updatedBy: 'someone-else',
      canEdit: false,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.updatedBy).toBe(A.adminId);
    expect(res.body.canEdit).toBe(true);
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse('2020-01-01'));
    expectError(
      await call(A.token, 'PUT', '/api/settings', { ...res.body, surprise: true }),
      422,
      'invalid_input',
    );
    // Read-only fields alone change nothing, so they are an empty change.
    expectError(
      await call(A.token, 'PUT', '/api/settings', {
        updatedAt: res.body.updatedAt,
        updatedBy: res.body.updatedBy,
        canEdit: true,
      }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'PUT', '/api/settings', { ...res.body, canEdit: 'yes' }),
      422,
      'invalid_input',
    );
    expect((await call(A.token, 'GET', '/api/settings')).body).toEqual(res.body);
  });

  it('refuses a non-admin with 403 (no-store) and changes nothing', async () => {
    const before = (await call(A.token, 'GET', '/api/settings')).body;
    const res = await call(aUserToken, 'PUT', '/api/settings', { dryRun: !before.dryRun });
    expectError(res, 403, 'forbidden');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await call(A.token, 'GET', '/api/settings')).body).toEqual(before);
  });

  it('validates fully: unknown fields, wrong values and empty changes are 422', async () => {
    for (const body of [
      {},
      { dryRun: 'yes' },
      { conflictPolicy: 'loudest_wins' },
      { kinds: { notes: { direction: 'sideways' } } },
      { kinds: { emails: { enabled: true } } },
      { kinds: { notes: { enabled: true, extra: 1 } } },
      { surprise: true },
      { fieldMapping: { 'bad key!': { a: 'b' } } },
      { connections: [{ id: 'c1' }] },
    ]) {
      expectError(await call(A.token, 'PUT', '/api/settings', body), 422, 'invalid_input');
    }
    expectError(await call(A.token, 'PUT', '/api/settings', '{"dryRun":tru'), 400, 'malformed_json');
  });

  it('keeps every location to its own settings', async () => {
    const bBefore = (await call(B.token, 'GET', '/api/settings')).body;
    expect(bBefore.updatedAt).toBeNull();
    // No field can name another location: the location always comes from the session.
    expectError(
      await call(A.token, 'PUT', '/api/settings', { locationId: B.locationId, dryRun: true }),
      422,
      'invalid_input',
    );
    expect(
      (await call(A.token, 'PUT', '/api/settings?locationId=' + B.locationId, { dryRun: true })).status,
    ).toBe(200);
    expect((await call(B.token, 'GET', '/api/settings')).body).toEqual(bBefore);
    const aViaQuery = await call(A.token, 'GET', `/api/settings?locationId=${B.locationId}`);
    expect(aViaQuery.body.dryRun).toBe(true);
    expect(aViaQuery.body.updatedBy).toBe(A.adminId);
    const rows = await env.DB.prepare('SELECT location_id FROM location_settings WHERE location_id = ?')
      .bind(B.locationId)
      .all();
    expect(rows.results).toHaveLength(0);
  });
});

describe('POST /api/connections: what storage refuses', () => {
  it('answers 400 with the check’s own code, and stores nothing', async () => {
    const [C] = await panelLocations(1, 1);
    const create = (body: unknown) => call(C!.token, 'POST', '/api/connections', body);
    expectError(
      await create({
        kind: 'yourapp',
        name: 'Hooks',
        settings: { webhookUrl: 'http://insecure.example.com' },
      }),
      400,
      'invalid_settings',
    );
    expectError(
      await create({ kind: 'calcom', name: 'Cal', credentials: { webhookSecret: 's' } }),
      400,
      'invalid_credentials',
    );
    expectError(
      await create({ kind: 'yourapp', name: 'Hooks', settings: { fieldMap: { invoice: {} } } }),
      400,
      'invalid_field_map',
    );
    expect((await call(C!.token, 'GET', '/api/connections')).body.connections).toEqual([]);
  });
});
