import { describe, expect, it } from 'vitest';
import { fieldDiff } from '../../worker/sync-log/diff.ts';

describe('fieldDiff', () => {
  it('lists the fields whose values changed, new and removed ones too, without updatedAt', () => {
    expect(
      fieldDiff(
        { title: 'Call', body: 'a', updatedAt: '1' },
        { title: 'Call back', dueDate: '2026-01-01', updatedAt: '2' },
      ),
    ).toEqual([
      { field: 'title', before: 'Call', after: 'Call back' },
      { field: 'body', before: 'a', after: null },
      { field: 'dueDate', before: null, after: '2026-01-01' },
    ]);
  });
  it('compares nested values by content and masks secret-looking fields', () => {
    expect(fieldDiff({ tags: ['a', 'b'] }, { tags: ['a', 'b'] })).toEqual([]);
    expect(fieldDiff({}, { apiKey: 'k' })).toEqual([{ field: 'apiKey', before: null, after: '••••' }]);
  });
});
