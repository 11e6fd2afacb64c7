import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { unseal } from '../../worker/crypto/seal.ts';
import { LocationGhlApi } from '../../worker/durable/ghl-api.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { eventually } from '../support/eventually.ts';
import { callback, deliverEvent, emu, installLocation, seedCompany } from './helpers.ts';

async function installStatus(resourceId: string) {
  return env.DB.prepare('SELECT status, kind, company_id FROM installs WHERE resource_id = ?')
    .bind(resourceId)
    .first<{ status: string; kind: string; company_id: string }>();
}

describe('GET /oauth/install', () => {
  it('redirects to the marketplace location chooser with our client id, redirect uri and scopes', async () => {
    const res = await SELF.fetch('http://app.test/oauth/install', { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${env.GHL_MARKETPLACE_BASE}/v2/oauth/chooselocation`);
    expect(to.searchParams.get('response_type')).toBe('code');
    expect(to.searchParams.get('client_id')).toBe(env.GHL_CLIENT_ID);
    expect(to.searchParams.get('redirect_uri')).toBe('http://app.test/oauth/callback');
    expect(to.searchParams.get('scope')).toContain('contacts.write');
    // the task assignee picker and the timeline's author names read the location's users
    expect(to.searchParams.get('scope')!.split(' ')).toContain('users.readonly');
  });
});

describe('GET /oauth/callback', () => {
  it('stores a sub-account install whose token works, sealed at rest', async () => {
    const seed = await seedCompany(1, 2);
    const location = await installLocation(seed);
    expect(await installStatus(location.id)).toMatchObject({
      status: 'active',
      kind: 'location',
      company_id: seed.companyId,
    });

    const contact = await new LocationGhlApi(env, location.id).getContact(location.contactIds[0]!);
    expect(contact.id).toBe(location.contactIds[0]);

    const row = await env.DB.prepare('SELECT * FROM tokens WHERE resource_id = ?')
      .bind(location.id)
      .first<Record<string, unknown>>();
    const plain = JSON.parse(await unseal(env.TOKEN_ENCRYPTION_KEY, String(row!.sealed), location.id));
    expect(plain.accessToken.length).toBeGreaterThan(10);
    const everything = JSON.stringify(await env.DB.prepare('SELECT * FROM tokens').all());
    expect(everything).not.toContain(plain.accessToken);
    expect(everything).not.toContain(plain.refreshToken);
    // A sealed value moved to another row does not open.
    await expect(unseal(env.TOKEN_ENCRYPTION_KEY, String(row!.sealed), 'someone-else')).rejects.toThrow();
  });

  it('agency (bulk) install: lists installed locations and mints a working token for each', async () => {
    const seed = await seedCompany(3, 1);
    const { code } = await emu('/_emulator/install', {
      clientId: env.GHL_CLIENT_ID,
      companyId: seed.companyId,
      userType: 'Company',
      locationIds: seed.locations.map((l) => l.id),
      webhooks: 'none',
    });
    const res = await callback(code);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Connected 3 sub-account(s)');
    expect(await installStatus(seed.companyId)).toMatchObject({ status: 'active', kind: 'company' });
    for (const l of seed.locations) {
      expect(await installStatus(l.id)).toMatchObject({
        status: 'active',
        kind: 'location',
        company_id: seed.companyId,
      });
      expect((await new LocationGhlApi(env, l.id).getContact(l.contactIds[0]!)).id).toBe(l.contactIds[0]);
    }
  });

  it('shows a human error page for a missing or rejected code', async () => {
    const missing = await SELF.fetch('http://app.test/oauth/callback');
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toContain('text/html');
    const bad = await callback('not-a-real-code');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Installation was not completed');
  });

  it('a code is single-use', async () => {
    const seed = await seedCompany(1, 1);
    const { code } = await emu('/_emulator/install', {
      clientId: env.GHL_CLIENT_ID,
      companyId: seed.companyId,
      userType: 'Location',
      locationIds: [seed.locations[0]!.id],
      webhooks: 'none',
    });
    expect((await callback(code)).status).toBe(200);
    expect((await callback(code)).status).toBe(400);
  });
});

describe('INSTALL and UNINSTALL webhooks', () => {
  it('an INSTALL that arrives before the code exchange ends with a usable location token', async () => {
    const seed = await seedCompany(2, 1);
    const [a, b] = seed.locations as [(typeof seed.locations)[0], (typeof seed.locations)[0]];
    // GHL's INSTALL for location A beats the agency's code exchange.
    const early = await deliverEvent({
      type: 'INSTALL',
      locationId: a.id,
      companyId: seed.companyId,
      installType: 'Location',
    });
    expect(early.status).toBe(200);
    expect((await installStatus(a.id))?.status ?? 'none').not.toBe('active');
    // Its handling is retried until the agency token exists; the exchange then provisions.
    const { code } = await emu('/_emulator/install', {
      clientId: env.GHL_CLIENT_ID,
      companyId: seed.companyId,
      userType: 'Company',
      locationIds: [a.id],
      webhooks: 'none',
    });
    expect((await callback(code)).status).toBe(200);
    await eventually(
      () => installStatus(a.id),
      (row) => row?.status === 'active',
      { what: 'location A active' },
    );
    expect((await new LocationGhlApi(env, a.id).getContact(a.contactIds[0]!)).id).toBe(a.contactIds[0]);

    // Location B is added later: only its INSTALL webhook tells us, and we mint from the agency token.
    await emu('/_emulator/install', {
      clientId: env.GHL_CLIENT_ID,
      companyId: seed.companyId,
      userType: 'Company',
      locationIds: [b.id],
      webhooks: 'none',
    });
    expect(
      (
        await deliverEvent({
          type: 'INSTALL',
          locationId: b.id,
          companyId: seed.companyId,
          installType: 'Location',
        })
      ).status,
    ).toBe(200);
    await eventually(
      () => installStatus(b.id),
      (row) => row?.status === 'active',
      { what: 'location B active' },
    );
    expect((await new LocationGhlApi(env, b.id).getContact(b.contactIds[0]!)).id).toBe(b.contactIds[0]);
  });

  it('UNINSTALL removes the location tokens and stops its work', async () => {
    const seed = await seedCompany(1, 1);
    const location = await installLocation(seed);
    const res = await deliverEvent({ type: 'UNINSTALL', locationId: location.id });
    expect(res.status).toBe(200);
    await eventually(
      () => installStatus(location.id),
      (row) => row?.status === 'uninstalled',
      { what: 'uninstalled' },
    );
    expect(
      await env.DB.prepare('SELECT 1 FROM tokens WHERE resource_id = ?').bind(location.id).first(),
    ).toBeNull();
    const result = await tenantStub(env, location.id).ghl(location.id, {
      method: 'GET',
      path: `/contacts/${location.contactIds[0]}`,
      version: '2021-07-28',
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure.kind).toBe('reconnect_needed');
    // Events that arrive after the uninstall are not acted on.
    await deliverEvent({
      type: 'ContactUpdate',
      locationId: location.id,
      id: location.contactIds[0],
      email: 'x@example.com',
    });
    await eventually(
      () => tenantStub(env, location.id).storedEvents(location.id),
      (pending) => pending.length === 0,
      { what: 'skipped' },
    );
  });
});
