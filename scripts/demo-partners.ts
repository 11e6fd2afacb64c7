/**
 * The demo partners of `npm start` (and the browser tests): the stack's "your app" and Cal.com
 * emulators, connected to one demo sub-account through the panel API, as its admin would connect
 * them. Every start connects afresh: the emulators come up with new ports, keys and secrets.
 */
import type { Stack } from './stack.ts';

export const DEMO_LOCATION = 'Northwind Dental';
const NAMES = { yourapp: 'Demo: your app', calcom: 'Demo: Cal.com' } as const;

interface DemoCompany {
  id: string;
  name: string;
  locations: { id: string; name: string; calendarId: string }[];
  users: {
    id: string;
    firstName: string;
    lastName: string;
    email: string;
    role: string;
    type: string;
    locationIds: string[];
  }[];
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A panel session of the location's admin, made from an SSO payload as the panel makes one. */
async function adminSession(stack: Stack, locationName: string) {
  const { companies } = await json<{ companies: DemoCompany[] }>(
    await fetch(`${stack.emulatorUrl}/_emulator/companies`),
    'GET companies',
  );
  const company = companies.find((c) => c.locations.some((l) => l.name === locationName));
  const location = company?.locations.find((l) => l.name === locationName);
  const admin = company?.users.find(
    (u) => u.type === 'account' && u.role === 'admin' && location && u.locationIds.includes(location.id),
  );
  if (!company || !location || !admin) throw new Error(`no demo location "${locationName}" with an admin`);
  const sso = await fetch(`${stack.emulatorUrl}/_emulator/sso`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      clientId: stack.client.clientId,
      userId: admin.id,
      companyId: company.id,
      activeLocation: location.id,
      role: 'admin',
      type: 'location',
      userName: `${admin.firstName} ${admin.lastName}`,
      email: admin.email,
    }),
  });
  const { payload } = await json<{ payload: string }>(sso, 'POST /_emulator/sso');
  const { token } = await json<{ token: string }>(
    await fetch(`${stack.appUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload }),
    }),
    'POST /api/session',
  );
  const call = async <T>(method: string, path: string, body?: unknown) =>
    json<T>(
      await fetch(`${stack.appUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      `${method} ${path}`,
    );
  return { location, call };
}

export interface DemoConnections {
  locationId: string;
  locationName: string;
  /** Connection ids by kind. */
  yourapp: string | null;
  calcom: string | null;
}

/** Connects the stack's partner emulators to `locationName`, replacing the demo connections of an earlier start. */
export async function connectDemoPartners(
  stack: Stack,
  locationName = DEMO_LOCATION,
): Promise<DemoConnections> {
  const { location, call } = await adminSession(stack, locationName);
  const { connections } = await call<{ connections: { id: string; name: string }[] }>(
    'GET',
    '/api/connections',
  );
  for (const old of connections.filter((c) => Object.values(NAMES).includes(c.name as never)))
    await call('DELETE', `/api/connections/${old.id}`);
  const out: DemoConnections = { locationId: location.id, locationName, yourapp: null, calcom: null };

  const app = stack.partners.yourapp[0];
  if (app) {
    const made = await call<{ connection: { id: string; inboundUrl: string } }>('POST', '/api/connections', {
      kind: 'yourapp',
      name: NAMES.yourapp,
      credentials: { webhookSecret: app.secret, apiKey: app.apiKey },
      settings: { webhookUrl: app.webhookUrl, apiBase: app.url, ghlCalendarId: location.calendarId },
    });
    await json(
      await fetch(`${app.url}/_partner/target`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: made.connection.inboundUrl }),
      }),
      'your app target',
    );
    out.yourapp = made.connection.id;
  }
  const cal = stack.partners.calcom;
  if (cal) {
    // Cal.com's webhook is made through its API by the worker (no control-API subscriber needed).
    const made = await call<{ connection: { id: string } }>('POST', '/api/connections', {
      kind: 'calcom',
      name: NAMES.calcom,
      credentials: { apiKey: cal.apiKey },
      settings: { apiBase: cal.url, eventTypeId: 1, timeZone: 'UTC', ghlCalendarId: location.calendarId },
    });
    out.calcom = made.connection.id;
  }
  return out;
}
