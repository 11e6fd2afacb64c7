import { env, SELF } from 'cloudflare:test';

/** Calls the GHL emulator's control API (test-only). */
export async function emu<T = any>(
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<T> {
  const res = await fetch(`${env.EMULATOR_URL}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator ${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export interface SeededCompany {
  companyId: string;
  locations: { id: string; name: string; contactIds: string[] }[];
}

/** Creates an agency with `locations` sub-accounts of `contacts` contacts each in the emulator. */
export function seedCompany(locations = 1, contacts = 3): Promise<SeededCompany> {
  return emu<SeededCompany>('/_emulator/seed', {
    locations: Array.from({ length: locations }, (_, i) => ({ name: `Test Location ${i + 1}`, contacts })),
  });
}

/** Runs GHL's redirect to /oauth/callback with a code the emulator issued. */
export async function callback(code: string) {
  return SELF.fetch(`http://app.test/oauth/callback?code=${encodeURIComponent(code)}`);
}

/** Sub-account install of one location, through the real callback route. */
export async function installLocation(seed: SeededCompany, index = 0, scope?: string) {
  const location = seed.locations[index]!;
  const { code } = await emu<{ code: string }>('/_emulator/install', {
    clientId: env.GHL_CLIENT_ID,
    companyId: seed.companyId,
    userType: 'Location',
    locationIds: [location.id],
    webhooks: 'none',
    ...(scope ? { scope } : {}),
  });
  const res = await callback(code);
  if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${await res.text()}`);
  return location;
}

/** Seeds a company with one location and installs it; the usual start of a test. */
export async function installedLocation(contacts = 3) {
  const seed = await seedCompany(1, contacts);
  const location = await installLocation(seed);
  return { seed, location, locationId: location.id };
}

/** Builds a signed GHL webhook with the emulator and delivers it to the worker. */
export async function deliverEvent(
  event: Record<string, unknown>,
  sign: 'both' | 'ed25519' | 'rsa' | 'none' = 'both',
) {
  const signed = await emu<{ body: string; headers: Record<string, string> }>('/_emulator/webhooks/event', {
    ...event,
    sign,
  });
  return SELF.fetch('http://app.test/webhooks/ghl', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
}

/** Emulator request statistics for one location. */
export function stats(locationId?: string) {
  return emu<any>(`/_emulator/stats${locationId ? `?locationId=${encodeURIComponent(locationId)}` : ''}`);
}
