/**
 * The panel in a real browser (Debian's Chromium) inside the emulator's GHL page, against the
 * worker under `wrangler dev`: the SSO handshake by postMessage, contact search, the merged
 * timeline, actions that must land in GHL, settings by role, the sync log, and reconnect.
 * Each test opens its own browser context and works on its own contact or location.
 */
import type { Browser, Locator } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserSuite, openGhl, shoot, waitSignedIn, type GhlPage, type OpenOptions } from './browser.ts';
import {
  apiSession,
  emulatorClient,
  installLocation,
  unique,
  until,
  type Demo,
  type DemoLocation,
  type DemoUser,
  type GhlContact,
} from './harness.ts';

const appUrl = inject('appUrl');
const emulatorUrl = inject('emulatorUrl');
const clientId = inject('clientId');
const emu = emulatorClient(emulatorUrl);

let browser: Browser;
let demo: Demo;
const open: GhlPage[] = [];

browserSuite(emu, open, (b, d) => {
  browser = b;
  demo = d;
});

async function ghl(opts: OpenOptions): Promise<GhlPage> {
  const page = await openGhl(browser, emulatorUrl, appUrl, opts);
  open.push(page);
  return page;
}

const fullName = (u: DemoUser) => `${u.firstName} ${u.lastName}`;
const byTestId = (id: string) => `[data-testid="${id}"]`;
const session = (location: DemoLocation, user: DemoUser) =>
  apiSession(appUrl, emu, demo.companyId, location.id, user);
const toast = (g: GhlPage, text: string) =>
  g.panel.locator(byTestId('toast'), { hasText: text }).first().waitFor();
const searchQueries = (g: GhlPage) =>
  g.apiCalls
    .filter((c) => c.startsWith('GET /api/contacts?'))
    .map((c) => new URLSearchParams(c.split('?')[1]).get('query') ?? '');

/** Types `text` in the search box and waits until the debounced search has replaced the list. */
async function search(g: GhlPage, text: string, contactId: string): Promise<Locator> {
  const rows = g.panel.locator(byTestId('contact-row'));
  await rows.first().waitFor(); // the first, unfiltered page
  const before = searchQueries(g).length;
  const settled = g.page.waitForResponse((r) => {
    const url = new URL(r.url());
    return url.pathname === '/api/contacts' && url.searchParams.get('query') === text;
  });
  await g.panel.locator(byTestId('contact-search')).pressSequentially(text);
  expect((await settled).status()).toBe(200);
  // The answer for the settled text replaces the list: rows that do not match are gone.
  await rows.filter({ hasNotText: text }).first().waitFor({ state: 'detached' });
  const row = g.panel.locator(`${byTestId('contact-row')}[data-contact-id="${contactId}"]`);
  await row.waitFor();
  const typed = searchQueries(g).slice(before);
  // Debounced: the search ran for the settled text, not once per keystroke.
  expect(typed.at(-1)).toBe(text);
  expect(typed.length).toBeLessThan(text.length);
  for (const name of await g.panel
    .locator(`${byTestId('contact-row')} .contact-row-name`)
    .allTextContents()) {
    expect(name.toLowerCase()).toContain(text.toLowerCase());
  }
  return row;
}

