import { describe, expect, it } from 'vitest';
import { withFields } from '../../worker/sync/field-merge.ts';

describe('agreed fields over an object’s content', () => {
  it('keeps the fields it does not name', () => {
    expect(withFields({ title: 'Call back', body: 'first', completed: false }, { completed: true })).toEqual({
      title: 'Call back',
      body: 'first',
      completed: true,
    });
  });

  it('a contact’s full name follows its parts', () => {
    const written = { firstName: 'Jo', lastName: 'Klein', name: 'Jo Klein', companyName: 'B' };
    expect(withFields(written, { firstName: 'Ada', lastName: 'Klein' })).toEqual({
      firstName: 'Ada',
      lastName: 'Klein',
      name: 'Ada Klein',
      companyName: 'B',
    });
  });
});
