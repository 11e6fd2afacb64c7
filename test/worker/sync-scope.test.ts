/**
 * A location's sync scope (only contacts with a tag, of a business, created after a day) holds
 * for live sync, backfills and partner changes alike, against the GHL and your-app emulators.
 */
import { describe, expect, it } from 'vitest';
import { call, sessionToken } from './panel-helpers.ts';
import {
  eventually,
  ghlAct,
  ghlState,
  settled,
  syncedLocation,
  syncLog,
  yourAppAct,
  yourAppState,
} from './sync-helpers.ts';

const partnerNotes = async (body: string) =>
  (await yourAppState()).objects.note!.filter((n) => n.body === body);

describe('sync scope', () => {
  it('only contacts with the scope tag sync out, live and in a backfill', async () => {
    const { locationId, connectionId, contactIds, seed } = await syncedLocation(2);
    const token = await sessionToken({
      userId: 'scope-admin',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    const api = (method: string, path: string, body?: unknown) => call(token, method, path, body);
    expect((await api('PUT', '/api/settings', { scope: { tag: 'VIP' } })).status).toBe(200);
    expect((await api('GET', '/api/settings')).body.scope).toEqual({ tag: 'VIP' });
    const [inside, outside] = contactIds as [string, string];
    await ghlAct(locationId, { action: 'tags.add', contactId: inside, tags: ['vip'] });
    await settled(locationId, inside);

    const stamp = Date.now().toString(36);
    await ghlAct(locationId, {
      action: 'note.create',
      contactId: outside,
      data: { body: `outside ${stamp}` },
    });
    await ghlAct(locationId, { action: 'note.create', contactId: inside, data: { body: `inside ${stamp}` } });
    await eventually(
      'note of the VIP at the partner',
      async () => (await partnerNotes(`inside ${stamp}`)).length === 1,
    );
    await settled(locationId, outside);
    expect(await partnerNotes(`outside ${stamp}`)).toEqual([]);

    const all = (await api('GET', '/api/sync-log?show=all')).body.entries as any[];
    const skipped = all.find(
      (e) =>
        e.contactId === outside &&
        e.status === 'skipped' &&
        /sync scope \(no tag “VIP”\)/.test(e.error ?? ''),
    );
    expect(skipped?.quiet).toBe(true);

    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true });
    const preview = await eventually('preview', async () => {
      const { body } = await api('GET', `/api/connections/${connectionId}/backfill`);
      return body.backfill.state === 'done' ? body.backfill : null;
    });
    expect(preview.toPartner.contact.skipped).toBe(1);
    expect(Object.keys(preview.reasons).join(' ')).toMatch(/sync scope/);
    expect((await ghlState(locationId)).contacts).toHaveLength(2);
  });

  it('refuses a scope it cannot read', async () => {
    const { locationId, seed } = await syncedLocation(1);
    const token = await sessionToken({
      userId: 'scope-admin-2',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    expect((await call(token, 'PUT', '/api/settings', { scope: { createdAfter: 'last week' } })).status).toBe(
      422,
    );
    expect((await call(token, 'PUT', '/api/settings', { scope: { colour: 'red' } })).status).toBe(422);
  });
});

describe('sync scope, partner → GHL', () => {
  async function scoped(scope: Record<string, string>) {
    const at = await syncedLocation(2);
    const token = await sessionToken({
      userId: 'scope-admin-p',
      companyId: at.seed.companyId,
      activeLocation: at.locationId,
      role: 'admin',
    });
    const api = (method: string, path: string, body?: unknown) => call(token, method, path, body);
    expect((await api('PUT', '/api/settings', { scope })).status).toBe(200);
    return { ...at, api };
  }
  const stamp = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

  it('a change about a contact outside the scope is not written to GHL, and the log shows why', async () => {
    const { locationId, connectionId, contactIds, api } = await scoped({ tag: 'VIP' });
    const [inside, outside] = contactIds as [string, string];
    await ghlAct(locationId, { action: 'tags.add', contactId: inside, tags: ['vip'] });
    await settled(locationId, inside);
    const people = (await ghlState(locationId)).contacts;
    const email = (id: string) => people.find((c) => c.id === id)!.email as string;
    const s = stamp();

    await yourAppAct(connectionId, 'note.created', {
      body: `outside ${s}`,
      contact: { email: email(outside) },
    });
    await yourAppAct(connectionId, 'note.created', {
      body: `inside ${s}`,
      contact: { email: email(inside) },
    });
    await yourAppAct(connectionId, 'contact.created', { email: email(outside), firstName: 'Renamed' });
    await eventually('the VIP’s note in GHL', async () =>
      (await ghlState(locationId)).notes.some((n) => n.body === `inside ${s}`),
    );
    const skipped = await eventually('both changes about the outsider skipped', async () => {
      const rows = (await syncLog(locationId, { contactId: outside })).filter(
        (e) => e.status === 'skipped' && /outside the sync scope \(no tag “VIP”\)/.test(e.error ?? ''),
      );
      return rows.length === 2 ? rows : null;
    });
    expect(skipped.map((e) => e.action).sort()).toEqual(['upsert contact in GHL', 'upsert note in GHL']);
    await settled(locationId, outside);
    const now = await ghlState(locationId);
    expect(now.notes.some((n) => n.body === `outside ${s}`)).toBe(false);
    expect(now.contacts.find((c) => c.id === outside)!.firstName).not.toBe('Renamed');
    // Not one of the quiet rows: the partner's change did not land, and the panel shows it.
    const shown = (await api('GET', '/api/sync-log')).body.entries as any[];
    expect(shown.filter((e) => skipped.some((k) => k.id === e.id))).toHaveLength(2);
  });

  it('a person the partner creates gets the scope’s tag in GHL, and their later changes sync', async () => {
    const { locationId, connectionId } = await scoped({ tag: 'VIP' });
    const email = `scoped-${stamp()}@example.com`;
    await yourAppAct(connectionId, 'contact.created', { email, firstName: 'Nia', lastName: 'New' });
    // The tag is a second call after the upsert (an upsert's tags would replace a merged contact's).
    const created = await eventually('the person in GHL with the scope’s tag', async () => {
      const person = (await ghlState(locationId)).contacts.find((c) => c.email === email);
      return person?.tags?.length ? person : undefined;
    });
    expect(created.tags).toEqual(['vip']);
    const atPartner = (await yourAppState()).objects.contact!.find((c) => c.email === email)!;
    await settled(locationId, created.id);
    await yourAppAct(connectionId, 'contact.updated', {
      id: atPartner.id,
      email,
      firstName: 'Nia',
      lastName: 'Renamed',
    });
    await eventually(
      'the update in GHL',
      async () =>
        (await ghlState(locationId)).contacts.find((c) => c.id === created.id)?.lastName === 'Renamed',
    );
  });

  it('a scope of a business: its contacts sync both ways, though GHL’s contact events name no business', async () => {
    const { locationId, connectionId, contactIds } = await scoped({ businessId: 'biz_scope_2' });
    const [inside, outside] = contactIds as [string, string];
    await ghlAct(locationId, { action: 'contact.business', contactId: inside, businessId: 'biz_scope_2' });
    await settled(locationId, inside);
    const people = (await ghlState(locationId)).contacts;
    const email = (id: string) => people.find((c) => c.id === id)!.email as string;
    const s = stamp();

    await ghlAct(locationId, { action: 'note.create', contactId: inside, data: { body: `ghl in ${s}` } });
    await eventually('the business contact’s note at the partner', async () =>
      (await yourAppState()).objects.note!.some((n) => n.body === `ghl in ${s}`),
    );
    await yourAppAct(connectionId, 'note.created', {
      body: `partner in ${s}`,
      contact: { email: email(inside) },
    });
    await yourAppAct(connectionId, 'note.created', {
      body: `partner out ${s}`,
      contact: { email: email(outside) },
    });
    await eventually('the business contact’s partner note in GHL', async () =>
      (await ghlState(locationId)).notes.some((n) => n.body === `partner in ${s}`),
    );
    await eventually('the outsider’s note skipped', async () =>
      (await syncLog(locationId, { contactId: outside })).find((e) =>
        /outside the sync scope \(not of business biz_scope_2\)/.test(e.error ?? ''),
      ),
    );
    expect((await ghlState(locationId)).notes.some((n) => n.body === `partner out ${s}`)).toBe(false);
  });

  it('a backfill preview counts the partner’s changes as the run applies the scope', async () => {
    const { locationId, connectionId, contactIds, api } = await scoped({ tag: 'VIP' });
    const outside = contactIds[1]!;
    const email = (await ghlState(locationId)).contacts.find((c) => c.id === outside)!.email as string;
    await yourAppAct(connectionId, 'contact.created', { email, firstName: 'Previewed' });
    await eventually('the live change skipped', async () =>
      (await syncLog(locationId, { contactId: outside })).find((e) =>
        /outside the sync scope/.test(e.error ?? ''),
      ),
    );

    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true });
    const preview = await eventually(
      'preview',
      async () => {
        const { body } = await api('GET', `/api/connections/${connectionId}/backfill`);
        return body.backfill.state === 'done' ? body.backfill : null;
      },
      30_000,
    );
    expect(preview.toGhl.contact.skipped).toBeGreaterThanOrEqual(1);
    expect(Object.keys(preview.reasons)).toContain(
      'not written to GHL: the contact is outside the sync scope (no tag “VIP”)',
    );
  });

  for (const [name, scope, reason] of [
    ['of a business', { businessId: 'biz_scope_1' }, /only contacts of business biz_scope_1 sync here/],
    ['created after a day to come', { createdAfter: '2999-01-01' }, /created on or after 2999-01-01/],
  ] as const) {
    it(`a scope of contacts ${name}: a person the partner creates is not created in GHL, and the log says why`, async () => {
      const { locationId, connectionId, api } = await scoped(scope);
      const before = (await ghlState(locationId)).contacts.length;
      const email = `unscoped-${stamp()}@example.com`;
      await yourAppAct(connectionId, 'contact.created', { email, firstName: 'Ola', lastName: 'Out' });
      const row = await eventually('the skipped create', async () =>
        (await syncLog(locationId, { status: 'skipped' })).find(
          (e) => e.action === 'create contact in GHL' && reason.test(e.error ?? ''),
        ),
      );
      expect(JSON.parse(row.detail ?? 'null')).toMatchObject({ wouldSend: { email } });
      const after = await ghlState(locationId);
      expect(after.contacts).toHaveLength(before);
      expect(after.contacts.some((c) => c.email === email)).toBe(false);
      const shown = (await api('GET', '/api/sync-log')).body.entries as any[];
      expect(shown.some((e) => e.id === row.id)).toBe(true);
    });
  }
});
