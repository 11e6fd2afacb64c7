/**
 * A partner change obeys the location's switches before anything is written to GHL, matching's
 * upsert of a new person included: in workerd, against the GHL emulator and the "your app"
 * partner emulator over HTTP.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { updateConnection } from '../../worker/tenants/connections.ts';
import { saveSettings } from '../../worker/settings/store.ts';
import { emu, stats } from './helpers.ts';
import {
  eventually,
  ghlState,
  settled,
  syncedLocation,
  syncLog,
  yourAppAct,
  yourAppState,
} from './sync-helpers.ts';

type Synced = Awaited<ReturnType<typeof syncedLocation>>;

interface Switch {
  name: string;
  set(at: Synced): Promise<unknown>;
  /** The sync log's reason, naming the setting. */
  reason: RegExp;
}

const SWITCHES: Switch[] = [
  {
    name: 'dry run',
    set: (at) => saveSettings(env.DB, at.locationId, { dryRun: true }, 'test-admin'),
    reason: /^dry run: nothing written$/,
  },
  {
    name: 'contacts switched off',
    set: (at) =>
      saveSettings(env.DB, at.locationId, { kinds: { contacts: { enabled: false } } }, 'test-admin'),
    reason: /^contacts sync is switched off/,
  },
  {
    name: 'contacts set to ghl_to_partner',
    set: (at) =>
      saveSettings(
        env.DB,
        at.locationId,
        { kinds: { contacts: { direction: 'ghl_to_partner' } } },
        'test-admin',
      ),
    reason: /^contacts sync runs ghl to partner only$/,
  },
  {
    name: 'the connection switched off in settings',
    set: (at) =>
      saveSettings(
        env.DB,
        at.locationId,
        { connections: [{ id: at.connectionId, enabled: false }] },
        'test-admin',
      ),
    reason: /connection is switched off in this location's settings/,
  },
  {
    name: 'the connection paused',
    set: (at) => updateConnection(env, at.connectionId, at.locationId, { status: 'paused' }),
    reason: /connection is paused/,
  },
];

/** Write calls the GHL emulator has answered for the location (searches are reads). */
async function ghlWrites(locationId: string): Promise<Record<string, number>> {
  const { byRoute } = await stats(locationId);
  return Object.fromEntries(
    Object.entries(byRoute as Record<string, number>).filter(
      ([route]) => !route.startsWith('GET ') && !route.endsWith('/search'),
    ),
  );
}

let counter = 0;
const freshEmail = () => `switch-${Date.now().toString(36)}-${counter++}@example.com`;

/** A person made in the partner app and, with the switches at their defaults, created and linked in GHL. */
async function linkedPerson(at: Synced) {
  const email = freshEmail();
  await yourAppAct(at.connectionId, 'contact.created', { email, firstName: 'Lina', lastName: 'Linked' });
  const ghlContact = await eventually('person created in GHL', async () =>
    (await ghlState(at.locationId)).contacts.find((c) => c.email === email),
  );
  await settled(at.locationId, ghlContact.id);
  const atPartner = (await yourAppState()).objects.contact!.find((c) => c.email === email)!;
  return { email, ghlContact, atPartner };
}

/** The skipped sync log row the partner change left, once the location has handled it. */
function skippedRow(locationId: string, action: string, reason: RegExp) {
  return eventually(`a skipped "${action}" row`, async () =>
    (await syncLog(locationId, { status: 'skipped' })).find(
      (e) => e.trigger === 'partner_webhook' && e.action === action && reason.test(e.error ?? ''),
    ),
  );
}

