/**
 * Shared plumbing of `npm run bench` and `npm run chaos`: JSON over HTTP, panel sessions,
 * emulator counters, partner connections, percentiles and plain-text tables.
 */
import { spawnSync } from 'node:child_process';
import type { Stack } from '../stack.ts';

export type Json = Record<string, unknown>;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class HttpError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, url: string, status: number, body: string) {
    super(`${method} ${url} → ${status}: ${body.slice(0, 300)}`);
    this.status = status;
    this.body = body;
  }
}

/** A JSON request; throws HttpError on a non-2xx answer unless `okStatuses` lists it. */
export async function call<T = Json>(
  method: string,
  url: string,
  opts: {
    body?: unknown;
    token?: string;
    headers?: Record<string, string>;
    okStatuses?: number[];
    timeoutMs?: number;
  } = {},
): Promise<{ status: number; data: T }> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000),
      });
      break;
    } catch (err) {
      // A keep-alive socket the server closed as we reused it: reads are safe to send again.
      if (method !== 'GET' || attempt >= 2) throw err;
      await sleep(100);
    }
  }
  const text = await res.text();
  if (!res.ok && !opts.okStatuses?.includes(res.status)) throw new HttpError(method, url, res.status, text);
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data: data as T };
}

export const getJson = async <T = Json>(url: string, token?: string) =>
  (await call<T>('GET', url, { token })).data;
export const postJson = async <T = Json>(url: string, body: unknown, token?: string) =>
  (await call<T>('POST', url, { body, token })).data;

// ---- the GHL emulator --------------------------------------------------------------------------

export interface EmulatorLocation {
  id: string;
  name: string;
  calendarId?: string;
}

export interface EmulatorCompany {
  id: string;
  name: string;
  locations: EmulatorLocation[];
  users: {
    id: string;
    companyId: string;
    locationIds: string[];
    role: string;
    type: string;
    firstName?: string;
    email?: string;
  }[];
}

export async function companies(emulatorUrl: string): Promise<EmulatorCompany[]> {
  return (await getJson<{ companies: EmulatorCompany[] }>(`${emulatorUrl}/_emulator/companies`)).companies;
}

export interface EmulatorStats {
  total: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  throttled: number;
  oauth: { authorizationCode: number; refresh: number; locationToken: number; invalidGrant: number };
  webhooks: { sent: number; retried: number; failed: number; dropped: number; duplicated: number };
}

export async function ghlStats(emulatorUrl: string, locationId?: string): Promise<EmulatorStats> {
  return getJson<EmulatorStats>(
    `${emulatorUrl}/_emulator/stats${locationId ? `?locationId=${locationId}` : ''}`,
  );
}

/** Sum of byRoute counters whose key matches `pick` (e.g. GET routes, or injected faults). */
export function routeCount(
  stats: { byRoute: Record<string, number> },
  pick: (route: string) => boolean,
): number {
  return Object.entries(stats.byRoute).reduce((n, [route, count]) => (pick(route) ? n + count : n), 0);
}

/** Counter deltas between two snapshots of the same shape (numbers and nested records of numbers). */
export function diff<T>(after: T, before: T): T {
  if (typeof after === 'number') return ((after as number) - ((before as number | undefined) ?? 0)) as T;
  if (after && typeof after === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(after as Record<string, unknown>))
      out[k] = diff(v, ((before ?? {}) as Record<string, unknown>)[k]);
    return out as T;
  }
  return after;
}

export interface EmulatorState {
  contacts: Json[];
  notes: Json[];
  tasks: Json[];
  appointments: Json[];
}

export async function ghlState(emulatorUrl: string, locationId: string): Promise<EmulatorState> {
  return getJson<EmulatorState>(`${emulatorUrl}/_emulator/state/${locationId}`);
}

/** A change made by a person in GHL (`/_emulator/act`): fires the webhook to the app. */
export async function act<T = Json>(emulatorUrl: string, body: Json): Promise<T> {
  return postJson<T>(`${emulatorUrl}/_emulator/act`, body);
}

// ---- the panel API -----------------------------------------------------------------------------

export interface Session {
  token: string;
  locationId: string;
  companyId: string;
}

/** A panel session for the location's admin, through GHL's SSO payload as the panel gets it. */
export async function openSession(
  stack: Pick<Stack, 'appUrl' | 'emulatorUrl'>,
  company: EmulatorCompany,
  locationId: string,
): Promise<Session> {
  const admin =
    company.users.find((u) => u.locationIds?.includes(locationId) && u.role === 'admin') ?? company.users[0]!;
  const { payload } = await postJson<{ payload: string }>(`${stack.emulatorUrl}/_emulator/sso`, {
    userId: admin.id,
    companyId: company.id,
    activeLocation: locationId,
    role: 'admin',
    type: 'location',
    userName: 'Bench Admin',
    email: 'bench-admin@example.com',
  });
  const session = await postJson<{ token: string; locationId: string; companyId: string }>(
    `${stack.appUrl}/api/session`,
    { payload },
  );
  return { token: session.token, locationId: session.locationId, companyId: session.companyId };
}

export interface YourAppHandle {
  url: string;
  webhookUrl: string;
  secret: string;
  apiKey: string;
}

/** Creates a "your app" connection on the session's location, wired to a your-app emulator both ways. */
export async function connectYourApp(
  appUrl: string,
  session: Session,
  partner: YourAppHandle,
  name = 'Your app',
): Promise<{ id: string; inboundUrl: string }> {
  const created = await postJson<{ connection: { id: string }; inboundUrl: string }>(
    `${appUrl}/api/connections`,
    {
      kind: 'yourapp',
      name,
      credentials: { webhookSecret: partner.secret, apiKey: partner.apiKey },
      settings: { webhookUrl: partner.webhookUrl, apiBase: partner.url },
    },
    session.token,
  );
  await postJson(`${partner.url}/_partner/target`, { url: created.inboundUrl });
  return { id: created.connection.id, inboundUrl: created.inboundUrl };
}

// ---- figures -----------------------------------------------------------------------------------

/** Nearest-rank percentile of `values` (p in 0..100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return Number.isInteger(value) && digits <= 1 ? String(value) : value.toFixed(digits);
}

export const ms = (value: number) =>
  Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : 'n/a';

/** Prints a titled two-or-more column table with aligned columns. */
export function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  // Columns of figures are right-aligned, columns of text left-aligned.
  const numeric = header.map(
    (_, i) => i > 0 && rows.every((r) => /^[-+\d.,%×/ =]*(ms|s|KB)?$|^n\/a$/.test(String(r[i] ?? ''))),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(
    '='.repeat(
      Math.max(
        title.length,
        widths.reduce((a, b) => a + b + 2, -2),
      ),
    ),
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Runs `tasks` with at most `limit` in flight; results keep the input order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Polls `check` until it returns a value other than undefined, or the deadline passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 50,
): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= until) return undefined;
    await sleep(everyMs);
  }
}

/** "200×48 429×2": how often each value occurs. */
export function tally(values: readonly (string | number)[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([v, n]) => `${v}×${n}`)
    .join(' ');
}

/** Which worker code ran: `git <sha>` plus how many files under worker/ differ from it. */
export function workerRevision(root: string): string {
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const sha = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'worker').split('\n').filter(Boolean).length;
  return `git ${sha}${dirty ? ` + ${dirty} uncommitted file(s) under worker/` : ''}`;
}
