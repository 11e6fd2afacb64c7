import type { ConnectionList } from './lib/connections.ts';
import type {
  Contact,
  ContactPage,
  ContactPatch,
  NoteInput,
  Session,
  SyncLogEntry,
  SyncLogPage,
  TaskInput,
  Timeline,
  User,
} from './lib/types.ts';

/** A note or task as GHL answers it. */
type GhlObject = Record<string, unknown>;

/** An `/api/*` failure: `{ error: { code, message } }` from the worker, or a network failure (status 0). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The message of a failure, for display. */
export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface Hooks {
  /** Runs the SSO handshake again and returns the new session token. */
  reauth: () => Promise<string>;
  /** The location's install is gone or its tokens are dead. */
  onReconnect: (message: string) => void;
}

// The token lives only in memory: a reload re-runs the handshake, nothing sits in storage.
let token: string | null = null;
let hooks: Hooks | null = null;
let reauthing: Promise<string> | null = null;

export function configureApi(h: Hooks): void {
  hooks = h;
}

export function setToken(t: string | null): void {
  token = t;
}

async function send(
  method: string,
  path: string,
  body: unknown,
  auth: boolean,
  extra: Record<string, string>,
): Promise<Response> {
  const headers: Record<string, string> = { ...extra, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach Contact Sync. Check your connection and try again.');
  }
}

async function fail(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message =
    res.status >= 500
      ? 'Something went wrong on our side. Please try again.'
      : `Request failed (${res.status}).`;
  try {
    const data = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof data.error?.code === 'string') code = data.error.code;
    if (typeof data.error?.message === 'string' && data.error.message) message = data.error.message;
  } catch {
    // Not JSON (a proxy's HTML error page): keep the generic message.
  }
  return new ApiError(res.status, code, message);
}

function refreshToken(): Promise<string> {
  if (!hooks)
    return Promise.reject(new ApiError(401, 'unauthorized', 'Your session ended. Reload the page.'));
  // Many requests can hit 401 at once; they share one handshake.
  reauthing ??= hooks.reauth().finally(() => {
    reauthing = null;
  });
  return reauthing;
}

/** One call; an authenticated one that gets 401 runs the handshake again once and is retried (same headers). */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  auth = true,
  headers: Record<string, string> = {},
): Promise<T> {
  let res = await send(method, path, body, auth, headers);
  if (auth && res.status === 401) {
    await refreshToken();
    res = await send(method, path, body, true, headers);
  }
  if (!res.ok) {
    const err = await fail(res);
    if (err.status === 409 && err.code === 'reconnect_needed') hooks?.onReconnect(err.message);
    throw err;
  }
  return (await res.json()) as T;
}

/** Exchanges the encrypted SSO payload for a panel session. */
export const createSession = (payload: string) =>
  request<Session>('POST', '/api/session', { payload }, false);

export const enc = encodeURIComponent;
const contactPath = (id: string) => `/api/contacts/${enc(id)}`;

function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The worker's `/api/*` routes (docs/CONTRACT.md §4), one function each; the settings screen's own are in settings-api.ts.

export const searchContacts = (q: string, cursor?: string | null, limit = 20) =>
  request<ContactPage>('GET', `/api/contacts${query({ query: q, limit, cursor })}`);
export const createContact = (body: ContactPatch) =>
  request<{ contact: Contact }>('POST', '/api/contacts', body).then((r) => r.contact);
export const deleteContact = (id: string) => request<unknown>('DELETE', contactPath(id));
export const updateContact = (id: string, patch: ContactPatch) =>
  request<{ contact: Contact }>('PUT', contactPath(id), patch).then((r) => r.contact);
export const getTimeline = (id: string, refresh = false) =>
  request<Timeline>('GET', `${contactPath(id)}/timeline${refresh ? '?refresh=1' : ''}`);

export const addTags = (id: string, tags: string[]) =>
  request<{ tags: string[] }>('POST', `${contactPath(id)}/tags`, { tags });
export const removeTags = (id: string, tags: string[]) =>
  request<{ tags: string[] }>('DELETE', `${contactPath(id)}/tags`, { tags });

/** The header that makes a create happen once per user action (lib/action-keys.ts). */
const onceAs = (key: string) => ({ 'Idempotency-Key': key });

export const createNote = (id: string, note: NoteInput, key: string) =>
  request<{ note: GhlObject }>('POST', `${contactPath(id)}/notes`, note, true, onceAs(key)).then(
    (r) => r.note,
  );
export const updateNote = (id: string, noteId: string, note: NoteInput) =>
  request<{ note: GhlObject }>('PUT', `${contactPath(id)}/notes/${enc(noteId)}`, note).then((r) => r.note);
export const deleteNote = (id: string, noteId: string) =>
  request<unknown>('DELETE', `${contactPath(id)}/notes/${enc(noteId)}`);

export const createTask = (id: string, task: TaskInput, key: string) =>
  request<{ task: GhlObject }>('POST', `${contactPath(id)}/tasks`, task, true, onceAs(key)).then(
    (r) => r.task,
  );
export const updateTask = (id: string, taskId: string, task: Partial<TaskInput>) =>
  request<{ task: GhlObject }>('PUT', `${contactPath(id)}/tasks/${enc(taskId)}`, task).then((r) => r.task);
export const setTaskCompleted = (id: string, taskId: string, completed: boolean) =>
  request<unknown>('PUT', `${contactPath(id)}/tasks/${enc(taskId)}/completed`, { completed });
export const deleteTask = (id: string, taskId: string) =>
  request<unknown>('DELETE', `${contactPath(id)}/tasks/${enc(taskId)}`);

export const listUsers = () => request<{ users: User[] }>('GET', '/api/users').then((r) => r.users);

/** Moves an appointment to another free slot, or changes its status (cancel); booking is in booking-api.ts. */
export const changeAppointment = (
  id: string,
  appointmentId: string,
  change: { startTime: string } | { appointmentStatus: string },
) =>
  request<{ appointment: GhlObject }>(
    'PUT',
    `${contactPath(id)}/appointments/${enc(appointmentId)}`,
    change,
  ).then((r) => r.appointment);

export const listConnections = () => request<ConnectionList>('GET', '/api/connections');

export const getSyncLog = (p: {
  status?: string;
  contactId?: string;
  cursor?: string | null;
  show?: 'all';
}) => request<SyncLogPage>('GET', `/api/sync-log${query(p)}`);
export const replaySyncLogEntry = (entryId: number) =>
  request<{ entry: SyncLogEntry }>('POST', `/api/sync-log/${entryId}/replay`).then((r) => r.entry);
