import type { Appointment, Contact, Note, Task } from './state.ts';
import { contactName } from './views.ts';

type Fields = Record<string, unknown>;

function compact(value: Fields): Fields {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Contact* webhook fields (documented ones only; `attachments` is a leftover real traffic omits, issue #324). */
export function contactEvent(c: Contact): Fields {
  return compact({
    id: c.id,
    address1: c.address1,
    city: c.city,
    state: c.state,
    companyName: c.companyName,
    country: c.country,
    source: c.source,
    dateAdded: c.dateAdded,
    dateOfBirth: c.dateOfBirth,
    dnd: c.dnd,
    email: c.email,
    name: contactName(c),
    firstName: c.firstName,
    lastName: c.lastName,
    phone: c.phone,
    postalCode: c.postalCode,
    tags: [...c.tags],
    website: c.website,
    assignedTo: c.assignedTo,
    customFields: c.customFields.map((f) => ({ ...f })),
  });
}

export function noteEvent(n: Note): Fields {
  return compact({ id: n.id, body: n.body, contactId: n.contactId, dateAdded: n.dateAdded });
}

/** Real TaskCreate deliveries carry no contactId and no body (issue #332); the app must fetch them. */
export function taskCreateEvent(t: Task): Fields {
  return compact({
    id: t.id,
    assignedTo: t.assignedTo,
    title: t.title,
    dateAdded: t.dateAdded,
    dueDate: t.dueDate,
  });
}

export function taskEvent(t: Task): Fields {
  return compact({
    id: t.id,
    assignedTo: t.assignedTo,
    body: t.body,
    contactId: t.contactId,
    title: t.title,
    dateAdded: t.dateAdded,
    dueDate: t.dueDate,
  });
}

export function appointmentEvent(a: Appointment): Fields {
  return {
    appointment: compact({
      id: a.id,
      address: a.address,
      title: a.title,
      calendarId: a.calendarId,
      contactId: a.contactId,
      groupId: a.groupId,
      appointmentStatus: a.appointmentStatus,
      assignedUserId: a.assignedUserId,
      users: [...a.users],
      notes: a.notes,
      source: a.source,
      startTime: a.startTime,
      endTime: a.endTime,
      dateAdded: a.dateAdded,
      dateUpdated: a.dateUpdated,
    }),
  };
}
