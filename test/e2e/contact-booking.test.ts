/**
 * The contact screen's booking and people in a real browser: book an appointment on a free slot,
 * move it, cancel it, and assign a task to a user picked by name, each checked in the GHL emulator.
 * Runs on Northwind Fitness, which has no partner connected, so nothing else reacts to the changes.
 */
import type { Browser } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserSuite, openGhl, shoot, waitSignedIn, type GhlPage } from './browser.ts';
import { emulatorClient, unique, until, type Demo, type DemoUser, type GhlContact } from './harness.ts';

const appUrl = inject('appUrl');
const emulatorUrl = inject('emulatorUrl');
const emu = emulatorClient(emulatorUrl);

let browser: Browser;
let demo: Demo;
const open: GhlPage[] = [];

browserSuite(emu, open, (b, d) => {
  browser = b;
  demo = d;
});

const fullName = (u: DemoUser) => `${u.firstName} ${u.lastName}`;
const byTestId = (id: string) => `[data-testid="${id}"]`;
const toast = (g: GhlPage, text: string) =>
  g.panel.locator(byTestId('toast'), { hasText: text }).first().waitFor();

type Appointment = { id: string; contactId: string; startTime: string; appointmentStatus: string };
type Task = { id: string; contactId: string; title: string; assignedTo?: string };
const appointmentsOf = async (locationId: string, contactId: string) =>
  ((await emu.state(locationId)).appointments as unknown as Appointment[]).filter(
    (a) => a.contactId === contactId,
  );

/** A fresh contact of Fitness, opened in the panel as its admin. */
async function openContact(): Promise<{ g: GhlPage; contact: GhlContact }> {
  const { fitness } = demo;
  const lastName = `Booker${unique()}`;
  const { contact } = await emu.act<{ contact: GhlContact }>({
    locationId: fitness.id,
    action: 'contact.create',
    data: { firstName: 'Bea', lastName, email: `bea.${lastName.toLowerCase()}@example.com` },
  });
  const g = await openGhl(browser, emulatorUrl, appUrl, { locationId: fitness.id });
  open.push(g);
  await waitSignedIn(g, fullName(fitness.admin));
  await g.panel.locator(byTestId('contact-search')).fill(lastName);
  await g.panel.locator(`${byTestId('contact-row')}[data-contact-id="${contact.id}"]`).click();
  await g.panel.locator(byTestId('timeline')).locator(byTestId('empty-state')).waitFor();
  return { g, contact };
}

describe('appointments from the contact timeline', () => {
  it('books a free slot, moves it to another, and cancels it after confirming; GHL holds each change', async () => {
    const { fitness } = demo;
    const { g, contact } = await openContact();
    // The Idempotency-Key of each booking request the panel sends.
    const bookingKeys: (string | undefined)[] = [];
    g.page.on('request', (r) => {
      if (r.method() === 'POST' && /^\/api\/contacts\/[^/]+\/appointments$/.test(new URL(r.url()).pathname))
        bookingKeys.push(r.headers()['idempotency-key']);
    });
    try {
      await g.panel.locator(byTestId('book-appointment')).click();
      const form = g.panel.locator(byTestId('booking-form'));
      const slots = form.locator(byTestId('booking-slot'));
      await slots.first().waitFor();
      expect(await form.locator(byTestId('booking-calendar')).inputValue()).toBe(fitness.calendarId);
      const first = (await slots.nth(0).getAttribute('data-start'))!;
      await slots.nth(0).click();
      expect(await slots.nth(0).getAttribute('aria-pressed')).toBe('true');
      await form.locator(byTestId('booking-title')).fill('Intro session');
      await shoot(g, 'booking-form', form);
      // A double click is one booking: every request it sends carries the action's one key.
      await form.locator(byTestId('booking-submit')).dblclick();
      await form.waitFor({ state: 'detached' });
      await toast(g, 'Appointment booked');

      const [booked] = await until(
        () => appointmentsOf(fitness.id, contact.id),
        (list) => list.length === 1,
        'the appointment in GHL',
      );
      expect(bookingKeys.length).toBeGreaterThanOrEqual(1);
      expect(bookingKeys[0]).toMatch(/^[A-Za-z0-9_.:-]{8,128}$/);
      expect(new Set(bookingKeys).size).toBe(1);
      expect(Date.parse(booked!.startTime)).toBe(Date.parse(first));
      expect(booked!.appointmentStatus).toBe('confirmed');
      const item = g.panel.locator(`${byTestId('timeline-item')}[data-id="${booked!.id}"]`);
      await item.locator('.tl-title', { hasText: 'Intro session' }).waitFor();

      // Move it: the booked time is no longer offered, another one is picked.
      await item.locator(byTestId('appointment-reschedule')).click();
      const move = g.panel.locator(byTestId('booking-form'));
      await move.locator(byTestId('booking-slot')).first().waitFor();
      expect(await move.locator(`${byTestId('booking-slot')}[data-start="${first}"]`).count()).toBe(0);
      const next = move.locator(byTestId('booking-slot')).nth(2);
      const second = (await next.getAttribute('data-start'))!;
      await next.click();
      await shoot(g, 'booking-reschedule', move);
      await move.locator(byTestId('booking-submit')).click();
      await move.waitFor({ state: 'detached' });
      await toast(g, 'Appointment moved');
      await until(
        () => appointmentsOf(fitness.id, contact.id),
        (list) => list.length === 1 && Date.parse(list[0]!.startTime) === Date.parse(second),
        'the appointment moved in GHL',
      );

      // Cancel it, after a confirmation that names it.
      await item.locator(byTestId('appointment-cancel')).click();
      const dialog = g.panel.locator(byTestId('confirm-dialog'));
      await dialog.getByText('Intro session').waitFor();
      await shoot(g, 'appointment-cancel', dialog);
      await dialog.locator(byTestId('confirm-ok')).click();
      await toast(g, 'Appointment cancelled');
      await until(
        () => appointmentsOf(fitness.id, contact.id),
        (list) => list[0]?.appointmentStatus === 'cancelled',
        'the appointment cancelled in GHL',
      );
      await item.locator('.badge', { hasText: 'cancelled' }).waitFor();
      expect(await item.locator(byTestId('appointment-cancel')).count()).toBe(0);
      expect(g.problems).toEqual([]);
    } finally {
      await emu.act({ locationId: fitness.id, action: 'contact.delete', contactId: contact.id });
    }
  });
});

