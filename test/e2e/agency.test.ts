/**
 * The agency console in a real browser, opened from the emulator's agency view as the demo
 * agency's admin: every sub-account with its state (the demo leaves Northwind Spa without the
 * app), the defaults a sub-account inherits, and a bulk apply that is the same when repeated.
 * Screens are shot at 1280 and 390 px and checked with axe-core (`shoot`).
 */
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { browserSuite, openGhl, shoot, waitSignedIn, type GhlPage } from './browser.ts';
import { apiSession, emulatorClient, until, type Demo } from './harness.ts';

const appUrl = inject('appUrl');
const emulatorUrl = inject('emulatorUrl');
const emu = emulatorClient(emulatorUrl);
const byTestId = (id: string) => `[data-testid="${id}"]`;

let browser: Browser;
let demo: Demo;
const open: GhlPage[] = [];

browserSuite(emu, open, (b, d) => {
  browser = b;
  demo = d;
});

/** The agency's own sub-account list, through an agency session like the panel's. */
async function agencyApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const companies = (await (await fetch(`${emulatorUrl}/_emulator/companies`)).json()) as {
    companies: { id: string; users: { id: string; type: string; role: string }[] }[];
  };
  const admin = companies.companies
    .find((c) => c.id === demo.companyId)!
    .users.find((u) => u.type === 'agency' && u.role === 'admin')!;
  const { payload } = await emu.sso({
    userId: admin.id,
    companyId: demo.companyId,
    role: 'admin',
    type: 'agency',
  });
  const session = (await (
    await fetch(`${appUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload }),
    })
  ).json()) as { token: string };
  const res = await fetch(`${appUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${session.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

afterAll(async () => {
  // Other browser tests share the demo agency: leave its defaults as built in.
  if (demo) await agencyApi('PUT', '/api/agency/defaults', { conflictPolicy: 'newest_wins' });
});

describe('agency console', () => {
  it('shows every sub-account, edits the inherited defaults and applies settings to the selected ones', async () => {
    const g = await openGhl(browser, emulatorUrl, appUrl, { view: 'agency' });
    open.push(g);
    await waitSignedIn(g, 'Avery Morgan');
    const table = g.panel.locator(byTestId('agency-locations'));
    await table.waitFor();
    expect(await g.panel.locator('h1').count()).toBe(1);
    expect(await g.panel.locator('h1').textContent()).toBe('Agency console');
    const row = (name: string) => table.locator('tbody tr', { hasText: name });
    expect(await row('Northwind Dental').locator(byTestId('agency-status')).textContent()).toBe('Active');
    expect(await row('Northwind Fitness').locator(byTestId('agency-status')).textContent()).toBe('Active');
    expect(await row('Northwind Spa').locator(byTestId('agency-status')).textContent()).toBe('Not installed');
    expect(await g.panel.locator(byTestId('agency-counts')).textContent()).toMatch(
      /3 sub-accounts: 2 active, 1 not installed/,
    );
    await shoot(g, 'agency-console', table);

    // Defaults: Fitness has set no conflict policy of its own, so it follows the agency's.
    const fitness = await apiSession(appUrl, emu, demo.companyId, demo.fitness.id, demo.fitness.admin);
    const before = await fitness.call<{ conflictPolicy: string }>('GET', '/api/settings');
    expect(before.body.conflictPolicy).toBe('newest_wins');
    await g.panel.locator(byTestId('default-conflict')).selectOption('ghl_wins');
    await g.panel.locator(byTestId('defaults-save')).click();
    await until(
      () => fitness.call<{ conflictPolicy: string }>('GET', '/api/settings'),
      (r) => r.body.conflictPolicy === 'ghl_wins',
      'Fitness to inherit the agency default',
    );
    await shoot(g, 'agency-defaults', g.panel.locator(byTestId('agency-defaults')));

    // Bulk apply on the sub-account without the app (nothing syncs there), twice.
    await row('Northwind Spa').locator('input[type="checkbox"]').check();
    await g.panel.locator(byTestId('apply-enabled-tags')).selectOption('off');
    const submit = g.panel.locator(byTestId('apply-submit'));
    expect(await submit.textContent()).toBe('Apply to 1 sub-account');
    await submit.click();
    const result = g.panel.locator(byTestId('apply-result'));
    await result.filter({ hasText: 'Applied to 1.' }).waitFor();
    await row('Northwind Spa').filter({ hasText: '1 of its own' }).waitFor();
    await submit.click();
    await result.filter({ hasText: 'Applied to 0, 1 already had these settings.' }).waitFor();
    const list = await agencyApi<{ locations: { name: string; ownSettings: string[] }[] }>(
      'GET',
      '/api/agency/locations',
    );
    expect(list.locations.find((l) => l.name === 'Northwind Spa')!.ownSettings).toEqual([
      'kinds.tags.enabled',
    ]);
    await shoot(g, 'agency-apply', g.panel.locator(byTestId('agency-apply')));
    expect(g.problems).toEqual([]);
  });
});
