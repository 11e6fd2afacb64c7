import type { Emu } from './context.ts';
import { badRequest } from './errors.ts';
import { appointmentEvent, noteEvent, taskCreateEvent, taskEvent } from './events.ts';
import { newId, nowIso } from './ids.ts';
import type { Appointment, Contact, Note, Task } from './state.ts';

type Input = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function toIso(value: unknown): string {
  const ms = Date.parse(String(value));
  return Number.isNaN(ms) ? String(value) : new Date(ms).toISOString();
}

export function createTask(emu: Emu, contact: Contact, input: Input, emit = true): Task {
  const when = nowIso();
  const task: Task = {
    id: newId(),
    locationId: contact.locationId,
    contactId: contact.id,
    title: String(input.title),
    body: str(input.body),
    assignedTo: str(input.assignedTo),
    dueDate: toIso(input.dueDate),
    completed: input.completed === true,
    dateAdded: when,
    dateUpdated: when,
  };
  emu.state.tasks.set(task.id, task);
  if (emit) emu.webhooks.emitLocationEvent(task.locationId, 'TaskCreate', taskCreateEvent(task));
  return task;
}

/** GHL has no TaskUpdate event: only a change to completed=true is announced (TaskComplete). */
export function updateTask(emu: Emu, task: Task, input: Input): Task {
  const wasCompleted = task.completed;
  if ('title' in input && str(input.title)) task.title = String(input.title);
  if ('body' in input) task.body = str(input.body);
  if ('assignedTo' in input) task.assignedTo = str(input.assignedTo);
  if ('dueDate' in input && input.dueDate) task.dueDate = toIso(input.dueDate);
  if (typeof input.completed === 'boolean') task.completed = input.completed;
  task.dateUpdated = nowIso();
  if (!wasCompleted && task.completed)
    emu.webhooks.emitLocationEvent(task.locationId, 'TaskComplete', taskEvent(task));
  return task;
}

export function deleteTask(emu: Emu, task: Task): void {
  emu.state.tasks.delete(task.id);
  emu.webhooks.emitLocationEvent(task.locationId, 'TaskDelete', taskEvent(task));
}

export function createNote(emu: Emu, contact: Contact, input: Input, emit = true, when = nowIso()): Note {
  const note: Note = {
    id: newId(),
    locationId: contact.locationId,
    contactId: contact.id,
    body: String(input.body),
    userId: str(input.userId),
    title: str(input.title),
    color: str(input.color),
    pinned: typeof input.pinned === 'boolean' ? input.pinned : undefined,
    dateAdded: when,
    dateUpdated: when,
  };
  emu.state.notes.set(note.id, note);
  if (emit) emu.webhooks.emitLocationEvent(note.locationId, 'NoteCreate', noteEvent(note));
  return note;
}

export function updateNote(emu: Emu, note: Note, input: Input): Note {
  if (str(input.body)) note.body = String(input.body);
  if ('userId' in input) note.userId = str(input.userId);
  if ('title' in input) note.title = str(input.title);
  if ('color' in input) note.color = str(input.color);
  if (typeof input.pinned === 'boolean') note.pinned = input.pinned;
  note.dateUpdated = nowIso();
  emu.webhooks.emitLocationEvent(note.locationId, 'NoteUpdate', noteEvent(note));
  return note;
}

export function deleteNote(emu: Emu, note: Note): void {
  emu.state.notes.delete(note.id);
  emu.webhooks.emitLocationEvent(note.locationId, 'NoteDelete', noteEvent(note));
}

export function createAppointment(emu: Emu, contact: Contact, input: Input, emit = true): Appointment {
  const calendar = emu.state.calendars.get(String(input.calendarId ?? ''));
  if (!calendar || calendar.locationId !== contact.locationId) throw badRequest('Calendar not found');
  const start = Date.parse(String(input.startTime));
  if (Number.isNaN(start)) throw badRequest('Invalid startTime');
  const endTime = str(input.endTime) ?? new Date(start + calendar.slotDurationMin * 60_000).toISOString();
  const assignedUserId =
    str(input.assignedUserId) ??
    calendar.teamUserIds[0] ??
    emu.state.defaultUser(contact.locationId)?.id ??
    '';
  const when = nowIso();
  const appointment: Appointment = {
    id: newId(),
    locationId: contact.locationId,
    calendarId: calendar.id,
    groupId: calendar.groupId,
    contactId: contact.id,
    title:
      str(input.title) ??
      `Appointment with ${[contact.firstName, contact.lastName].filter(Boolean).join(' ') || 'contact'}`,
    appointmentStatus: str(input.appointmentStatus) ?? 'confirmed',
    assignedUserId,
    users: assignedUserId ? [assignedUserId] : [],
    notes: str(input.notes),
    description: str(input.description),
    address: str(input.address),
    meetingLocationType: str(input.meetingLocationType) ?? (str(input.address) ? 'custom' : undefined),
    source: str(input.source) ?? 'third_party',
    startTime: String(input.startTime),
    endTime,
    createdBy: { userId: str(input.createdByUserId), source: str(input.source) ?? 'third_party' },
    dateAdded: when,
    dateUpdated: when,
  };
  emu.state.appointments.set(appointment.id, appointment);
  if (emit)
    emu.webhooks.emitLocationEvent(
      appointment.locationId,
      'AppointmentCreate',
      appointmentEvent(appointment),
    );
  return appointment;
}

export function updateAppointment(emu: Emu, appointment: Appointment, input: Input): Appointment {
  if (input.calendarId !== undefined) {
    const calendar = emu.state.calendars.get(String(input.calendarId));
    if (!calendar || calendar.locationId !== appointment.locationId) throw badRequest('Calendar not found');
    appointment.calendarId = calendar.id;
    appointment.groupId = calendar.groupId;
  }
  for (const key of [
    'title',
    'appointmentStatus',
    'notes',
    'description',
    'address',
    'meetingLocationType',
  ] as const) {
    if (key in input) {
      const value = str(input[key]);
      if (key === 'title' || key === 'appointmentStatus') {
        if (value) appointment[key] = value;
      } else {
        appointment[key] = value;
      }
    }
  }
  if (str(input.assignedUserId)) {
    appointment.assignedUserId = String(input.assignedUserId);
    appointment.users = [appointment.assignedUserId];
  }
  if (str(input.startTime)) appointment.startTime = String(input.startTime);
  if (str(input.endTime)) appointment.endTime = String(input.endTime);
  appointment.dateUpdated = nowIso();
  emu.webhooks.emitLocationEvent(appointment.locationId, 'AppointmentUpdate', appointmentEvent(appointment));
  return appointment;
}

export function deleteAppointment(emu: Emu, appointment: Appointment): void {
  emu.state.appointments.delete(appointment.id);
  emu.webhooks.emitLocationEvent(appointment.locationId, 'AppointmentDelete', appointmentEvent(appointment));
}
