import { describe, expect, it } from 'vitest';
import { withLocationMapping } from '../../worker/sync/field-mapping.ts';

const defaults = {
  contact: { email: 'email', phone: 'phone' },
  appointment: { title: 'title', attendeePhone: 'attendees.0.phoneNumber' },
};

describe('withLocationMapping', () => {
  it('leaves the connection alone without location overrides', () => {
    const s = { apiBase: 'http://x', fieldMap: { note: { body: 'text' } } };
    expect(withLocationMapping(s, defaults, undefined)).toBe(s);
  });

  it('applies a bare field to every kind that maps it, and a kind-prefixed one to that kind only', () => {
    const out = withLocationMapping({ fieldMap: { note: { body: 'text' } } }, defaults, {
      phone: 'mobile',
      'appointment.title': 'subject',
      'contact.customField.abc123': 'membership_level',
    });
    expect(out.fieldMap).toEqual({
      note: { body: 'text' },
      contact: { phone: 'mobile', 'customField.abc123': 'membership_level' },
      appointment: { title: 'subject' },
    });
  });
});
