/** GHL webhook events this app acts on. */
export const CONTACT_EVENTS = [
  'ContactCreate',
  'ContactUpdate',
  'ContactDelete',
  'ContactTagUpdate',
  'ContactDndUpdate',
] as const;
export const NOTE_EVENTS = ['NoteCreate', 'NoteUpdate', 'NoteDelete'] as const;
export const TASK_EVENTS = ['TaskCreate', 'TaskComplete', 'TaskDelete'] as const;
/**
 * GHL sends no webhook when a task is edited or reopened. The panel stores its own task edits
 * under this name, so they sync like a webhook; from outside it is not accepted.
 */
export const PANEL_TASK_EDIT = 'TaskUpdate';
export const APPOINTMENT_EVENTS = ['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete'] as const;
export const INSTALL_EVENTS = ['INSTALL', 'UNINSTALL'] as const;

export const HANDLED_EVENTS: ReadonlySet<string> = new Set([
  ...INSTALL_EVENTS,
  ...CONTACT_EVENTS,
  ...NOTE_EVENTS,
  ...TASK_EVENTS,
  ...APPOINTMENT_EVENTS,
]);

/** A verified, parsed GHL webhook body. Only the envelope is typed; the rest is kept as sent. */
export interface GhlEvent {
  type: string;
  webhookId: string;
  timestamp: string;
  locationId?: string;
  companyId?: string;
  appId?: string;
  id?: string;
  contactId?: string;
  appointment?: { id?: string; contactId?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** The contact an event is about, when the payload says (TaskCreate often does not). */
export function contactIdOf(event: GhlEvent): string | undefined {
  if (event.type.startsWith('Contact')) return typeof event.id === 'string' ? event.id : undefined;
  if (event.type.startsWith('Appointment')) return event.appointment?.contactId ?? undefined;
  return typeof event.contactId === 'string' && event.contactId ? event.contactId : undefined;
}

/** The id of the object (contact, note, task or appointment) the event is about. */
export function objectIdOf(event: GhlEvent): string | undefined {
  if (event.type.startsWith('Appointment')) return event.appointment?.id;
  return typeof event.id === 'string' ? event.id : undefined;
}

/** Durable Object that owns this event: the location, or the agency for agency-level events. */
export function ownerOf(event: GhlEvent): string | undefined {
  if (event.locationId) return event.locationId;
  if (event.companyId) return `company:${event.companyId}`;
  return undefined;
}
