import { describe, expect, it } from 'vitest';
import { describeEntry, redacted } from '../../ui/lib/sync-log-words.ts';

const row = (action: string, status: string, more: Partial<Parameters<typeof describeEntry>[0]> = {}) => ({
  action,
  objectKind: 'x',
  status,
  ...more,
});

describe('describeEntry', () => {
  it('says what happened in plain words, with the subject and the contact', () => {
    expect(
      describeEntry(
        row('create appointment in Cal.com', 'done', {
          subject: 'Consultation',
          contactName: 'Ada Lovelace',
        }),
      ),
    ).toBe('Booked ‘Consultation’ in Cal.com for Ada Lovelace');
    expect(
      describeEntry(
        row('create note to Your app', 'queued', { subject: 'Called', contactName: 'Ada Lovelace' }),
      ),
    ).toBe('Will create note ‘Called’ in Your app for Ada Lovelace');
    expect(
      describeEntry(
        row('upsert note in GHL', 'done', { subject: 'Met at the expo', contactName: 'Ada Lovelace' }),
      ),
    ).toBe('Saved note ‘Met at the expo’ in HighLevel for Ada Lovelace');
    expect(describeEntry(row('delete appointment in Cal.com', 'failed', { subject: 'Consultation' }))).toBe(
      'Could not cancel appointment ‘Consultation’ in Cal.com',
    );
    expect(describeEntry(row('update contact in GHL', 'skipped', { contactName: 'Ada Lovelace' }))).toBe(
      'Did not update contact Ada Lovelace in HighLevel',
    );
    expect(
      describeEntry(row('tags to Your app: +vip', 'done', { subject: 'vip', contactName: 'Ada Lovelace' })),
    ).toBe('Tags to Your app: +vip ‘vip’ for Ada Lovelace');
  });

  it('keeps an action it does not know as it is', () => {
    expect(describeEntry(row('tag contact "no-show" in GHL', 'done', { contactName: 'Ada' }))).toBe(
      'Tag contact "no-show" in GHL for Ada',
    );
  });
});

describe('redacted', () => {
  it('masks tokens, secrets and keys at any depth and cuts long details', () => {
    const text = redacted({
      request: {
        headers: { Authorization: 'Bearer abc', 'x-api-key': 'k' },
        body: { accessToken: 't', name: 'Ada' },
      },
    });
    expect(text).not.toMatch(/abc|"t"|"k"/);
    expect(text).toContain('"name": "Ada"');
    expect(redacted({ long: 'x'.repeat(5000) }, 100)).toMatch(/more characters\)$/);
  });
});
