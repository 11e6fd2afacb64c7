/**
 * Partner intake (`LocationDO.acceptPartner`): a change's dedupe row and inbox row are written
 * together or not at all. A real storage failure in the real object (its inbox table dropped)
 * answers the partner 429 and leaves no dedupe row, so the partner's retry is stored once.
 */
import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { LOCATION_SCHEMA } from '../../worker/durable/location-schema.ts';
import { partner, syncedLocation } from './sync-helpers.ts';

/** A "your app" event made in its emulator, signed as it signs, not yet delivered. */
async function signedYourAppEvent(type: string, data: Record<string, unknown>) {
  const acted = await partner<{ event: { id: string }; body: string }>(env.YOURAPP_URL, '/_partner/act', {
    type,
    data,
    deliver: false,
  });
  return partner<{ body: string; headers: Record<string, string> }>(env.YOURAPP_URL, '/_partner/sign', {
    body: acted.body,
    id: acted.event.id,
  });
}

const deliver = (connectionId: string, signed: { body: string; headers: Record<string, string> }) =>
  SELF.fetch(`http://app.test/webhooks/partner/${connectionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });

const partnerRows = (locationId: string, connectionId: string) =>
  runInDurableObject(tenantStub(env, locationId), (_obj, state) => ({
    dedupe: state.storage.sql
      .exec<{ n: number }>(
        'SELECT COUNT(*) AS n FROM seen_webhooks WHERE webhook_id LIKE ?',
        `partner:${connectionId}:%`,
      )
      .one().n,
    inbox: state.storage.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM inbox WHERE type = 'partner' AND webhook_id LIKE ?",
        `partner:${connectionId}:%`,
      )
      .one().n,
  }));

describe('partner intake', () => {
  it('a failed inbox write leaves no dedupe row: the partner gets 429, and its retry is stored once', async () => {
    const { locationId, connectionId } = await syncedLocation(1);
    const stub = tenantStub(env, locationId);
    await stub.storedEvents(locationId);
    await runInDurableObject(stub, (_obj, state) => void state.storage.sql.exec('DROP TABLE inbox'));

    const signed = await signedYourAppEvent('note.created', {
      body: 'Stored once',
      contact: { email: 'intake-once@example.com' },
    });
    const failed = await deliver(connectionId, signed);
    expect(failed.status).toBe(429);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('try_again');
    const dedupeRows = await runInDurableObject(
      stub,
      (_obj, state) =>
        state.storage.sql
          .exec('SELECT webhook_id FROM seen_webhooks WHERE webhook_id LIKE ?', `partner:%`)
          .toArray().length,
    );
    expect(dedupeRows).toBe(0);

    await runInDurableObject(stub, (_obj, state) => {
      for (const ddl of LOCATION_SCHEMA.filter((s) => /\b(TABLE|INDEX \w+ ON) inbox\b/.test(s)))
        state.storage.sql.exec(ddl);
    });
    const retried = await deliver(connectionId, signed);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const again = await deliver(connectionId, signed);
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await partnerRows(locationId, connectionId)).toEqual({ dedupe: 1, inbox: 1 });
  });
});
