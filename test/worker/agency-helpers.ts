import { env } from 'cloudflare:test';
import { callback, emu, installLocation, seedCompany, type SeededCompany } from './helpers.ts';
import { sessionToken } from './panel-helpers.ts';

/** An agency that installed the app as an agency on some of its sub-accounts, with an agency admin's session. */
export interface Agency {
  seed: SeededCompany;
  companyId: string;
  /** Session of the agency admin, opened from the agency view (no activeLocation). */
  token: string;
  installedIds: string[];
  notInstalledIds: string[];
}

/** Bulk (Company) install on the first `installed` of `locations` sub-accounts, through the real callback. */
export async function agencyWith(locations: number, installed: number): Promise<Agency> {
  const seed = await seedCompany(locations, 1);
  const ids = seed.locations.map((l) => l.id);
  const { code } = await emu<{ code: string }>('/_emulator/install', {
    clientId: env.GHL_CLIENT_ID,
    companyId: seed.companyId,
    userType: 'Company',
    locationIds: ids.slice(0, installed),
    webhooks: 'none',
  });
  const res = await callback(code);
  if (res.status !== 200) throw new Error(`agency callback answered ${res.status}: ${await res.text()}`);
  return {
    seed,
    companyId: seed.companyId,
    token: await agencySession(seed.companyId),
    installedIds: ids.slice(0, installed),
    notInstalledIds: ids.slice(installed),
  };
}

/** An agency whose sub-account installed the app by itself (no agency install). */
export async function locationOnlyAgency(): Promise<Agency> {
  const seed = await seedCompany(1, 1);
  await installLocation(seed, 0);
  return {
    seed,
    companyId: seed.companyId,
    token: await agencySession(seed.companyId),
    installedIds: [seed.locations[0]!.id],
    notInstalledIds: [],
  };
}

export function agencySession(companyId: string, role = 'admin'): Promise<string> {
  return sessionToken({
    userId: 'agencyAdmin000000001',
    companyId,
    type: 'agency',
    role,
    userName: 'Avery Agency',
    email: 'avery@agency.example.com',
  });
}

/** A location session for an admin of `locationId`. */
export function locationSession(companyId: string, locationId: string): Promise<string> {
  return sessionToken({
    userId: 'locAdmin000000000001',
    companyId,
    activeLocation: locationId,
    role: 'admin',
  });
}