describe('panel inside GHL', () => {
  it('signs in through the REQUEST_USER_DATA handshake and shows the current user', async () => {
    const { dental } = demo;
    const g = await ghl({ locationId: dental.id });
    await waitSignedIn(g, fullName(dental.admin));
    await g.panel.locator(byTestId('contact-row')).first().waitFor();

    const who = g.panel.locator(byTestId('current-user'));
    expect(await who.locator('.badge').textContent()).toBe('admin');
    expect(await who.getAttribute('title')).toBe(dental.admin.email);
    // The GHL page around the panel is the sub-account's.
    expect(await g.page.locator('nav .loc b').textContent()).toBe('Northwind Dental');

    const gates = await g.gatesSeen();
    expect(gates).not.toContain('gate-outside');
    expect(gates).not.toContain('gate-error');
    expect(g.apiCalls.filter((c) => c === 'POST /api/session')).toHaveLength(1);
    expect(g.problems).toEqual([]);
    await shoot(g, 'ghl-page');
  });

  it('shows the "outside HighLevel" gate when /app is opened on its own', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${appUrl}/app`);
      await page.locator(byTestId('gate-outside')).waitFor();
      expect(await page.locator(byTestId('current-user')).count()).toBe(0);
      await shoot({ page, frame: async () => page.mainFrame() }, 'gate-outside');
    } finally {
      await context.close();
    }
  });

  it('says it could not start, with a retry, when GHL seals the SSO payload with another Shared Secret', async () => {
    const g = await ghl({ locationId: demo.dental.id, sso: 'foreign' });
    const panel = g.panel.locator(byTestId('gate-error'));
    await panel.waitFor();
    expect(await panel.locator('h1').textContent()).toBe('Contact Sync could not start');
    expect(await g.panel.locator(byTestId('current-user')).count()).toBe(0);
    expect(g.apiCalls).toContain('POST /api/session');
    await shoot(g, 'gate-error');
  });

  it('serves every panel document through the worker (local frame-ancestors) and the assets directly', async () => {
    for (const path of ['/app', '/app/', '/app/contacts/abc']) {
      const res = await fetch(`${appUrl}${path}`);
      const html = await res.text();
      expect(res.status, path).toBe(200);
      // Loopback parents come only from the worker, for a loopback APP_BASE_URL; `_headers` has none.
      expect(res.headers.get('content-security-policy'), path).toContain('http://127.0.0.1:*');
      const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, path).toBeTruthy();
      const asset = await fetch(`${appUrl}${script}`);
      await asset.arrayBuffer();
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toContain('javascript');
    }
  });

  it('searches a contact with a debounced query and shows its merged timeline from GHL', async () => {
    const { dental } = demo;
    const state = await emu.state(dental.id);
    const has = (id: string) => ({
      notes: state.notes.filter((n) => n.contactId === id),
      tasks: state.tasks.filter((t) => t.contactId === id),
      appointments: state.appointments.filter((a) => a.contactId === id),
    });
    // A seeded contact with every kind of activity (the demo seed is the same on every start).
    const contact = state.contacts.find((c) => {
      const a = has(c.id);
      return c.firstName && c.lastName && a.notes.length && a.tasks.length && a.appointments.length;
    });
    if (!contact) throw new Error('the demo seed has no contact with notes, tasks and appointments');
    const name = `${contact.firstName} ${contact.lastName}`;
    const activity = has(contact.id);

    const g = await ghl({ locationId: dental.id });
    await waitSignedIn(g, fullName(dental.admin));
    const row = await search(g, name, contact.id);
    await shoot(g, 'contact-search');

    await row.click();
    const detail = g.panel.locator(`${byTestId('contact-detail')}[data-contact-id="${contact.id}"]`);
    await detail.locator(byTestId('contact-name'), { hasText: name }).waitFor();
    expect(await detail.locator(byTestId('contact-email-value')).textContent()).toBe(contact.email ?? '—');
    const items = g.panel.locator(byTestId('timeline-item'));
    await items.first().waitFor();

    const expected = [
      ...activity.notes.map((n) => ['note', n.id] as const),
      ...activity.tasks.map((t) => ['task', t.id] as const),
      ...activity.appointments.map((a) => ['appointment', a.id] as const),
    ];
    for (const [kind, id] of expected) {
      expect(
        await g.panel.locator(`${byTestId('timeline-item')}[data-kind="${kind}"][data-id="${id}"]`).count(),
        `${kind} ${id}`,
      ).toBe(1);
    }
    expect(await items.count()).toBe(expected.length);
    for (const t of activity.tasks) {
      const toggle = g.panel.locator(
        `${byTestId('timeline-item')}[data-id="${t.id}"] ${byTestId('task-complete-toggle')}`,
      );
      expect(await toggle.isChecked(), `task ${t.id} completed`).toBe(t.completed);
    }
    const chip = (f: string) =>
      g.panel.locator(`${byTestId(`timeline-filter-${f}`)} .chip-count`).textContent();
    expect(await chip('notes')).toBe(String(activity.notes.length));
    expect(await chip('tasks')).toBe(String(activity.tasks.length));
    expect(await chip('appointments')).toBe(String(activity.appointments.length));

    // In the worker's merged order (newest first).
    const api = await session(dental, dental.admin);
    const merged = await api.call<{ items: { kind: string; id: string }[] }>(
      'GET',
      `/api/contacts/${contact.id}/timeline`,
    );
    const shown = await items.evaluateAll((els) =>
      els.map((el) => `${el.getAttribute('data-kind')}:${el.getAttribute('data-id')}`),
    );
    expect(shown).toEqual(merged.body.items.map((i) => `${i.kind}:${i.id}`));
    expect(g.problems).toEqual([]);
    await shoot(g, 'timeline', g.panel.locator(byTestId('timeline')));
  });

  it('adds a note, creates and completes a task and adds a tag, and GHL holds each change', async () => {
    const { dental } = demo;
    const u = unique();
    const lastName = `Endtoend${u}`;
    const { contact } = await emu.act<{ contact: GhlContact }>({
      locationId: dental.id,
      action: 'contact.create',
      data: { firstName: 'Eve', lastName, email: `eve.${u}@example.com` },
    });
    try {
      const g = await ghl({ locationId: dental.id });
      await waitSignedIn(g, fullName(dental.admin));
      await (await search(g, lastName, contact.id)).click();
      const timeline = g.panel.locator(byTestId('timeline'));
      await timeline.locator(byTestId('empty-state'), { hasText: 'No activity yet' }).waitFor();
      const ghlState = () => emu.state(dental.id);

      // Note
      await g.panel.locator(byTestId('add-note')).click();
      const noteForm = g.panel.locator(byTestId('note-form'));
      const noteBody = `Called about the e2e check ${u}`;
      await noteForm.locator(byTestId('note-body')).fill(noteBody);
      await shoot(g, 'note-form', noteForm);
      await noteForm.locator(byTestId('note-submit')).click();
      await noteForm.waitFor({ state: 'detached' });
      await toast(g, 'Note added');
      const noteItem = g.panel.locator(`${byTestId('timeline-item')}[data-kind="note"]`, {
        hasText: noteBody,
      });
      await noteItem.waitFor();
      const inGhl = await until(
        ghlState,
        (s) => s.notes.some((n) => n.contactId === contact.id && n.body === noteBody),
        'the note in GHL',
      );
      const note = inGhl.notes.find((n) => n.contactId === contact.id && n.body === noteBody)!;
      expect(await noteItem.getAttribute('data-id')).toBe(note.id);

      // Task
      await g.panel.locator(byTestId('add-task')).click();
      const taskForm = g.panel.locator(byTestId('task-form'));
      const taskTitle = `Send the e2e estimate ${u}`;
      await taskForm.locator(byTestId('task-title')).fill(taskTitle);
      await taskForm.locator(byTestId('task-body')).fill('Crown on #19, with the insurance estimate.');
      expect(await taskForm.locator(byTestId('task-due')).inputValue()).not.toBe('');
      await shoot(g, 'task-form', taskForm);
      await taskForm.locator(byTestId('task-submit')).click();
      await taskForm.waitFor({ state: 'detached' });
      await toast(g, 'Task created');
      const taskItem = g.panel.locator(`${byTestId('timeline-item')}[data-kind="task"]`, {
        hasText: taskTitle,
      });
      await taskItem.waitFor();
      const withTask = await until(
        ghlState,
        (s) => s.tasks.some((t) => t.contactId === contact.id && t.title === taskTitle),
        'the task in GHL',
      );
      const task = withTask.tasks.find((t) => t.contactId === contact.id && t.title === taskTitle)!;
      expect(task.completed).toBe(false);
      expect(await taskItem.getAttribute('data-id')).toBe(task.id);
      const toggle = taskItem.locator(byTestId('task-complete-toggle'));
      expect(await toggle.isChecked()).toBe(false);

      // Complete it
      await toggle.click();
      await taskItem.locator(`${byTestId('task-complete-toggle')}:checked`).waitFor();
      await taskItem.locator(byTestId('task-due-label'), { hasText: 'Completed' }).waitFor();
      await toast(g, 'Task completed');
      await until(
        ghlState,
        (s) => s.tasks.some((t) => t.id === task.id && t.completed),
        'the task completed in GHL',
      );

      // Tag (GHL stores tags lowercased)
      const tag = `e2e-${u}`;
      const tagInput = g.panel.locator(byTestId('tag-input'));
      await tagInput.fill(tag);
      await tagInput.press('Enter');
      await g.panel.locator(`${byTestId('tag')}[data-tag="${tag}"]`).waitFor();
      await toast(g, `Tag “${tag}” added`);
      await until(
        ghlState,
        (s) => s.contacts.some((c) => c.id === contact.id && c.tags?.includes(tag)),
        'the tag in GHL',
      );

      // A refresh from the server shows the same: nothing lived only in the panel.
      const refreshed = g.page.waitForResponse((r) =>
        r.url().includes(`/api/contacts/${contact.id}/timeline?refresh=1`),
      );
      await g.panel.locator(byTestId('timeline-refresh')).click();
      expect((await refreshed).status()).toBe(200);
      await g.panel.locator(byTestId('timeline-freshness'), { hasText: 'Updated' }).waitFor();
      await g.panel
        .locator(`${byTestId('timeline-item')}[data-id="${note.id}"]`, { hasText: noteBody })
        .waitFor();
      await g.panel
        .locator(
          `${byTestId('timeline-item')}[data-id="${task.id}"] ${byTestId('task-complete-toggle')}:checked`,
        )
        .waitFor();
      await g.panel.locator(`${byTestId('tag')}[data-tag="${tag}"]`).waitFor();
      expect(await g.panel.locator(byTestId('timeline-item')).count()).toBe(2);
      expect(g.problems).toEqual([]);
      await shoot(g, 'timeline-after-actions', timeline);
    } finally {
      await emu.act({ locationId: dental.id, action: 'contact.delete', contactId: contact.id });
    }
  });

  it('shows settings read-only to a non-admin user, and the worker refuses their change', async () => {
    const { dental } = demo;
    const g = await ghl({ locationId: dental.id, userId: dental.user.id, role: 'user' });
    await waitSignedIn(g, fullName(dental.user));
    expect(await g.panel.locator(`${byTestId('current-user')} .badge`).textContent()).toBe('user');

    await g.panel.locator(byTestId('nav-settings')).click();
    await g.panel.locator(byTestId('settings-readonly')).waitFor();
    for (const kind of ['contacts', 'tasks', 'notes', 'appointments', 'tags']) {
      expect(await g.panel.locator(byTestId(`setting-enabled-${kind}`)).isDisabled(), kind).toBe(true);
    }
    expect(await g.panel.locator(byTestId('setting-dry-run')).isDisabled()).toBe(true);
    expect(await g.panel.locator(byTestId('setting-conflict-ghl_wins')).isDisabled()).toBe(true);
    expect(await g.panel.locator(byTestId('settings-save')).count()).toBe(0);
    expect(g.problems).toEqual([]);
    await shoot(g, 'settings-readonly');

    const user = await session(dental, dental.user);
    const before = await user.call<{ dryRun: boolean; canEdit: boolean }>('GET', '/api/settings');
    expect(before.body.canEdit).toBe(false);
    const put = await user.call<{ error: { code: string } }>('PUT', '/api/settings', {
      dryRun: !before.body.dryRun,
    });
    expect(put.status).toBe(403);
    expect((await user.call<{ dryRun: boolean }>('GET', '/api/settings')).body.dryRun).toBe(
      before.body.dryRun,
    );
  });

  it('lets an admin change a setting and save it', async () => {
    const { dental } = demo;
    const admin = await session(dental, dental.admin);
    type View = { dryRun: boolean; conflictPolicy: string; canEdit: boolean; updatedBy?: string | null };
    const original = (await admin.call<View>('GET', '/api/settings')).body;
    expect(original.canEdit).toBe(true);
    const policy = original.conflictPolicy === 'ghl_wins' ? 'partner_wins' : 'ghl_wins';
    try {
      const g = await ghl({ locationId: dental.id });
      await waitSignedIn(g, fullName(dental.admin));
      await g.panel.locator(byTestId('nav-settings')).click();
      const dryRun = g.panel.locator(byTestId('setting-dry-run'));
      await dryRun.waitFor();
      expect(await g.panel.locator(byTestId('settings-readonly')).count()).toBe(0);
      expect(await dryRun.isChecked()).toBe(original.dryRun);
      const save = g.panel.locator(byTestId('settings-save'));
      expect(await save.isDisabled()).toBe(true); // nothing changed yet

      await dryRun.click();
      await g.panel.locator(byTestId(`setting-conflict-${policy}`)).check();
      expect(await save.isEnabled()).toBe(true);
      await save.click();
      await toast(g, 'Settings saved');
      await g.panel.locator(`${byTestId('settings-save')}:disabled`).waitFor();

      const saved = (await admin.call<View>('GET', '/api/settings')).body;
      expect(saved.dryRun).toBe(!original.dryRun);
      expect(saved.conflictPolicy).toBe(policy);
      expect(saved.updatedBy).toBe(dental.admin.id);

      // The screen reads it back from the worker when it opens again.
      await g.panel.locator(byTestId('nav-contacts')).click();
      await g.panel.locator(byTestId('contact-search')).waitFor();
      await g.panel.locator(byTestId('nav-settings')).click();
      await g.panel
        .locator(`${byTestId('setting-dry-run')}${original.dryRun ? ':not(:checked)' : ':checked'}`)
        .waitFor();
      expect(await g.panel.locator(byTestId(`setting-conflict-${policy}`)).isChecked()).toBe(true);
      expect(g.problems).toEqual([]);
      await shoot(g, 'settings');
    } finally {
      const restored = await admin.call<View>('PUT', '/api/settings', {
        dryRun: original.dryRun,
        conflictPolicy: original.conflictPolicy,
      });
      expect(restored.status).toBe(200);
    }
  });

  it("lets an admin add the agency's own domains, which the next panel load allows as frame parents", async () => {
    const { dental } = demo;
    const admin = await session(dental, dental.admin);
    const host = `app.wl${unique()}.com`;
    const original = (await admin.call<{ domains: string[] }>('GET', '/api/agency/frame-domains')).body;
    try {
      const g = await ghl({ locationId: dental.id });
      await waitSignedIn(g, fullName(dental.admin));
      await g.panel.locator(byTestId('nav-settings')).click();
      const input = g.panel.locator(byTestId('frame-domains-input'));
      await input.waitFor();
      await input.fill([...original.domains, host].join('\n'));
      await g.panel.locator(byTestId('frame-domains-save')).click();
      await toast(g, 'Domains saved');
      expect(
        (await admin.call<{ domains: string[] }>('GET', '/api/agency/frame-domains')).body.domains,
      ).toContain(host);
      const doc = await fetch(`${appUrl}/app?locationId=${dental.id}`);
      await doc.arrayBuffer();
      expect(doc.headers.get('content-security-policy')).toContain(`https://${host}`);
      expect(g.problems).toEqual([]);
      await g.panel.locator(byTestId('frame-domains')).scrollIntoViewIfNeeded();
      await shoot(g, 'frame-domains');
    } finally {
      expect(
        (await admin.call('PUT', '/api/agency/frame-domains', { domains: original.domains })).status,
      ).toBe(200);
    }
  });

  it('renders the sync log, with its status filter', async () => {
    const { dental } = demo;
    const g = await ghl({ locationId: dental.id });
    await waitSignedIn(g, fullName(dental.admin));
    await g.panel.locator(byTestId('nav-sync-log')).click();
    const log = g.panel.locator(byTestId('sync-log'));
    await log
      .locator(`${byTestId('sync-log-entry')}, ${byTestId('empty-state')}`)
      .first()
      .waitFor();
    expect(await log.locator(byTestId('error-state')).count()).toBe(0);
    for (const status of await log
      .locator(byTestId('sync-log-entry'))
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))) {
      expect(status).toBeTruthy();
    }
    await shoot(g, 'sync-log');

    const filtered = g.page.waitForResponse((r) => r.url().includes('/api/sync-log?status=failed'));
    await log.locator(byTestId('sync-log-status')).selectOption('failed');
    expect((await filtered).status()).toBe(200);
    await log
      .locator(`${byTestId('sync-log-entry')}, ${byTestId('empty-state')}`)
      .first()
      .waitFor();
    for (const status of await log
      .locator(byTestId('sync-log-entry'))
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))) {
      expect(status).toBe('failed');
    }
    expect(g.problems).toEqual([]);
  });

  it('shows "reconnect needed" when the location uninstalls the app, and recovers after a reinstall', async () => {
    const { fitness } = demo;
    const installStatus = async () => (await session(fitness, fitness.admin)).installStatus;
    await until(installStatus, (s) => s === 'active', 'Fitness installed');

    await emu.uninstall(clientId, fitness.id);
    try {
      // The UNINSTALL webhook reaches the worker after the emulator has answered.
      await until(installStatus, (s) => s !== 'active', 'the worker to see the UNINSTALL');
      const g = await ghl({ locationId: fitness.id });
      const gate = g.panel.locator(byTestId('reconnect-needed'));
      await gate.waitFor();
      expect(await gate.locator(byTestId('reconnect-install')).getAttribute('href')).toBe('/oauth/install');
      expect(await g.gatesSeen()).not.toContain('gate-outside');
      expect(await g.panel.locator(byTestId('current-user')).count()).toBe(0);
      await shoot(g, 'reconnect-needed');

      // The admin reinstalls on this location, then tells the panel.
      await installLocation(appUrl, fitness.id);
      await until(installStatus, (s) => s === 'active', 'Fitness reinstalled');
      await gate.getByRole('button', { name: 'I have reconnected' }).click();
      await waitSignedIn(g, fullName(fitness.admin));
      await g.panel.locator(byTestId('contact-row')).first().waitFor();
    } finally {
      if ((await installStatus()) !== 'active') {
        await installLocation(appUrl, fitness.id);
      }
    }
  });
});