describe('partner changes obey the location switches before any GHL write', () => {
  for (const sw of SWITCHES) {
    it(`${sw.name}: a new person is not created in GHL, and the log says why`, async () => {
      const at = await syncedLocation(1);
      await sw.set(at);
      const before = {
        writes: await ghlWrites(at.locationId),
        contacts: (await ghlState(at.locationId)).contacts.length,
      };
      const email = freshEmail();

      await yourAppAct(at.connectionId, 'contact.created', { email, firstName: 'Nova', lastName: 'New' });
      const row = await skippedRow(
        at.locationId,
        sw.name === 'dry run' ? 'create contact in GHL' : 'upsert contact in GHL',
        sw.reason,
      );

      expect(row).toMatchObject({ status: 'skipped', objectKind: 'contact', connectionId: at.connectionId });
      expect(row.error).toMatch(sw.reason);
      if (sw.name === 'dry run')
        expect(JSON.parse(row.detail ?? 'null')).toMatchObject({
          wouldSend: { email, firstName: 'Nova', lastName: 'New' },
        });
      expect(await ghlWrites(at.locationId)).toEqual(before.writes);
      expect((await ghlState(at.locationId)).contacts).toHaveLength(before.contacts);
      expect((await ghlState(at.locationId)).contacts.some((c) => c.email === email)).toBe(false);
    });

    it(`${sw.name}: an update of a linked contact is not applied in GHL, and the log says why`, async () => {
      const at = await syncedLocation(1);
      const { email, ghlContact, atPartner } = await linkedPerson(at);
      await sw.set(at);
      const before = await ghlWrites(at.locationId);

      await yourAppAct(at.connectionId, 'contact.updated', {
        id: atPartner.id,
        email,
        firstName: 'Changed',
        lastName: 'Linked',
        companyName: 'Should Not Land',
      });
      const row = await skippedRow(
        at.locationId,
        sw.name === 'dry run' ? 'update contact in GHL' : 'upsert contact in GHL',
        sw.reason,
      );
      await settled(at.locationId, ghlContact.id);

      expect(row).toMatchObject({
        status: 'skipped',
        objectKind: 'contact',
        contactId: ghlContact.id,
        connectionId: at.connectionId,
      });
      expect(await ghlWrites(at.locationId)).toEqual(before);
      const now = (await ghlState(at.locationId)).contacts.find((c) => c.id === ghlContact.id);
      expect(now).toMatchObject({ firstName: 'Lina' });
      expect(now.companyName ?? null).toBeNull();
    });
  }

  it('a note from a new person with contacts switched off creates nobody and names the contacts setting', async () => {
    const at = await syncedLocation(1);
    await saveSettings(env.DB, at.locationId, { kinds: { contacts: { enabled: false } } }, 'test-admin');
    const before = await ghlWrites(at.locationId);
    const email = freshEmail();
    await yourAppAct(at.connectionId, 'note.created', { body: 'From someone new', contact: { email } });
    const row = await skippedRow(at.locationId, 'create contact in GHL', /^contacts sync is switched off/);
    expect(row).toMatchObject({ status: 'skipped', objectKind: 'contact' });
    expect(JSON.parse(row.detail ?? 'null')).toMatchObject({ wouldSend: { email }, for: 'upsert note' });
    expect(await ghlWrites(at.locationId)).toEqual(before);
  });

  it('work queued before the connection was paused does not reach GHL when it runs: skipped, and the log says why', async () => {
    const at = await syncedLocation(1);
    const { email, ghlContact, atPartner } = await linkedPerson(at);
    // GHL fails the update, so the work waits for its retry…
    await emu('/_emulator/faults', {
      locationId: at.locationId,
      pathPrefix: `/contacts/${ghlContact.id}`,
      method: 'PUT',
      status: 503,
    });
    await yourAppAct(at.connectionId, 'contact.updated', {
      id: atPartner.id,
      email,
      firstName: 'Queued',
      lastName: 'Linked',
    });
    const waiting = await eventually('the update waiting for its retry', async () =>
      (await syncLog(at.locationId, { contactId: ghlContact.id })).find(
        (e) => e.connectionId === at.connectionId && e.objectKind === 'contact' && e.status === 'retrying',
      ),
    );
    // …and the connection is paused before GHL answers again.
    await updateConnection(env, at.connectionId, at.locationId, { status: 'paused' });
    await emu(`/_emulator/faults?locationId=${at.locationId}`, undefined, 'DELETE');

    const row = await eventually('the queued update skipped', async () =>
      (await syncLog(at.locationId, { contactId: ghlContact.id })).find(
        (e) => e.id === waiting.id && e.status === 'skipped',
      ),
    );
    expect(row.error).toMatch(/connection is paused/);
    await settled(at.locationId, ghlContact.id);
    expect((await ghlState(at.locationId)).contacts.find((c) => c.id === ghlContact.id)).toMatchObject({
      firstName: 'Lina',
    });
  });

  it('with every switch at its default, the same partner changes do write to GHL (the checks can fail)', async () => {
    const at = await syncedLocation(1);
    const before = await ghlWrites(at.locationId);
    const { email, ghlContact, atPartner } = await linkedPerson(at);
    await yourAppAct(at.connectionId, 'contact.updated', {
      id: atPartner.id,
      email,
      firstName: 'Changed',
      lastName: 'Linked',
    });
    await eventually(
      'update applied in GHL',
      async () =>
        (await ghlState(at.locationId)).contacts.find((c) => c.id === ghlContact.id)?.firstName === 'Changed',
    );
    const after = await ghlWrites(at.locationId);
    expect(after['POST /contacts/upsert']).toBe((before['POST /contacts/upsert'] ?? 0) + 1);
    expect(after['PUT /contacts/:contactId']).toBe((before['PUT /contacts/:contactId'] ?? 0) + 1);
  });
});
