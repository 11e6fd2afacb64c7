import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The GHL and partner requests made for one unit of sync work, for the sync log's details:
 * method, path, status, duration, bodies (cut to a few KB, secrets masked). A trace is active
 * only while a contact's object runs its queue; anywhere else recording costs nothing.
 */

export interface TracedRequest {
  side: 'ghl' | 'partner';
  method: string;
  /** Path and query, without the host (a partner URL's host is the partner's). */
  path: string;
  status: number | null;
  ms: number;
  requestBody?: string;
  responseBody?: string;
  error?: string;
}

const MAX_REQUESTS = 12;
const MAX_BODY = 2048;
const SECRET_KEY = /token|secret|password|authorization|api[-_]?key|signature|code/i;

const store = new AsyncLocalStorage<TracedRequest[]>();

/** Runs `work` with a fresh trace; `take()` hands over (and clears) what was recorded so far. */
export function withTrace<T>(work: (take: () => TracedRequest[]) => Promise<T>): Promise<T> {
  const trace: TracedRequest[] = [];
  return store.run(trace, () => work(() => trace.splice(0)));
}

export const tracing = () => store.getStore() !== undefined;

/** The requests recorded since the last take, handed over once (empty outside a trace). */
export const takeRequests = (): TracedRequest[] => store.getStore()?.splice(0) ?? [];

/** A body as text of at most 2 KB, with values under secret-looking keys masked. */
export function safeBody(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.length > MAX_BODY ? `${body.slice(0, MAX_BODY)}…` : body;
    }
  }
  const text =
    JSON.stringify(value, (k, v) => (k && SECRET_KEY.test(k) && typeof v !== 'object' ? '••••' : v)) ?? '';
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text;
}

export function recordRequest(r: TracedRequest): void {
  const trace = store.getStore();
  if (!trace) return;
  if (trace.length >= MAX_REQUESTS) trace.shift();
  trace.push(r);
}
