import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { PRUNE_EVERY_ROWS, SYNC_LOG_LIMITS } from '../../worker/sync-log/retention.ts';
import { recordSyncLog } from '../../worker/sync-log/write.ts';
import { call, expectError, panelLocations, type PanelLocation } from './panel-helpers.ts';

const DAY = 86_400_000;
const { maxAgeMs, maxRows, hardMaxRows } = SYNC_LOG_LIMITS;
let counter = 0;
const freshLocation = () =>
  `slLoc${Date.now().toString(36)}${(counter++).toString(36)}`.padEnd(20, '0').slice(0, 20);

/** A location whose object knows its id (an RPC binds it), with an empty log. */
async function emptyLog(): Promise<string> {
  const loc = freshLocation();
  const stub = tenantStub(env, loc);
  await stub.listSyncLog(loc, { limit: 1 });
  return loc;
}

/** Writes `count` rows in one statement (the engine would take thousands of calls); returns their ids. */
async function seed(
  loc: string,
  count: number,
  status: string,
  opts: { updatedAgo?: number; atAgo?: number } = {},
): Promise<{ first: number; last: number }> {
  return runInDurableObject(tenantStub(env, loc), (_obj, state) => {
    const now = Date.now();
    const sql = state.storage.sql;
    sql.exec(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO sync_log (at, updated_at, trigger, action, object_kind, contact_id, connection_id, status, attempts, error)
       SELECT ?2, ?3, 'ghl_webhook', 'update contact in Your app', 'contact', 'c' || i, 'conn1', ?4, 1,
              CASE WHEN ?4 = 'failed' THEN 'partner answered 500' END FROM n`,
      count,
      now - (opts.atAgo ?? opts.updatedAgo ?? 0),
      now - (opts.updatedAgo ?? 0),
      status,
    );
    const last = sql.exec<{ id: number }>('SELECT MAX(id) AS id FROM sync_log').one().id;
    return { first: last - count + 1, last };
  });
}

const countBy = (loc: string) =>
  runInDurableObject(tenantStub(env, loc), (_obj, state) =>
    Object.fromEntries(
      state.storage.sql
        .exec<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM sync_log GROUP BY status')
        .toArray()
        .map((r) => [r.status, r.n]),
    ),
  );
const total = async (loc: string) =>
  Object.values(await countBy(loc)).reduce((a: number, n) => a + (n as number), 0);
const has = (loc: string, id: number) =>
  runInDurableObject(
    tenantStub(env, loc),
    (_obj, state) =>
      state.storage.sql.exec('SELECT id FROM sync_log WHERE id = ?', id).toArray().length === 1,
  );

const nextAlarmIn = (loc: string) =>
  runInDurableObject(tenantStub(env, loc), async (_obj, state) => {
    const at = await state.storage.getAlarm();
    return at === null ? null : at - Date.now();
  });

/** Runs the location's alarm once, its hourly pruning made due. */
async function alarmOnce(loc: string): Promise<void> {
  const stub = tenantStub(env, loc);
  await runInDurableObject(stub, async (_obj, state) => {
    state.storage.sql.exec("DELETE FROM meta WHERE key = 'sync_log_pruned_at'");
    await state.storage.setAlarm(Date.now());
  });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

/** Runs the alarm until its pruning is done (it comes back while more is due), at most `max` times. */
async function pruneUntilDone(loc: string, max = 40): Promise<number> {
  await alarmOnce(loc);
  const stub = tenantStub(env, loc);
  for (let runs = 1; runs <= max; runs++) {
    const done = await runInDurableObject(
      stub,
      (_obj, state) =>
        state.storage.sql.exec("SELECT 1 FROM meta WHERE key = 'sync_log_pruned_at'").toArray().length === 1,
    );
    if (done) return runs;
    await runInDurableObject(stub, (_obj, state) => state.storage.setAlarm(Date.now()));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
  }
  throw new Error(`pruning not done after ${max} alarms`);
}

describe('sync log retention (location object)', () => {
  it('drops rows not changed for 30 days, failures included, and keeps younger ones', async () => {
    const loc = await emptyLog();
    const oldDone = await seed(loc, 3, 'done', { updatedAgo: maxAgeMs + DAY });
    const oldFailed = await seed(loc, 2, 'failed', { updatedAgo: maxAgeMs + 1000 });
    const agingFailed = await seed(loc, 2, 'failed', { updatedAgo: maxAgeMs - DAY });
    // Written 40 days ago, failed again (a replay) yesterday: its window starts again.
    const replayed = await seed(loc, 1, 'failed', { atAgo: 40 * DAY, updatedAgo: DAY });
    const recent = await seed(loc, 4, 'done', { updatedAgo: DAY });

    await pruneUntilDone(loc);

    expect(await countBy(loc)).toEqual({ done: 4, failed: 3 });
    for (const id of [oldDone.first, oldDone.last, oldFailed.first, oldFailed.last])
      expect(await has(loc, id)).toBe(false);
    for (const id of [agingFailed.first, agingFailed.last, replayed.first, recent.first, recent.last])
      expect(await has(loc, id)).toBe(true);
  });

  it(`keeps at most ${maxRows} rows, settled ones oldest first, a batch per alarm; failures and work in flight stay`, async () => {
    const loc = await emptyLog();
    // The oldest rows: failures of the last hours and work still queued or retrying.
    const failed = await seed(loc, 300, 'failed', { updatedAgo: 3_600_000 });
    const queued = await seed(loc, 100, 'queued', { updatedAgo: DAY });
    await seed(loc, 50, 'retrying', { updatedAgo: DAY });
    const done = await seed(loc, maxRows + 600, 'done', { updatedAgo: 2 * DAY });
    expect(await total(loc)).toBe(maxRows + 1050);

    // One alarm deletes one bounded batch, not the whole surplus, and comes back soon for the rest.
    await alarmOnce(loc);
    const afterOne = await total(loc);
    expect(afterOne).toBeLessThan(maxRows + 1050);
    expect(afterOne).toBeGreaterThan(maxRows);
    expect((await nextAlarmIn(loc))!).toBeLessThan(60_000);

    expect(await pruneUntilDone(loc)).toBeGreaterThan(1);
    // Once done, the alarm goes back to its hourly round.
    expect((await nextAlarmIn(loc))!).toBeGreaterThan(30 * 60_000);
    expect(await countBy(loc)).toEqual({ failed: 300, queued: 100, retrying: 50, done: maxRows - 450 });
    expect(await has(loc, failed.first)).toBe(true);
    expect(await has(loc, queued.first)).toBe(true);
    expect(await has(loc, done.first + 1049)).toBe(false);
    expect(await has(loc, done.first + 1050)).toBe(true);

    // What is read from the log still counts the kept failures and backlog.
    const stub = tenantStub(env, loc);
    expect(await stub.adminSummary(loc, Date.now() - DAY)).toMatchObject({ failures: 300, backlog: 150 });
    const page = await stub.listSyncLog(loc, { status: 'failed', limit: 5 });
    expect(page.entries.map((e) => e.id)).toEqual([0, 1, 2, 3, 4].map((i) => failed.last - i));
    const health = await stub.syncHealth(loc);
    expect(health.connections.find((h) => h.connectionId === 'conn1')).toMatchObject({
      failed: 300,
      backlog: 150,
    });
  });

  it(`past ${hardMaxRows} rows the oldest go whatever they are, so storage stays bounded`, async () => {
    const loc = await emptyLog();
    const failed = await seed(loc, hardMaxRows + 120, 'failed', { updatedAgo: 3_600_000 });

    await pruneUntilDone(loc);

    expect(await countBy(loc)).toEqual({ failed: hardMaxRows });
    expect(await has(loc, failed.first + 119)).toBe(false);
    expect(await has(loc, failed.first + 120)).toBe(true);
  });

  it('writes prune as they go, whoever writes: a burst past the cap stays within a batch of it between alarms', async () => {
    const loc = await emptyLog();
    await seed(loc, maxRows, 'done', { updatedAgo: DAY });
    const stub = tenantStub(env, loc);
    const row = (i: number) => ({
      trigger: 'ghl_webhook',
      action: 'update contact in Your app',
      objectKind: 'contact',
      contactId: `burst${i}`,
      status: 'done' as const,
    });
    // Contact objects write through the object's RPC; the location's own intake writes in place.
    for (let i = 0; i < 2 * PRUNE_EVERY_ROWS; i++) await stub.recordSync(loc, row(i));
    await runInDurableObject(stub, (_obj, state) => {
      for (let i = 0; i < 2 * PRUNE_EVERY_ROWS; i++) recordSyncLog(state.storage.sql, row(i));
    });
    expect(await total(loc)).toBeLessThan(maxRows + PRUNE_EVERY_ROWS);
  });
});

describe('the size of one row', () => {
  it('stays under 90 KB however big the error, detail, changes and tried requests it is given', async () => {
    const loc = await emptyLog();
    const stub = tenantStub(env, loc);
    const huge = '"ü€"'.repeat(20_000);
    // 2 KB bodies, as the trace cuts them, that escape and encode to far more.
    const body = huge.slice(0, 2048);
    let id = 0;
    for (let attempt = 1; attempt <= 7; attempt++)
      id = await stub.recordSync(loc, {
        workKey: `${loc}:c1#1`,
        trigger: 'ghl_webhook',
        action: 'update contact in Your app',
        objectKind: 'contact',
        contactId: 'c1',
        contactName: huge,
        status: attempt === 7 ? 'failed' : 'retrying',
        attempts: attempt,
        error: huge,
        detail: { partnerSaid: huge },
        diff: Array.from({ length: 30 }, (_, i) => ({ field: `f${i}`, before: huge, after: { huge } })),
        requests: Array.from({ length: 12 }, (_, i) => ({
          side: 'partner' as const,
          method: 'PUT',
          path: `/people/${i}`,
          status: 500,
          ms: 20,
          requestBody: body,
          responseBody: body,
          error: huge.slice(0, 4000),
        })),
      });
    const bytes = await runInDurableObject(
      stub,
      (_obj, state) =>
        state.storage.sql
          .exec<{ n: number }>(
            `SELECT COALESCE(length(CAST(requests AS BLOB)), 0) + COALESCE(length(CAST(error AS BLOB)), 0)
                + COALESCE(length(CAST(detail AS BLOB)), 0) + COALESCE(length(CAST(diff AS BLOB)), 0)
                + COALESCE(length(CAST(contact_name AS BLOB)), 0) AS n FROM sync_log WHERE id = ?`,
            id,
          )
          .one().n,
    );
    expect(bytes).toBeLessThan(90 * 1024);
    // Still readable: the last try with its requests, the error's start, the detail as text.
    const entry = (await stub.getSyncLogEntry(loc, id))!;
    expect(entry.status).toBe('failed');
    expect(entry.error!.startsWith('"ü€"')).toBe(true);
    expect(JSON.parse(entry.requests!).tries.at(-1).attempt).toBe(7);
  });
});

describe('replaying a row the log no longer keeps', () => {
  let A: PanelLocation;
  beforeAll(async () => {
    [A] = (await panelLocations(1, 1)) as [PanelLocation];
  });

  it('answers 410 pruned with a clear message; an id never written stays 404', async () => {
    const gone = await seed(A.locationId, 1, 'failed', { updatedAgo: maxAgeMs + DAY });
    const kept = await seed(A.locationId, 1, 'failed', { updatedAgo: DAY });
    await pruneUntilDone(A.locationId);

    const res = await call(A.token, 'POST', `/api/sync-log/${gone.first}/replay`);
    expectError(res, 410, 'pruned');
    expect(res.body.error.message).toMatch(/no longer kept.*30 days.*20,000/);
    expectError(await call(A.token, 'POST', `/api/sync-log/${kept.last + 1000}/replay`), 404, 'not_found');
    // The kept failure is still there to replay (written by hand, it has no work behind it: 409).
    expectError(await call(A.token, 'POST', `/api/sync-log/${kept.first}/replay`), 409, 'not_replayable');
  });
});
