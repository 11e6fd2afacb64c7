/**
 * A contact object's work queue keeps finished work as long as the sync log can show and replay
 * it, and no more than a cap: it never grows with the number of changes a contact has seen.
 * Real Durable Object storage (the contact object's own SQLite and schema).
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { contactStub } from '../../worker/durable/stubs.ts';
import { SyncQueue, WORK_LIMITS } from '../../worker/durable/contact/sync/queue.ts';

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2026, 11, 4, 12);

/** Writes work rows straight into a fresh contact object's queue; returns what `prune` leaves. */
async function queueWith(
  rows: { state: string; age: number; n?: number }[],
  prune: (q: SyncQueue) => number,
): Promise<{ gone: number; left: Record<string, number> }> {
  const stub = contactStub(env, `loc_${crypto.randomUUID()}`, `c_${crypto.randomUUID()}`);
  return runInDurableObject(stub, (_obj, state) => {
    const sql = state.storage.sql;
    let k = 0;
    for (const r of rows)
      for (let i = 0; i < (r.n ?? 1); i++)
        sql.exec(
          `INSERT INTO work (idem_key, coalesce_key, direction, connection_id, kind, op, trigger, payload, state, next_attempt_at, created_at, updated_at)
           VALUES (?, 'c', 'to_partner', 'conn', 'note', 'upsert', 'ghl_webhook', '{}', ?, ?, ?, ?)`,
          `k${++k}`,
          r.state,
          NOW,
          NOW - r.age,
          NOW - r.age,
        );
    const queue = new SyncQueue(sql);
    const gone = prune(queue);
    return { gone, left: queue.counts() };
  });
}

describe('a contact’s finished work is forgotten in time', () => {
  it('settled work older than the sync log’s 30 days goes, whatever its end; waiting work stays', async () => {
    const { gone, left } = await queueWith(
      [
        { state: 'done', age: 31 * DAY, n: 3 },
        { state: 'dead', age: 31 * DAY },
        { state: 'skipped', age: 40 * DAY },
        { state: 'done', age: 29 * DAY, n: 2 },
        { state: 'dead', age: 2 * DAY },
        { state: 'retry', age: 90 * DAY },
        { state: 'queued', age: 90 * DAY },
      ],
      (q) => q.prune(NOW),
    );
    expect(gone).toBe(5);
    expect(left).toEqual({ done: 2, dead: 1, retry: 1, queued: 1 });
  });

  it('past the cap the oldest successes go first, failures only past the hard cap, a batch per call', async () => {
    const limits = { ...WORK_LIMITS, maxSettled: 10, hardMaxSettled: 20, batch: 5 };
    const first = await queueWith(
      [
        { state: 'done', age: DAY, n: 12 },
        { state: 'failed', age: DAY, n: 4 },
      ],
      (q) => q.prune(NOW, limits),
    );
    // 16 settled, over the cap of 10: one batch of the oldest successes.
    expect(first).toEqual({ gone: 5, left: { done: 7, failed: 4 } });
    const hard = await queueWith([{ state: 'dead', age: DAY, n: 23 }], (q) => q.prune(NOW, limits));
    // Only failures: kept up to the hard cap, then they go too.
    expect(hard).toEqual({ gone: 5, left: { dead: 18 } });
    const bounded = await queueWith([{ state: 'done', age: DAY, n: 40 }], (q) => {
      let n = 0;
      for (let i = 0; i < 10; i++) n += q.prune(NOW, limits);
      return n;
    });
    expect(bounded.left).toEqual({ done: 10 });
  });
});
