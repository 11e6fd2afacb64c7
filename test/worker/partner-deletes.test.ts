/**
 * What a contact deleted in a partner app does to the GHL contact, per connection: tagged by
 * default (never a silent hard delete), deleted, or ignored with a log row. Real sync against
 * the GHL and your-app emulators.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { updateConnection } from '../../worker/tenants/connections.ts';
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

/** A location whose first contact is synced to the partner; the partner's id of it. */
async function syncedContact(contactDelete?: 'tag' | 'delete' | 'ignore') {
  const { locationId, connectionId, contactIds } = await syncedLocation(1);
  if (contactDelete) {
    await updateConnection(env, connectionId, locationId, {
      settings: { webhookUrl: `${env.YOURAPP_URL}/webhooks`, apiBase: env.YOURAPP_URL, contactDelete },
    });
  }
  const contactId = contactIds[0]!;
  await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Soon Gone Ltd' } });
  const atPartner = await eventually('contact at partner', async () =>
    (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId),
  );
  await settled(locationId, contactId);
  return { locationId, connectionId, contactId, partnerId: atPartner.id as string };
}

describe('a contact deleted in the partner app', () => {
  it('tags the GHL contact by default and keeps it', async () => {
    const { locationId, connectionId, contactId, partnerId } = await syncedContact();
    await yourAppAct(connectionId, 'contact.deleted', { id: partnerId });
    const tagged = await eventually('tag in GHL', async () =>
      (await ghlState(locationId)).contacts.find(
        (c) => c.id === contactId && (c.tags ?? []).includes('deleted in your app'),
      ),
    );
    expect(tagged.companyName).toBe('Soon Gone Ltd');
  });

  it('deletes the GHL contact when the connection says so', async () => {
    const { locationId, connectionId, contactId, partnerId } = await syncedContact('delete');
    await yourAppAct(connectionId, 'contact.deleted', { id: partnerId });
    await eventually(
      'contact gone from GHL',
      async () => !(await ghlState(locationId)).contacts.some((c) => c.id === contactId),
    );
  });

  it('leaves the GHL contact alone when the connection ignores deletes, and says so in the log', async () => {
    const { locationId, connectionId, contactId, partnerId } = await syncedContact('ignore');
    await yourAppAct(connectionId, 'contact.deleted', { id: partnerId });
    const row = await eventually('log row', async () =>
      (await syncLog(locationId)).find(
        (e) => e.status === 'skipped' && /leaves GHL contacts as they are/.test(e.error ?? ''),
      ),
    );
    expect(row.objectId).toBe(partnerId);
    await settled(locationId, contactId);
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    expect(contact.tags ?? []).not.toContain('deleted in your app');
  });

  it('refuses a policy it does not know', async () => {
    const { locationId, connectionId } = await syncedLocation(1);
    await expect(
      updateConnection(env, connectionId, locationId, { settings: { contactDelete: 'shred' } }),
    ).rejects.toThrow(/contactDelete must be tag, delete or ignore/);
  });
});
