/**
 * Automations in a real browser inside the emulator's GHL page: an admin enables a template from
 * the gallery with the keyboard, a person tags a contact in GHL, and the task the template
 * promises appears in GHL and in the recipe's run history.
 */
import type { Browser } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserSuite, openGhl, shoot, waitSignedIn, type GhlPage } from './browser.ts';
import { apiSession, emulatorClient, unique, until, type Demo, type GhlContact } from './harness.ts';

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

describe('automations page', () => {
  it('enables the milestone template with the keyboard; tagging a contact in GHL adds the task and a run', async () => {
    const { fitness } = demo;
    const admin = await apiSession(appUrl, emu, demo.companyId, fitness.id, fitness.admin);
    const u = unique();
    const { contact } = await emu.act<{ contact: GhlContact }>({
      locationId: fitness.id,
      action: 'contact.create',
      data: { firstName: 'Mila', lastName: `Stone${u}`, email: `mila.${u}@example.com` },
    });
    try {
      const g = await openGhl(browser, emulatorUrl, appUrl, { locationId: fitness.id });
      open.push(g);
      await waitSignedIn(g, `${fitness.admin.firstName} ${fitness.admin.lastName}`);
      await g.panel.locator(byTestId('nav-automations')).click();
      const enable = g.panel.locator(byTestId('template-enable-milestone-task'));
      await enable.waitFor();
      await enable.focus();
      await g.page.keyboard.press('Enter');
      await g.panel.locator(byTestId('toast'), { hasText: 'Template enabled' }).first().waitFor();
      const item = g.panel.locator(byTestId('recipe-item'), { hasText: 'Milestone tag' });
      await item.waitFor();
      expect(await item.locator('input[role="switch"]').isChecked()).toBe(true);
      await shoot(g, 'automations');

      await emu.act({
        locationId: fitness.id,
        action: 'tags.add',
        contactId: contact.id,
        tags: ['qualified'],
      });
      const title = `Book a call with Mila Stone${u} (qualified)`;
      await until(
        () => emu.state(fitness.id),
        (s) => s.tasks.some((t) => t.contactId === contact.id && t.title === title),
        'the milestone task in GHL',
      );

      const history = item.locator('button', { hasText: 'History' });
      await history.click();
      const run = g.panel.locator(`${byTestId('run-row')}[data-status="done"]`, { hasText: contact.id });
      await until(
        async () => {
          if (await run.count()) return true;
          await g.panel.locator(byTestId('run-history')).locator('button', { hasText: 'Refresh' }).click();
          return false;
        },
        Boolean,
        'the run in the history',
      );
      expect(g.problems).toEqual([]);

      await g.panel.locator(byTestId('nav-catalog')).click();
      await g.panel.locator(`${byTestId('catalog-entry')}[data-key="ghl.appointment.no_show"]`).waitFor();
      await shoot(g, 'catalog');
    } finally {
      const { body } = await admin.call<{ recipes: { id: string; template: string | null }[] }>(
        'GET',
        '/api/automations',
      );
      for (const r of body.recipes.filter((x) => x.template === 'milestone-task'))
        await admin.call('DELETE', `/api/automations/recipes/${r.id}`);
      await emu.act({ locationId: fitness.id, action: 'contact.delete', contactId: contact.id });
    }
  });

  it('builds a recipe in the editor (condition, two steps, a delay); a matching note in GHL runs it', async () => {
    const { fitness } = demo;
    const admin = await apiSession(appUrl, emu, demo.companyId, fitness.id, fitness.admin);
    const u = unique();
    const { contact } = await emu.act<{ contact: GhlContact }>({
      locationId: fitness.id,
      action: 'contact.create',
      data: { firstName: 'Edda', lastName: `Editor${u}`, email: `edda.${u}@example.com` },
    });
    try {
      const g = await openGhl(browser, emulatorUrl, appUrl, { locationId: fitness.id });
      open.push(g);
      await waitSignedIn(g, `${fitness.admin.firstName} ${fitness.admin.lastName}`);
      await g.panel.locator(byTestId('nav-automations')).click();
      await g.panel.locator(byTestId('recipe-new')).click();
      const editor = g.panel.locator(byTestId('recipe-editor'));
      await editor.locator(byTestId('recipe-name')).fill(`Notes to tasks ${u}`);
      await editor.locator(byTestId('recipe-trigger')).selectOption('ghl.note.created');
      await editor.locator(byTestId('add-condition')).click();
      const condition = editor.locator(byTestId('condition-row'));
      await condition.getByLabel('Condition', { exact: true }).selectOption('field');
      await condition.getByLabel('Field path').fill('note.body');
      await condition.getByLabel('Comparison').selectOption('contains');
      await condition.getByLabel('Value', { exact: true }).fill(`check ${u}`);
      await editor.locator(byTestId('step-0-title')).fill('Follow the note: {{note.body}}');
      await editor.locator(byTestId('add-step')).click();
      await editor.getByLabel('Step 2 action').selectOption('ghl.note.create');
      await editor.getByLabel('Step 2 timing', { exact: true }).selectOption('after');
      await editor.getByLabel('Step 2 timing minutes or hour').fill('120');
      await editor.locator(byTestId('step-1-body')).fill('Checked two hours later');
      await shoot(g, 'recipe-editor', editor);
      await editor.locator(byTestId('recipe-save')).click();
      await g.panel.locator(byTestId('toast'), { hasText: 'Recipe saved' }).first().waitFor();
      await g.panel.locator(byTestId('recipe-item'), { hasText: `Notes to tasks ${u}` }).waitFor();

      const saved = (await admin.call<{ recipes: any[] }>('GET', '/api/automations')).body.recipes.find(
        (r) => r.name === `Notes to tasks ${u}`,
      );
      expect(saved).toMatchObject({
        enabled: true,
        trigger: 'ghl.note.created',
        conditions: [{ type: 'field', path: 'note.body', op: 'contains', value: `check ${u}` }],
        steps: [
          {
            action: 'ghl.task.create',
            input: { title: 'Follow the note: {{note.body}}' },
            delay: { type: 'now' },
          },
          {
            action: 'ghl.note.create',
            input: { body: 'Checked two hours later' },
            delay: { type: 'after', minutes: 120 },
          },
        ],
      });
      await emu.act({
        locationId: fitness.id,
        action: 'note.create',
        contactId: contact.id,
        data: { body: 'unrelated note' },
      });
      await emu.act({
        locationId: fitness.id,
        action: 'note.create',
        contactId: contact.id,
        data: { body: `sales check ${u}` },
      });
      const state = await until(
        () => emu.state(fitness.id),
        (s) => s.tasks.some((t) => t.contactId === contact.id),
        'the recipe task in GHL',
      );
      expect(state.tasks.filter((t) => t.contactId === contact.id).map((t) => t.title)).toEqual([
        `Follow the note: sales check ${u}`,
      ]);
      expect(g.problems).toEqual([]);
    } finally {
      const { body } = await admin.call<{ recipes: { id: string; name: string }[] }>(
        'GET',
        '/api/automations',
      );
      for (const r of body.recipes.filter((x) => x.name === `Notes to tasks ${u}`))
        await admin.call('DELETE', `/api/automations/recipes/${r.id}`);
      await emu.act({ locationId: fitness.id, action: 'contact.delete', contactId: contact.id });
    }
  });

  it('edits "stop when" and a task\'s due time; a due time the trigger cannot give is refused with a clear error', async () => {
    const { fitness } = demo;
    const admin = await apiSession(appUrl, emu, demo.companyId, fitness.id, fitness.admin);
    const u = unique();
    const name = `Prep before ${u}`;
    try {
      const g = await openGhl(browser, emulatorUrl, appUrl, { locationId: fitness.id });
      open.push(g);
      await waitSignedIn(g, `${fitness.admin.firstName} ${fitness.admin.lastName}`);
      await g.panel.locator(byTestId('nav-automations')).click();
      await g.panel.locator(byTestId('recipe-new')).click();
      const editor = g.panel.locator(byTestId('recipe-editor'));
      await editor.locator(byTestId('recipe-name')).fill(name);
      await editor.locator(byTestId('recipe-trigger')).selectOption('ghl.contact.tag_added');
      await editor.locator(byTestId('step-0-title')).fill('Prepare the call');
      await editor.getByLabel('Step 1 due', { exact: true }).selectOption('before_appointment');
      await editor.getByLabel('Step 1 due minutes or hour').fill('90');
      await editor.locator(byTestId('recipe-save')).click();
      const error = editor.locator(byTestId('form-error'));
      await error.waitFor();
      expect(await error.textContent()).toBe(
        'Step 1: its due time "90 min before the appointment" needs a trigger about an appointment.',
      );
      await shoot(g, 'recipe-editor-error', editor);

      await editor.locator(byTestId('recipe-trigger')).selectOption('ghl.appointment.booked');
      await editor.locator(byTestId('stop-ghl.appointment.cancelled')).check();
      await editor.locator(byTestId('stop-partner.booking.cancelled')).check();
      await editor.locator(byTestId('stop-partner.booking.cancelled')).uncheck();
      await editor.locator(byTestId('stop-close-tasks')).uncheck();
      await editor.locator(byTestId('recipe-save')).click();
      await g.panel.locator(byTestId('toast'), { hasText: 'Recipe saved' }).first().waitFor();
      const saved = (await admin.call<{ recipes: any[] }>('GET', '/api/automations')).body.recipes.find(
        (r) => r.name === name,
      );
      expect(saved).toMatchObject({
        trigger: 'ghl.appointment.booked',
        stopOn: { triggers: ['ghl.appointment.cancelled'], closeTasks: false },
        steps: [
          {
            action: 'ghl.task.create',
            input: { title: 'Prepare the call', due: { type: 'before_appointment', minutes: 90 } },
          },
        ],
      });
      expect(g.problems).toEqual([]);
    } finally {
      const { body } = await admin.call<{ recipes: { id: string; name: string }[] }>(
        'GET',
        '/api/automations',
      );
      for (const r of body.recipes.filter((x) => x.name === name))
        await admin.call('DELETE', `/api/automations/recipes/${r.id}`);
    }
  });

  it('the Catalog page runs a partner write and an engine operation on a contact of the demo sub-account', async () => {
    const location = demo.dental.id === partners.locationId ? demo.dental : demo.fitness;
    const u = unique();
    const { contact } = await emu.act<{ contact: GhlContact }>({
      locationId: location.id,
      action: 'contact.create',
      data: { firstName: 'Cato', lastName: `Log${u}`, email: `cato.${u}@example.com` },
    });
    try {
      const g = await openGhl(browser, emulatorUrl, appUrl, { locationId: location.id });
      open.push(g);
      await waitSignedIn(g, `${location.admin.firstName} ${location.admin.lastName}`);
      await g.panel.locator(byTestId('nav-catalog')).click();

      const note = g.panel.locator(`${byTestId('catalog-entry')}[data-key="partner.note.create"]`);
      await note.locator('button', { hasText: 'Run on a contact' }).click();
      await note.getByLabel('Contact id').fill(contact.id);
      await note.locator(byTestId('run-connectionId')).fill(partners.yourapp!);
      await note.locator(byTestId('run-body')).fill(`Written from the catalog ${u}`);
      await note.locator('button[type="submit"]').click();
      await g.panel.locator(byTestId('toast'), { hasText: 'Done' }).first().waitFor();
      const state = (await (await fetch(`${partners.yourappUrl}/_partner/state`)).json()) as {
        objects: { note: { body: string; contact?: { ghlId?: string } }[] };
      };
      expect(state.objects.note.find((n) => n.body === `Written from the catalog ${u}`)?.contact?.ghlId).toBe(
        contact.id,
      );

      const backfill = g.panel.locator(`${byTestId('catalog-entry')}[data-key="engine.backfill.start"]`);
      expect(await backfill.textContent()).toContain('admins only');
      await backfill.locator('button', { hasText: 'Run on a contact' }).click();
      await backfill.getByLabel('Contact id').fill(contact.id);
      await backfill.locator(byTestId('run-connectionId')).fill(partners.yourapp!);
      await backfill.locator(byTestId('run-only')).selectOption('contact');
      await shoot(g, 'catalog-run', backfill);
      await backfill.locator('button[type="submit"]').click();
      await g.panel.locator(byTestId('toast'), { hasText: '"only":"contact"' }).first().waitFor();
      await until(
        async () =>
          (await (await fetch(`${partners.yourappUrl}/_partner/state`)).json()) as {
            objects: { contact: { ghlId?: string }[] };
          },
        (s) => s.objects.contact.some((c) => c.ghlId === contact.id),
        'the contact backfilled to your app',
      );
      expect(g.problems).toEqual([]);
    } finally {
      await emu.act({ locationId: location.id, action: 'contact.delete', contactId: contact.id });
    }
  });
});
