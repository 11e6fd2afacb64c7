import { describe, expect, it } from 'vitest';
import { outOfScope, scopeFactsOf } from '../../worker/sync/scope.ts';

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
