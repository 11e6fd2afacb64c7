/** The `/api/*` calls only the booking form makes, so they load with its chunk (lib/lazy.ts). */
import { enc, request } from './api.ts';

export interface Calendar {
  id: string;
  name: string;
  slotDuration: number | null;
  isActive: boolean;
}

export interface SlotDay {
  /** YYYY-MM-DD in the asked zone. */
  date: string;
  /** ISO times with the zone's offset. */
  slots: string[];
}

export const listCalendars = () =>
  request<{ calendars: Calendar[] }>('GET', '/api/calendars').then((r) => r.calendars);

export const freeSlots = (calendarId: string, startDate: number, endDate: number, timezone: string) =>
  request<{ days: SlotDay[] }>(
    'GET',
    `/api/calendars/${enc(calendarId)}/free-slots?startDate=${startDate}&endDate=${endDate}&timezone=${enc(timezone)}`,
  ).then((r) => r.days);

export interface BookingInput {
  calendarId: string;
  startTime: string;
  title?: string;
}

/** Books once per `key` (one per user action, lib/action-keys.ts): a repeat answers the same appointment. */
export const bookAppointment = (contactId: string, body: BookingInput, key: string) =>
  request<{ appointment: Record<string, unknown> }>(
    'POST',
    `/api/contacts/${enc(contactId)}/appointments`,
    body,
    true,
    { 'Idempotency-Key': key },
  ).then((r) => r.appointment);
