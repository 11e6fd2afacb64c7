import { abortAllDurableObjects, env } from 'cloudflare:test';
import { readTokens, writeTokens } from '../../worker/tenants/token-store.ts';
import { describe, expect, it } from 'vitest';
import { LocationGhlApi } from '../../worker/durable/ghl-api.ts';
import { GhlError } from '../../worker/ghl/errors.ts';
import { callback, emu, installLocation, seedCompany, stats } from './helpers.ts';

async function agencyInstall(locations = 1) {
  const seed = await seedCompany(locations, 2);
  const { code } = await emu('/_emulator/install', {
    clientId: env.GHL_CLIENT_ID,
    companyId: seed.companyId,
    userType: 'Company',
    locationIds: seed.locations.map((l) => l.id),
    webhooks: 'none',
  });
  expect((await callback(code)).status).toBe(200);
  return seed;
}

describe('token refresh', () => {
  it('20 concurrent calls on an expired token cause exactly one refresh, and all succeed', async () => {
    const seed = await seedCompany(1, 2);
    const location = await installLocation(seed);
    const api = new LocationGhlApi(env, location.id);
    await api.getContact(location.contactIds[0]!); // learn the rate limit
    await emu('/_emulator/tokens/expire', { locationId: location.id });
    const before = (await stats(location.id)).oauth.refresh;

    const results = await Promise.all(
      Array.from({ length: 20 }, () => api.getContact(location.contactIds[1]!)),
    );

    expect(results.every((c) => c.id === location.contactIds[1])).toBe(true);
    expect((await stats(location.id)).oauth.refresh - before).toBe(1);
  });

  it('refreshes ahead of expiry, before GHL ever rejects the token', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const api = new LocationGhlApi(env, location.id);
    await api.getContact(location.contactIds[0]!);
    const stored = (await readTokens(env.DB, env.TOKEN_ENCRYPTION_KEY, location.id))!;
    await writeTokens(env.DB, env.TOKEN_ENCRYPTION_KEY, location.id, {
      ...stored.tokens,
      expiresAt: Date.now() + 10_000,
    });
    // Forget the in-memory copy (an abort: eviction would first wait out the timer of the last call).
    await abortAllDurableObjects();
    const before = await stats(location.id);

    const fresh = new LocationGhlApi(env, location.id);
    expect((await fresh.getContact(location.contactIds[0]!)).id).toBe(location.contactIds[0]);

    const after = await stats(location.id);
    expect(after.oauth.refresh - before.oauth.refresh).toBe(1);
    expect(after.byStatus['401'] ?? 0).toBe(before.byStatus['401'] ?? 0);
  });

  it('keeps working after the refresh: the new pair was stored and the spent refresh token is not reused', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const api = new LocationGhlApi(env, location.id);
    for (let round = 0; round < 3; round++) {
      await emu('/_emulator/tokens/expire', { locationId: location.id });
      expect((await api.getContact(location.contactIds[0]!)).id).toBe(location.contactIds[0]);
    }
    const s = await stats(location.id);
    expect(s.oauth.refresh).toBe(3);
    expect(s.oauth.invalidGrant).toBe(0);
  });

  it('invalid_grant on a location refresh falls back to minting from the agency token', async () => {
    const seed = await agencyInstall(1);
    const location = seed.locations[0]!;
    const api = new LocationGhlApi(env, location.id);
    await emu('/_emulator/tokens/expire', { locationId: location.id });
    await emu('/_emulator/tokens/revoke-refresh', { locationId: location.id });
    const minted = (await stats(location.id)).oauth.locationToken;

    expect((await api.getContact(location.contactIds[0]!)).id).toBe(location.contactIds[0]);
    expect((await stats(location.id)).oauth.locationToken - minted).toBe(1);
    expect((await stats(location.id)).oauth.invalidGrant).toBe(1);
    const install = await env.DB.prepare('SELECT status FROM installs WHERE resource_id = ?')
      .bind(location.id)
      .first<{ status: string }>();
    expect(install!.status).toBe('active');
  });

  it('with no agency token to fall back on, the install is marked reconnect needed', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    await emu('/_emulator/tokens/expire', { locationId: location.id });
    await emu('/_emulator/tokens/revoke-refresh', { locationId: location.id });

    const err = await new LocationGhlApi(env, location.id)
      .getContact(location.contactIds[0]!)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GhlError);
    expect((err as GhlError).kind).toBe('reconnect_needed');
    const install = await env.DB.prepare('SELECT status, last_error FROM installs WHERE resource_id = ?')
      .bind(location.id)
      .first<{ status: string; last_error: string }>();
    expect(install!.status).toBe('reconnect_needed');
    expect(install!.last_error).toMatch(/refresh failed/);
  });

  it('a missing id is a not_found, not a refresh', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const before = (await stats(location.id)).oauth.refresh;
    const err = await new LocationGhlApi(env, location.id)
      .getContact('doesNotExist00000000')
      .catch((e: unknown) => e);
    expect((err as GhlError).kind).toBe('not_found');
    expect((await stats(location.id)).oauth.refresh).toBe(before);
  });
});
