import * as v from 'valibot';
import { GhlError } from '../../ghl/errors.ts';
import type { GhlAppointment, GhlContact } from '../../ghl/types.ts';
import { Delay } from '../model.ts';
import { hasUpcoming } from '../conditions.ts';
import { delayFromRun, ghlCreateKey } from './action-helpers.ts';
import { ENGINE_ACTIONS } from './engine-actions.ts';
import { PARTNER_ACTIONS } from './partner-actions.ts';
import { action, type ActionContext, type ActionOperation } from './types.ts';

const Text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max));
const Tags = v.pipe(
  v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100))),
  v.minLength(1),
  v.maxLength(10),
);

const DAY_MIN = 24 * 60;

/** The contact's next upcoming appointment (not cancelled), if any. */
async function nextUpcoming(
  ctx: ActionContext,
  known?: GhlAppointment[],
): Promise<GhlAppointment | undefined> {
  const list = known ?? (await ctx.ghl.listAppointments(ctx.contactId));
  return list
    .filter((a) => hasUpcoming([a], ctx.now))
    .sort((a, b) => Date.parse(a.startTime ?? '') - Date.parse(b.startTime ?? ''))[0];
}

/** Every action a recipe (or the panel) can run; each handler is the code that runs it. */
export const ACTIONS: readonly ActionOperation[] = [
  action({
    key: 'ghl.task.create',
    group: 'ghl',
    label: 'Add a task',
    description: 'Adds a task to the contact in HighLevel, due when you say (default: in one day).',
    scope: 'contacts.write',
    input: v.object({
      title: v.pipe(
        Text(255),
        v.description('Task title; {{contact.firstName}} and other placeholders are filled in'),
      ),
      body: v.optional(v.pipe(v.string(), v.maxLength(5000), v.description('Task description'))),
      due: v.optional(v.pipe(Delay, v.description('When the task is due, counted from when the step runs'))),
      dueDate: v.optional(
        v.pipe(
          v.string(),
          v.maxLength(100),
          v.description(
            'An exact due time (ISO 8601, or a placeholder such as {{task.dueDate}}); wins over due when it is a date',
          ),
        ),
      ),
    }),
    sample: { title: 'Welcome call with {{contact.firstName}}', due: { type: 'next_business_day', hour: 9 } },
    async run(ctx, input) {
      const exact = Date.parse(input.dueDate ?? '');
      const due = Number.isNaN(exact)
        ? await delayFromRun(
            ctx,
            input.due ?? { type: 'after', minutes: DAY_MIN },
            ctx.now + DAY_MIN * 60_000,
          )
        : exact;
      const fields = {
        title: input.title,
        ...(input.body ? { body: input.body } : {}),
        dueDate: new Date(due).toISOString(),
        completed: false,
      };
      const task = await ctx.ghl.createTask(ctx.contactId, fields, await ghlCreateKey(ctx, 'task', fields));
      ctx.wrote(`task:${task.id}`);
      return { taskId: task.id, dueDate: new Date(due).toISOString() };
    },
  }),
  action({
    key: 'ghl.note.create',
    group: 'ghl',
    label: 'Add a note',
    description: 'Adds a note to the contact in HighLevel.',
    scope: 'contacts.write',
    input: v.object({ body: v.pipe(Text(20_000), v.description('Note text; placeholders are filled in')) }),
    sample: { body: 'Book your first call: https://example.com/book' },
    async run(ctx, input) {
      const fields = { body: input.body };
      const note = await ctx.ghl.createNote(ctx.contactId, fields, await ghlCreateKey(ctx, 'note', fields));
      ctx.wrote(`note:${note.id}`);
      return { noteId: note.id };
    },
  }),
  action({
    key: 'ghl.tags.add',
    group: 'ghl',
    label: 'Add tags',
    description: 'Puts tags on the contact in HighLevel.',
    scope: 'contacts.write',
    input: v.object({ tags: v.pipe(Tags, v.description('Tags to add')) }),
    sample: { tags: ['no-show'] },
    async run(ctx, input) {
      for (const tag of input.tags) ctx.wrote(`tag:${tag.toLowerCase()}`);
      const tags = await ctx.ghl.addTags(ctx.contactId, input.tags);
      return { tags };
    },
  }),
  action({
    key: 'ghl.tags.remove',
    group: 'ghl',
    label: 'Remove tags',
    description: 'Takes tags off the contact in HighLevel.',
    scope: 'contacts.write',
    input: v.object({ tags: v.pipe(Tags, v.description('Tags to remove')) }),
    sample: { tags: ['lead'] },
    async run(ctx, input) {
      for (const tag of input.tags) ctx.wrote(`untag:${tag.toLowerCase()}`);
      const tags = await ctx.ghl.removeTags(ctx.contactId, input.tags);
      return { tags };
    },
  }),
  action({
    key: 'ghl.tasks.close',
    group: 'ghl',
    label: "Close this recipe's tasks",
    description: 'Completes the open tasks this recipe added for the same appointment.',
    scope: 'contacts.write',
    input: v.object({}),
    sample: {},
    async run(ctx) {
      const closed: string[] = [];
      for (const id of ctx.recipeTasks()) {
        try {
          await ctx.ghl.completeTask(ctx.contactId, id, true);
          closed.push(id);
        } catch (err) {
          // Deleted meanwhile: nothing left to close.
          if (!(err instanceof GhlError && (err.kind === 'not_found' || err.kind === 'wrong_location')))
            throw err;
        }
      }
      return { closed };
    },
  }),
  action({
    key: 'ghl.appointment.create',
    group: 'ghl',
    label: 'Book an appointment',
    description: 'Books the contact into a HighLevel calendar at a time you say, for a length you say.',
    scope: 'calendars/events.write',
    input: v.object({
      title: v.pipe(Text(255), v.description('Appointment title; placeholders are filled in')),
      calendarId: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^[A-Za-z0-9_-]{0,64}$/),
          v.description("Calendar id; empty: the location's first active calendar"),
        ),
      ),
      start: v.optional(
        v.pipe(
          Delay,
          v.description(
            "When it starts, counted from when the step runs (default: next business day 09:00, the location's time)",
          ),
        ),
      ),
      lengthMinutes: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(5),
          v.maxValue(24 * 60),
          v.description('Length in minutes (default 30)'),
        ),
      ),
    }),
    sample: {
      title: 'Strategy call with {{contact.name}}',
      lengthMinutes: 60,
      start: { type: 'next_business_day', hour: 10 },
    },
    async run(ctx, input) {
      const start = await delayFromRun(
        ctx,
        input.start ?? { type: 'next_business_day', hour: 9, minute: 0, utcOffsetMinutes: 0 },
        ctx.now + DAY_MIN * 60_000,
      );
      const end = start + (input.lengthMinutes ?? 30) * 60_000;
      const calendarId =
        input.calendarId || (await ctx.ghl.listCalendars()).find((c) => c.isActive !== false)?.id;
      if (!calendarId) throw new Error('the location has no active calendar');
      // Run again after a lost answer: the appointment that run made is taken, not booked twice.
      const landed = ctx.rerun
        ? (await ctx.ghl.listAppointments(ctx.contactId)).find(
            (a) =>
              a.calendarId === calendarId &&
              a.title === input.title &&
              Date.parse(a.startTime ?? '') === start &&
              a.appointmentStatus !== 'cancelled',
          )
        : undefined;
      const appointment =
        landed ??
        (await ctx.ghl.createAppointment({
          calendarId,
          contactId: ctx.contactId,
          title: input.title,
          startTime: new Date(start).toISOString(),
          endTime: new Date(end).toISOString(),
          appointmentStatus: 'confirmed',
          ignoreFreeSlotValidation: true,
        }));
      ctx.wrote(`appointment:${appointment.id}`);
      return {
        appointmentId: appointment.id,
        calendarId,
        startTime: new Date(start).toISOString(),
        endTime: new Date(end).toISOString(),
      };
    },
  }),
  action({
    key: 'ghl.appointments.update_upcoming',
    group: 'ghl',
    label: 'Update upcoming appointments',
    description:
      "Rewrites the title and notes of the contact's upcoming appointments (the sync carries them to connected apps).",
    scope: 'calendars/events.write',
    input: v.object({
      title: v.optional(
        v.pipe(v.string(), v.maxLength(255), v.description('New title; placeholders are filled in')),
      ),
      notes: v.optional(
        v.pipe(v.string(), v.maxLength(5000), v.description('New notes; placeholders are filled in')),
      ),
    }),
    sample: {
      title: 'Call with {{contact.name}}',
      notes: 'Reach {{contact.name}} at {{contact.phone}}, {{contact.email}}',
    },
    async run(ctx, input) {
      const upcoming = (await ctx.ghl.listAppointments(ctx.contactId)).filter((a) =>
        hasUpcoming([a], ctx.now),
      );
      const updated: string[] = [];
      for (const a of upcoming) {
        const change: Record<string, unknown> = {};
        if (input.title?.trim() && input.title !== a.title) change.title = input.title;
        if (input.notes?.trim() && input.notes !== (a.notes ?? '')) change.notes = input.notes;
        // Already as wanted: no write, so a repeated contact update changes nothing.
        if (!Object.keys(change).length) continue;
        await ctx.ghl.updateAppointment(a.id, change);
        ctx.wrote(`appointment:${a.id}`);
        updated.push(a.id);
      }
      return { updated, upcoming: upcoming.length };
    },
  }),
  action({
    key: 'ghl.appointment.cancel',
    group: 'ghl',
    label: 'Cancel an appointment',
    description:
      'Cancels an appointment of the contact (default: the next upcoming one); the sync cancels it in connected apps.',
    scope: 'calendars/events.write',
    input: v.object({
      appointmentId: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^[A-Za-z0-9_-]{0,64}$/),
          v.description('Appointment id; empty: the next upcoming one'),
        ),
      ),
    }),
    sample: {},
    async run(ctx, input) {
      const id = input.appointmentId || (await nextUpcoming(ctx))?.id;
      if (!id) return { cancelled: false, appointmentId: null };
      await ctx.ghl.updateAppointment(id, { appointmentStatus: 'cancelled' });
      ctx.wrote(`appointment:${id}`);
      return { cancelled: true, appointmentId: id };
    },
  }),
  action({
    key: 'ghl.appointment.reschedule',
    group: 'ghl',
    label: 'Reschedule an appointment',
    description:
      'Moves an appointment of the contact (default: the next upcoming one), keeping its length; the sync moves it in connected apps.',
    scope: 'calendars/events.write',
    input: v.object({
      appointmentId: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^[A-Za-z0-9_-]{0,64}$/),
          v.description('Appointment id; empty: the next upcoming one'),
        ),
      ),
      start: v.optional(v.pipe(Delay, v.description('The new start, counted from when the step runs'))),
      startTime: v.optional(
        v.pipe(
          v.string(),
          v.maxLength(100),
          v.description('An exact new start (ISO 8601 or a placeholder); wins over start when it is a date'),
        ),
      ),
    }),
    sample: { start: { type: 'next_business_day', hour: 9 } },
    async run(ctx, input) {
      const appointments = await ctx.ghl.listAppointments(ctx.contactId);
      const current = input.appointmentId
        ? appointments.find((a) => a.id === input.appointmentId)
        : await nextUpcoming(ctx, appointments);
      if (!current) return { rescheduled: false, appointmentId: null };
      const exact = Date.parse(input.startTime ?? '');
      const start = Number.isNaN(exact)
        ? await delayFromRun(
            ctx,
            input.start ?? { type: 'next_business_day', hour: 9, minute: 0, utcOffsetMinutes: 0 },
            ctx.now,
          )
        : exact;
      const length =
        Math.max(0, Date.parse(current.endTime ?? '') - Date.parse(current.startTime ?? '')) || 30 * 60_000;
      const startTime = new Date(start).toISOString();
      const endTime = new Date(start + length).toISOString();
      await ctx.ghl.updateAppointment(current.id, { startTime, endTime, ignoreFreeSlotValidation: true });
      ctx.wrote(`appointment:${current.id}`);
      return { rescheduled: true, appointmentId: current.id, startTime, endTime };
    },
  }),
  action({
    key: 'ghl.booking_link.send',
    group: 'ghl',
    label: 'Send a booking link',
    description: 'Puts a booking link on the contact as a note, with your message; answers the link.',
    scope: 'contacts.write',
    input: v.object({
      url: v.pipe(v.string(), v.url('must be a URL'), v.maxLength(2000), v.description('The booking page')),
      message: v.optional(v.pipe(v.string(), v.maxLength(2000), v.description('Text before the link'))),
    }),
    sample: { url: 'https://cal.com/team/intro', message: 'Pick a time that suits you:' },
    async run(ctx, input) {
      const fields = { body: `${input.message ?? 'Book a time:'} ${input.url}`.trim() };
      const note = await ctx.ghl.createNote(ctx.contactId, fields, await ghlCreateKey(ctx, 'note', fields));
      ctx.wrote(`note:${note.id}`);
      return { bookingUrl: input.url, noteId: note.id };
    },
  }),
  action({
    key: 'ghl.appointments.has_upcoming',
    group: 'ghl',
    label: 'Has an upcoming appointment?',
    description:
      "Checks the contact's appointments; answers yes or no (a branch in GHL workflows) and the next start.",
    scope: 'calendars/events.readonly',
    input: v.object({}),
    sample: {},
    async run(ctx) {
      const appointments = await ctx.ghl.listAppointments(ctx.contactId);
      const upcoming = hasUpcoming(appointments, ctx.now);
      const next =
        appointments
          .map((a) => a.startTime ?? '')
          .filter((t) => Date.parse(t) > ctx.now)
          .sort()[0] ?? null;
      return {
        upcoming,
        nextStartTime: upcoming ? next : null,
        branchId: upcoming ? 'has_upcoming' : 'no_upcoming',
      };
    },
  }),
  action({
    key: 'engine.contact.push',
    group: 'sync',
    label: 'Push the contact to connected apps now',
    description: 'Hands the contact as HighLevel holds it to the sync, at once, for every connected app.',
    scope: 'contacts.readonly',
    input: v.object({}),
    sample: {},
    async run(ctx) {
      return ctx.pushToPartners();
    },
  }),
  action({
    key: 'partner.contact.find',
    group: 'partner',
    label: "Find the partner's record",
    description: "Answers the contact's id in each connected app (or one), from the sync's ID map.",
    scope: null,
    input: v.object({
      connectionId: v.optional(
        v.pipe(v.string(), v.maxLength(100), v.description('Only this connection; empty: all')),
      ),
    }),
    sample: {},
    async run(ctx, input) {
      const records = (await ctx.partnerRecords()).filter(
        (r) => !input.connectionId || r.connectionId === input.connectionId,
      );
      return {
        found: records.length > 0,
        partnerId: records[0]?.partnerId ?? null,
        connectionId: records[0]?.connectionId ?? null,
        records,
      };
    },
  }),
  action({
    key: 'ghl.contacts.by_business',
    group: 'ghl',
    label: "Find the business's contacts",
    description:
      "Lists the contacts of a business (GET /contacts/business/:businessId); default: the contact's own business.",
    scope: 'contacts.readonly',
    input: v.object({
      businessId: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^[A-Za-z0-9_-]{0,64}$/),
          v.description("Business id; empty: the contact's business"),
        ),
      ),
      query: v.optional(v.pipe(v.string(), v.maxLength(100), v.description('Text to match'))),
    }),
    sample: { businessId: 'business_id' },
    async run(ctx, input) {
      const businessId = input.businessId || ctx.data.contact?.businessId;
      if (!businessId) return { count: 0, contactIds: [], note: 'the contact belongs to no business' };
      const res = await ctx.ghl.call<{ contacts: GhlContact[]; count?: number }>({
        method: 'GET',
        path: `/contacts/business/${encodeURIComponent(businessId)}`,
        query: { locationId: ctx.locationId, limit: '25', ...(input.query ? { query: input.query } : {}) },
        version: '2021-07-28',
      });
      const mine = res.contacts.filter((c) => c.locationId === undefined || c.locationId === ctx.locationId);
      return { count: res.count ?? mine.length, contactIds: mine.map((c) => c.id) };
    },
  }),
  ...PARTNER_ACTIONS,
  ...ENGINE_ACTIONS,
];
