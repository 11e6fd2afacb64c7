import { describe, expect, it } from 'vitest';
import {
  effectiveMap,
  getPath,
  parseFieldMapOverrides,
  personKey,
  setPath,
  toCommon,
  toPartner,
} from '../../worker/connectors/mapping.ts';
import { checkPartnerUrl, errorForStatus, retryAfterMs } from '../../worker/connectors/http.ts';
import { CONNECTORS, connectorFor } from '../../worker/connectors/registry.ts';
import { supports } from '../../worker/connectors/types.ts';
import { DomainError } from '../../worker/errors.ts';

describe('field mapping (pure)', () => {
  it('reads and writes dotted paths, never through prototypes', () => {
    const obj: Record<string, unknown> = {};
    setPath(obj, 'a.b.c', 1);
    expect(obj).toEqual({ a: { b: { c: 1 } } });
    expect(getPath(obj, 'a.b.c')).toBe(1);
    expect(getPath(obj, 'a.x.c')).toBeUndefined();
    setPath(obj, '__proto__.polluted', true);
    setPath(obj, 'constructor.prototype.polluted', true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(getPath({}, 'toString')).toBeUndefined();
    expect(getPath(obj, 'a..b')).toBeUndefined();
  });

  it('applies overrides over defaults; "" removes a default', () => {
    expect(effectiveMap({ email: 'mail', phone: 'tel' }, { phone: '', companyName: 'org' })).toEqual({
      email: 'mail',
      companyName: 'org',
    });
  });

  it('maps both ways, with customField.<id> into customFields', () => {
    const map = {
      email: 'attendee.email',
      firstName: 'attendee.first',
      'customField.cf9': 'answers.size',
      tags: 'labels',
    };
    const common = toCommon(
      { attendee: { email: ' a@b.co ', first: '' }, answers: { size: 12 }, labels: ['x'] },
      map,
    );
    expect(common).toEqual({ email: 'a@b.co', customFields: { cf9: 12 }, tags: ['x'] });
    expect(toPartner({ email: 'a@b.co', customFields: { cf9: 'L' }, firstName: 'A' }, map)).toEqual({
      attendee: { email: 'a@b.co', first: 'A' },
      answers: { size: 'L' },
    });
  });

  it('drops objects where a scalar is expected', () => {
    expect(toCommon({ name: { first: 'x' } }, { name: 'name' })).toEqual({});
  });

  it('validates user field maps', () => {
    expect(parseFieldMapOverrides({ contact: { companyName: 'responses.company', phone: '' } })).toEqual({
      contact: { companyName: 'responses.company', phone: '' },
    });
    for (const bad of [
      [],
      { invoice: {} },
      { contact: [] },
      { contact: { email: 3 } },
      { contact: { 'a b': 'x' } },
      { contact: { email: '__proto__.x' } },
    ]) {
      expect(() => parseFieldMapOverrides(bad)).toThrow(DomainError);
    }
  });

  it('names people by email, then phone', () => {
    expect(personKey({ email: ' A@B.co ', phone: '+1 555 0100 200' })).toBe('email:a@b.co');
    expect(personKey({ phone: '+1 (555) 0100-200' })).toBe('phone:+15550100200');
    expect(personKey({})).toBeUndefined();
  });
});

describe('partner HTTP rules', () => {
  it('allows https, and http only on loopback', () => {
    expect(checkPartnerUrl('https://api.cal.com/')).toBe('https://api.cal.com');
    expect(checkPartnerUrl('http://127.0.0.1:8080/x/')).toBe('http://127.0.0.1:8080/x');
    for (const bad of ['http://example.com', 'ftp://x', 'https://user:pw@x.com', 'nope', 3])
      expect(checkPartnerUrl(bad)).toBeNull();
  });

  it('classifies partner answers', () => {
    const res = (status: number, headers: Record<string, string> = {}) =>
      new Response(null, { status, headers });
    expect(errorForStatus(res(429, { 'retry-after': '7' }), 'x')).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
    });
    expect(errorForStatus(res(502), 'x')).toMatchObject({ code: 'unavailable', retryable: true });
    expect(errorForStatus(res(401), 'x')).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(errorForStatus(res(404), 'x')).toMatchObject({ code: 'not_found', retryable: false });
    expect(errorForStatus(res(422), 'x')).toMatchObject({ code: 'rejected', retryable: false });
    expect(
      retryAfterMs(new Headers({ 'retry-after': new Date(Date.now() + 10_000).toUTCString() })),
    ).toBeGreaterThan(8000);
  });
});

describe('registry and capabilities', () => {
  it('knows the three partners and nothing from the prototype', () => {
    expect(Object.keys(CONNECTORS).sort()).toEqual(['appointlet', 'calcom', 'yourapp']);
    expect(connectorFor('toString')).toBeUndefined();
  });

  it('says what each partner can do', () => {
    const cal = connectorFor('calcom')!.capabilities;
    expect(supports(cal, 'outbound', 'appointment', 'update')).toBe(true);
    expect(supports(cal, 'outbound', 'contact')).toBe(false);
    expect(supports(cal, 'inbound', 'appointment', 'no_show')).toBe(true);
    expect(supports(cal, 'inbound', 'task')).toBe(false);
    const ap = connectorFor('appointlet')!.capabilities;
    expect(supports(ap, 'inbound', 'tag', 'tag_add')).toBe(true);
    expect(supports(ap, 'outbound', 'appointment')).toBe(false);
    const ya = connectorFor('yourapp')!.capabilities;
    for (const kind of ['contact', 'appointment', 'note', 'task', 'tag'] as const) {
      expect(supports(ya, 'inbound', kind)).toBe(true);
      expect(supports(ya, 'outbound', kind)).toBe(true);
    }
  });
});
