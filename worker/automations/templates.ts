import type { RecipeDefinition } from './model.ts';

/** A ready-made recipe an admin enables with one click (and may edit afterwards). */
export interface Template {
  id: string;
  definition: RecipeDefinition;
}

const tpl = (id: string, definition: RecipeDefinition): Template => ({ id, definition });

/**
 * The templates. Each is a plain recipe over catalog operations, so what a template does is
 * exactly what the same recipe built by hand would do.
 */
export const TEMPLATES: readonly Template[] = [
  tpl('welcome-task', {
    name: 'Welcome follow-up task',
    description: 'A new contact gets a "welcome call" task, due the next business day at 09:00.',
    trigger: 'ghl.contact.created',
    conditions: [],
    steps: [
      {
        action: 'ghl.task.create',
        input: {
          title: 'Welcome call with {{contact.name | the new contact}}',
          body: 'Say hello and ask what they need.',
          due: { type: 'next_business_day', hour: 9, minute: 0, utcOffsetMinutes: 0 },
        },
        delay: { type: 'now' },
        when: [],
      },
    ],
  }),
  tpl('first-appointment', {
    name: 'Propose a first appointment',
    description:
      'A new contact gets a note with your booking link; if nothing is booked two days later, a "chase" task.',
    trigger: 'ghl.contact.created',
    conditions: [],
    steps: [
      {
        action: 'ghl.note.create',
        input: { body: 'Proposed a first meeting. Booking link: https://example.com/book' },
        delay: { type: 'now' },
        when: [],
      },
      {
        action: 'ghl.task.create',
        input: { title: 'Chase {{contact.name | the contact}}: no appointment booked yet' },
        delay: { type: 'after', minutes: 2 * 24 * 60 },
        when: [{ type: 'upcoming_appointment', value: false }],
      },
    ],
  }),
  tpl('booking-prep-follow-up', {
    name: 'Prepare and follow up a booking',
    description:
      'A booked appointment gets a preparation task due one hour before it and, an hour after it ends, a follow-up task. A cancellation stops both and closes the tasks.',
    trigger: 'ghl.appointment.booked',
    conditions: [],
    steps: [
      {
        action: 'ghl.task.create',
        input: {
          title: 'Prepare: {{appointment.title | appointment}}',
          body: 'Starts {{appointment.startTime}}.',
          due: { type: 'before_appointment', minutes: 60 },
        },
        delay: { type: 'now' },
        when: [],
      },
      {
        action: 'ghl.task.create',
        input: {
          title: 'Follow up: {{appointment.title | appointment}}',
          due: { type: 'after', minutes: 24 * 60 },
        },
        delay: { type: 'after_appointment', minutes: 60 },
        when: [],
      },
    ],
    stopOn: { triggers: ['ghl.appointment.cancelled'], closeTasks: true },
  }),
  tpl('no-show', {
    name: 'No-show: tag, note and rebook',
    description:
      'A no-show gets the "no-show" tag, a note, and a task to rebook the next business day at 09:00.',
    trigger: 'ghl.appointment.no_show',
    conditions: [],
    steps: [
      { action: 'ghl.tags.add', input: { tags: ['no-show'] }, delay: { type: 'now' }, when: [] },
      {
        action: 'ghl.note.create',
        input: {
          body: 'Did not show up for "{{appointment.title | the appointment}}" ({{appointment.startTime}}).',
        },
        delay: { type: 'now' },
        when: [],
      },
      {
        action: 'ghl.task.create',
        input: {
          title: 'Rebook {{appointment.title | the appointment}}',
          due: { type: 'next_business_day', hour: 9, minute: 0, utcOffsetMinutes: 0 },
        },
        delay: { type: 'now' },
        when: [],
      },
    ],
  }),
  tpl('milestone-task', {
    name: 'Milestone tag → task',
    description: 'When a contact is tagged "qualified", a task to book the next call.',
    trigger: 'ghl.contact.tag_added',
    conditions: [{ type: 'field', path: 'tag', op: 'eq', value: 'qualified' }],
    steps: [
      {
        action: 'ghl.task.create',
        input: {
          title: 'Book a call with {{contact.name | the contact}} (qualified)',
          due: { type: 'after', minutes: 24 * 60 },
        },
        delay: { type: 'now' },
        when: [],
      },
    ],
  }),
  tpl('conditional-schedule', {
    name: 'Book a call, length by contact',
    description:
      'Tagging a contact "book-call" books a call the next business day at 10:00: an hour for contacts tagged "vip", 30 minutes for everyone else.',
    trigger: 'ghl.contact.tag_added',
    conditions: [{ type: 'field', path: 'tag', op: 'eq', value: 'book-call' }],
    steps: [
      {
        action: 'ghl.appointment.create',
        input: {
          title: 'Strategy call with {{contact.name | the contact}}',
          lengthMinutes: 60,
          start: { type: 'next_business_day', hour: 10, minute: 0, utcOffsetMinutes: 0 },
        },
        delay: { type: 'now' },
        when: [{ type: 'tag', op: 'has', tag: 'vip' }],
      },
      {
        action: 'ghl.appointment.create',
        input: {
          title: 'Intro call with {{contact.name | the contact}}',
          lengthMinutes: 30,
          start: { type: 'next_business_day', hour: 10, minute: 0, utcOffsetMinutes: 0 },
        },
        delay: { type: 'now' },
        when: [{ type: 'tag', op: 'lacks', tag: 'vip' }],
      },
    ],
  }),
  tpl('details-to-appointments', {
    name: 'Contact details into upcoming appointments',
    description:
      "When a contact's details change, their upcoming appointments show the new name, email and phone, in HighLevel and in connected apps.",
    trigger: 'ghl.contact.updated',
    conditions: [],
    steps: [
      {
        action: 'ghl.appointments.update_upcoming',
        input: {
          title: 'Call with {{contact.name | the contact}}',
          notes: 'Contact: {{contact.name}} · {{contact.email | no email}} · {{contact.phone | no phone}}',
        },
        delay: { type: 'now' },
        when: [],
      },
    ],
  }),
  tpl('daily-tag-sync', {
    name: 'Daily sync of tagged contacts',
    description: 'Every day at 06:00 UTC, each contact tagged "sync-daily" is pushed to your connected apps.',
    trigger: 'schedule.daily',
    conditions: [],
    schedule: { hour: 6, minute: 0, tag: 'sync-daily' },
    steps: [{ action: 'engine.contact.push', input: {}, delay: { type: 'now' }, when: [] }],
  }),
  tpl('partner-no-show', {
    name: 'Partner no-show → tag and rebook',
    description:
      'When a connected app marks the attendee absent, the contact gets the "no-show" tag and a rebook task.',
    trigger: 'partner.booking.no_show',
    conditions: [],
    steps: [
      { action: 'ghl.tags.add', input: { tags: ['no-show'] }, delay: { type: 'now' }, when: [] },
      {
        action: 'ghl.task.create',
        input: {
          title: 'Rebook {{contact.name | the contact}} (absent at a partner booking)',
          due: { type: 'next_business_day', hour: 9, minute: 0, utcOffsetMinutes: 0 },
        },
        delay: { type: 'now' },
        when: [],
      },
    ],
  }),
  tpl('meeting-notes', {
    name: 'Meeting notes into a HighLevel note',
    description:
      'Notes a connected app reports (such as meeting notes) are captured as a note on the contact.',
    trigger: 'partner.note.updated',
    conditions: [{ type: 'field', path: 'note.body', op: 'set' }],
    steps: [
      {
        action: 'ghl.note.create',
        input: { body: 'Meeting notes: {{note.body}}' },
        delay: { type: 'now' },
        when: [],
      },
    ],
  }),
  tpl('partner-deadline', {
    name: 'Partner deadline → HighLevel task',
    description:
      'An open task with a due date in a connected app becomes a HighLevel task due at the same time.',
    trigger: 'partner.task.updated',
    conditions: [{ type: 'field', path: 'task.completed', op: 'neq', value: 'true' }],
    steps: [
      {
        action: 'ghl.task.create',
        input: {
          title: 'Deadline: {{task.title}}',
          body: 'Due {{task.dueDate}} in the connected app.',
          dueDate: '{{task.dueDate}}',
        },
        delay: { type: 'now' },
        when: [],
      },
    ],
  }),
];

export const templateOf = (id: string) => TEMPLATES.find((t) => t.id === id);
