import * as v from 'valibot';
import type { OutboundOp, SyncAppointment, SyncKind } from '../../connectors/types.ts';
import { Delay } from '../model.ts';
import { delayFromRun, partnerKey } from './action-helpers.ts';
import { action, type ActionContext, type ActionOperation, type PartnerTarget } from './types.ts';

/**
 * Writes straight to the connected partner apps, through each connector's own API (Cal.com's
 * bookings API, your app's signed events), not through GHL and the sync. Each write carries a
 * key that is the same when its step runs again, so a write whose answer was lost is not made
 * twice (Cal.com: the booking's metadata; your app: the event's webhook-id). The partner's own
 * report of the write then reaches GHL through the sync, like any partner change.
 */

const MINUTE = 60_000;
const Id = v.pipe(v.string(), v.trim(), v.maxLength(200));
const ConnectionId = v.optional(
  v.pipe(
    Id,
    v.description("Connected app (connection id); empty: the trigger's, or the only one that takes this"),
  ),
);
const BookingId = v.optional(
  v.pipe(Id, v.description("The partner's booking id; empty: the booking the trigger is about")),
);
const ExactTime = v.pipe(
  v.string(),
  v.maxLength(100),
  v.description(
    'An exact time (ISO 8601 or a placeholder such as {{appointment.startTime}}); wins over the delay',
  ),
);

/** The connection to write to: the one named, else the trigger's, else the only one that can. */
async function targetOf(
  ctx: ActionContext,
  kind: SyncKind,
  op: OutboundOp,
  named: string | undefined,
): Promise<PartnerTarget> {
  const targets = await ctx.partners.targets(kind, op);
  const what = kind === 'appointment' ? 'bookings' : `${kind}s`;
  const wanted = named || ctx.data.connectionId;
  if (wanted) {
    const found = targets.find((t) => t.id === wanted);
    if (found) return found;
    if (named) throw new Error(`connection ${named} is not an active connected app that takes ${what}`);
  }
  if (targets.length === 1) return targets[0]!;
  if (!targets.length) throw new Error(`no active connected app takes ${what} from us`);
  throw new Error(`${targets.length} connected apps take ${what}: name one (connectionId)`);
}

/** An exact time when the input names one, else the delay's end counted from the run. */
async function timeOf(ctx: ActionContext, exact: string | undefined, delay: Delay | undefined) {
  const at = Date.parse(exact ?? '');
  if (!Number.isNaN(at)) return at;
  return delayFromRun(
    ctx,
    delay ?? { type: 'next_business_day', hour: 9, minute: 0, utcOffsetMinutes: 0 },
    ctx.now + 24 * 60 * MINUTE,
  );
}

/** The booking an action is about, and what is known of it (the trigger's data, else the sync's). */
async function bookingOf(ctx: ActionContext, target: PartnerTarget, named: string | undefined) {
  const fromTrigger =
    ctx.data.connectionId === target.id && ctx.data.appointment?.id ? ctx.data.appointment : undefined;
  const id = named || fromTrigger?.id;
  if (!id) throw new Error("name the partner's booking (bookingId): the trigger is about none");
  const known =
    fromTrigger?.id === id && fromTrigger.startTime
      ? fromTrigger
      : await ctx.partners.known(target.id, 'appointment', id);
  return { id, known: known as Partial<SyncAppointment> | null };
}

const bookingObject = (connectionId: string, id: string) => `partner_booking:${connectionId}:${id}`;

