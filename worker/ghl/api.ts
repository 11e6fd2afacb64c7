import type { CreateOnceResult } from '../durable/location/idempotent-creates.ts';
import { AppError } from '../errors.ts';
import type { CreatedLookup, CreateOnce } from './create-once.ts';
import { GhlError } from './errors.ts';
import { recordRequest, safeBody, tracing } from '../lib/request-trace.ts';
import type { GhlRequest, GhlResult } from './gateway.ts';
import type { GhlAppointment, GhlContact, GhlNote, GhlTask } from './types.ts';

const CONTACTS = '2021-07-28';
const CALENDARS = '2021-04-15';

const enc = encodeURIComponent;

/** Sends one request and answers with the gateway's result (an RPC to the location's object, or the gateway itself inside it). */
export type GhlSender = (req: GhlRequest) => Promise<GhlResult>;

/** A panel create's idempotency key and the fingerprint of what it creates (routes/api/idempotency.ts). */
export interface CreateKey {
  key: string;
  fingerprint: string;
}

/** Fields a created note or task shows as sent, for finding it when the create's answer was lost. */
function shown(fields: Record<string, unknown>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(fields))
    if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  return out;
}

/** The answer to an `Idempotency-Key` sent again with other content than its first request. */
export const idempotencyKeyReused = () =>
  new AppError(
    422,
    'idempotency_key_reused',
    'This Idempotency-Key was already used for a different request; send a new key for a new action.',
  );

/** Sends one create at most once per idempotency key (an RPC to the location's object, which keeps the keys). */
export type GhlOnceSender = (req: GhlRequest, once: CreateOnce) => Promise<CreateOnceResult>;

/**
 * Typed GHL API for one location. Every call goes through `send`, which reaches the gateway
 * holding the token and the rate budget (durable/ghl-api.ts); failures come back as `GhlError`.
 */
export class GhlApi {
  readonly locationId: string;
  private readonly send: GhlSender;
  private readonly sendOnce: GhlOnceSender | null;

  constructor(locationId: string, send: GhlSender, sendOnce?: GhlOnceSender) {
    this.locationId = locationId;
    this.send = send;
    this.sendOnce = sendOnce ?? null;
  }

  async call<T>(req: Omit<GhlRequest, 'priority'>): Promise<T> {
    const started = Date.now();
    const result = await this.send(req);
    if (tracing()) {
      const query = req.query
        ? `?${new URLSearchParams(
            Object.entries(req.query)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => [k, String(v)]),
          )}`
        : '';
      recordRequest({
        side: 'ghl',
        method: req.method,
        path: `${req.path}${query}`,
        ms: Date.now() - started,
        requestBody: safeBody(req.body),
        ...(result.ok
          ? { status: result.status, responseBody: safeBody(result.data) }
          : { status: result.failure.status, error: result.failure.message.slice(0, 200) }),
      });
    }
    if (!result.ok) throw new GhlError(result.failure);
    return result.data as T;
  }

  /** A create sent once per key through the location's object; without a key, a plain call. */
  private async create<T>(
    req: Omit<GhlRequest, 'priority'>,
    key: CreateKey | undefined,
    find: CreatedLookup,
  ): Promise<T> {
    if (!key) return this.call<T>(req);
    if (!this.sendOnce) throw new Error('idempotent creates are sent through the location object');
    const result = await this.sendOnce(req, { ...key, find });
    if ('keyReused' in result) throw idempotencyKeyReused();
    if (!result.ok) throw new GhlError(result.failure);
    return result.data as T;
  }

