/**
 * The sync engine's operations in the catalog (admins only): a backfill of a connection, for one
 * contact or the whole location, run from the panel's catalog; a failed sync replayed by a
 * recipe on "sync failed". Against the GHL and your-app emulators.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { automationsIdle, runsOf } from './automations-helpers.ts';
import { emu } from './helpers.ts';
import { call, expectError, sessionToken } from './panel-helpers.ts';
import { eventually, ghlState, syncedLocation, syncLog, yourAppAct, yourAppState } from './sync-helpers.ts';

async function tokens(seed: any, locationId: string) {
  const users = (seed.locations[0] as { userIds: string[] }).userIds;
  const base = { companyId: seed.companyId, activeLocation: locationId };
  return {
    admin: await sessionToken({ ...base, userId: users[0]!, role: 'admin' }),
    user: await sessionToken({ ...base, userId: users[1]!, role: 'user' }),
  };
}

const atPartner = async (ghlId: string) =>
  (await yourAppState()).objects.contact!.find((c: any) => c.ghlId === ghlId);

describe('engine operations in the catalog', () => {
  it('backfill: one contact at once, then the whole location in the background; admins only', async () => {
    const { seed, locationId, connectionId, contactIds } = await syncedLocation(2);
    const { admin, user } = await tokens(seed, locationId);
    const run = (token: string, contactId: string, input: object) =>
      call(token, 'POST', '/api/catalog/actions/engine.backfill.start/run', { contactId, input });

    expectError(await run(user, contactIds[0]!, { only: 'contact' }), 403, 'forbidden');
    const catalog = await call(admin, 'GET', '/api/catalog');
    expect(catalog.body.actions.find((a: any) => a.key === 'engine.backfill.start')).toMatchObject({
      adminOnly: true,
      fields: expect.arrayContaining([
        expect.objectContaining({ name: 'only', options: ['contact', 'location'] }),
      ]),
    });

    const one = await run(admin, contactIds[0]!, { only: 'contact' });
    expect(one.status, one.text).toBe(200);
    expect(one.body.result).toMatchObject({ only: 'contact', connectionId });
    expect(one.body.result.queued).toBeGreaterThan(0);
    await eventually('the contact at the partner', () => atPartner(contactIds[0]!));
    expect(await atPartner(contactIds[1]!)).toBeUndefined();

    const all = await run(admin, contactIds[0]!, { only: 'location', connectionId });
    expect(all.status, all.text).toBe(200);
    expect(all.body.result).toMatchObject({ only: 'location', connectionId, started: true });
    await eventually('every contact at the partner', async () => (await atPartner(contactIds[1]!)) ?? null);
    const progress = await eventually('the backfill done', async () => {
      const p = await tenantStub(env, locationId).backfillProgress(locationId, connectionId);
      return p?.state === 'done' ? p : null;
    });
    expect(progress.dryRun).toBe(false);

    // A connection that is not this location's cannot be named.
    expectError(
      await run(admin, contactIds[0]!, { only: 'contact', connectionId: 'not-mine' }),
      502,
      'action_failed',
    );
  });

  it('replay: a recipe on "sync failed" replays the failed sync, and it lands once', async () => {
    const { seed, locationId, connectionId, contactIds } = await syncedLocation(1);
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const { admin } = await tokens(seed, locationId);
    const made = await call(admin, 'POST', '/api/automations/recipes', {
      name: 'Try failed syncs again',
      trigger: 'sync.failed',
      steps: [{ action: 'engine.sync_log.replay', input: {}, delay: { type: 'now' } }],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    // GHL refuses the note once: the sync gives up on it (a 422 is final), and logs it failed.
    await emu('/_emulator/faults', {
      locationId,
      pathPrefix: `/contacts/${contact.id}/notes`,
      method: 'POST',
      status: 422,
      count: 1,
    });
    const body = `Refused once ${crypto.randomUUID()}`;
    await yourAppAct(connectionId, 'note.created', { body, contact: { email: contact.email } });

    const note = await eventually('the note in GHL after the replay', async () =>
      (await ghlState(locationId)).notes.find((n) => n.body === body),
    );
    await automationsIdle(locationId, contact.id);
    expect((await ghlState(locationId)).notes.filter((n) => n.body === body)).toHaveLength(1);
    const [replay] = await runsOf(admin, `recipeId=${made.body.recipe.id}`);
    expect(replay).toMatchObject({ action: 'engine.sync_log.replay', status: 'done' });
    const logId = replay!.detail.logId as number;
    const row = (await syncLog(locationId)).find((e) => e.id === logId)!;
    expect(row).toMatchObject({ objectKind: 'note', status: 'done' });
    expect(note.contactId).toBe(contact.id);
  });
});
