import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_CLIENT, type Harness, type Seeded } from '../emulator/testkit/harness.ts';

let h: Harness;
let seeded: Seeded;

beforeAll(async () => {
  h = await startHarness();
  seeded = await h.seed(2, 2);
});
afterAll(() => h.close());

const form = (fields: Record<string, string>) =>
  fetch(`${h.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
const refresh = (token: string, secret = TEST_CLIENT.clientSecret) =>
  form({
    client_id: TEST_CLIENT.clientId,
    client_secret: secret,
    grant_type: 'refresh_token',
    refresh_token: token,
  });

describe('OAuth code exchange', () => {
  it('a Location install gives a Location token for that location', async () => {
    const [loc] = seeded.locations;
    const token = await h.installLocation(loc!.id, seeded.companyId);
    expect(token).toMatchObject({
      token_type: 'Bearer',
      expires_in: 86399,
      userType: 'Location',
      locationId: loc!.id,
      companyId: seeded.companyId,
      isBulkInstallation: false,
    });
    expect(token.access_token).toMatch(/^eyJ/);
    expect(token.userId).toEqual(expect.any(String));
    const res = await h.api(token.access_token, 'GET', `/contacts/${loc!.contactIds[0]}`);
    expect(res.status).toBe(200);
  });

  it('a Company (bulk) install gives a Company token with the bulk flags and no locationId', async () => {
    const token = await h.installCompany(
      seeded.companyId,
      seeded.locations.map((l) => l.id),
    );
    expect(token).toMatchObject({
      userType: 'Company',
      companyId: seeded.companyId,
      isBulkInstallation: true,
      approveAllLocations: true,
      installToFutureLocations: true,
    });
    expect(token.locationId).toBeUndefined();
  });

  it('a code works once', async () => {
    const { code } = await h.control('/_emulator/install', {
      clientId: TEST_CLIENT.clientId,
      companyId: seeded.companyId,
      userType: 'Location',
      locationIds: [seeded.locations[0]!.id],
      webhooks: 'none',
    });
    expect((await h.exchange(code)).status).toBe(200);
    const again = await h.exchange(code);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects a wrong client secret', async () => {
    const { code } = await h.control('/_emulator/install', {
      clientId: TEST_CLIENT.clientId,
      companyId: seeded.companyId,
      userType: 'Location',
      locationIds: [seeded.locations[0]!.id],
      webhooks: 'none',
    });
    const res = await h.exchange(code, TEST_CLIENT.clientId, 'not-the-secret');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    expect((await h.exchange(code)).status).toBe(200); // the failed attempt did not spend the code
  });

  it('answers 422 with GHL validation messages for a missing grant_type', async () => {
    const res = await form({ client_id: TEST_CLIENT.clientId, client_secret: TEST_CLIENT.clientSecret });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      statusCode: 422,
      message: ['grant_type must be a valid enum value', 'grant_type should not be empty'],
      error: 'Unprocessable Entity',
    });
  });
});

describe('refresh tokens', () => {
  it('rotate: each refresh returns a new pair and the old refresh token then answers invalid_grant', async () => {
    const first = await h.installLocation(seeded.locations[0]!.id, seeded.companyId);
    const res = await refresh(first.refresh_token);
    expect(res.status).toBe(200);
    const second = await res.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second).toMatchObject({ userType: 'Location', locationId: seeded.locations[0]!.id });

    const reused = await refresh(first.refresh_token);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.any(String),
    });
    expect((await refresh(second.refresh_token)).status).toBe(200);
    expect((await h.control('/_emulator/stats')).oauth.invalidGrant).toBeGreaterThanOrEqual(1);
  });

  it('two concurrent refreshes with one token: exactly one wins', async () => {
    const { refresh_token } = await h.installLocation(seeded.locations[0]!.id, seeded.companyId);
    const statuses = (await Promise.all([refresh(refresh_token), refresh(refresh_token)]))
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([200, 400]);
  });

  it('a refresh with the wrong client secret is rejected and does not spend the token', async () => {
    const { refresh_token } = await h.installLocation(seeded.locations[0]!.id, seeded.companyId);
    expect((await refresh(refresh_token, 'wrong')).status).toBe(401);
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('/_emulator/tokens/revoke-refresh kills the refresh tokens of a location', async () => {
    const { refresh_token } = await h.installLocation(seeded.locations[1]!.id, seeded.companyId);
    await h.control('/_emulator/tokens/revoke-refresh', { locationId: seeded.locations[1]!.id });
    expect((await refresh(refresh_token)).status).toBe(400);
  });
});

describe('token classes', () => {
  it('a Company token mints a working Location token (form or JSON body) for an installed location', async () => {
    const company = await h.installCompany(
      seeded.companyId,
      seeded.locations.map((l) => l.id),
    );
    const loc = seeded.locations[1]!;
    const viaForm = await fetch(`${h.url}/oauth/locationToken`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${company.access_token}`,
        version: '2021-07-28',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ companyId: seeded.companyId, locationId: loc.id }),
    });
    expect(viaForm.status).toBe(200);
    const minted = await viaForm.json();
    expect(minted).toMatchObject({
      locationId: loc.id,
      token_type: 'Bearer',
      appId: TEST_CLIENT.clientId.split('-')[0],
      refresh_token: expect.any(String),
    });
    expect((await h.api(minted.access_token, 'GET', `/contacts/${loc.contactIds[0]}`)).status).toBe(200);
    const viaJson = await h.api(company.access_token, 'POST', '/oauth/locationToken', {
      companyId: seeded.companyId,
      locationId: loc.id,
    });
    expect(viaJson.status).toBe(200);
    expect((await h.control('/_emulator/stats')).oauth.locationToken).toBeGreaterThanOrEqual(2);
  });

  it('refuses to mint for a location where the app is not installed', async () => {
    const other = await h.seed(1, 0);
    const company = await h.installCompany(other.companyId, []);
    const extra = await h.control('/_emulator/seed', {
      companyId: other.companyId,
      locations: [{ name: 'Not installed' }],
    });
    const res = await h.api(company.access_token, 'POST', '/oauth/locationToken', {
      companyId: other.companyId,
      locationId: extra.locations[0].id,
    });
    expect(res.status).toBe(400);
  });

  it('a Company token is refused on a location resource', async () => {
    const company = await h.installCompany(
      seeded.companyId,
      seeded.locations.map((l) => l.id),
    );
    const res = await h.api(company.access_token, 'GET', `/contacts/${seeded.locations[0]!.contactIds[0]}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      statusCode: 403,
      message: 'The token does not have access to this location.',
    });
  });

  it('a Location token is refused on agency-only endpoints', async () => {
    const location = await h.installLocation(seeded.locations[0]!.id, seeded.companyId);
    const appId = TEST_CLIENT.clientId.split('-')[0];
    const list = await h.api(
      location.access_token,
      'GET',
      `/oauth/installedLocations?companyId=${seeded.companyId}&appId=${appId}`,
    );
    expect(list.status).toBe(401);
    expect((await list.json()).message).toMatch(/authClass/);
    const mint = await h.api(location.access_token, 'POST', '/oauth/locationToken', {
      companyId: seeded.companyId,
      locationId: seeded.locations[0]!.id,
    });
    expect(mint.status).toBe(401);
  });

  it('installedLocations lists the company locations with their install state', async () => {
    const other = await h.seed(3, 0);
    const company = await h.installCompany(other.companyId, [other.locations[0]!.id, other.locations[2]!.id]);
    const appId = TEST_CLIENT.clientId.split('-')[0];
    const all = await (
      await h.api(
        company.access_token,
        'GET',
        `/oauth/installedLocations?companyId=${other.companyId}&appId=${appId}`,
      )
    ).json();
    expect(all.count).toBe(3);
    expect(all.installToFutureLocations).toBe(false);
    const installed = await (
      await h.api(
        company.access_token,
        'GET',
        `/oauth/installedLocations?companyId=${other.companyId}&appId=${appId}&isInstalled=true&limit=1`,
      )
    ).json();
    expect(installed.count).toBe(2);
    expect(installed.locations).toHaveLength(1);
    expect(installed.locations[0]).toMatchObject({
      isInstalled: true,
      installedAt: expect.any(String),
      name: expect.any(String),
      address: expect.any(String),
    });
  });
});

describe('dead tokens', () => {
  it('answers 401 Invalid JWT after /_emulator/tokens/expire, for that location only', async () => {
    const [a, b] = seeded.locations as [Seeded['locations'][0], Seeded['locations'][0]];
    const ta = await h.installLocation(a.id, seeded.companyId);
    const tb = await h.installLocation(b.id, seeded.companyId);
    const { count } = await h.control('/_emulator/tokens/expire', { locationId: a.id });
    expect(count).toBeGreaterThanOrEqual(1);
    const res = await h.api(ta.access_token, 'GET', `/contacts/${a.contactIds[0]}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ statusCode: 401, message: 'Invalid JWT' });
    expect((await h.api(tb.access_token, 'GET', `/contacts/${b.contactIds[0]}`)).status).toBe(200);
    expect((await refresh(ta.refresh_token)).status).toBe(200); // expiry does not touch the refresh token
  });

  it('access tokens expire after accessTokenTtlSec', async () => {
    const short = await startHarness({ accessTokenTtlSec: 1 });
    try {
      const s = await short.seed(1, 1);
      const token = await short.installLocation(s.locations[0]!.id, s.companyId);
      expect(token.expires_in).toBe(1);
      expect(
        (await short.api(token.access_token, 'GET', `/contacts/${s.locations[0]!.contactIds[0]}`)).status,
      ).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect(
        (await short.api(token.access_token, 'GET', `/contacts/${s.locations[0]!.contactIds[0]}`)).status,
      ).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('garbage or missing tokens answer 401 Invalid JWT', async () => {
    for (const auth of ['Bearer nope', '']) {
      const res = await fetch(`${h.url}/contacts/${seeded.locations[0]!.contactIds[0]}`, {
        headers: { authorization: auth, version: '2021-07-28' },
      });
      expect(res.status).toBe(401);
      expect((await res.json()).message).toBe('Invalid JWT');
    }
  });

  it('uninstall revokes the app tokens of that location', async () => {
    const loc = seeded.locations[1]!;
    const token = await h.installLocation(loc.id, seeded.companyId);
    await h.control('/_emulator/uninstall', { clientId: TEST_CLIENT.clientId, locationId: loc.id });
    expect((await h.api(token.access_token, 'GET', `/contacts/${loc.contactIds[0]}`)).status).toBe(401);
    expect((await refresh(token.refresh_token)).status).toBe(400);
  });
});
