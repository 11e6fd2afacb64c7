import type { Condition } from './model.ts';
import type { TriggerData } from './trigger-data.ts';

/** Facts that cost a GHL call; looked up only when a condition asks for them. */
export interface CostlyFacts {
  upcomingAppointment?: boolean;
}

/** Whether any of `conditions` needs the contact's upcoming appointments. */
export const needsUpcoming = (conditions: readonly Condition[]) =>
  conditions.some((c) => c.type === 'upcoming_appointment');

/** Whether any condition reads the contact's record (not always in the trigger's payload). */
export const needsContact = (conditions: readonly Condition[]) =>
  conditions.some(
    (c) =>
      c.type === 'tag' ||
      c.type === 'business' ||
      (c.type === 'field' && c.path.startsWith('contact.')) ||
      c.type === 'source',
  );

/** Reads `contact.email`, `appointment.calendarId`, `contact.customFields.<id>`, `tag`, … */
export function valueAt(data: TriggerData, path: string): unknown {
  let at: unknown = data;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

const text = (x: unknown) =>
  x === undefined || x === null ? '' : Array.isArray(x) ? x.map(String).join(',') : String(x);
const same = (a: unknown, b: string | undefined) =>
  text(a).trim().toLowerCase() === (b ?? '').trim().toLowerCase();

/** One condition, pure. An unknown costly fact counts as not holding (fails closed). */
export function holds(condition: Condition, data: TriggerData, facts: CostlyFacts = {}): boolean {
  switch (condition.type) {
    case 'tag': {
      const has = (data.contact?.tags ?? []).some((t) => same(t, condition.tag));
      return condition.op === 'has' ? has : !has;
    }
    case 'field': {
      const value = valueAt(data, condition.path);
      const isSet = text(value).trim() !== '';
      switch (condition.op) {
        case 'set':
          return isSet;
        case 'unset':
          return !isSet;
        case 'eq':
          return Array.isArray(value)
            ? value.some((x) => same(x, condition.value))
            : same(value, condition.value);
        case 'neq':
          return Array.isArray(value)
            ? !value.some((x) => same(x, condition.value))
            : !same(value, condition.value);
        case 'contains':
          return text(value)
            .toLowerCase()
            .includes((condition.value ?? '').toLowerCase());
      }
      return false;
    }
    case 'source':
      return same(data.appointment?.source ?? data.contact?.source, condition.value);
    case 'business':
      return same(data.contact?.businessId, condition.value);
    case 'calendar':
      return same(data.appointment?.calendarId, condition.value);
    case 'upcoming_appointment':
      return facts.upcomingAppointment === undefined ? false : facts.upcomingAppointment === condition.value;
  }
}

/** All conditions hold (an empty list always does). */
export const allHold = (conditions: readonly Condition[], data: TriggerData, facts: CostlyFacts = {}) =>
  conditions.every((c) => holds(c, data, facts));

/** Whether any appointment in the list starts after `now` and is not cancelled. */
export function hasUpcoming(
  appointments: readonly { startTime?: string; status?: string; appointmentStatus?: string }[],
  now: number,
): boolean {
  return appointments.some((a) => {
    const status = String(a.appointmentStatus ?? a.status ?? '').toLowerCase();
    return (
      Date.parse(a.startTime ?? '') > now &&
      status !== 'cancelled' &&
      status !== 'noshow' &&
      status !== 'invalid'
    );
  });
}
