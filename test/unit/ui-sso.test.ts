import { describe, expect, it } from 'vitest';
import { expectedParentOrigin, ssoPayloadFrom } from '../../ui/lib/sso.ts';

const parent = { name: 'parent window' };
const other = { name: 'some other window' };
const GHL = 'https://app.gohighlevel.com';
const answer = (over: Partial<{ data: unknown; origin: string; source: unknown }> = {}) => ({
  data: { message: 'REQUEST_USER_DATA_RESPONSE', payload: 'U2FsdGVkX1abc' },
  origin: GHL,
  source: parent,
  ...over,
});

describe('expectedParentOrigin', () => {
  it('prefers location.ancestorOrigins', () => {
    expect(
      expectedParentOrigin({ ancestorOrigins: [GHL], origin: 'https://sync.example' }, 'https://x.example/'),
    ).toBe(GHL);
  });

  it('falls back to the referrer origin', () => {
    expect(
      expectedParentOrigin({ origin: 'https://sync.example' }, `${GHL}/v2/location/abc/custom-page-link/1`),
    ).toBe(GHL);
  });

  it('does not know when the referrer is missing, opaque, ours or garbage', () => {
    expect(expectedParentOrigin({ origin: 'https://sync.example' }, '')).toBeNull();
    expect(
      expectedParentOrigin({ ancestorOrigins: ['null'], origin: 'https://sync.example' }, ''),
    ).toBeNull();
    expect(expectedParentOrigin({ origin: 'https://sync.example' }, 'https://sync.example/app')).toBeNull();
    expect(expectedParentOrigin({ origin: 'https://sync.example' }, 'not a url')).toBeNull();
  });
});

describe('ssoPayloadFrom', () => {
  it('accepts the parent answer from the expected origin', () => {
    expect(ssoPayloadFrom(answer(), parent, GHL)).toBe('U2FsdGVkX1abc');
  });

  it('accepts any origin when the parent origin is unknown, but still only from the parent', () => {
    expect(ssoPayloadFrom(answer({ origin: 'http://127.0.0.1:9000' }), parent, null)).toBe('U2FsdGVkX1abc');
    expect(ssoPayloadFrom(answer({ source: other }), parent, null)).toBeNull();
  });

  it('rejects other windows, other origins and other messages', () => {
    expect(ssoPayloadFrom(answer({ source: other }), parent, GHL)).toBeNull();
    expect(ssoPayloadFrom(answer({ source: null }), null, null)).toBeNull();
    expect(ssoPayloadFrom(answer({ origin: 'https://evil.example' }), parent, GHL)).toBeNull();
    expect(
      ssoPayloadFrom(answer({ data: { message: 'REQUEST_USER_DATA', payload: 'x' } }), parent, GHL),
    ).toBeNull();
    expect(ssoPayloadFrom(answer({ data: 'REQUEST_USER_DATA_RESPONSE' }), parent, GHL)).toBeNull();
    expect(ssoPayloadFrom(answer({ data: null }), parent, GHL)).toBeNull();
  });

  it('rejects a payload that is not a non-empty string', () => {
    for (const payload of [undefined, '', 42, { a: 1 }]) {
      expect(
        ssoPayloadFrom(answer({ data: { message: 'REQUEST_USER_DATA_RESPONSE', payload } }), parent, GHL),
      ).toBeNull();
    }
  });
});
