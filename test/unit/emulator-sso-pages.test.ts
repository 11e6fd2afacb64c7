import CryptoJS from 'crypto-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../emulator/server.ts';
import { encryptSso } from '../emulator/sso.ts';
import {
  startHarness,
  startReceiver,
  TEST_CLIENT,
  type Harness,
  type Receiver,
} from '../emulator/testkit/harness.ts';

const decrypt = (payload: string, secret: string) =>
  CryptoJS.AES.decrypt(payload, secret).toString(CryptoJS.enc.Utf8);

let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  h = await startHarness({
    seedDemo: true,
    appBaseUrl: 'http://app.test:8787',
    clients: [{ ...TEST_CLIENT, webhookUrl: receiver.url }, DEMO_CLIENT],
  });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

describe('SSO payload', () => {
  it('decrypts with the real crypto-js and the app Shared Secret, in both context variants', async () => {
    const user = {
      userId: 'u1',
      companyId: 'c1',
      activeLocation: 'l1',
      role: 'admin',
      type: 'location',
      userName: 'Ada Lovelace',
      email: 'ada@example.com',
    };
    const { payload } = await h.control('/_emulator/sso', user);
    expect(payload).toMatch(/^U2FsdGVkX1/);
    expect(JSON.parse(decrypt(payload, TEST_CLIENT.sharedSecret))).toEqual(user);
    const agency = {
      userId: 'u1',
      companyId: 'c1',
      role: 'admin',
      type: 'agency',
      userName: 'Ada',
      email: 'ada@example.com',
    };
    const other = await h.control('/_emulator/sso', { ...agency, clientId: DEMO_CLIENT.clientId });
    expect(JSON.parse(decrypt(other.payload, DEMO_CLIENT.sharedSecret))).toEqual(agency);
    // A wrong secret yields bytes that are not UTF-8 (crypto-js throws) or not the data.
    let wrong = '';
    try {
      wrong = decrypt(other.payload, TEST_CLIENT.sharedSecret);
    } catch {
      wrong = '';
    }
    expect(wrong).not.toContain('Ada');
  });

  it('is salted: the same data encrypts differently each time', () => {
    const a = encryptSso({ x: 1 }, 's');
    const b = encryptSso({ x: 1 }, 's');
    expect(a).not.toBe(b);
    expect(decrypt(a, 's')).toBe(decrypt(b, 's'));
    expect(decrypt(encryptSso('ü✓ multi-block text '.repeat(5), 'sécret'), 'sécret')).toBe(
      'ü✓ multi-block text '.repeat(5),
    );
  });
});

describe('seedDemo', () => {
  it('creates Northwind Agency with three realistic locations', async () => {
    const { companies } = await h.control('/_emulator/companies');
    const northwind = companies.find((c: { name: string }) => c.name === 'Northwind Agency');
    expect(northwind.locations.map((l: { name: string }) => l.name)).toEqual([
      'Northwind Dental',
      'Northwind Fitness',
      'Northwind Spa',
    ]);
    for (const location of northwind.locations) {
      const state = await h.control(`/_emulator/state/${location.id}`);
      expect(state.contacts.length).toBeGreaterThanOrEqual(20);
      expect(
        state.contacts.every(
          (c: { email?: string; phone?: string; firstName?: string }) => c.email && c.phone && c.firstName,
        ),
      ).toBe(true);
      expect(state.contacts.some((c: { tags: string[] }) => c.tags.length > 0)).toBe(true);
      expect(state.notes.length).toBeGreaterThan(5);
      expect(
        state.tasks.some(
          (t: { completed: boolean; dueDate: string }) => !t.completed && Date.parse(t.dueDate) > Date.now(),
        ),
      ).toBe(true);
      expect(state.tasks.some((t: { completed: boolean }) => t.completed)).toBe(true);
      expect(state.appointments.length).toBeGreaterThan(5);
    }
  });

  it('uses the same ids on every start', async () => {
    const again = await startHarness({ seedDemo: true });
    try {
      const a = (await h.control('/_emulator/companies')).companies[0];
      const b = (await again.control('/_emulator/companies')).companies[0];
      expect(b.id).toBe(a.id);
      expect(b.locations.map((l: { id: string }) => l.id)).toEqual(
        a.locations.map((l: { id: string }) => l.id),
      );
    } finally {
      await again.close();
    }
  });
});