describe('people on the timeline', () => {
  it('assigns a task to a user chosen by name and names the assignee and the note author', async () => {
    const { fitness } = demo;
    const { g, contact } = await openContact();
    try {
      const title = `Plan the first month ${unique()}`;
      await g.panel.locator(byTestId('add-task')).click();
      const form = g.panel.locator(byTestId('task-form'));
      await form.locator(byTestId('task-title')).fill(title);
      const assignee = form.locator(byTestId('task-assignee'));
      await assignee.locator('option', { hasText: fullName(fitness.user) }).waitFor({ state: 'attached' });
      await assignee.selectOption({ label: fullName(fitness.user) });
      await shoot(g, 'task-assignee', form);
      await form.locator(byTestId('task-submit')).click();
      await toast(g, 'Task created');
      const state = await until(
        () => emu.state(fitness.id),
        (s) => (s.tasks as Task[]).some((t) => t.contactId === contact.id && t.title === title),
        'the task in GHL',
      );
      const task = (state.tasks as Task[]).find((t) => t.title === title)!;
      expect(task.assignedTo).toBe(fitness.user.id);
      const taskItem = g.panel.locator(`${byTestId('timeline-item')}[data-id="${task.id}"]`);
      await taskItem
        .locator(byTestId('timeline-assignee'), { hasText: `Assigned to ${fullName(fitness.user)}` })
        .waitFor();
      await taskItem
        .locator(byTestId('timeline-creator'), { hasText: `Created by ${fullName(fitness.admin)}` })
        .waitFor();

      await g.panel.locator(byTestId('add-note')).click();
      await g.panel.locator(byTestId('note-body')).fill('Prefers mornings.');
      await g.panel.locator(byTestId('note-submit')).click();
      await toast(g, 'Note added');
      const noteItem = g.panel.locator(`${byTestId('timeline-item')}[data-kind="note"]`);
      await noteItem
        .locator(byTestId('timeline-author'), { hasText: `by ${fullName(fitness.admin)}` })
        .waitFor();
      await noteItem.locator(byTestId('timeline-origin'), { hasText: 'HighLevel' }).waitFor();
      const stored = await until(
        () => emu.state(fitness.id),
        (s) => s.notes.some((n) => n.contactId === contact.id),
        'the note in GHL',
      );
      expect(stored.notes.find((n) => n.contactId === contact.id)).toMatchObject({
        userId: fitness.admin.id,
      });

      // Reassigned in the edit form, by name again.
      await taskItem.locator(byTestId('task-edit')).click();
      const edit = g.panel.locator(byTestId('task-form'));
      expect(await edit.locator(byTestId('task-assignee')).inputValue()).toBe(fitness.user.id);
      await edit.locator(byTestId('task-assignee')).selectOption({ label: fullName(fitness.admin) });
      await edit.locator(byTestId('task-submit')).click();
      await toast(g, 'Task saved');
      await until(
        () => emu.state(fitness.id),
        (s) => (s.tasks as Task[]).some((t) => t.id === task.id && t.assignedTo === fitness.admin.id),
        'the task reassigned in GHL',
      );
      await taskItem
        .locator(byTestId('timeline-assignee'), { hasText: `Assigned to ${fullName(fitness.admin)}` })
        .waitFor();
      expect(g.problems).toEqual([]);
      await shoot(g, 'timeline-people', g.panel.locator(byTestId('timeline')));
    } finally {
      await emu.act({ locationId: fitness.id, action: 'contact.delete', contactId: contact.id });
    }
  });
});
