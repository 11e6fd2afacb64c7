import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { call, expectError, expectNoLeak, panelLocations, type PanelLocation } from './panel-helpers.ts';

let A: PanelLocation;
let B: PanelLocation;

interface Row {
  status: string;
  contactId?: string;
  error?: string;
  detail?: unknown;
}

/** Writes sync-log rows the way the sync engine will (it has not landed yet). */
async function seedLog(loc: PanelLocation, rows: Row[]): Promise<void> {
  await runInDurableObject(tenantStub(env, loc.locationId), async (_instance, state) => {
    const now = Date.now();
    rows.forEach((r, i) => {
      state.storage.sql.exec(
        `INSERT INTO sync_log (at, updated_at, trigger, action, object_kind, object_id, contact_id, connection_id, status, attempts, error, detail)
         VALUES (?, ?, 'ghl_webhook', 'partner.upsert', 'contact', ?, ?, 'conn1', ?, 1, ?, ?)`,
        now + i,
        now + i,
        `obj${i}`,
        r.contactId ?? null,
        r.status,
        r.error ?? null,
        r.detail === undefined ? null : JSON.stringify(r.detail),
      );
    });
  });
}

beforeAll(async () => {
  [A, B] = (await panelLocations(2, 2)) as [PanelLocation, PanelLocation];
  await seedLog(A, [
    { status: 'done', contactId: A.contactIds[0], detail: { fields: ['email'] } },
    { status: 'failed', contactId: A.contactIds[0], error: 'partner answered 500' },
    { status: 'done', contactId: A.contactIds[1] },
    { status: 'dead', contactId: A.contactIds[1], error: 'gave up after 8 attempts' },
    { status: 'pending', contactId: A.contactIds[0] },
  ]);
  await seedLog(
    B,
    Array.from({ length: 8 }, (_, i) => ({
      status: 'failed',
      contactId: B.contactIds[0],
      error: `B-secret-error-${i}`,
    })),
  );
});

describe('GET /api/sync-log', () => {
  it('lists the location’s entries newest first, with parsed detail', async () => {
    const res = await call(A.token, 'GET', '/api/sync-log');
    expect(res.status, res.text).toBe(200);
    expect(res.body.entries.map((e: any) => e.id)).toEqual([5, 4, 3, 2, 1]);
    expect(res.body.entries[4]).toMatchObject({
      status: 'done',
      objectKind: 'contact',
      trigger: 'ghl_webhook',
      detail: { fields: ['email'] },
    });
    expect(Number.isNaN(Date.parse(res.body.entries[0].at))).toBe(false);
    expect(res.body.nextCursor).toBeNull();
    expectNoLeak(res, ['B-secret-error']);
  });

  it('filters by status and contactId, and pages with an opaque cursor', async () => {
    const failed = await call(A.token, 'GET', '/api/sync-log?status=failed');
    expect(failed.body.entries.map((e: any) => e.id)).toEqual([2]);
    const byContact = await call(A.token, 'GET', `/api/sync-log?contactId=${A.contactIds[1]}`);
    expect(byContact.body.entries.map((e: any) => e.id)).toEqual([4, 3]);
    const first = await call(A.token, 'GET', '/api/sync-log?limit=2');
    expect(first.body.entries.map((e: any) => e.id)).toEqual([5, 4]);
    const second = await call(A.token, 'GET', `/api/sync-log?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.entries.map((e: any) => e.id)).toEqual([3, 2]);
    const third = await call(A.token, 'GET', `/api/sync-log?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.entries.map((e: any) => e.id)).toEqual([1]);
    expect(third.body.nextCursor).toBeNull();
  });

  it('never shows another location’s entries, whatever the query says', async () => {
    const res = await call(A.token, 'GET', `/api/sync-log?contactId=${B.contactIds[0]}`);
    expect(res.status).toBe(200);
    expect(res.body.entries).toEqual([]);
    expectNoLeak(res, ['B-secret-error']);
    expect((await call(B.token, 'GET', '/api/sync-log')).body.entries).toHaveLength(8);
  });

  it('rejects bad filters and cursors with 400', async () => {
    expectError(await call(A.token, 'GET', '/api/sync-log?status=DROP%20TABLE'), 400, 'invalid_query');
    expectError(await call(A.token, 'GET', '/api/sync-log?contactId=a%20b'), 400, 'invalid_query');
    expectError(await call(A.token, 'GET', '/api/sync-log?limit=0'), 400, 'invalid_query');
    expectError(await call(A.token, 'GET', '/api/sync-log?cursor=nope!'), 400, 'invalid_cursor');
  });
});

describe('POST /api/sync-log/:id/replay', () => {
  it('answers 404 for unknown ids, including ids that exist only in another location', async () => {
    expectError(await call(A.token, 'POST', '/api/sync-log/999/replay'), 404, 'not_found');
    const res = await call(A.token, 'POST', '/api/sync-log/7/replay'); // B has an entry 7, A does not
    expectError(res, 404, 'not_found');
    expectNoLeak(res, ['B-secret-error']);
  });

  it('answers 409 not_replayable for entries that did not fail', async () => {
    expectError(await call(A.token, 'POST', '/api/sync-log/1/replay'), 409, 'not_replayable');
    expectError(await call(A.token, 'POST', '/api/sync-log/5/replay'), 409, 'not_replayable');
  });

  it('refuses to replay a failed entry that has no sync work behind it', async () => {
    // These rows were written directly, not by the engine; real replays are covered in sync-engine tests.
    for (const id of [2, 4])
      expectError(await call(A.token, 'POST', `/api/sync-log/${id}/replay`), 409, 'not_replayable');
  });

  it('rejects malformed ids with 400', async () => {
    expectError(await call(A.token, 'POST', '/api/sync-log/abc/replay'), 400, 'invalid_id');
    expectError(await call(A.token, 'POST', '/api/sync-log/0/replay'), 400, 'invalid_id');
  });
});

describe('sync log rows move forward only', () => {
  it('a "queued" written after the work already ran does not roll the row back; a replay does', async () => {
    const { recordSyncLog } = await import('../../worker/sync-log/write.ts');
    await runInDurableObject(tenantStub(env, A.locationId), async (_instance, state) => {
      const sql = state.storage.sql;
      const base = {
        workKey: `${A.locationId}:c1#race`,
        action: 'create note in Your app',
        objectKind: 'note',
        contactId: 'c1',
      };
      // The contact object ran the item and logged "done" before its "queued" reached the log.
      const id = recordSyncLog(sql, { ...base, trigger: 'ghl_webhook', status: 'done', attempts: 1 });
      expect(recordSyncLog(sql, { ...base, trigger: 'ghl_webhook', status: 'queued', attempts: 0 })).toBe(id);
      const row = () =>
        sql
          .exec<{ status: string; attempts: number }>(
            'SELECT status, attempts FROM sync_log WHERE id = ?',
            id,
          )
          .one();
      expect(row()).toEqual({ status: 'done', attempts: 1 });
      recordSyncLog(sql, { ...base, trigger: 'replay', status: 'queued', attempts: 0 });
      expect(row()).toEqual({ status: 'queued', attempts: 0 });
    });
  });
});
