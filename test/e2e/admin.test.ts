/**
 * The admin side in a real browser, on the demo sub-account the demo partners are connected to
 * (as `npm start` leaves it): Test connection, Send test event, a backfill preview whose table is
 * what the worker counted, a refused made-up Cal.com key, a refused field path, the delete
 * confirmation, and a recipe's refused write at Cal.com in the sync log (no Replay). Every screen is shot at 1280 and 390 px and checked with axe-core (`shoot`).
 */
import type { Browser } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserSuite, openGhl, shoot, waitSignedIn, type GhlPage } from './browser.ts';
import { apiSession, emulatorClient, until, type Demo } from './harness.ts';

const appUrl = inject('appUrl');
const emulatorUrl = inject('emulatorUrl');
const partners = inject('demoPartners');
const emu = emulatorClient(emulatorUrl);
const byTestId = (id: string) => `[data-testid="${id}"]`;

let browser: Browser;
let demo: Demo;
const open: GhlPage[] = [];

browserSuite(emu, open, (b, d) => {
  browser = b;
  demo = d;
});

/** The demo location's admin on the settings screen. */
async function settingsAsAdmin(): Promise<GhlPage> {
  const location = demo.dental.id === partners.locationId ? demo.dental : demo.fitness;
  const g = await openGhl(browser, emulatorUrl, appUrl, { locationId: location.id });
  open.push(g);
  await waitSignedIn(g, `${location.admin.firstName} ${location.admin.lastName}`);
  await g.panel.locator(byTestId('nav-settings')).click();
  await g.panel.locator(byTestId('connection')).first().waitFor();
  return g;
}

const card = (g: GhlPage, id: string | null) =>
  g.panel.locator(`${byTestId('connection')}[data-connection-id="${id}"]`);