  // contacts
  getContact(id: string) {
    return this.call<{ contact: GhlContact }>({
      method: 'GET',
      path: `/contacts/${enc(id)}`,
      version: CONTACTS,
    }).then((r) => r.contact);
  }
  createContact(input: Partial<GhlContact>) {
    return this.call<{ contact: GhlContact }>({
      method: 'POST',
      path: '/contacts/',
      body: { ...input, locationId: this.locationId },
      version: CONTACTS,
    }).then((r) => r.contact);
  }
  updateContact(id: string, input: Partial<GhlContact>) {
    return this.call<{ contact: GhlContact }>({
      method: 'PUT',
      path: `/contacts/${enc(id)}`,
      body: input,
      version: CONTACTS,
    }).then((r) => r.contact);
  }
  deleteContact(id: string) {
    return this.call<{ succeded: boolean }>({
      method: 'DELETE',
      path: `/contacts/${enc(id)}`,
      version: CONTACTS,
    });
  }
  upsertContact(input: Partial<GhlContact>) {
    return this.call<{ new: boolean; contact: GhlContact }>({
      method: 'POST',
      path: '/contacts/upsert',
      body: { ...input, locationId: this.locationId },
      version: CONTACTS,
    });
  }
  searchContacts(body: Record<string, unknown>) {
    return this.call<{ contacts: GhlContact[]; total: number }>({
      method: 'POST',
      path: '/contacts/search',
      body: { ...body, locationId: this.locationId },
      version: CONTACTS,
    });
  }
  findDuplicate(by: { email?: string; number?: string }) {
    return this.call<{ contact: GhlContact | null }>({
      method: 'GET',
      path: '/contacts/search/duplicate',
      query: { locationId: this.locationId, email: by.email, number: by.number },
      version: CONTACTS,
    }).then((r) => r.contact ?? null);
  }
  addTags(contactId: string, tags: string[]) {
    return this.call<{ tags: string[] }>({
      method: 'POST',
      path: `/contacts/${enc(contactId)}/tags`,
      body: { tags },
      version: CONTACTS,
    }).then((r) => r.tags);
  }
  removeTags(contactId: string, tags: string[]) {
    return this.call<{ tags: string[] }>({
      method: 'DELETE',
      path: `/contacts/${enc(contactId)}/tags`,
      body: { tags },
      version: CONTACTS,
    }).then((r) => r.tags);
  }

  // tasks
  listTasks(contactId: string) {
    return this.call<{ tasks: GhlTask[] }>({
      method: 'GET',
      path: `/contacts/${enc(contactId)}/tasks`,
      version: CONTACTS,
    }).then((r) => r.tasks);
  }
  getTask(contactId: string, taskId: string) {
    return this.call<{ task: GhlTask }>({
      method: 'GET',
      path: `/contacts/${enc(contactId)}/tasks/${enc(taskId)}`,
      version: CONTACTS,
    }).then((r) => r.task);
  }
  createTask(
    contactId: string,
    input: { title: string; body?: string; dueDate: string; completed: boolean; assignedTo?: string },
    key?: CreateKey,
  ) {
    const find: CreatedLookup = {
      list: { method: 'GET', path: `/contacts/${enc(contactId)}/tasks`, version: CONTACTS },
      collection: 'tasks',
      wrap: 'task',
      match: shown({
        title: input.title,
        body: input.body,
        dueDate: input.dueDate,
        assignedTo: input.assignedTo,
      }),
    };
    return this.create<{ task: GhlTask }>(
      { method: 'POST', path: `/contacts/${enc(contactId)}/tasks`, body: input, version: CONTACTS },
      key,
      find,
    ).then((r) => r.task);
  }
  updateTask(
    contactId: string,
    taskId: string,
    input: Partial<Pick<GhlTask, 'title' | 'body' | 'dueDate' | 'completed' | 'assignedTo'>>,
  ) {
    return this.call<{ task: GhlTask }>({
      method: 'PUT',
      path: `/contacts/${enc(contactId)}/tasks/${enc(taskId)}`,
      body: input,
      version: CONTACTS,
    }).then((r) => r.task);
  }
  completeTask(contactId: string, taskId: string, completed: boolean) {
    return this.call<{ task: GhlTask }>({
      method: 'PUT',
      path: `/contacts/${enc(contactId)}/tasks/${enc(taskId)}/completed`,
      body: { completed },
      version: CONTACTS,
    }).then((r) => r.task);
  }
  deleteTask(contactId: string, taskId: string) {
    return this.call<{ succeded: boolean }>({
      method: 'DELETE',
      path: `/contacts/${enc(contactId)}/tasks/${enc(taskId)}`,
      version: CONTACTS,
    });
  }
  searchTasks(body: Record<string, unknown>) {
    return this.call<{ tasks: GhlTask[] }>({
      method: 'POST',
      path: `/locations/${enc(this.locationId)}/tasks/search`,
      body,
      version: CONTACTS,
    });
  }

