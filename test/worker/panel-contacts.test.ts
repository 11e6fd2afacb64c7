import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { emu, stats } from './helpers.ts';
import { call, expectError, expectNoLeak, panelLocations, type PanelLocation } from './panel-helpers.ts';

let A: PanelLocation;
let B: PanelLocation;
let bSecrets: string[];

beforeAll(async () => {
  [A, B] = (await panelLocations(2, 7)) as [PanelLocation, PanelLocation];
  const state = await emu<{ contacts: { id: string; email: string; phone: string }[] }>(
    `/_emulator/state/${B.locationId}`,
  );
  bSecrets = state.contacts.flatMap((c) => [c.email, c.phone]);
});

describe('GET /api/contacts (search)', () => {
  it('pages through the location with an opaque cursor, and only through it', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await call(
        A.token,
        'GET',
        `/api/contacts?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      for (const c of res.body.contacts) {
        expect(c.locationId).toBe(A.locationId);
        expect(c.searchAfter).toBeUndefined();
        seen.push(c.id);
      }
      cursor = res.body.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(new Set(A.contactIds));
    expect(seen.some((id) => B.contactIds.includes(id))).toBe(false);
  });

  it('searches by query text', async () => {
    const state = await emu<{ contacts: { id: string; email: string }[] }>(
      `/_emulator/state/${A.locationId}`,
    );
    const target = state.contacts[0]!;
    const res = await call(A.token, 'GET', `/api/contacts?query=${encodeURIComponent(target.email)}`);
    expect(res.status).toBe(200);
    expect(res.body.contacts.map((c: any) => c.id)).toEqual([target.id]);
    expect(res.body.nextCursor).toBeNull();
  });

  it('finds nothing of another location, even by its exact email', async () => {
    const res = await call(A.token, 'GET', `/api/contacts?query=${encodeURIComponent(bSecrets[0]!)}`);
    expect(res.status).toBe(200);
    expect(res.body.contacts).toEqual([]);
    expectNoLeak(res, B.contactIds);
  });

  it('rejects bad query parameters and cursors with 400', async () => {
    expectError(await call(A.token, 'GET', '/api/contacts?limit=0'), 400, 'invalid_query');
    expectError(await call(A.token, 'GET', '/api/contacts?limit=500'), 400, 'invalid_query');
    expectError(await call(A.token, 'GET', '/api/contacts?limit=abc'), 400, 'invalid_query');
    expectError(await call(A.token, 'GET', `/api/contacts?query=${'x'.repeat(76)}`), 400, 'invalid_query');
    expectError(await call(A.token, 'GET', '/api/contacts?cursor=%%%'), 400, 'invalid_cursor');
    expectError(await call(A.token, 'GET', '/api/contacts?cursor=eyJ4IjoxfQ'), 400, 'invalid_cursor');
    const first = await call(A.token, 'GET', '/api/contacts?limit=2');
    expectError(
      await call(A.token, 'GET', `/api/contacts?limit=2&query=zz&cursor=${first.body.nextCursor}`),
      400,
      'invalid_cursor',
    );
  });
});

describe('GET /api/contacts/:contactId', () => {
  it('answers the contact as a GHL contact object', async () => {
    const res = await call(A.token, 'GET', `/api/contacts/${A.contactIds[0]}`);
    expect(res.status).toBe(200);
    expect(res.body.contact).toMatchObject({ id: A.contactIds[0], locationId: A.locationId });
  });

  it('answers 404 and no data for a contact of another location', async () => {
    const res = await call(A.token, 'GET', `/api/contacts/${B.contactIds[0]}`);
    expectError(res, 404, 'not_found');
    expectNoLeak(res, [...bSecrets, B.locationId]);
  });

  it('answers 404 for an id that does not exist, 400 for a malformed one', async () => {
    expectError(await call(A.token, 'GET', '/api/contacts/doesNotExist00000000'), 404, 'not_found');
    expectError(
      await call(A.token, 'GET', `/api/contacts/${encodeURIComponent('bad id!')}`),
      400,
      'invalid_id',
    );
  });
});

describe('POST /api/contacts', () => {
  it('creates a contact in the session location, whatever locationId the body names', async () => {
    const res = await call(A.token, 'POST', '/api/contacts', {
      firstName: 'Nora',
      lastName: 'New',
      email: 'nora.new@example.com',
      tags: ['vip'],
      id: 'ignored',
      dateAdded: 'ignored',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.contact).toMatchObject({ firstName: 'Nora', locationId: A.locationId, tags: ['vip'] });
    const inA = await emu<{ contacts: { id: string }[] }>(`/_emulator/state/${A.locationId}`);
    expect(inA.contacts.some((c) => c.id === res.body.contact.id)).toBe(true);
    // The index knows it, so a timeline view needs no contact fetch.
    expect(await tenantStub(env, A.locationId).knownContact(A.locationId, res.body.contact.id)).toMatchObject(
      { email: 'nora.new@example.com' },
    );
  });

  it('answers 404 (and creates nothing) when the body names another location', async () => {
    const before = (await emu<{ contacts: unknown[] }>(`/_emulator/state/${B.locationId}`)).contacts.length;
    expectError(
      await call(A.token, 'POST', '/api/contacts', { firstName: 'Evil', locationId: B.locationId }),
      404,
      'not_found',
    );
    expect((await emu<{ contacts: unknown[] }>(`/_emulator/state/${B.locationId}`)).contacts.length).toBe(
      before,
    );
  });

  it('validates the body (422) and JSON (400)', async () => {
    expectError(
      await call(A.token, 'POST', '/api/contacts', { email: 'not-an-email' }),
      422,
      'invalid_input',
    );
    expectError(await call(A.token, 'POST', '/api/contacts', { firstName: 42 }), 422, 'invalid_input');
    expectError(await call(A.token, 'POST', '/api/contacts', { tags: 'vip' }), 422, 'invalid_input');
    expectError(await call(A.token, 'POST', '/api/contacts', {}), 422, 'invalid_input');
    expectError(await call(A.token, 'POST', '/api/contacts', '{"firstName":'), 400, 'malformed_json');
    expectError(
      await call(A.token, 'POST', '/api/contacts', { firstName: 'x'.repeat(70_000) }),
      413,
      'payload_too_large',
    );
  });

  it('passes GHL refusals on as 422 with GHL’s reason', async () => {
    const existing = (await emu<{ contacts: { email: string }[] }>(`/_emulator/state/${A.locationId}`))
      .contacts[0]!;
    const res = await call(A.token, 'POST', '/api/contacts', { firstName: 'Dup', email: existing.email });
    expectError(res, 422, 'ghl_rejected');
    expect(res.body.error.message).toBe(
      'HighLevel refused the request: This location does not allow duplicated contacts.',
    );
  });
});

describe('PUT /api/contacts/:contactId', () => {
  it('updates a contact of the session location', async () => {
    const res = await call(A.token, 'PUT', `/api/contacts/${A.contactIds[1]}`, {
      firstName: 'Renamed',
      locationId: A.locationId,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.contact).toMatchObject({ id: A.contactIds[1], firstName: 'Renamed' });
  });

  it('answers 404 for a contact of another location and changes nothing there', async () => {
    const id = B.contactIds[1]!;
    const before = (await emu<{ contacts: any[] }>(`/_emulator/state/${B.locationId}`)).contacts.find(
      (c) => c.id === id,
    );
    const res = await call(A.token, 'PUT', `/api/contacts/${id}`, { firstName: 'Hijacked' });
    expectError(res, 404, 'not_found');
    expectNoLeak(res, bSecrets);
    const after = (await emu<{ contacts: any[] }>(`/_emulator/state/${B.locationId}`)).contacts.find(
      (c) => c.id === id,
    );
    expect(after).toEqual(before);
  });

  it('answers 404 when the body moves the contact to another location', async () => {
    expectError(
      await call(A.token, 'PUT', `/api/contacts/${A.contactIds[1]}`, {
        firstName: 'X',
        locationId: B.locationId,
      }),
      404,
      'not_found',
    );
  });

  it('rejects an empty or ill-typed change with 422', async () => {
    expectError(await call(A.token, 'PUT', `/api/contacts/${A.contactIds[1]}`, {}), 422, 'invalid_input');
    expectError(
      await call(A.token, 'PUT', `/api/contacts/${A.contactIds[1]}`, { dnd: 'yes' }),
      422,
      'invalid_input',
    );
  });
});

describe('DELETE /api/contacts/:contactId', () => {
  it('answers 404 for a contact of another location and deletes nothing', async () => {
    const id = B.contactIds[2]!;
    expectError(await call(A.token, 'DELETE', `/api/contacts/${id}`), 404, 'not_found');
    const state = await emu<{ contacts: { id: string }[] }>(`/_emulator/state/${B.locationId}`);
    expect(state.contacts.some((c) => c.id === id)).toBe(true);
  });

  it('deletes a contact of the session location and forgets it', async () => {
    const id = A.contactIds[6]!;
    expect((await call(A.token, 'GET', `/api/contacts/${id}`)).status).toBe(200);
    const res = await call(A.token, 'DELETE', `/api/contacts/${id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, id });
    expect(await tenantStub(env, A.locationId).knownContact(A.locationId, id)).toBeNull();
    expectError(await call(A.token, 'GET', `/api/contacts/${id}`), 404, 'not_found');
    expectError(await call(A.token, 'GET', `/api/contacts/${id}/timeline`), 404, 'not_found');
  });
});

describe('GHL failures', () => {
  it('maps GHL 5xx to 503 ghl_unavailable', async () => {
    await emu('/_emulator/faults', {
      locationId: A.locationId,
      pathPrefix: '/contacts/',
      method: 'GET',
      status: 503,
      count: 10,
    });
    const unavailable = await call(A.token, 'GET', `/api/contacts/${A.contactIds[0]}`);
    await emu(`/_emulator/faults?locationId=${A.locationId}`, undefined, 'DELETE');
    expectError(unavailable, 503, 'ghl_unavailable');
  });

  it('maps a used-up GHL allowance (429) to 429 rate_limited with Retry-After', async () => {
    // A location of its own: its rate budget stays exhausted for the rest of the file.
    const [L] = await panelLocations(1, 1);
    await emu('/_emulator/rate-limit', { locationId: L!.locationId, max: 100, intervalMs: 10_000, daily: 0 });
    const limited = await call(L!.token, 'GET', `/api/contacts/${L!.contactIds[0]}`);
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await stats(L!.locationId)).throttled).toBeGreaterThan(0);
  });
});