describe('admin screens with the demo partners', () => {
  it('tests both demo connections and sends a test event to your app', async () => {
    const g = await settingsAsAdmin();
    expect(await g.panel.locator(byTestId('connection')).count()).toBeGreaterThanOrEqual(2);
    await shoot(g, 'connections', g.panel.locator(byTestId('connections')));

    const cal = card(g, partners.calcom);
    await cal.locator(byTestId('connection-test')).click();
    const calCheck = cal.locator(byTestId('connection-check'));
    await calCheck.waitFor();
    expect(await calCheck.getAttribute('data-state')).toBe('ok');
    expect(await calCheck.textContent()).toMatch(/webhook \d+ is active/);

    const app = card(g, partners.yourapp);
    await app.locator(byTestId('connection-test-event')).click();
    await app.locator(`${byTestId('connection-check')}[data-state="ok"]`).waitFor();
    const state = (await (await fetch(`${partners.yourappUrl}/_partner/state`)).json()) as {
      tests: { event: { type: string; test: boolean } }[];
    };
    expect(state.tests.some((t) => t.event.type === 'test' && t.event.test)).toBe(true);
    await shoot(g, 'connection-checks', app);
    expect(g.problems).toEqual([]);
  });

  it('previews a backfill: the table shows what the worker counted, per kind and action', async () => {
    const g = await settingsAsAdmin();
    const app = card(g, partners.yourapp);
    await app.locator(byTestId('backfill-preview')).click();
    const table = app.locator(byTestId('backfill-counts'));
    await app.locator(`${byTestId('backfill-run')}:enabled`).waitFor({ timeout: 60_000 });
    const location = demo.dental.id === partners.locationId ? demo.dental : demo.fitness;
    const admin = await apiSession(appUrl, emu, demo.companyId, location.id, location.admin);
    const { body } = await admin.call<{
      backfill: { state: string; toPartner: Record<string, { create: number }> };
    }>('GET', `/api/connections/${partners.yourapp}/backfill`);
    expect(body.backfill.state).toBe('done');
    const contactsRow = table.locator('tr[data-row="out:contact"]');
    expect(await contactsRow.locator('[data-count="create"]').textContent()).toBe(
      String(body.backfill.toPartner.contact!.create),
    );
    await shoot(g, 'backfill-preview', app.locator(byTestId('backfill')));
    expect(g.problems).toEqual([]);
  });

  it('refuses a made-up Cal.com key with Cal.com’s answer, and a field path the partner does not have', async () => {
    const g = await settingsAsAdmin();
    await g.panel.locator(byTestId('connection-add')).click();
    const form = g.panel.locator(byTestId('connection-form'));
    await form.locator(byTestId('connection-kind')).selectOption('calcom');
    await form.locator(byTestId('connection-credential-apiKey')).fill('cal_live_made_up');
    await form.locator(byTestId('connection-setting-apiBase')).fill(partners.calcomUrl);
    await form.locator(byTestId('connection-setting-eventTypeId')).fill('1');
    const refused = g.page.waitForResponse(
      (r) => r.url().endsWith('/api/connections') && r.request().method() === 'POST',
    );
    await form.locator(byTestId('connection-save')).click();
    expect((await refused).status()).toBe(422);
    await form.getByText(/refused.*401/).waitFor();
    await shoot(g, 'connection-form-refused', form);
    await form.getByRole('button', { name: 'Cancel' }).click();

    const map = g.panel.locator(byTestId('field-map'));
    await map.locator(byTestId('field-map-kind')).selectOption('calcom');
    await map.locator(byTestId('field-map-add')).click();
    await map.locator(byTestId('field-map-field')).last().fill('email');
    await map.locator(byTestId('field-map-path')).last().fill('attendee.mail');
    await map.locator(byTestId('field-map-save')).click();
    await map.getByText(/Cal\.com has no field “attendee\.mail”/).waitFor();
    await shoot(g, 'field-map-refused', map);
    // 422 from the made-up key is the only failed call, and it was the point.
    expect(
      g.problems.filter((p) => !p.includes('api 422 POST /api/connections') && !p.includes('422')),
    ).toEqual([]);
  });

  it('signs in with Cal.com in a window of its own instead of asking for tokens', async () => {
    const g = await settingsAsAdmin();
    const before = await g.panel.locator(byTestId('connection')).count();
    await g.panel.locator(byTestId('connection-add')).click();
    const form = g.panel.locator(byTestId('connection-form'));
    await form.locator(byTestId('connection-kind')).selectOption('calcom');
    await form.locator(byTestId('connection-name')).fill('Cal.com (signed in)');
    await form.locator(byTestId('connection-setting-eventTypeId')).fill('1');
    expect(await form.locator(byTestId('connection-credential-accessToken')).count()).toBe(0);
    expect(await form.locator(byTestId('connection-credential-refreshToken')).count()).toBe(0);
    await shoot(g, 'connection-sign-in', form);
    const popup = g.context.waitForEvent('page');
    await form.locator(byTestId('connection-sign-in')).click();
    const calWindow = await popup;
    await calWindow.getByText('Cal.com is connected').waitFor();
    await calWindow.close();
    const made = g.panel.locator(byTestId('connection'), { hasText: 'Cal.com (signed in)' });
    await made.waitFor({ timeout: 15_000 });
    expect(await g.panel.locator(byTestId('connection')).count()).toBe(before + 1);
    const id = await made.getAttribute('data-connection-id');
    const location = demo.dental.id === partners.locationId ? demo.dental : demo.fitness;
    const admin = await apiSession(appUrl, emu, demo.companyId, location.id, location.admin);
    expect((await admin.call('DELETE', `/api/connections/${id}`)).status).toBe(200);
    expect(g.problems).toEqual([]);
  });

  it('asks before deleting a connection', async () => {
    const g = await settingsAsAdmin();
    await card(g, partners.yourapp).locator(byTestId('connection-delete')).click();
    const dialog = g.panel.getByRole('dialog');
    await dialog.waitFor();
    await shoot(g, 'connection-delete-dialog', dialog);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await card(g, partners.yourapp).count()).toBe(1);
  });

  it('reads the sync log in plain words, opens a row’s details, and shows echoes only when asked', async () => {
    const g = await settingsAsAdmin();
    // A note written by the partner reaches GHL: at least one row to read.
    const location = demo.dental.id === partners.locationId ? demo.dental : demo.fitness;
    const contact = (await emu.state(location.id)).contacts.find((c) => c.email)!;
    // GHL refuses the first create: the row's details show both attempts.
    await fetch(`${emulatorUrl}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        locationId: location.id,
        pathPrefix: `/contacts/${contact.id}/notes`,
        method: 'POST',
        status: 503,
        count: 1,
      }),
    });
    await fetch(`${partners.yourappUrl}/_partner/act`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'note.created',
        data: { body: 'Left a voicemail', contact: { email: contact.email } },
      }),
    });
    const admin = await apiSession(appUrl, emu, demo.companyId, location.id, location.admin);
    await until(
      async () =>
        (await admin.call<{ entries: { subject: string | null; status: string }[] }>('GET', '/api/sync-log'))
          .body.entries,
      (entries) => entries.some((e) => e.subject === 'Left a voicemail' && e.status === 'done'),
      'the partner note in the sync log',
    );
    await g.panel.locator(byTestId('nav-sync-log')).click();
    const log = g.panel.locator(byTestId('sync-log'));
    const row = log
      .locator(`${byTestId('sync-log-entry')}[data-status="done"]`, { hasText: 'Left a voicemail' })
      .first();
    await row.waitFor();
    expect(await row.locator(byTestId('sync-log-words')).textContent()).toMatch(
      /note ‘Left a voicemail’ in HighLevel for /,
    );
    await row.locator(byTestId('sync-log-open')).click();
    const detail = g.panel.locator(byTestId('sync-log-detail'));
    await detail.waitFor();
    expect(await detail.textContent()).toContain('Demo: your app');
    const tries = detail.locator(byTestId('sync-log-try'));
    expect(await tries.count()).toBe(2);
    expect(await tries.nth(0).textContent()).toMatch(
      /Attempt 1[\s\S]*HighLevel: POST \/contacts\/\S+\/notes → 503/,
    );
    expect(await tries.nth(1).textContent()).toMatch(
      /Attempt 2[\s\S]*HighLevel: POST \/contacts\/\S+\/notes → 20\d/,
    );
    expect(await detail.locator(byTestId('sync-log-diff')).textContent()).toContain('Left a voicemail');
    await shoot(g, 'sync-log-detail', detail);
    await detail.getByRole('button', { name: 'Close' }).click();

    // At 1280 px no status badge wraps onto a second line ("Failed", "Retrying", …).
    const heights = await log
      .locator('.badge')
      .evaluateAll((els) =>
        els.map((el) => [
          el.textContent,
          el.getBoundingClientRect().height,
          parseFloat(getComputedStyle(el).lineHeight) || 18,
        ]),
      );
    for (const [text, height, line] of heights as [string, number, number][])
      expect(height, `${text} badge`).toBeLessThan(line * 1.8);
    const all = g.page.waitForResponse(
      (r) => r.url().includes('/api/sync-log') && r.url().includes('show=all'),
    );
    await log.locator(byTestId('sync-log-show-all')).check();
    expect((await all).status()).toBe(200);
    expect(g.problems).toEqual([]);
  });

  it("shows a recipe's write at a connected app in the sync log, from automation and without Replay", async () => {
    const g = await settingsAsAdmin();
    const location = demo.dental.id === partners.locationId ? demo.dental : demo.fitness;
    const contact = (await emu.state(location.id)).contacts.find((c) => c.email)!;
    const admin = await apiSession(appUrl, emu, demo.companyId, location.id, location.admin);
    // Moving a booking Cal.com does not have: Cal.com refuses, and the log keeps the refusal.
    const missing = `gone${Date.now()}`;
    const ran = await admin.call('POST', '/api/catalog/actions/partner.booking.reschedule/run', {
      contactId: contact.id,
      input: { connectionId: partners.calcom, bookingId: missing, startTime: '2035-04-03T10:00:00.000Z' },
    });
    expect(ran.status).toBe(502);
    await g.panel.locator(byTestId('nav-sync-log')).click();
    const row = g.panel
      .locator(`${byTestId('sync-log-entry')}[data-status="failed"]`, { hasText: 'from automation' })
      .first();
    await row.waitFor();
    expect(await row.locator(byTestId('sync-log-words')).textContent()).toMatch(
      /^Could not update appointment .* in Cal\.com for /,
    );
    expect(await row.locator(byTestId('sync-log-replay')).count()).toBe(0);
    await row.locator(byTestId('sync-log-open')).click();
    const detail = g.panel.locator(byTestId('sync-log-detail'));
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain(missing);
    expect(text).toContain('Demo: Cal.com');
    expect(text).toContain('partner.booking.reschedule');
    expect(await detail.locator(byTestId('sync-log-detail-replay')).count()).toBe(0);
    await shoot(g, 'sync-log-automation', detail);
    await detail.getByRole('button', { name: 'Close' }).click();
    expect(g.problems).toEqual([]);
  });

  it('makes a new contact from the panel, then deletes it after asking', async () => {
    const g = await settingsAsAdmin();
    const location = demo.dental.id === partners.locationId ? demo.dental : demo.fitness;
    await g.panel.locator(byTestId('nav-contacts')).click();
    await g.panel.locator(byTestId('contact-new')).click();
    const form = g.panel.locator(byTestId('contact-form'));
    const email = `grace.${Date.now().toString(36)}@example.com`;
    await form.locator(byTestId('contact-first-name')).fill('Grace');
    await form.locator(byTestId('contact-last-name')).fill('Hopper');
    await form.locator(byTestId('contact-email')).fill(email);
    await shoot(g, 'contact-new', form);
    await form.locator(byTestId('contact-save')).click();
    await g.panel.locator(byTestId('contact-name'), { hasText: 'Grace Hopper' }).waitFor();
    const made = await until(
      async () => (await emu.state(location.id)).contacts.find((c) => c.email === email),
      Boolean,
      'the contact in GHL',
    );

    await g.panel.locator(byTestId('contact-delete')).click();
    const confirm = g.panel.getByRole('dialog');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('Delete Grace Hopper?');
    await shoot(g, 'contact-delete-dialog', confirm);
    await confirm.locator(byTestId('confirm-ok')).click();
    await g.panel.getByText('Contact deleted').first().waitFor();
    await until(
      async () => (await emu.state(location.id)).contacts.some((c) => c.id === made!.id),
      (still) => !still,
      'the contact gone from GHL',
    );
    expect(g.problems).toEqual([]);
  });

  it('shows the contacts screen with nothing selected', async () => {
    const g = await settingsAsAdmin();
    await g.panel.locator(byTestId('nav-contacts')).click();
    await g.panel.locator(byTestId('empty-state')).waitFor();
    await shoot(g, 'contacts-empty');
  });
});
