import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../worker/app.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { frameHost } from '../../worker/tenants/frame-domains.ts';
import { deliverEvent, installLocation, seedCompany } from './helpers.ts';
import { call, expectError, panelLocations, sessionToken, type PanelLocation } from './panel-helpers.ts';
import { eventually, truthy } from '../support/eventually.ts';

/** The frame-ancestors sources of a panel document fetched with `APP_BASE_URL` as given. */
async function frameAncestors(path: string, appBaseUrl = env.APP_BASE_URL): Promise<string[]> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${appBaseUrl}${path}`), { ...env, APP_BASE_URL: appBaseUrl }, ctx);
  await waitOnExecutionContext(ctx);
  await res.arrayBuffer();
  const csp = res.headers.get('content-security-policy') ?? '';
  const directive = csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('frame-ancestors '));
  expect(directive, csp).toBeTruthy();
  return directive!.split(/\s+/).slice(1);
}

const GHL_OWN = [
  "'self'",
  'https://*.gohighlevel.com',
  'https://*.leadconnectorhq.com',
  'https://*.msgsndr.com',
];
const LOOPBACK = ['http://localhost:*', 'http://127.0.0.1:*'];

const storedHosts = async (companyId: string) =>
  (
    await env.DB.prepare(
      'SELECT host, source FROM agency_frame_domains WHERE company_id = ? ORDER BY source, host',
    )
      .bind(companyId)
      .all<{ host: string; source: string }>()
  ).results;

describe('frame-ancestors of /app by configuration', () => {
  it('a deployment (public APP_BASE_URL) allows GHL and no loopback host', async () => {
    const sources = await frameAncestors('/app', 'https://sync.example.com');
    expect(sources).toEqual(expect.arrayContaining(GHL_OWN));
    for (const local of LOOPBACK) expect(sources).not.toContain(local);
    expect(sources.some((s) => /localhost|127\.0\.0\.1/.test(s))).toBe(false);
  });

  it('a local run (loopback APP_BASE_URL) also allows loopback parents', async () => {
    expect(await frameAncestors('/app', 'http://127.0.0.1:8787')).toEqual(
      expect.arrayContaining([...GHL_OWN, ...LOOPBACK]),
    );
    expect(await frameAncestors('/app/contacts', 'http://localhost:8787')).toEqual(
      expect.arrayContaining(LOOPBACK),
    );
  });

  it('the test pool (APP_BASE_URL http://app.test) is a deployment too, through the real fetch path', async () => {
    const res = await SELF.fetch('http://app.test/app');
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('frame-ancestors');
    expect(csp).not.toMatch(/localhost|127\.0\.0\.1/);
  });
});

describe('white-label agencies', () => {
  let white: PanelLocation;
  let plain: PanelLocation;
  const DOMAIN = `app.${crypto.randomUUID().slice(0, 8)}-crm.com`;

  beforeAll(async () => {
    [white] = (await panelLocations(1, 1)) as [PanelLocation];
    [plain] = (await panelLocations(1, 1)) as [PanelLocation];
  });

  it('the INSTALL webhook stores the agency white-label domain, and its panel loads allow it', async () => {
    const res = await deliverEvent({
      type: 'INSTALL',
      installType: 'Location',
      locationId: white.locationId,
      companyId: white.companyId,
      isWhitelabelCompany: true,
      whitelabelDetails: {
        domain: `https://${DOMAIN.toUpperCase()}/`,
        logoUrl: 'https://cdn.example/logo.png',
      },
    });
    expect(res.status).toBe(200);
    await eventually(async () => (await storedHosts(white.companyId)).length > 0, truthy, {
      timeoutMs: 10_000,
      what: 'the white-label domain in D1',
    });
    expect(await storedHosts(white.companyId)).toEqual([{ host: DOMAIN, source: 'install' }]);

    // The menu link names the location: exactly that agency's hosts.
    expect(await frameAncestors(`/app?locationId=${white.locationId}`)).toContain(`https://${DOMAIN}`);
    // No hint: every white-label agency's hosts.
    expect(await frameAncestors('/app')).toContain(`https://${DOMAIN}`);
    // Another agency's location: not this agency's domain.
    const other = await frameAncestors(`/app?locationId=${plain.locationId}`);
    expect(other).not.toContain(`https://${DOMAIN}`);
    expect(other).toEqual(expect.arrayContaining(GHL_OWN));
    // A hint that is no id changes nothing.
    expect(await frameAncestors('/app?locationId=%3Cscript%3E')).toContain(`https://${DOMAIN}`);
  });

  it('a white-label domain that is not a plain host is not stored and cannot reach the CSP', async () => {
    const before = await storedHosts(plain.companyId);
    const res = await deliverEvent({
      type: 'INSTALL',
      installType: 'Location',
      locationId: plain.locationId,
      companyId: plain.companyId,
      isWhitelabelCompany: true,
      whitelabelDetails: { domain: "evil.example; script-src 'unsafe-inline' *" },
    });
    expect(res.status).toBe(200);
    // Handled: nothing waits in the location's inbox any more.
    await eventually(
      async () => {
        const all = await tenantStub(env, plain.locationId).storedEvents(plain.locationId, { all: true });
        const waiting = await tenantStub(env, plain.locationId).storedEvents(plain.locationId);
        return all.some((e) => e.type === 'INSTALL') && waiting.length === 0;
      },
      truthy,
      { timeoutMs: 10_000, what: 'the INSTALL handled' },
    );
    expect(await storedHosts(plain.companyId)).toEqual(before);
    const csp = (await frameAncestors(`/app?locationId=${plain.locationId}`)).join(' ');
    expect(csp).not.toContain('evil.example');
    expect(csp).not.toContain('unsafe-inline');
  });

  it('agency admins add their own hosts; the panel of that agency allows them', async () => {
    const path = '/api/agency/frame-domains';
    expect((await call(plain.token, 'GET', path)).body).toEqual({ installDomain: null, domains: [] });
    const res = await call(plain.token, 'PUT', path, {
      domains: ['crm.plain-agency.com', 'https://portal.plain-agency.com/'],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      installDomain: null,
      domains: ['crm.plain-agency.com', 'portal.plain-agency.com'],
    });
    const sources = await frameAncestors(`/app?locationId=${plain.locationId}`);
    expect(sources).toEqual(
      expect.arrayContaining(['https://crm.plain-agency.com', 'https://portal.plain-agency.com']),
    );
    expect(sources).not.toContain(`https://${DOMAIN}`);
    // The other agency's own view is its own.
    expect((await call(white.token, 'GET', path)).body).toEqual({ installDomain: DOMAIN, domains: [] });
  });

  it('refuses hosts that are not plain DNS names, and non-admins', async () => {
    const path = '/api/agency/frame-domains';
    for (const bad of [
      '*.agency.com',
      'agency.com:8443',
      'localhost',
      '127.0.0.1',
      'agency',
      'a.com; script-src *',
      'https://a.com/x y',
    ]) {
      expectError(await call(plain.token, 'PUT', path, { domains: [bad] }), 422, 'invalid_input');
    }
    const user = await sessionToken({
      userId: plain.userId,
      companyId: plain.companyId,
      activeLocation: plain.locationId,
      role: 'user',
    });
    expectError(await call(user, 'PUT', path, { domains: ['x.plain-agency.com'] }), 403, 'forbidden');
    expect((await call(plain.token, 'GET', path)).body.domains).toEqual([
      'crm.plain-agency.com',
      'portal.plain-agency.com',
    ]);
  });

  it('frameHost keeps only plain public host names', () => {
    expect(frameHost('App.Agency.COM')).toBe('app.agency.com');
    expect(frameHost('https://app.agency.com/')).toBe('app.agency.com');
    for (const bad of [
      'https://app.agency.com/path',
      'https://app.agency.com/?q=1',
      '',
      'agency',
      '*.agency.com',
      'http://a.com:81',
      'localhost',
      'x.localhost',
      '10.0.0.1',
      "a.com'",
      'a..com',
      '-a.com',
      null,
      42,
    ]) {
      expect(frameHost(bad), String(bad)).toBeNull();
    }
  });
});

