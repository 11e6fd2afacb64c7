import type { GhlContact } from '../ghl/types.ts';
import type { GhlEvent } from '../webhooks/events.ts';
import type { TimelineKind } from './merge.ts';

/** What a stored GHL event means for one contact's timeline cache (pure). */
export type TimelineChange =
  | { op: 'upsert'; kind: TimelineKind; item: Record<string, unknown>; thin: boolean }
  | { op: 'delete'; kind: TimelineKind; id: string }
  | { op: 'contact'; contact: Partial<GhlContact> & { id: string; locationId: string } }
  | { op: 'contact_deleted'; id: string };

const ENVELOPE = new Set(['type', 'webhookId', 'timestamp', 'locationId', 'companyId', 'appId', 'versionId']);

function fieldsOf(event: GhlEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([k]) => !ENVELOPE.has(k)));
}

/**
 * Maps an event to a cache change, or null when it carries nothing usable. Event payloads are
 * thinner than GET answers (TaskCreate has no body, GHL issue #332): such upserts are `thin`,
 * and the cache merges them over what it has or marks the item for a refetch.
 */
export function changeFromEvent(
  event: GhlEvent,
  locationId: string,
  contactId: string,
): TimelineChange | null {
  const type = event.type;
  const id = typeof event.id === 'string' && event.id ? event.id : null;
  if (type === 'ContactDelete') return { op: 'contact_deleted', id: id ?? contactId };
  if (type.startsWith('Contact')) {
    return {
      op: 'contact',
      contact: { ...(fieldsOf(event) as Partial<GhlContact>), id: id ?? contactId, locationId },
    };
  }
  if (type.startsWith('Appointment')) {
    const appointment = event.appointment;
    if (!appointment?.id) return null;
    if (type === 'AppointmentDelete') return { op: 'delete', kind: 'appointment', id: appointment.id };
    return {
      op: 'upsert',
      kind: 'appointment',
      item: { ...appointment, locationId, contactId },
      thin: false,
    };
  }
  if (!id) return null;
  const kind: TimelineKind | null = type.startsWith('Note')
    ? 'note'
    : type.startsWith('Task')
      ? 'task'
      : null;
  if (!kind) return null;
  if (type.endsWith('Delete')) return { op: 'delete', kind, id };
  const item: Record<string, unknown> = { ...fieldsOf(event), contactId };
  // TaskComplete says so by its type only; the payload has no `completed` field.
  if (type === 'TaskComplete') item.completed = true;
  return { op: 'upsert', kind, item, thin: !('body' in event) };
}
