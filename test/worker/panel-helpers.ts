import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { emu, installLocation, seedCompany, stats } from './helpers.ts';

/** A sub-account as the panel tests use it: installed, with a few contacts and a session. */
export interface PanelLocation {
  locationId: string;
  companyId: string;
  contactIds: string[];
  calendarId: string;
  adminId: string;
  userId: string;
  /** Session token of the location's admin. */
  token: string;
}

export interface SsoUserInput {
  userId: string;
  companyId: string;
  activeLocation?: string;
  role?: string;
  type?: string;
  userName?: string;
  email?: string;
}

/** An SSO payload exactly as GHL makes it, encrypted by the emulator with our app's Shared Secret. */
export async function ssoPayload(user: SsoUserInput, clientId: string = env.GHL_CLIENT_ID): Promise<string> {
  const { payload } = await emu<{ payload: string }>('/_emulator/sso', {
    clientId,
    role: 'admin',
    type: 'location',
    userName: 'Pat Panel',
    email: 'pat@example.com',
    ...user,
  });
  return payload;
}

/** POST /api/session with a raw body. */
export function postSession(body: unknown): Promise<Response> {
  return SELF.fetch('http://app.test/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A session token for `user`, through the real SSO route. */
export async function sessionToken(user: SsoUserInput): Promise<string> {
  const res = await postSession({ payload: await ssoPayload(user) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** Calls an /api route with a session token; `body` is sent as JSON. */
export async function call<T = any>(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer<T>> {
  const res = await SELF.fetch(`http://app.test${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers, text };
}

/** Asserts our error shape. */
export function expectError(answer: ApiAnswer, status: number, code: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.body?.error?.code, answer.text).toBe(code);
  expect(typeof answer.body.error.message).toBe('string');
  expect(answer.body.error.message.length).toBeGreaterThan(5);
}

/** Seeds one agency with `count` sub-accounts, installs each, and opens an admin session on each. */
export async function panelLocations(count = 2, contacts = 3): Promise<PanelLocation[]> {
  const seed = await seedCompany(count, contacts);
  const out: PanelLocation[] = [];
  for (let i = 0; i < count; i++) {
    await installLocation(seed, i);
    const loc = seed.locations[i] as (typeof seed.locations)[number] & {
      calendarId: string;
      userIds: string[];
    };
    const token = await sessionToken({
      userId: loc.userIds[0]!,
      companyId: seed.companyId,
      activeLocation: loc.id,
      role: 'admin',
    });
    out.push({
      locationId: loc.id,
      companyId: seed.companyId,
      contactIds: loc.contactIds,
      calendarId: loc.calendarId,
      adminId: loc.userIds[0]!,
      userId: loc.userIds[1]!,
      token,
    });
  }
  return out;
}

/** A change made by a person inside GHL (no webhook reaches the worker in tests). */
export function act<T = any>(locationId: string, action: string, data: Record<string, unknown>): Promise<T> {
  return emu<T>('/_emulator/act', { locationId, action, ...data });
}

/** GHL API requests the emulator has counted for a location so far. */
export async function ghlRequests(locationId: string): Promise<number> {
  return (await stats(locationId)).total as number;
}

/** Body text must not mention any of `secrets` (ids or values of another location). */
export function expectNoLeak(answer: ApiAnswer, secrets: string[]): void {
  for (const s of secrets) expect(answer.text.includes(s), `answer leaks ${s}: ${answer.text}`).toBe(false);
}