describe('chooselocation', () => {
  const authorize = (extra: Record<string, string>) => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: TEST_CLIENT.clientId,
      redirect_uri: 'http://app.test/oauth/callback',
      scope: 'contacts.readonly contacts.write',
      state: 'xyz',
      ...extra,
    });
    return fetch(`${h.url}/v2/oauth/chooselocation?${q}`, { redirect: 'manual' });
  };

  it('shows the agency and its locations, each a link that selects it', async () => {
    const res = await authorize({});
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Northwind Dental');
    expect(html).toContain('Northwind Fitness');
    expect(html).toContain('_select=company');
  });

  it('_select=<locationId> answers 302 to redirect_uri?code= with a code for a Location token; INSTALL follows the exchange', async () => {
    const { companies } = await h.control('/_emulator/companies');
    const dental = companies[0].locations[0];
    const res = await authorize({ _select: dental.id });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe('http://app.test/oauth/callback');
    expect(to.searchParams.get('state')).toBe('xyz');
    const token = await (await h.exchange(to.searchParams.get('code')!)).json();
    expect(token).toMatchObject({
      userType: 'Location',
      locationId: dental.id,
      scope: 'contacts.readonly contacts.write',
    });
    const [install] = await receiver.waitFor(1);
    expect(JSON.parse(install!.body)).toMatchObject({ type: 'INSTALL', locationId: dental.id });
  });

  it('_select=company gives a bulk Company install', async () => {
    const res = await authorize({ _select: 'company' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    expect(await (await h.exchange(code)).json()).toMatchObject({
      userType: 'Company',
      isBulkInstallation: true,
      approveAllLocations: true,
    });
  });

  it('an unknown client gets the real error text', async () => {
    const res = await authorize({ client_id: 'nope' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('No integration found with the ID nope');
  });
});

describe('GHL host page', () => {
  it('frames the app under the custom menu link and answers REQUEST_USER_DATA only to that iframe, with a valid payload', async () => {
    const res = await fetch(`${h.url}/_emulator/ghl`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Northwind Dental');
    expect(html).toContain('Contact Sync');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/@media \(max-width:\s*720px\)/);
    expect(html).toContain('src="http://app.test:8787/app"');
    expect(html).toContain('event.source !== iframe.contentWindow');
    expect(html).toContain("message: 'REQUEST_USER_DATA_RESPONSE'");
    expect(html).toContain("postMessage({ message: 'REQUEST_USER_DATA_RESPONSE', payload }, appOrigin)");
    const payload = /const payload = "([^"]+)";/.exec(html)?.[1];
    expect(payload).toBeDefined();
    const user = JSON.parse(decrypt(payload!, TEST_CLIENT.sharedSecret));
    const { companies } = await h.control('/_emulator/companies');
    expect(user).toMatchObject({
      role: 'admin',
      type: 'location',
      activeLocation: companies[0].locations[0].id,
      companyId: companies[0].id,
      userName: expect.any(String),
      email: expect.stringContaining('@'),
    });
  });

  it('takes locationId, userId and role from the query', async () => {
    const { companies } = await h.control('/_emulator/companies');
    const fitness = companies[0].locations[1];
    const staff = companies[0].users.find(
      (u: { role: string; locationIds: string[] }) => u.role === 'user' && u.locationIds.includes(fitness.id),
    );
    const html = await (
      await fetch(`${h.url}/_emulator/ghl?locationId=${fitness.id}&userId=${staff.id}&role=user`)
    ).text();
    const user = JSON.parse(decrypt(/const payload = "([^"]+)";/.exec(html)![1]!, TEST_CLIENT.sharedSecret));
    expect(user).toMatchObject({
      activeLocation: fitness.id,
      userId: staff.id,
      role: 'user',
      email: staff.email,
    });
    expect(html).toContain('Northwind Fitness');
  });

  it('plays the agency view: the agency context payload, with no activeLocation', async () => {
    const { companies } = await h.control('/_emulator/companies');
    const northwind = companies[0];
    const admin = northwind.users.find((u: { type: string; role: string }) => u.type === 'agency');
    const res = await fetch(`${h.url}/_emulator/ghl?view=agency`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Agency view');
    expect(html).toContain('src="http://app.test:8787/app"');
    const user = JSON.parse(decrypt(/const payload = "([^"]+)";/.exec(html)![1]!, TEST_CLIENT.sharedSecret));
    expect(user).toEqual({
      userId: admin.id,
      companyId: northwind.id,
      role: 'admin',
      type: 'agency',
      userName: `${admin.firstName} ${admin.lastName}`,
      email: admin.email,
    });
    // Every sub-account is one pick away, and the role can be switched like on the location page.
    for (const l of northwind.locations) expect(html).toContain(`locationId=${l.id}`);
    const asUser = await (await fetch(`${h.url}/_emulator/ghl?view=agency&role=user`)).text();
    expect(
      JSON.parse(decrypt(/const payload = "([^"]+)";/.exec(asUser)![1]!, TEST_CLIENT.sharedSecret)).role,
    ).toBe('user');
  });
});
