import { createHmac } from 'node:crypto';
import type { CalBooking, CalState } from './calcom-state.ts';

/**
 * Cal.com webhook deliveries as calcom/cal.com builds them (BookingPayloadBuilder, sendPayload):
 * `{ triggerEvent, createdAt, payload }`, booking status upper-case, responses as
 * `{ label, value, isHidden }`, signed `X-Cal-Signature-256` = hex HMAC-SHA256(secret, body),
 * or the literal `no-secret-provided` when the webhook has no secret.
 */

export const WEBHOOK_VERSION = '2021-10-20';

export type Trigger =
  | 'BOOKING_CREATED'
  | 'BOOKING_RESCHEDULED'
  | 'BOOKING_CANCELLED'
  | 'BOOKING_NO_SHOW_UPDATED'
  | 'BOOKING_REQUESTED'
  | 'BOOKING_REJECTED';

export interface WebhookSubscription {
  subscriberUrl: string;
  secret?: string;
  active: boolean;
  triggers: Trigger[];
}

export const ALL_TRIGGERS: Trigger[] = [
  'BOOKING_CREATED',
  'BOOKING_RESCHEDULED',
  'BOOKING_CANCELLED',
  'BOOKING_NO_SHOW_UPDATED',
  'BOOKING_REQUESTED',
  'BOOKING_REJECTED',
];

const LABELS: Record<string, string> = {
  name: 'your_name',
  email: 'email_address',
  attendeePhoneNumber: 'phone_number',
  notes: 'additional_notes',
  guests: 'additional_guests',
  location: 'location',
};

/** The headers Cal.com sends with exactly these body bytes. */
export function calcomSignatureHeaders(body: string, secret?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-cal-signature-256': secret
      ? createHmac('sha256', secret).update(body).digest('hex')
      : 'no-secret-provided',
    'x-cal-webhook-version': WEBHOOK_VERSION,
  };
}

function responses(b: CalBooking): Record<string, { label: string; value: unknown; isHidden: boolean }> {
  const out: Record<string, { label: string; value: unknown; isHidden: boolean }> = {};
  for (const [slug, value] of Object.entries(b.bookingFieldsResponses))
    out[slug] = { label: LABELS[slug] ?? slug, value, isHidden: false };
  return out;
}

/** The `payload` of a booking trigger for `b`, with the trigger's extra fields. */
export function bookingPayload(
  state: CalState,
  b: CalBooking,
  status: string,
  extra: Record<string, unknown> = {},
) {
  const host = state.host;
  const et = state.eventTypes.find((e) => e.id === b.eventTypeId);
  const notes =
    typeof b.bookingFieldsResponses.notes === 'string' ? b.bookingFieldsResponses.notes : undefined;
  return {
    type: b.eventType.slug,
    title: b.title,
    description: notes ?? '',
    additionalNotes: notes ?? '',
    customInputs: {},
    startTime: b.start,
    endTime: b.end,
    organizer: {
      id: host.id,
      name: host.name,
      email: host.email,
      username: host.username,
      timeZone: host.timeZone,
      language: { locale: 'en' },
      timeFormat: 'h:mma',
      utcOffset: 0,
    },
    responses: responses(b),
    userFieldsResponses: {},
    attendees: b.attendees.map((a) => ({
      email: a.email,
      name: a.name,
      firstName: '',
      lastName: '',
      timeZone: a.timeZone,
      ...(a.phoneNumber ? { phoneNumber: a.phoneNumber } : {}),
      language: { locale: a.language ?? 'en' },
      utcOffset: 0,
    })),
    location: b.location,
    destinationCalendar: null,
    hideCalendarNotes: false,
    requiresConfirmation: false,
    eventTypeId: b.eventTypeId,
    seatsShowAttendees: true,
    seatsPerTimeSlot: null,
    seatsShowAvailabilityCount: true,
    schedulingType: null,
    iCalUID: `${b.uid}@Cal.com`,
    iCalSequence: 0,
    uid: b.uid,
    bookingId: b.id,
    metadata: { videoCallUrl: `https://app.cal.com/video/${b.uid}` },
    status,
    eventTitle: et?.title ?? b.title,
    eventDescription: null,
    price: 0,
    currency: 'usd',
    length: b.duration,
    ...extra,
  };
}

/** The whole delivery body for a trigger. */
export function envelope(
  triggerEvent: Trigger,
  payload: unknown,
  createdAt = new Date().toISOString(),
): string {
  return JSON.stringify({ triggerEvent, createdAt, payload });
}