export const PARTNER_ACTIONS: readonly ActionOperation[] = [
  action({
    key: 'partner.booking.create',
    group: 'partner',
    label: 'Book in the connected app',
    description:
      "Books the contact in a connected app (Cal.com's bookings API, your app's signed API) at a time you say.",
    scope: null,
    input: v.object({
      connectionId: ConnectionId,
      title: v.pipe(
        v.string(),
        v.trim(),
        v.minLength(1),
        v.maxLength(255),
        v.description('Booking title; placeholders are filled in'),
      ),
      start: v.optional(v.pipe(Delay, v.description('When it starts, counted from when the step runs'))),
      startTime: v.optional(ExactTime),
      lengthMinutes: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(5),
          v.maxValue(24 * 60),
          v.description('Length in minutes (default 30; Cal.com keeps to what the event type offers)'),
        ),
      ),
      notes: v.optional(v.pipe(v.string(), v.maxLength(5000), v.description('Notes for the booking'))),
    }),
    sample: { title: 'Intro call with {{contact.name}}', start: { type: 'next_business_day', hour: 10 } },
    async run(ctx, input) {
      const target = await targetOf(ctx, 'appointment', 'create', input.connectionId);
      const start = await timeOf(ctx, input.startTime, input.start);
      const data: SyncAppointment = {
        title: input.title,
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + (input.lengthMinutes ?? 30) * MINUTE).toISOString(),
        status: 'confirmed',
        ...(input.notes ? { notes: input.notes } : {}),
      };
      const result = await ctx.partners.apply(
        target.id,
        { kind: 'appointment', op: 'create', data },
        partnerKey(ctx, `booking:${target.id}`),
      );
      if (result.skipped !== undefined || !result.partnerId)
        throw new Error(result.skipped ?? `${target.name} answered no booking id`);
      ctx.wrote(bookingObject(target.id, result.partnerId));
      return {
        booked: true,
        bookingId: result.partnerId,
        connectionId: target.id,
        startTime: data.startTime,
        endTime: data.endTime,
        ...(result.note ? { note: result.note } : {}),
      };
    },
  }),
  action({
    key: 'partner.booking.reschedule',
    group: 'partner',
    label: 'Move a booking in the connected app',
    description:
      'Moves a booking in a connected app (default: the one the trigger is about), keeping its length.',
    scope: null,
    input: v.object({
      connectionId: ConnectionId,
      bookingId: BookingId,
      start: v.optional(v.pipe(Delay, v.description('The new start, counted from when the step runs'))),
      startTime: v.optional(ExactTime),
    }),
    sample: { start: { type: 'next_business_day', hour: 9 } },
    async run(ctx, input) {
      const target = await targetOf(ctx, 'appointment', 'update', input.connectionId);
      const booking = await bookingOf(ctx, target, input.bookingId);
      const start = await timeOf(ctx, input.startTime, input.start);
      const was = booking.known;
      const length =
        Date.parse(was?.endTime ?? '') - Date.parse(was?.startTime ?? '') > 0
          ? Date.parse(was!.endTime!) - Date.parse(was!.startTime!)
          : 30 * MINUTE;
      const data: SyncAppointment = {
        title: was?.title || 'Appointment',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + length).toISOString(),
        status: 'confirmed',
        ...(was?.notes ? { notes: was.notes } : {}),
      };
      const result = await ctx.partners.apply(
        target.id,
        { kind: 'appointment', op: 'update', partnerId: booking.id, data },
        partnerKey(ctx, `reschedule:${target.id}:${booking.id}`),
      );
      if (result.skipped !== undefined)
        return { rescheduled: false, bookingId: booking.id, reason: result.skipped };
      const bookingId = result.partnerId ?? booking.id;
      ctx.wrote(bookingObject(target.id, bookingId));
      return {
        rescheduled: true,
        bookingId,
        previousBookingId: booking.id,
        connectionId: target.id,
        startTime: data.startTime,
        endTime: data.endTime,
      };
    },
  }),
  action({
    key: 'partner.booking.cancel',
    group: 'partner',
    label: 'Cancel a booking in the connected app',
    description: 'Cancels a booking in a connected app (default: the one the trigger is about).',
    scope: null,
    input: v.object({ connectionId: ConnectionId, bookingId: BookingId }),
    sample: {},
    async run(ctx, input) {
      const target = await targetOf(ctx, 'appointment', 'delete', input.connectionId);
      const booking = await bookingOf(ctx, target, input.bookingId);
      const was = booking.known;
      const key = partnerKey(ctx, `cancel:${target.id}:${booking.id}`);
      // Known content: the booking marked cancelled (kept at the partner); else the partner's delete.
      const result =
        was?.startTime && was.endTime
          ? await ctx.partners.apply(
              target.id,
              {
                kind: 'appointment',
                op: 'update',
                partnerId: booking.id,
                data: {
                  title: was.title || 'Appointment',
                  startTime: was.startTime,
                  endTime: was.endTime,
                  status: 'cancelled',
                  ...(was.notes ? { notes: was.notes } : {}),
                },
              },
              key,
            )
          : await ctx.partners.apply(
              target.id,
              { kind: 'appointment', op: 'delete', partnerId: booking.id, data: null },
              key,
            );
      if (result.skipped !== undefined)
        return { cancelled: false, bookingId: booking.id, reason: result.skipped };
      ctx.wrote(bookingObject(target.id, result.partnerId ?? booking.id));
      return { cancelled: true, bookingId: result.partnerId ?? booking.id, connectionId: target.id };
    },
  }),
  action({
    key: 'partner.task.create',
    group: 'partner',
    label: 'Add a task in the connected app',
    description: 'Adds a task for the contact in a connected app that keeps tasks (your app).',
    scope: null,
    input: v.object({
      connectionId: ConnectionId,
      title: v.pipe(
        v.string(),
        v.trim(),
        v.minLength(1),
        v.maxLength(255),
        v.description('Task title; placeholders are filled in'),
      ),
      body: v.optional(v.pipe(v.string(), v.maxLength(5000), v.description('Task description'))),
      due: v.optional(v.pipe(Delay, v.description('When it is due, counted from when the step runs'))),
      dueDate: v.optional(ExactTime),
    }),
    sample: { title: 'Follow up with {{contact.name}}', due: { type: 'after', minutes: 1440 } },
    async run(ctx, input) {
      const target = await targetOf(ctx, 'task', 'create', input.connectionId);
      const exact = Date.parse(input.dueDate ?? '');
      const due = Number.isNaN(exact)
        ? await delayFromRun(ctx, input.due ?? { type: 'after', minutes: 1440 }, ctx.now + 1440 * MINUTE)
        : exact;
      const data = {
        title: input.title,
        ...(input.body ? { body: input.body } : {}),
        dueDate: new Date(due).toISOString(),
        completed: false,
      };
      const result = await ctx.partners.apply(
        target.id,
        { kind: 'task', op: 'create', data },
        partnerKey(ctx, `task:${target.id}`),
      );
      if (result.skipped !== undefined || !result.partnerId)
        throw new Error(result.skipped ?? `${target.name} answered no task id`);
      ctx.wrote(`partner_task:${target.id}:${result.partnerId}`);
      return { taskId: result.partnerId, connectionId: target.id, dueDate: data.dueDate };
    },
  }),
  action({
    key: 'partner.note.create',
    group: 'partner',
    label: 'Add a note in the connected app',
    description: 'Adds a note to the contact in a connected app that keeps notes (your app).',
    scope: null,
    input: v.object({
      connectionId: ConnectionId,
      body: v.pipe(
        v.string(),
        v.trim(),
        v.minLength(1),
        v.maxLength(20_000),
        v.description('Note text; placeholders are filled in'),
      ),
    }),
    sample: { body: 'Called {{contact.name}}: wants a quote' },
    async run(ctx, input) {
      const target = await targetOf(ctx, 'note', 'create', input.connectionId);
      const result = await ctx.partners.apply(
        target.id,
        { kind: 'note', op: 'create', data: { body: input.body } },
        partnerKey(ctx, `note:${target.id}`),
      );
      if (result.skipped !== undefined || !result.partnerId)
        throw new Error(result.skipped ?? `${target.name} answered no note id`);
      ctx.wrote(`partner_note:${target.id}:${result.partnerId}`);
      return { noteId: result.partnerId, connectionId: target.id };
    },
  }),
];
