import { describe, expect, it } from 'vitest';
import type { EngineSettings } from '../../worker/sync/engine-types.ts';
import { MAX_ATTEMPTS } from '../../worker/sync/policy.ts';
import {
  afterFailure,
  flowBlocked,
  foldReport,
  LATE_WRITE_MS,
  mayLandLate,
  reassertWork,
  RECONNECT_RECHECK_MS,
  settleRivals,
  verifyWork,
} from '../../worker/sync/work-rules.ts';
import { workOf, type WorkDirection, type WorkItem } from '../../worker/sync/work.ts';

/** A stored item, read the way the queue reads it. */
function item(
  id: number,
  direction: WorkDirection,
  fields: { op?: string; kind?: string; changedAt?: number; trigger?: string; attempts?: number },
  payload: unknown,
): WorkItem {
  return {
    id,
    idemKey: `k${id}`,
    coalesceKey: `c${id}`,
    connectionId: 'conn',
    kind: fields.kind ?? 'note',
    op: fields.op ?? 'upsert',
    ghlId: 'g1',
    partnerId: 'p1',
    trigger: fields.trigger ?? 'webhook',
    changedAt: fields.changedAt,
    state: 'running',
    attempts: fields.attempts ?? 0,
    nextAttemptAt: 0,
    error: null,
    logId: null,
    createdAt: 0,
    ...workOf(direction, fields.trigger ?? 'webhook', payload),
  } as WorkItem;
}

const settings = (over: Partial<EngineSettings['kinds']> = {}): EngineSettings => {
  const both = { enabled: true, direction: 'both' as EngineSettings['kinds']['notes']['direction'] };
  return {
    kinds: { contacts: both, notes: both, tasks: both, appointments: both, tags: both, ...over },
    conflictPolicy: 'newest_wins',
    dryRun: false,
  };
};

describe('what flows', () => {
  it.each([
    [{}, 'note', 'ghl', null],
    [
      { notes: { enabled: false, direction: 'both' } },
      'note',
      'ghl',
      'notes sync is switched off for this location',
    ],
    [
      { tags: { enabled: true, direction: 'ghl_to_partner' } },
      'tag',
      'partner',
      'tags sync runs ghl to partner only',
    ],
    [{ tags: { enabled: true, direction: 'ghl_to_partner' } }, 'tag', 'ghl', null],
  ] as const)('%o: %s from %s → %s', (over, kind, from, why) => {
    expect(flowBlocked(settings(over as never), kind, from)).toBe(why);
  });
});

describe('whole-object rivals (a delete against a change on the other side)', () => {
  const del = item(1, 'to_partner', { op: 'delete', changedAt: 2000 }, { data: null });
  const older = item(2, 'to_ghl', { changedAt: 1000 }, { fingerprint: 'a', data: { body: 'x' } });
  const newer = item(3, 'to_ghl', { changedAt: 3000 }, { fingerprint: 'b', data: { body: 'y' } });

  it('newest wins against the newest rival: the delete loses to a later edit, alone', () => {
    const settled = settleRivals('newest_wins', del, [older, newer]);
    expect(settled).toMatchObject({ winner: 'partner', itemWins: false, losers: [del] });
    expect(settled.logged).toBe('both sides changed; the partner wins (newest_wins)');
    expect(settled.detail).toMatchObject({ ghl: del.payload, partner: newer.payload });
  });

  it('a side named by the policy beats every rival at once', () => {
    const settled = settleRivals('ghl_wins', del, [older, newer]);
    expect(settled).toMatchObject({ winner: 'ghl', itemWins: true, losers: [older, newer] });
    expect(settled.error).toBe('both sides changed; ghl wins (ghl_wins)');
  });
});

