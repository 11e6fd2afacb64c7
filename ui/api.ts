import type { Backfill, ConnectionList, ConnectionPatch, Created, NewConnection, PartnerConnection } from './lib/connections.ts';
import { parseDate } from './lib/format.ts';
import type {
  Contact,
  ContactPage,
  ContactPatch,
  NoteInput,
  Session,
  SyncLogPage,
  TaskInput,
  Timeline,
} from './lib/types.ts';

/** An `/api/*` failure: `{ error: { code, message } }` from the worker, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

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

async function send(method: string, path: string, body: unknown, auth: boolean): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
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
  let message = res.status >= 500 ? 'Something went wrong on our side. Please try again.' : `Request failed (${res.status}).`;
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
  if (!hooks) return Promise.reject(new ApiError(401, 'unauthorized', 'Your session ended. Reload the page.'));
  // Many requests can hit 401 at once; they share one handshake.
  reauthing ??= hooks.reauth().finally(() => {
    reauthing = null;
  });
  return reauthing;
}

/** One authenticated call; on 401 the handshake runs again once, then the call is retried. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res = await send(method, path, body, true);
  if (res.status === 401) {
    await refreshToken();
    res = await send(method, path, body, true);
  }
  if (!res.ok) {
    const err = await fail(res);
    if (err.status === 409 && err.code === 'reconnect_needed') hooks?.onReconnect(err.message);
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Exchanges the encrypted SSO payload for a panel session. */
export async function createSession(payload: string): Promise<Session> {
  const res = await send('POST', '/api/session', { payload }, false);
  if (!res.ok) throw await fail(res);
  const data = (await res.json()) as Omit<Session, 'expiresAt'> & { expiresAt?: unknown };
  return { ...data, expiresAt: parseDate(data.expiresAt)?.getTime() ?? 0 };
}

const enc = encodeURIComponent;
const contactPath = (id: string) => `/api/contacts/${enc(id)}`;
const connPath = (id: string) => `/api/connections/${enc(id)}`;

function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** GHL answers some writes as `{ contact }`, `{ note }`, `{ task }`; unwrap when wrapped. */
function unwrap<T>(key: string) {
  return (data: unknown): T => {
    const box = data as Record<string, unknown> | null;
    return (box && typeof box === 'object' && key in box ? box[key] : data) as T;
  };
}

export const api = {
  searchContacts: (q: string, cursor?: string | null, limit = 20) =>
    request<ContactPage>('GET', `/api/contacts${query({ query: q, limit, cursor })}`),
  getContact: (id: string) => request<unknown>('GET', contactPath(id)).then(unwrap<Contact>('contact')),
  updateContact: (id: string, patch: ContactPatch) =>
    request<unknown>('PUT', contactPath(id), patch).then(unwrap<Contact>('contact')),
  timeline: (id: string, refresh = false) => request<Timeline>('GET', `${contactPath(id)}/timeline${refresh ? '?refresh=1' : ''}`),

  addTags: (id: string, tags: string[]) => request<{ tags?: string[] }>('POST', `${contactPath(id)}/tags`, { tags }),
  removeTags: (id: string, tags: string[]) => request<{ tags?: string[] }>('DELETE', `${contactPath(id)}/tags`, { tags }),

  createNote: (id: string, note: NoteInput) =>
    request<unknown>('POST', `${contactPath(id)}/notes`, note).then(unwrap<Record<string, unknown>>('note')),
  updateNote: (id: string, noteId: string, note: NoteInput) =>
    request<unknown>('PUT', `${contactPath(id)}/notes/${enc(noteId)}`, note).then(unwrap<Record<string, unknown>>('note')),
  deleteNote: (id: string, noteId: string) => request<unknown>('DELETE', `${contactPath(id)}/notes/${enc(noteId)}`),

  createTask: (id: string, task: TaskInput) =>
    request<unknown>('POST', `${contactPath(id)}/tasks`, task).then(unwrap<Record<string, unknown>>('task')),
  updateTask: (id: string, taskId: string, task: Partial<TaskInput>) =>
    request<unknown>('PUT', `${contactPath(id)}/tasks/${enc(taskId)}`, task).then(unwrap<Record<string, unknown>>('task')),
  setTaskCompleted: (id: string, taskId: string, completed: boolean) =>
    request<unknown>('PUT', `${contactPath(id)}/tasks/${enc(taskId)}/completed`, { completed }),
  deleteTask: (id: string, taskId: string) => request<unknown>('DELETE', `${contactPath(id)}/tasks/${enc(taskId)}`),

  getSettings: () => request<unknown>('GET', '/api/settings'),
  putSettings: (body: unknown) => request<unknown>('PUT', '/api/settings', body),

  connections: () => request<ConnectionList>('GET', '/api/connections'),
  createConnection: (body: NewConnection) => request<Created>('POST', '/api/connections', body),
  updateConnection: (id: string, patch: ConnectionPatch) =>
    request<{ connection: PartnerConnection }>('PATCH', connPath(id), patch).then((r) => r.connection),
  deleteConnection: (id: string) => request<unknown>('DELETE', connPath(id)),
  backfill: (id: string) => request<{ backfill: Backfill | null }>('GET', `${connPath(id)}/backfill`).then((r) => r.backfill),
  startBackfill: (id: string, dryRun: boolean) =>
    request<{ backfill: Backfill | null }>('POST', `${connPath(id)}/backfill`, { dryRun }).then((r) => r.backfill),

  syncLog: (p: { status?: string; contactId?: string; cursor?: string | null }) =>
    request<SyncLogPage>('GET', `/api/sync-log${query(p)}`),
  replay: (entryId: string | number) =>
    request<unknown>('POST', `/api/sync-log/${enc(String(entryId))}/replay`).then(unwrap<Record<string, unknown> | undefined>('entry')),
};
