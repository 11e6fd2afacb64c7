import { describe, expect, it } from 'vitest';
import {
  newContactInScope,
  outOfScope,
  partnerChangeOutOfScope,
  scopeFactsOf,
} from '../../worker/sync/scope.ts';

const facts = (c: Record<string, unknown>) => scopeFactsOf(c);

describe('outOfScope', () => {
  it('lets every contact through without a scope', () => {
    expect(outOfScope(undefined, facts({}))).toBeNull();
  });
  it('needs the tag (any case), the business and a creation on or after the day, all at once', () => {
    const scope = { tag: 'VIP', businessId: 'biz1', createdAfter: '2026-03-01' };
    expect(
      outOfScope(scope, facts({ tags: ['vip'], businessId: 'biz1', dateAdded: '2026-03-01T00:00:00.000Z' })),
    ).toBeNull();
    expect(
      outOfScope(scope, facts({ tags: ['lead'], businessId: 'biz1', dateAdded: '2026-04-01T00:00:00Z' })),
    ).toMatch(/no tag “VIP”/);
    expect(
      outOfScope(scope, facts({ tags: ['vip'], businessId: 'biz2', dateAdded: '2026-04-01T00:00:00Z' })),
    ).toMatch(/not of business biz1/);
    expect(
      outOfScope(scope, facts({ tags: ['vip'], businessId: 'biz1', dateAdded: '2026-02-28T23:59:59Z' })),
    ).toMatch(/created before 2026-03-01/);
    expect(outOfScope({ createdAfter: '2026-03-01' }, facts({}))).toMatch(/created before/);
  });
});

describe('partner changes and the scope', () => {
  const NOW = Date.parse('2026-06-01T12:00:00Z');
  it('a person created in GHL gets the tag; a business or a day to come blocks the create', () => {
    expect(newContactInScope(undefined, NOW)).toEqual({ tags: [], blocked: null });
    expect(newContactInScope({ tag: 'VIP', createdAfter: '2026-06-01' }, NOW)).toEqual({
      tags: ['VIP'],
      blocked: null,
    });
    expect(newContactInScope({ tag: 'VIP', businessId: 'biz1' }, NOW).blocked).toMatch(/business biz1/);
    expect(newContactInScope({ createdAfter: '2026-06-02' }, NOW).blocked).toMatch(/on or after 2026-06-02/);
  });
  it('a change about a contact outside says so, in words the log does not hide', () => {
    expect(partnerChangeOutOfScope({ tag: 'VIP' }, facts({ tags: ['vip'] }))).toBeNull();
    const why = partnerChangeOutOfScope({ tag: 'VIP' }, facts({ tags: [] }))!;
    expect(why).toMatch(/^not written to GHL: .*\(no tag “VIP”\)$/);
    expect(why).not.toContain('outside this location’s sync scope');
  });
  it('a Contact* event leaves the business unknown; a contact read from GHL does not', () => {
    expect('businessId' in scopeFactsOf({ tags: [] }, 'event')).toBe(false);
    expect(scopeFactsOf({ tags: [], businessId: 'b1' }, 'event').businessId).toBe('b1');
    expect(scopeFactsOf({ tags: [] }).businessId).toBeNull();
  });
});

describe('scopeOf (panel)', () => {
  it('leaves blank conditions out', async () => {
    const { scopeOf } = await import('../../ui/lib/settings.ts');
    expect(scopeOf({ tag: ' vip ', businessId: '', createdAfter: '2026-01-31' })).toEqual({
      tag: 'vip',
      createdAfter: '2026-01-31',
    });
    expect(scopeOf({ tag: '', businessId: '', createdAfter: '' })).toEqual({});
  });
});
