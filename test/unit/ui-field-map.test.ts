import { describe, expect, it } from 'vitest';
import {
  defaultLines,
  fieldChoices,
  isPath,
  mapOf,
  mapPatch,
  normalizeField,
  rowErrors,
  rowsOf,
} from '../../ui/lib/field-map.ts';

const CALCOM = {
  contact: { email: 'attendee.email', phone: 'attendee.phoneNumber' },
  appointment: { title: 'title', notes: 'notes' },
};

describe('isPath', () => {
  it('takes dotted names of letters, digits, _ and -', () => {
    expect(isPath('attendee.phoneNumber')).toBe(true);
    expect(isPath('responses.company-name_2')).toBe(true);
  });
  it('refuses empty parts, other characters, prototype names and deep paths', () => {
    for (const bad of [
      '',
      '.a',
      'a.',
      'a..b',
      'a b',
      'a/b',
      '__proto__.x',
      'a.constructor',
      'a.b.c.d.e.f.g.h.i',
    ])
      expect(isPath(bad)).toBe(false);
  });
});

describe('rowErrors', () => {
  it('accepts bare fields a default has, kind-prefixed fields and custom fields', () => {
    const rows = [
      { field: 'phone', path: 'responses.mobile' },
      { field: 'contact.companyName', path: 'responses.company' },
      { field: 'contact.customField.abc123', path: 'responses.size' },
      { field: 'customField.def', path: 'responses.other' },
    ];
    expect(rowErrors(rows, CALCOM)).toEqual(['', '', '', '']);
  });

  it('says what is missing or malformed', () => {
    const [a, b, c, d] = rowErrors(
      [
        { field: '', path: 'x' },
        { field: 'phone', path: '' },
        { field: 'phone number', path: 'x' },
        { field: 'phone', path: 'a..b' },
      ],
      CALCOM,
    );
    expect(a).toMatch(/Enter the common field/);
    expect(b).toMatch(/Enter the partner field/);
    expect(c).toMatch(/letters, digits, _ \. - only/);
    expect(d).toMatch(/single dots/);
  });

  it('flags a bare field no default uses (it would map nothing) unless defaults are unknown', () => {
    expect(rowErrors([{ field: 'companyName', path: 'x' }], CALCOM)[0]).toMatch(/contact\.companyName/);
    expect(rowErrors([{ field: 'companyName', path: 'x' }])[0]).toBe('');
  });

  it('flags duplicates after normalizing', () => {
    const errs = rowErrors(
      [
        { field: 'contact.customField.a', path: 'x' },
        { field: ' customField.a ', path: 'y' },
      ],
      CALCOM,
    );
    expect(errs[0]).toBe('');
    expect(errs[1]).toMatch(/mapped twice/);
  });
});

describe('rows and patches', () => {
  it('files bare custom fields under contacts', () => {
    expect(normalizeField(' customField.x ')).toBe('contact.customField.x');
    expect(normalizeField('phone')).toBe('phone');
  });

  it('round-trips a map through rows', () => {
    const map = { phone: 'responses.mobile', 'contact.customField.a': 'responses.size' };
    expect(mapOf(rowsOf(map))).toEqual(map);
    expect(rowsOf(undefined)).toEqual([]);
  });

  it('sends every row and null for each removed override', () => {
    const saved = { phone: 'responses.mobile', email: 'responses.mail', constructor: 'x' };
    const patch = mapPatch(saved, [
      { field: 'phone', path: ' responses.tel ' },
      { field: 'customField.z', path: 'responses.z' },
    ]);
    expect(patch).toEqual({
      phone: 'responses.tel',
      'contact.customField.z': 'responses.z',
      email: null,
      constructor: null,
    });
  });

  it('lists defaults as kind.field lines', () => {
    expect(defaultLines(CALCOM)).toContainEqual({ field: 'contact.phone', path: 'attendee.phoneNumber' });
    expect(defaultLines(undefined)).toEqual([]);
  });
});

describe('rowErrors with the partner’s fields', () => {
  const partner = {
    label: 'Cal.com',
    fields: {
      contact: ['attendee.email', 'attendee.phoneNumber', 'responses.*'],
      appointment: ['title', 'notes', 'location'],
    },
  };
  it('takes paths the partner has, and any name below a `.*` one', () => {
    const rows = [
      { field: 'phone', path: 'attendee.phoneNumber' },
      { field: 'contact.companyName', path: 'responses.company' },
      { field: 'appointment.address', path: 'location' },
    ];
    expect(rowErrors(rows, CALCOM, partner)).toEqual(['', '', '']);
  });
  it('refuses a path the partner does not have and lists what it has', () => {
    const [err] = rowErrors([{ field: 'email', path: 'attendee.mail' }], CALCOM, partner);
    expect(err).toBe(
      'Cal.com has no field “attendee.mail” here. It has: attendee.email, attendee.phoneNumber, responses.<name>.',
    );
    expect(rowErrors([{ field: 'contact.companyName', path: 'responses' }], CALCOM, partner)[0]).toMatch(
      /no field “responses”/,
    );
  });
  it('takes any path when the partner names its own fields', () => {
    expect(
      rowErrors([{ field: 'email', path: 'anything.here' }], CALCOM, { label: 'Your app', fields: null }),
    ).toEqual(['']);
    expect(fieldChoices(['a', 'b.*'])).toEqual(['a', 'b.<name>']);
  });
});
