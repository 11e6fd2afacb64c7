import type { Appointment, Contact, Note, Task } from './state.ts';

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function contactName(c: Contact): string | undefined {
  const full = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return full || c.name || undefined;
}

/** A contact as GET /contacts/:id answers it (GetContectByIdSchema). */
export function contactView(c: Contact): Record<string, unknown> {
  const name = contactName(c);
  return compact({
    id: c.id,
    name,
    locationId: c.locationId,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    emailLowerCase: c.email?.toLowerCase(),
    timezone: c.timezone,
    companyName: c.companyName,
    phone: c.phone,
    dnd: c.dnd,
    dndSettings: c.dndSettings,
    type: c.type,
    source: c.source,
    assignedTo: c.assignedTo,
    address1: c.address1,
    city: c.city,
    state: c.state,
    country: c.country,
    postalCode: c.postalCode,
    website: c.website,
    tags: [...c.tags],
    dateOfBirth: c.dateOfBirth,
    dateAdded: c.dateAdded,
    dateUpdated: c.dateUpdated,
    firstNameLowerCase: c.firstName?.toLowerCase(),
    lastNameLowerCase: c.lastName?.toLowerCase(),
    fullNameLowerCase: name?.toLowerCase(),
    customFields: c.customFields.map((f) => ({ ...f })),
    businessId: c.businessId,
  });
}

/** The create answer carries a few more flags (CreateContactSchema). */
export function createdContactView(c: Contact): Record<string, unknown> {
  return { ...contactView(c), deleted: false, bounceEmail: false, unsubscribeEmail: false };
}

export function taskView(t: Task): Record<string, unknown> {
  return compact({
    id: t.id,
    title: t.title,
    body: t.body,
    assignedTo: t.assignedTo,
    dueDate: t.dueDate,
    completed: t.completed,
    contactId: t.contactId,
    dateAdded: t.dateAdded,
    dateUpdated: t.dateUpdated,
  });
}

export function noteView(n: Note): Record<string, unknown> {
  return compact({
    id: n.id,
    body: n.body,
    userId: n.userId,
    dateAdded: n.dateAdded,
    contactId: n.contactId,
    title: n.title,
    color: n.color,
    pinned: n.pinned,
    dateUpdated: n.dateUpdated,
  });
}

/** Calendar event (CalendarEventDTO) as GET /calendars/events/appointments/:id and GET /calendars/events answer it. */
export function eventView(a: Appointment): Record<string, unknown> {
  return compact({
    id: a.id,
    address: a.address,
    title: a.title,
    calendarId: a.calendarId,
    locationId: a.locationId,
    contactId: a.contactId,
    groupId: a.groupId,
    appointmentStatus: a.appointmentStatus,
    assignedUserId: a.assignedUserId,
    users: [...a.users],
    notes: a.notes,
    description: a.description,
    isRecurring: false,
    startTime: a.startTime,
    endTime: a.endTime,
    dateAdded: a.dateAdded,
    dateUpdated: a.dateUpdated,
    assignedResources: [],
    createdBy: { ...a.createdBy },
  });
}

/** Create/update answer (AppointmentSchemaResponse): flat, not wrapped. */
export function appointmentResponseView(a: Appointment): Record<string, unknown> {
  return compact({
    id: a.id,
    calendarId: a.calendarId,
    locationId: a.locationId,
    contactId: a.contactId,
    startTime: a.startTime,
    endTime: a.endTime,
    title: a.title,
    meetingLocationType: a.meetingLocationType,
    appointmentStatus: a.appointmentStatus,
    assignedUserId: a.assignedUserId,
    address: a.address,
    isRecurring: false,
    dateAdded: a.dateAdded,
    dateUpdated: a.dateUpdated,
  });
}

/** GET /contacts/:id/appointments item. */
export function contactAppointmentView(a: Appointment): Record<string, unknown> {
  return compact({
    id: a.id,
    calendarId: a.calendarId,
    status: a.appointmentStatus === 'cancelled' ? 'cancelled' : 'booked',
    title: a.title,
    assignedUserId: a.assignedUserId,
    notes: a.notes,
    startTime: a.startTime,
    endTime: a.endTime,
    address: a.address,
    locationId: a.locationId,
    contactId: a.contactId,
    groupId: a.groupId,
    appointmentStatus: a.appointmentStatus,
    users: [...a.users],
    dateAdded: a.dateAdded,
    dateUpdated: a.dateUpdated,
    assignedResources: [],
  });
}
