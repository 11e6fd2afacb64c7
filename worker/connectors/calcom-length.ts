import type { SyncAppointment } from './types.ts';

/**
 * How long a Cal.com booking made from a GHL appointment can be (pure). A new booking takes
 * `lengthInMinutes` only for an event type with several lengths, and only one of them
 * (CreateBookingInput_2024_08_13, EventTypeOutput_2024_06_14 `lengthInMinutesOptions`); a
 * reschedule takes a start alone and keeps the booking's length (RescheduleBookingInput_2024_08_13).
 */

/** The lengths of an event type, as `GET /v2/event-types/{id}` names them. */
export interface CalEventTypeLengths {
  id: number;
  lengthInMinutes: number;
  lengthInMinutesOptions?: number[];
}

/** Minutes from start to end (may be fractional or not positive for odd input). */
export function minutesOf(startTime: string, endTime: string): number {
  return (Date.parse(endTime) - Date.parse(startTime)) / 60_000;
}

const list = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b).join(', ');

/** `lengthInMinutes` for a new booking: the appointment's length when the event type offers it as an option. */
export function lengthForNewBooking(
  appt: SyncAppointment,
  eventType: CalEventTypeLengths | null,
): number | undefined {
  const wanted = minutesOf(appt.startTime, appt.endTime);
  return eventType?.lengthInMinutesOptions?.includes(wanted) ? wanted : undefined;
}

/** Why a booking made for `appt` has another length than the appointment, or undefined when it has the same. */
export function newBookingNote(
  appt: SyncAppointment,
  booking: { start: string; end: string },
  eventType: CalEventTypeLengths | null,
): string | undefined {
  const wanted = minutesOf(appt.startTime, appt.endTime);
  const booked = minutesOf(booking.start, booking.end);
  if (wanted === booked) return undefined;
  if (!eventType)
    return `Cal.com booked ${booked} min, not the appointment's ${describe(wanted)} (the event type's lengths could not be read).`;
  const offered = list([eventType.lengthInMinutes, ...(eventType.lengthInMinutesOptions ?? [])]);
  return `Cal.com event type ${eventType.id} offers ${offered} min, not the appointment's ${describe(wanted)}: the booking has ${booked} min.`;
}

/** Why a rescheduled (or kept) booking has another length than the appointment, or undefined. */
export function keptLengthNote(
  appt: SyncAppointment,
  booking: { start: string; end: string },
): string | undefined {
  const wanted = minutesOf(appt.startTime, appt.endTime);
  const booked = minutesOf(booking.start, booking.end);
  if (wanted === booked) return undefined;
  return `Cal.com cannot change a booking's length (a reschedule takes only a start): the booking stays ${booked} min, the appointment is ${describe(wanted)}.`;
}

function describe(minutes: number): string {
  return Number.isFinite(minutes) && minutes > 0
    ? `${Math.round(minutes * 100) / 100} min`
    : 'length (it does not end after it starts)';
}
