import {
  createAppointment,
  createNote,
  createTask,
  deleteAppointment,
  deleteNote,
  deleteTask,
  updateAppointment,
  updateNote,
  updateTask,
} from './activity-ops.ts';
import { changeTags, createContact, deleteContact, updateContact } from './contact-ops.ts';
import type { Emu } from './context.ts';
import { badRequest } from './errors.ts';
import type { Contact } from './state.ts';
import { appointmentResponseView, contactView, noteView, taskView } from './views.ts';

type Body = Record<string, unknown>;

function owned<T extends { locationId: string }>(record: T | undefined, locationId: string, what: string): T {
  if (!record || record.locationId !== locationId) throw badRequest(`${what} not found in this location`);
  return record;
}

/**
 * POST /_emulator/act: a change made by a person inside GHL. It goes through the same operations as the
 * API, so it fires the same webhooks to every installed app.
 */
export function act(emu: Emu, body: Body): Body {
  const { state } = emu;
  const locationId = String(body.locationId ?? '');
  if (!state.locations.has(locationId)) throw badRequest('Unknown locationId');
  const { action, locationId: _l, data: rawData, ...rest } = body;
  const data = (rawData && typeof rawData === 'object' ? rawData : rest) as Body;
  const contact = (): Contact => owned(state.contacts.get(String(body.contactId)), locationId, 'Contact');
  const task = () => owned(state.tasks.get(String(body.taskId)), locationId, 'Task');
  const note = () => owned(state.notes.get(String(body.noteId)), locationId, 'Note');
  const appointment = () =>
    owned(state.appointments.get(String(body.appointmentId ?? body.eventId)), locationId, 'Appointment');

  switch (action) {
    case 'contact.create':
      return { contact: contactView(createContact(emu, locationId, data)) };
    case 'contact.update':
      return { contact: contactView(updateContact(emu, contact(), data)) };
    case 'contact.business': {
      // Moved into (or out of) a business in GHL's screens: a ContactUpdate, which names no business.
      const c = contact();
      if (typeof body.businessId === 'string' && body.businessId) c.businessId = body.businessId;
      else delete c.businessId;
      return { contact: contactView(updateContact(emu, c, {})) };
    }
    case 'contact.delete':
      deleteContact(emu, contact());
      return { succeded: true };
    case 'tags.add':
      return { tags: changeTags(emu, contact(), (body.tags ?? data.tags ?? []) as unknown[], 'add') };
    case 'tags.remove':
      return { tags: changeTags(emu, contact(), (body.tags ?? data.tags ?? []) as unknown[], 'remove') };
    case 'note.create': {
      if (typeof data.body !== 'string' || !data.body) throw badRequest('note body is required');
      return {
        note: noteView(createNote(emu, contact(), { userId: state.defaultUser(locationId)?.id, ...data })),
      };
    }
    case 'note.update':
      return { note: noteView(updateNote(emu, note(), data)) };
    case 'note.delete':
      deleteNote(emu, note());
      return { succeded: true };
    case 'task.create': {
      if (typeof data.title !== 'string' || !data.title) throw badRequest('task title is required');
      const input = { dueDate: new Date(Date.now() + 86_400_000).toISOString(), completed: false, ...data };
      return { task: taskView(createTask(emu, contact(), input)) };
    }
    case 'task.update':
      return { task: taskView(updateTask(emu, task(), data)) };
    case 'task.complete':
      return { task: taskView(updateTask(emu, task(), { completed: data.completed ?? true })) };
    case 'task.delete':
      deleteTask(emu, task());
      return { succeded: true };
    case 'appointment.create': {
      const input: Body = { calendarId: state.calendarOf(locationId)?.id, source: 'booking_widget', ...data };
      if (!input.startTime) throw badRequest('appointment startTime is required');
      return { appointment: appointmentResponseView(createAppointment(emu, contact(), input)) };
    }
    case 'appointment.update':
      return { appointment: appointmentResponseView(updateAppointment(emu, appointment(), data)) };
    case 'appointment.delete':
      deleteAppointment(emu, appointment());
      return { succeeded: true };
    default:
      throw badRequest(`Unknown action ${String(action)}`);
  }
}