describe('a failed attempt', () => {
  const it0 = item(1, 'to_partner', { attempts: 0 }, { data: {} });
  const last = item(1, 'to_partner', { attempts: MAX_ATTEMPTS - 1 }, { data: {} });

  it('waiting for a reconnect parks the item without counting the attempt', () => {
    expect(afterFailure(it0, { message: 'm', reconnect: true, retryable: true }, 1000)).toEqual({
      step: 'park',
      at: 1000 + RECONNECT_RECHECK_MS,
      status: 'retrying',
      note: 'm',
    });
  });

  it('a retryable failure backs off, at least as long as the partner asked', () => {
    const next = afterFailure(
      it0,
      { message: 'm', reconnect: false, retryable: true, retryAfterMs: 99_000 },
      0,
    );
    expect(next).toEqual({ step: 'retry', at: 99_000, attempts: 1, status: 'retrying', note: 'm' });
  });

  it('gives up after the last attempt (dead), or at once when retrying cannot help (failed)', () => {
    expect(afterFailure(last, { message: 'm', reconnect: false, retryable: true }, 0)).toEqual({
      step: 'finish',
      state: 'dead',
      attempts: MAX_ATTEMPTS,
      status: 'failed',
      note: `gave up after ${MAX_ATTEMPTS} attempts: m`,
    });
    expect(afterFailure(it0, { message: 'm', reconnect: false, retryable: false }, 0)).toMatchObject({
      step: 'finish',
      state: 'failed',
      note: 'm',
    });
  });
});

describe('restores an item asks for', () => {
  it('a partner write whose answer was lost is checked once it could have landed', () => {
    const write = item(7, 'to_partner', { attempts: 1, changedAt: 5 }, { data: { body: 'x' } });
    expect(mayLandLate(write)).toBe(true);
    const check = verifyWork(write, 'contact', 1000);
    expect(check).toMatchObject({
      type: 'restore',
      direction: 'to_partner',
      trigger: 'verify',
      idemKey: 'verify:to_partner:7:1',
      dueAt: 1000 + LATE_WRITE_MS,
      changedAt: 5,
    });
    const asStored = item(8, 'to_partner', { trigger: 'replay' }, check!.payload);
    expect(mayLandLate(asStored)).toBe(false);
  });

  it('deletes and GHL writes are never checked', () => {
    expect(mayLandLate(item(1, 'to_partner', { op: 'delete' }, { data: null }))).toBe(false);
    expect(mayLandLate(item(1, 'to_ghl', {}, { fingerprint: 'f' }))).toBe(false);
  });

  it('a reassert writes the winner back where the outcome says, never from a restore', () => {
    const change = item(4, 'to_ghl', {}, { fingerprint: 'f' });
    expect(reassertWork(change, { reassert: { to: 'partner' }, objectId: 'g9' }, 'contact')).toMatchObject({
      direction: 'to_partner',
      ghlId: 'g9',
      payload: { type: 'restore', reason: 'reassert' },
    });
    const tags = item(5, 'to_partner', { kind: 'tag' }, { data: { tags: [] } });
    expect(reassertWork(tags, { reassert: { to: 'ghl', tags: ['vip'] } }, 'contact')).toMatchObject({
      direction: 'to_ghl',
      ghlId: 'contact',
      payload: { tags: ['vip'] },
    });
    const restore = item(6, 'to_ghl', { trigger: 'reassert' }, {});
    expect(reassertWork(restore, { reassert: { to: 'partner' } }, 'contact')).toBeNull();
  });
});

describe('folding a report into a waiting item', () => {
  it('keeps each report with its own time; the newer content is what the item shows', () => {
    const fold = foldReport({ data: { body: 'new' } }, 2000, 2000);
    expect(fold({ payload: { data: { body: 'old' } }, changedAt: 1000 })).toEqual({
      data: { body: 'new' },
      reports: [
        { at: 1000, data: { body: 'old' } },
        { at: 2000, data: { body: 'new' } },
      ],
    });
  });

  it('an older report still joins the reports, but does not replace the content', () => {
    const fold = foldReport({ data: { body: 'late' } }, 500, 500);
    expect(fold({ payload: { data: { body: 'now' } }, changedAt: 1000 })).toEqual({
      data: { body: 'now' },
      reports: [
        { at: 500, data: { body: 'late' } },
        { at: 1000, data: { body: 'now' } },
      ],
    });
  });
});
