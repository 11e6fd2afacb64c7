/**
 * HTTP helpers for the browser tests: the emulator's control API (what GHL holds), the worker's
 * panel API with a session made from a real SSO payload, and a bounded poll.
 */
import { eventually } from '../support/eventually.ts';

export interface DemoUser {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  role: 'admin' | 'user';
  type: 'agency' | 'account';
  locationIds: string[];
}

export interface DemoLocation {
  id: string;
  name: string;
  calendarId: string;
  admin: DemoUser;
  user: DemoUser;
}

export interface Demo {
  companyId: string;
  dental: DemoLocation;
  fitness: DemoLocation;
}

export interface GhlContact {
  id: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  tags?: string[];
  contactId?: string;
}

export interface GhlNote {
  id: string;
  contactId: string;
  body: string;
}

export interface GhlTask {
  id: string;
  contactId: string;
  title: string;
  completed: boolean;
}

export interface GhlAppointment {
  id: string;
  contactId: string;
  title?: string;
}

export interface LocationState {
  contacts: GhlContact[];
  notes: GhlNote[];
  tasks: GhlTask[];
  appointments: GhlAppointment[];
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The emulator's test-only control API (test/emulator/README.md). */
export function emulatorClient(emulatorUrl: string) {
  const post = async <T>(path: string, body: unknown) =>
    json<T>(
      await fetch(`${emulatorUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      `POST ${path}`,
    );
  return {
    state: async (locationId: string) =>
      json<LocationState>(await fetch(`${emulatorUrl}/_emulator/state/${locationId}`), 'GET state'),
    act: <T = Record<string, unknown>>(body: Record<string, unknown>) => post<T>('/_emulator/act', body),
    uninstall: (clientId: string, locationId: string) =>
      post<unknown>('/_emulator/uninstall', { clientId, locationId }),
    sso: (body: Record<string, unknown>) => post<{ payload: string }>('/_emulator/sso', body),

    /** The Northwind demo agency that `seedDemo` creates: its two locations with their admin and user. */
    demo: async (): Promise<Demo> => {
      type Company = {
        id: string;
        name: string;
        locations: { id: string; name: string; calendarId: string }[];
        users: DemoUser[];
      };
      const { companies } = await json<{ companies: Company[] }>(
        await fetch(`${emulatorUrl}/_emulator/companies`),
        'GET companies',
      );
      const company = companies.find((c) => c.name === 'Northwind Agency');
      if (!company) throw new Error('the emulator has no demo agency: start it with seedDemo');
      const location = (name: string): DemoLocation => {
        const l = company.locations.find((x) => x.name === name);
        if (!l) throw new Error(`no demo location ${name}`);
        const staff = company.users.filter((u) => u.type === 'account' && u.locationIds.includes(l.id));
        const admin = staff.find((u) => u.role === 'admin');
        const user = staff.find((u) => u.role === 'user');
        if (!admin || !user) throw new Error(`demo location ${name} lacks an admin or a user`);
        return { ...l, admin, user };
      };
      return {
        companyId: company.id,
        dental: location('Northwind Dental'),
        fitness: location('Northwind Fitness'),
      };
    },
  };
}

export type Emulator = ReturnType<typeof emulatorClient>;

export interface ApiSession {
  token: string;
  installStatus?: string;
  user: { id: string; name: string; email: string; role: string };
  call: <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;
}

/**
 * A panel session for `user` made the way the panel makes one: an SSO payload encrypted like GHL's
 * (by the emulator, with the app's Shared Secret) traded at `POST /api/session`.
 */
export async function apiSession(
  appUrl: string,
  emu: Emulator,
  companyId: string,
  locationId: string,
  user: DemoUser,
  role = user.role,
): Promise<ApiSession> {
  const { payload } = await emu.sso({
    userId: user.id,
    companyId,
    activeLocation: locationId,
    role,
    type: 'location',
    userName: `${user.firstName} ${user.lastName}`,
    email: user.email,
  });
  const res = await fetch(`${appUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payload }),
  });
  const session = await json<{ token: string; installStatus?: string; user: ApiSession['user'] }>(
    res,
    'POST /api/session',
  );
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const r = await fetch(`${appUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${session.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return { ...session, call };
}

/** The shared `eventually` with the browser tests' defaults (15 s, every 100 ms). */
export function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  return eventually(read, ok, { what, timeoutMs, everyMs });
}

/** A short unique suffix so each run's notes, tasks, tags and contacts are its own. */
export const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

/**
 * Installs the app on one location the way an admin does from the marketplace: `/oauth/install`,
 * GHL's chooselocation page (scripted with `_select`), then our `/oauth/callback`.
 */
export async function installLocation(appUrl: string, locationId: string): Promise<void> {
  let url = `${appUrl}/oauth/install`;
  for (let hop = 0; hop < 5; hop++) {
    const target = new URL(url);
    if (target.pathname.endsWith('/chooselocation')) target.searchParams.set('_select', locationId);
    const res = await fetch(target, { redirect: 'manual' });
    const next = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && next) {
      url = new URL(next, target).toString();
      continue;
    }
    if (!res.ok)
      throw new Error(`install failed at ${target}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return;
  }
  throw new Error('install redirect loop');
}
