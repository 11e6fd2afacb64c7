/**
 * A stored GHL webhook as a sync change: which kind of object, what happened, its id and its
 * state in the common model. Pure. Events the engine does not sync give null.
 */
import type { SyncKind } from '../connectors/types.ts';
import { PANEL_TASK_EDIT, type GhlEvent } from '../webhooks/events.ts';
import { appointmentFromGhl, contactFromGhl, ghlDate, noteFromGhl, taskFromGhl } from './ghl-model.ts';

export interface GhlChange {
  kind: SyncKind;
  op: 'upsert' | 'delete';
  ghlId: string;
  data: unknown;
  /** epoch ms of the change in GHL, for newest-wins */
  changedAt: number;
  /** false: the event carried no usable time, `changedAt` is when we handled it */
  timed: boolean;
}

/** Every change an event implies (a contact event also carries the contact's tag set). */
export function changesFromGhlEvent(event: GhlEvent): GhlChange[] {
  // A create without dateUpdated is dated by its dateAdded, not by the (perhaps much later) delivery.
  const added = event.type.endsWith('Create') ? Date.parse(String(event.dateAdded ?? '')) : NaN;
  const stamped = Date.parse(String(event.dateUpdated ?? '')) || added || Date.parse(event.timestamp) || 0;
  const at = stamped || Date.now();
  const id = typeof event.id === 'string' ? event.id : undefined;
  return changesAt(event, id, at).map((c) => ({ ...c, timed: !!stamped || c.changedAt !== at }));
}

function changesAt(event: GhlEvent, id: string | undefined, at: number): Omit<GhlChange, 'timed'>[] {
  switch (event.type) {
    case 'ContactCreate':
    case 'ContactUpdate':
    case 'ContactDndUpdate': {
      if (!id) return [];
      const contact = contactFromGhl(event);
      const out: Omit<GhlChange, 'timed'>[] = [
        { kind: 'contact', op: 'upsert', ghlId: id, data: contact, changedAt: at },
      ];
      if (Array.isArray(event.tags))
        out.push({ kind: 'tag', op: 'upsert', ghlId: id, data: { tags: contact.tags ?? [] }, changedAt: at });
      return out;
    }
    case 'ContactTagUpdate':
      return id
        ? [
            {
              kind: 'tag',
              op: 'upsert',
              ghlId: id,
              data: { tags: contactFromGhl(event).tags ?? [] },
              changedAt: at,
            },
          ]
        : [];
    case 'ContactDelete':
      return id ? [{ kind: 'contact', op: 'delete', ghlId: id, data: null, changedAt: at }] : [];
    case 'NoteCreate':
    case 'NoteUpdate':
      return id ? [{ kind: 'note', op: 'upsert', ghlId: id, data: noteFromGhl(event), changedAt: at }] : [];
    case 'NoteDelete':
      return id ? [{ kind: 'note', op: 'delete', ghlId: id, data: null, changedAt: at }] : [];
    case 'TaskCreate':
    case PANEL_TASK_EDIT:
    case 'TaskComplete':
      return id
        ? [
            {
              kind: 'task',
              op: 'upsert',
              ghlId: id,
              data: { ...taskFromGhl(event), ...(event.type === 'TaskComplete' ? { completed: true } : {}) },
              changedAt: at,
            },
          ]
        : [];
    case 'TaskDelete':
      return id ? [{ kind: 'task', op: 'delete', ghlId: id, data: null, changedAt: at }] : [];
    case 'AppointmentCreate':
    case 'AppointmentUpdate': {
      const appt = event.appointment;
      if (!appt?.id) return [];
      const changed = Date.parse(ghlDate(appt.dateUpdated) ?? '') || at;
      return [
        {
          kind: 'appointment',
          op: 'upsert',
          ghlId: appt.id,
          data: appointmentFromGhl(appt),
          changedAt: changed,
        },
      ];
    }
    case 'AppointmentDelete':
      return event.appointment?.id
        ? [{ kind: 'appointment', op: 'delete', ghlId: event.appointment.id, data: null, changedAt: at }]
        : [];
    default:
      return [];
  }
}

/** TaskCreate arrives without body (GHL issue #332): such a task must be read before syncing. */
export function isThinTask(event: GhlEvent): boolean {
  return event.type === 'TaskCreate' && (event.body === undefined || event.dueDate === undefined);
}

/** A GHL change as queued for a partner (the reports folded into it: work.ts). */
export interface GhlPayload {
  data: unknown;
}