describe('frame hosts on uninstall', () => {
  it('stay while a sub-account of the agency keeps the app, and go with its last uninstall', async () => {
    const seed = await seedCompany(2, 1);
    const [a, b] = [await installLocation(seed, 0), await installLocation(seed, 1)];
    const domain = `app.${crypto.randomUUID().slice(0, 8)}-gone.com`;
    await deliverEvent({
      type: 'INSTALL',
      installType: 'Location',
      locationId: a.id,
      companyId: seed.companyId,
      isWhitelabelCompany: true,
      whitelabelDetails: { domain },
    });
    await eventually(async () => (await storedHosts(seed.companyId)).length > 0, truthy, {
      what: 'the white-label domain in D1',
    });
    await env.DB.prepare(
      "INSERT INTO agency_frame_domains (company_id, host, source, updated_at) VALUES (?, ?, 'setting', ?)",
    )
      .bind(seed.companyId, `crm.${domain}`, Date.now())
      .run();
    const uninstalled = (locationId: string) =>
      eventually(
        async () =>
          (
            await env.DB.prepare('SELECT status FROM installs WHERE resource_id = ?')
              .bind(locationId)
              .first<{ status: string }>()
          )?.status === 'uninstalled',
        truthy,
        { what: `${locationId} uninstalled` },
      );

    await deliverEvent({ type: 'UNINSTALL', locationId: a.id, companyId: seed.companyId });
    await uninstalled(a.id);
    expect(await storedHosts(seed.companyId)).toEqual([
      { host: domain, source: 'install' },
      { host: `crm.${domain}`, source: 'setting' },
    ]);

    await deliverEvent({ type: 'UNINSTALL', locationId: b.id, companyId: seed.companyId });
    await uninstalled(b.id);
    await eventually(async () => (await storedHosts(seed.companyId)).length === 0, truthy, {
      what: 'the agency’s hosts removed',
    });
    expect(await frameAncestors('/app')).not.toContain(`https://${domain}`);
    expect(await frameAncestors(`/app?locationId=${b.id}`)).not.toContain(`https://crm.${domain}`);
  });
});