  // notes
  listNotes(contactId: string) {
    return this.call<{ notes: GhlNote[] }>({
      method: 'GET',
      path: `/contacts/${enc(contactId)}/notes`,
      version: CONTACTS,
    }).then((r) => r.notes);
  }
  getNote(contactId: string, noteId: string) {
    return this.call<{ note: GhlNote }>({
      method: 'GET',
      path: `/contacts/${enc(contactId)}/notes/${enc(noteId)}`,
      version: CONTACTS,
    }).then((r) => r.note);
  }
  createNote(
    contactId: string,
    input: { body: string; title?: string; userId?: string; pinned?: boolean },
    key?: CreateKey,
  ) {
    const find: CreatedLookup = {
      list: { method: 'GET', path: `/contacts/${enc(contactId)}/notes`, version: CONTACTS },
      collection: 'notes',
      wrap: 'note',
      match: shown({ body: input.body, title: input.title, userId: input.userId }),
    };
    return this.create<{ note: GhlNote }>(
      { method: 'POST', path: `/contacts/${enc(contactId)}/notes`, body: input, version: CONTACTS },
      key,
      find,
    ).then((r) => r.note);
  }
  updateNote(
    contactId: string,
    noteId: string,
    input: { body?: string; title?: string; userId?: string; pinned?: boolean },
  ) {
    return this.call<{ note: GhlNote }>({
      method: 'PUT',
      path: `/contacts/${enc(contactId)}/notes/${enc(noteId)}`,
      body: input,
      version: CONTACTS,
    }).then((r) => r.note);
  }
  deleteNote(contactId: string, noteId: string) {
    return this.call<{ succeded: boolean }>({
      method: 'DELETE',
      path: `/contacts/${enc(contactId)}/notes/${enc(noteId)}`,
      version: CONTACTS,
    });
  }

  // calendars
  /** The location's calendars (`GET /calendars/?locationId`). */
  listCalendars() {
    return this.call<{ calendars?: { id: string; name?: string; isActive?: boolean }[] }>({
      method: 'GET',
      path: '/calendars/',
      query: { locationId: this.locationId },
      version: CALENDARS,
    }).then((r) => r.calendars ?? []);
  }

  // appointments
  listAppointments(contactId: string) {
    return this.call<{ events: GhlAppointment[] }>({
      method: 'GET',
      path: `/contacts/${enc(contactId)}/appointments`,
      version: CONTACTS,
    }).then((r) => r.events);
  }
  getAppointment(eventId: string) {
    return this.call<{ event: GhlAppointment }>({
      method: 'GET',
      path: `/calendars/events/appointments/${enc(eventId)}`,
      version: CALENDARS,
    }).then((r) => r.event);
  }
  /** With a key, booked once per key (a retry after a lost answer finds the appointment by calendar, start and title). */
  createAppointment(
    input: Record<string, unknown> & { contactId?: string; calendarId?: string; startTime?: string },
    key?: CreateKey,
  ) {
    const find: CreatedLookup = {
      list: {
        method: 'GET',
        path: `/contacts/${enc(String(input.contactId))}/appointments`,
        version: CONTACTS,
      },
      collection: 'events',
      match: shown({ calendarId: input.calendarId, startTime: input.startTime, title: input.title }),
    };
    return this.create<GhlAppointment>(
      {
        method: 'POST',
        path: '/calendars/events/appointments',
        body: { ...input, locationId: this.locationId },
        version: CALENDARS,
      },
      key,
      find,
    );
  }
  updateAppointment(eventId: string, input: Record<string, unknown>) {
    return this.call<GhlAppointment>({
      method: 'PUT',
      path: `/calendars/events/appointments/${enc(eventId)}`,
      body: input,
      version: CALENDARS,
    });
  }
  deleteAppointment(eventId: string) {
    return this.call<{ succeeded: boolean }>({
      method: 'DELETE',
      path: `/calendars/events/${enc(eventId)}`,
      version: CALENDARS,
    });
  }
}
