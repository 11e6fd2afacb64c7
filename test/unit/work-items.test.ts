import { describe, expect, it } from 'vitest';
import { foldInto, workOf, type GhlWork } from '../../worker/sync/work.ts';

/** Payloads as the `work` table stores them (JSON text), before and since items carried a type. */
const stored = (json: string) => JSON.parse(json) as unknown;

describe('work items as stored', () => {
  it('a GHL change for a partner: its data and reports, typed by the direction', () => {
    const work = workOf(
      'to_partner',
      'ghl_webhook',
      stored('{"data":{"firstName":"Ada"},"reports":[{"at":1000,"data":{"firstName":"Ada"}}]}'),
    );
    expect(work.type).toBe('ghl_change');
    if (work.type !== 'ghl_change') return;
    expect(work.payload.data).toEqual({ firstName: 'Ada' });
    expect(work.payload.reports).toEqual([{ at: 1000, data: { firstName: 'Ada' } }]);
  });

  it('a partner change for GHL: the connector change, typed by the direction', () => {
    const work = workOf(
      'to_ghl',
      'partner_webhook',
      stored(
        '{"connectionId":"c1","partnerId":"p1","occurredAt":"2026-01-01T00:00:00Z","dedupeKey":"d1","fingerprint":"f","kind":"note","op":"upsert","data":{"body":"hi"}}',
      ),
    );
    expect(work.type).toBe('partner_change');
    if (work.type !== 'partner_change') return;
    expect(work.payload.fingerprint).toBe('f');
    expect(work.payload.reports).toBeUndefined();
  });

  it('a restore is told by its payload, whatever its trigger says (a replay renames it)', () => {
    const work = workOf(
      'to_partner',
      'replay',
      stored('{"type":"restore","reason":"verify","uncertainFp":"x"}'),
    );
    expect(work).toEqual({
      type: 'restore',
      direction: 'to_partner',
      payload: { type: 'restore', reason: 'verify', uncertainFp: 'x' },
    });
  });

  it('a restore stored before payloads said so is told by its trigger, and gets its reason', () => {
    expect(workOf('to_ghl', 'reassert', stored('{"tags":["vip"]}'))).toEqual({
      type: 'restore',
      direction: 'to_ghl',
      payload: { type: 'restore', reason: 'reassert', tags: ['vip'] },
    });
    expect(workOf('to_partner', 'verify', stored('{}')).payload).toEqual({
      type: 'restore',
      reason: 'verify',
    });
  });

  it('a folded trigger’s marker row (payload null) still reads as a change', () => {
    expect(workOf('to_partner', 'ghl_webhook', stored('null'))).toEqual({
      type: 'ghl_change',
      direction: 'to_partner',
      payload: {},
    });
  });
});

describe('folding a change into the waiting item', () => {
  const change = { kind: 'note', direction: 'to_partner' as const, op: 'upsert' };

  it.each([
    [
      'a newer change replaces it',
      { op: 'upsert', changedAt: 1000 },
      { changedAt: 2000 },
      { rewrite: true, changedAt: 2000 },
    ],
    [
      'an older one leaves it',
      { op: 'upsert', changedAt: 2000 },
      { changedAt: 1000 },
      { rewrite: false, changedAt: 2000 },
    ],
    [
      'an older one with a fold still teaches it',
      { op: 'upsert', changedAt: 2000 },
      { changedAt: 1000, fold: (w: { payload: GhlWork }) => w.payload },
      { rewrite: true, changedAt: 2000 },
    ],
    ['another op queues apart', { op: 'delete', changedAt: 1000 }, { changedAt: 2000 }, null],
  ])('%s', (_, waiting, input, expected) => {
    expect(foldInto(waiting, { ...change, ...input })).toEqual(expected);
  });

  it('a partner tag change is never folded: each adds or removes its own tags', () => {
    expect(
      foldInto(
        { op: 'tag_add', changedAt: 1 },
        { kind: 'tag', direction: 'to_ghl', op: 'tag_add', changedAt: 2 },
      ),
    ).toBeNull();
  });
});
