import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { CONTACT_INDEX_CAP, CONTACT_INDEX_MAX_AGE_MS } from '../../worker/durable/location/contact-index.ts';

const DAY = 86_400_000;
let counter = 0;
/** A fresh location per case: the index lives in the location's object, which prunes at most hourly. */
const freshLocation = () =>
  `ciLoc${Date.now().toString(36)}${(counter++).toString(36)}`.padEnd(20, '0').slice(0, 20);

const contact = (locationId: string, id: string) => ({
  id,
  locationId,
  email: `${id}@example.com`,
  dateUpdated: new Date().toISOString(),
});

/** Moves the last write of index entries into the past: the object's clock cannot be moved. */
async function lastWrittenAgo(locationId: string, ids: string[], ms: number) {
  await runInDurableObject(tenantStub(env, locationId), (_obj, state) => {
    for (const id of ids)
      state.storage.sql.exec('UPDATE contacts SET seen_at = ? WHERE id = ?', Date.now() - ms, id);
  });
}

const indexSize = (locationId: string) =>
  runInDurableObject(
    tenantStub(env, locationId),
    (_obj, state) => state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM contacts').one().n,
  );

describe('contact index pruning (location alarm)', () => {
  it('drops entries not written for 30 days, keeping recent ones and ones a waiting event is about', async () => {
    const loc = freshLocation();
    const stub = tenantStub(env, loc);
    expect(
      await stub.rememberContacts(
        loc,
        ['stale', 'recent', 'almost', 'waiting'].map((id) => contact(loc, id)),
      ),
    ).toBe(4);
    await lastWrittenAgo(loc, ['stale', 'waiting'], CONTACT_INDEX_MAX_AGE_MS + DAY);
    await lastWrittenAgo(loc, ['almost'], CONTACT_INDEX_MAX_AGE_MS - DAY);
    // An event about `waiting`, due an hour from now as a retry would be; storing it arms the alarm.
    const webhookId = crypto.randomUUID();
    await stub.ingest(
      loc,
      {
        type: 'ContactUpdate',
        locationId: loc,
        id: 'waiting',
        webhookId,
        timestamp: new Date().toISOString(),
      },
      Date.now() + 3_600_000,
    );

    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect(await stub.knownContact(loc, 'stale')).toBeNull();
    expect(await stub.knownContact(loc, 'recent')).toMatchObject({ email: 'recent@example.com' });
    expect(await stub.knownContact(loc, 'almost')).toMatchObject({ email: 'almost@example.com' });
    expect(await stub.knownContact(loc, 'waiting')).toMatchObject({ email: 'waiting@example.com' });
    expect((await stub.storedEvents(loc)).map((e) => e.webhookId)).toEqual([webhookId]);
    // Partner matching keeps its keys: a partner change about the pruned person still finds them without GHL.
    const keys = await runInDurableObject(stub, (_obj, state) =>
      state.storage.sql
        .exec<{ contact_id: string }>(
          "SELECT contact_id FROM contact_keys WHERE key = 'email:stale@example.com'",
        )
        .toArray(),
    );
    expect(keys).toEqual([{ contact_id: 'stale' }]);

    // Seen again, the contact is back in the index.
    await stub.rememberContacts(loc, [contact(loc, 'stale')]);
    expect(await stub.knownContact(loc, 'stale')).toMatchObject({ email: 'stale@example.com' });
  });

  it(`keeps at most ${CONTACT_INDEX_CAP} entries per location, dropping the least recently written first`, async () => {
    const loc = freshLocation();
    const stub = tenantStub(env, loc);
    await stub.rememberContacts(loc, [contact(loc, 'newest')]);
    // CAP older entries, all within 30 days, bulk00001 the oldest: one over the cap in all.
    await runInDurableObject(stub, async (_obj, state) => {
      state.storage.sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO contacts (id, body, date_updated, seen_at)
         SELECT printf('bulk%05d', i), '{"id":"' || printf('bulk%05d', i) || '","locationId":"' || ?2 || '"}', NULL, ?3 - (?1 - i) * 1000 FROM n`,
        CONTACT_INDEX_CAP,
        loc,
        Date.now() - DAY,
      );
      await state.storage.setAlarm(Date.now());
    });
    expect(await indexSize(loc)).toBe(CONTACT_INDEX_CAP + 1);

    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect(await indexSize(loc)).toBe(CONTACT_INDEX_CAP);
    expect(await stub.knownContact(loc, 'bulk00001')).toBeNull();
    expect(await stub.knownContact(loc, 'bulk00002')).toMatchObject({ id: 'bulk00002', locationId: loc });
    expect(await stub.knownContact(loc, 'newest')).toMatchObject({ email: 'newest@example.com' });
  });
});
