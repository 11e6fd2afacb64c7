import { describe, expect, it } from 'vitest';
import { fieldChangedAt, foldFields, mergeOwnChanges, ownChanges } from '../../worker/sync/field-merge.ts';

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

describe('what a waiting item learns from the reports folded into it', () => {
  const synced = { firstName: 'Ann', lastName: 'Moss', companyName: 'Start Co' };

  it('dates each field by the first report showing its value now', () => {
    const first = { ...synced, lastName: 'Lund', companyName: 'One Co' };
    const second = { ...first, firstName: 'Ada', companyName: 'Two Co' };
    const once = foldFields(first, second, {}, 100, 300);
    expect(once.since).toEqual({ firstName: 300, lastName: 100, companyName: 300 });
    expect(fieldChangedAt(once, 'lastName', 300)).toBe(100);
    expect(fieldChangedAt(undefined, 'lastName', 300)).toBe(300);
    // Folded once more, a field left alone keeps its date.
    expect(foldFields(second, { ...second, companyName: 'Three Co' }, once, 300, 500).since).toEqual({ firstName: 300, lastName: 100, companyName: 500 });
  });

  it('handed down to a later item that knew some history already, each field keeps its earliest run', () => {
    const lost = { ...synced, lastName: 'Okoro' };
    const next = { ...synced, firstName: 'Fay', companyName: 'Two Co' };
    const history = foldFields(lost, next, {}, 100, 300, { since: { companyName: 250 }, earlier: { companyName: ['One Co'] } });
    expect(history.since).toEqual({ firstName: 300, lastName: 300, companyName: 250 });
    expect(history.earlier).toEqual({ companyName: ['One Co', 'Start Co'], firstName: ['Ann'], lastName: ['Okoro'] });
    expect(ownChanges(next, synced, history.earlier)).toEqual({ firstName: 'Fay', companyName: 'Two Co', lastName: 'Moss' });
  });

  it('a field changed and changed back while the item waited is still the side’s own change', () => {
    const away = { ...synced, lastName: 'Rossi' };
    const back = { ...synced, companyName: 'Two Co' };
    const history = foldFields(away, back, {}, 100, 300);
    expect(history.earlier).toEqual({ lastName: ['Rossi'], companyName: ['Start Co'] });
    expect(ownChanges(back, synced)).toEqual({ companyName: 'Two Co' });
    expect(ownChanges(back, synced, history.earlier)).toEqual({ companyName: 'Two Co', lastName: 'Moss' });
  });
});
