import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../worker/app.ts';
import { emu, seedCompany } from './helpers.ts';
import { call, panelLocations } from './panel-helpers.ts';

/** Security headers: every JSON answer is nosniff; the OAuth pages carry a restrictive CSP. */

const get = (path: string, init?: RequestInit) => SELF.fetch(`http://app.test${path}`, init);

function expectNosniffJson(res: Response | { headers: Headers }, what: string) {
  expect(res.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

describe('X-Content-Type-Options: nosniff on JSON answers', () => {
  it('healthz, unknown routes and API answers, successes and errors alike', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expectNosniffJson(health, '/healthz');
    expectNosniffJson(await get('/no/such/route'), '404');
    expectNosniffJson(await get('/api/settings'), '/api 401');
    const [A] = await panelLocations(1, 1);
    const settings = await call(A!.token, 'GET', '/api/settings');
    expect(settings.status).toBe(200);
    expectNosniffJson(settings, '/api 200');
    expectNosniffJson(await call(A!.token, 'PUT', '/api/settings', { surprise: 1 }), '/api 422');
    expectNosniffJson(await call(A!.token, 'PUT', '/api/settings', '{"dryRun":'), '/api 400');
  });

  it('webhook answers and server-side errors', async () => {
    const unsigned = await get('/webhooks/ghl', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    expectNosniffJson(unsigned, 'GHL webhook 401');
    const signed = await emu<{ body: string; headers: Record<string, string> }>('/_emulator/webhooks/event', {
      type: 'ContactUpdate',
      locationId: 'hdrLoc00000000000001',
      id: 'contact0000000000001',
      sign: 'both',
    });
    const ok = await get('/webhooks/ghl', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed.headers },
      body: signed.body,
    });
    expect(ok.status).toBe(200);
    expectNosniffJson(ok, 'GHL webhook 200');
    expectNosniffJson(
      await get('/webhooks/partner/conn_00000000000000000000000000000000', { method: 'POST', body: '{}' }),
      'partner webhook 404',
    );
    // A configuration error goes through the app-wide error handler.
    const ctx = createExecutionContext();
    const broken = await app.fetch(
      new Request('http://app.test/oauth/install'),
      { ...env, GHL_CLIENT_ID: '' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(broken.status).toBe(500);
    expectNosniffJson(broken, 'config 500');
  });
});

describe('OAuth result pages', () => {
  async function expectLockedDown(res: Response) {
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(directives.has('script-src')).toBe(false);
    // The page's one inline style is allowed by its exact hash, so it still renders styled.
    const page = await res.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    expect(directives.get('style-src')).toEqual([`'sha256-${await sha256Base64(style)}'`]);
    expect(page).not.toMatch(/<script|style="/);
    return page;
  }

  it('an error page carries a restrictive Content-Security-Policy', async () => {
    const res = await get('/oauth/callback?error=access_denied');
    expect(res.status).toBe(400);
    expect(await expectLockedDown(res)).toContain('access_denied');
  });

  it('the installed page carries it too', async () => {
    const seed = await seedCompany(1, 1);
    const { code } = await emu<{ code: string }>('/_emulator/install', {
      clientId: env.GHL_CLIENT_ID,
      companyId: seed.companyId,
      userType: 'Location',
      locationIds: [seed.locations[0]!.id],
      webhooks: 'none',
    });
    const res = await get(`/oauth/callback?code=${encodeURIComponent(code)}`);
    expect(res.status).toBe(200);
    expect(await expectLockedDown(res)).toContain('Contact Sync is installed');
  });
});
