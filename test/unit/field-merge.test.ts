import { describe, expect, it } from 'vitest';
import { mergeOwnChanges, ownChanges } from '../../worker/sync/field-merge.ts';

describe('field merge for a report made before our write landed', () => {
  const prior = { title: 'Call back', body: 'first', completed: false, updatedAt: '2026-11-01T00:00:00Z' };
  const ours = { title: 'Call back (moved)', body: 'first', completed: false };

  it('the person’s own changes are the fields that differ from what the side held before our write', () => {
    expect(ownChanges({ ...prior, completed: true, updatedAt: '2026-11-02T00:00:00Z' }, prior)).toEqual({ completed: true });
  });

  it('puts them on top of what we wrote, keeping our write’s other fields', () => {
    expect(mergeOwnChanges(ours, { ...prior, completed: true }, prior)).toEqual({ ...ours, completed: true });
  });

  it('a report of the old content alone holds no change', () => {
    expect(mergeOwnChanges(ours, { ...prior, updatedAt: 'later' }, prior)).toBeNull();
  });

  it('a contact’s full name follows the parts a person changed', () => {
    const before = { firstName: 'Jo', lastName: 'Klein', name: 'Jo Klein', companyName: 'A' };
    const written = { firstName: 'Jo', lastName: 'Klein', name: 'Jo Klein', companyName: 'B' };
    expect(mergeOwnChanges(written, { ...before, firstName: 'Ada', name: 'Ada Klein' }, before)).toEqual({ firstName: 'Ada', lastName: 'Klein', name: 'Ada Klein', companyName: 'B' });
  });
});
