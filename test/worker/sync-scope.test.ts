/**
 * A location's sync scope (only contacts with a tag, of a business, created after a day) holds
 * for live sync and backfills alike, against the GHL and your-app emulators.
 */
import { describe, expect, it } from 'vitest';
import { call, sessionToken } from './panel-helpers.ts';
import { eventually, ghlAct, ghlState, settled, syncedLocation, yourAppState } from './sync-helpers.ts';

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
