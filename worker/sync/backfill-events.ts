/**
 * The GHL events a backfill replays for one contact and connection: its record, then the
 * activity the partner takes, each with a webhook id that makes a repeated backfill a no-op
 * until the object changes.
 */
import type { GhlAppointment, GhlNote, GhlTask } from '../ghl/types.ts';
import type { GhlEvent } from '../webhooks/events.ts';

export interface BackfillTarget {
  locationId: string;
  contactId: string;
  connectionId: string;
  now: number;
}

/** `activity`: what GHL holds for the contact, of the kinds the partner takes (others empty). */
export function backfillEvents(
  target: BackfillTarget,
  contact: Record<string, unknown>,
  activity: { notes: GhlNote[]; tasks: GhlTask[]; appointments: GhlAppointment[] },
): GhlEvent[] {
  const { contactId, connectionId } = target;
  const stamp = String(contact.dateUpdated ?? contact.dateAdded ?? '');
  const base = {
    locationId: target.locationId,
    timestamp: new Date(target.now).toISOString(),
    trigger: 'backfill',
  };
  const events: GhlEvent[] = [
    {
      ...contact,
      ...base,
      type: 'ContactUpdate',
      id: contactId,
      webhookId: `backfill:${connectionId}:${contactId}:${stamp}`,
    },
  ];
  for (const n of activity.notes)
    events.push({
      ...n,
      ...base,
      type: 'NoteUpdate',
      contactId,
      webhookId: `backfill:${connectionId}:note:${n.id}:${n.body.length}`,
    });
  for (const t of activity.tasks)
    events.push({
      ...t,
      ...base,
      type: 'TaskComplete',
      completed: t.completed,
      contactId,
      webhookId: `backfill:${connectionId}:task:${t.id}:${t.completed}`,
    });
  for (const a of activity.appointments)
    events.push({
      ...base,
      type: 'AppointmentUpdate',
      appointment: { ...a, contactId },
      webhookId: `backfill:${connectionId}:appt:${a.id}:${String(a.dateUpdated ?? a.startTime)}`,
    });
  return events;
}
