import { env } from 'cloudflare:test';
import CryptoJS from 'crypto-js';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptSsoPayload, openSsoPayload } from '../../worker/auth/sso.ts';
import { issueSession, SESSION_TTL_SECONDS } from '../../worker/auth/session.ts';
import { getConfig } from '../../worker/config.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { deliverEvent } from './helpers.ts';
import { eventually } from '../support/eventually.ts';
import {
  call,
  expectError,
  panelLocations,
  postSession,
  ssoPayload,
  type PanelLocation,
} from './panel-helpers.ts';

let loc: PanelLocation;

beforeAll(async () => {
  [loc] = (await panelLocations(1, 2)) as [PanelLocation];
});

const user = () => ({
  userId: loc.adminId,
  companyId: loc.companyId,
  activeLocation: loc.locationId,
  role: 'admin',
  type: 'location',
  userName: 'Alex Admin',
  email: 'alex@example.com',
});

describe('SSO payload decryption (worker/auth/sso.ts, Web Crypto)', () => {
  it('decrypts a payload made by the real crypto-js, as GHL makes it', async () => {
    const payload = CryptoJS.AES.encrypt(JSON.stringify(user()), env.GHL_SHARED_SECRET).toString();
    expect(payload.startsWith('U2FsdGVkX1')).toBe(true);
    const opened = await openSsoPayload(payload, env.GHL_SHARED_SECRET);
    expect(opened).toMatchObject({
      userId: loc.adminId,
      companyId: loc.companyId,
      locationId: loc.locationId,
      role: 'admin',
      userName: 'Alex Admin',
      email: 'alex@example.com',
    });
  });

  it('decrypts long and non-ASCII payloads (several CBC blocks, UTF-8)', async () => {
    const data = { ...user(), userName: 'Zoë Ümlaut-Ñandú 東京 '.repeat(8) };
    const payload = CryptoJS.AES.encrypt(JSON.stringify(data), env.GHL_SHARED_SECRET).toString();
    expect(JSON.parse(await decryptSsoPayload(payload, env.GHL_SHARED_SECRET))).toEqual(data);
  });

  it('decrypts the emulator payload, and takes the location from activeLocation even when type says agency', async () => {
    const payload = await ssoPayload({ ...user(), type: 'agency' });
    const opened = await openSsoPayload(payload, env.GHL_SHARED_SECRET);
    expect(opened.locationId).toBe(loc.locationId);
    expect(opened.type).toBe('agency');
  });

  it('rejects a payload encrypted with another secret', async () => {
    const payload = CryptoJS.AES.encrypt(JSON.stringify(user()), 'some-other-apps-shared-secret').toString();
    await expect(openSsoPayload(payload, env.GHL_SHARED_SECRET)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_sso',
    });
  });

  it('rejects every single-byte tampering of the ciphertext', async () => {
    const payload = CryptoJS.AES.encrypt(JSON.stringify(user()), env.GHL_SHARED_SECRET).toString();
    const bytes = Uint8Array.from(atob(payload), (ch) => ch.charCodeAt(0));
    for (let i = 16; i < bytes.length; i++) {
      const copy = bytes.slice();
      copy[i] = copy[i]! ^ 0x01;
      const tampered = btoa(String.fromCharCode(...copy));
      await expect(openSsoPayload(tampered, env.GHL_SHARED_SECRET), `byte ${i}`).rejects.toMatchObject({
        status: 401,
      });
    }
  });
});

describe('POST /api/session', () => {
  it('answers a session for a valid payload', async () => {
    const res = await postSession({ payload: await ssoPayload(user()) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as any;
    expect(body).toMatchObject({
      user: { id: loc.adminId, name: 'Alex Admin', email: 'alex@example.com', role: 'admin' },
      locationId: loc.locationId,
      companyId: loc.companyId,
      installStatus: 'active',
    });
    expect(body.token.split('.')).toHaveLength(3);
    const ttl = Date.parse(body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan((SESSION_TTL_SECONDS - 60) * 1000);
    expect(ttl).toBeLessThanOrEqual(SESSION_TTL_SECONDS * 1000);
    // The token works on a data route.
    expect((await call(body.token, 'GET', '/api/settings')).status).toBe(200);
  });

  it('rejects a tampered payload with 401', async () => {
    const payload = await ssoPayload(user());
    const chars = payload.split('');
    const at = payload.length - 10;
    chars[at] = chars[at] === 'A' ? 'B' : 'A';
    const res = await postSession({ payload: chars.join('') });
    expectError(
      { status: res.status, body: await res.json(), headers: res.headers, text: '' },
      401,
      'invalid_sso',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('rejects a payload of another app (foreign shared secret) with 401', async () => {
    const payload = CryptoJS.AES.encrypt(JSON.stringify(user()), 'not-our-secret').toString();
    const res = await postSession({ payload });
    expectError(
      { status: res.status, body: await res.json(), headers: res.headers, text: '' },
      401,
      'invalid_sso',
    );
  });

  it('rejects a sub-account payload without activeLocation with a clear 401', async () => {
    const { activeLocation: _none, ...noLocation } = user();
    const res = await postSession({ payload: await ssoPayload({ ...noLocation, type: 'location' }) });
    const body = (await res.json()) as any;
    expectError({ status: res.status, body, headers: res.headers, text: '' }, 401, 'no_location');
    expect(body.error.message).toMatch(/sub-account/);
  });

  it('rejects malformed payloads with 401', async () => {
    const cases = [
      'not base64 at all!',
      btoa('Salted__12345678'), // no ciphertext
      btoa('NotSalt_12345678' + 'x'.repeat(32)),
      btoa('Salted__12345678' + 'x'.repeat(17)), // not whole blocks
      CryptoJS.AES.encrypt('this is not json', env.GHL_SHARED_SECRET).toString(),
      CryptoJS.AES.encrypt(JSON.stringify({ userId: 'u1' }), env.GHL_SHARED_SECRET).toString(), // no companyId/role
      CryptoJS.AES.encrypt(
        JSON.stringify({ ...user(), activeLocation: '../../etc' }),
        env.GHL_SHARED_SECRET,
      ).toString(),
    ];
    for (const payload of cases) {
      const res = await postSession({ payload });
      expect(res.status, payload).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('invalid_sso');
    }
  });

  it('answers 400/422 for a body that is not a payload', async () => {
    expectError(await call(null, 'POST', '/api/session', '{"payload":'), 400, 'malformed_json');
    expectError(await call(null, 'POST', '/api/session', { payload: 42 }), 422, 'invalid_input');
    expectError(await call(null, 'POST', '/api/session', {}), 422, 'invalid_input');
    expectError(
      await call(null, 'POST', '/api/session', 'payload=x', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
  });

  it('reports installStatus "missing" for a location that never installed the app, and data routes answer 409', async () => {
    const res = await postSession({
      payload: await ssoPayload({ ...user(), activeLocation: 'neverInstalled00001' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.installStatus).toBe('missing');
    expectError(await call(body.token, 'GET', '/api/contacts'), 409, 'reconnect_needed');
  });
});

describe('session tokens on /api routes', () => {
  it('answers 401 with no-store for a missing token', async () => {
    const res = await call(null, 'GET', '/api/contacts');
    expectError(res, 401, 'session_missing');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 401 session_expired for an expired token', async () => {
    const config = getConfig(env);
    const old = await issueSession(
      config,
      { ...user(), locationId: loc.locationId, type: 'location', context: 'location' },
      Date.now() - (SESSION_TTL_SECONDS + 60) * 1000,
    );
    const res = await call(old.token, 'GET', '/api/contacts');
    expectError(res, 401, 'session_expired');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 401 for tokens that are forged, altered or unsigned', async () => {
    const good = (await (await postSession({ payload: await ssoPayload(user()) })).json()) as any;
    const [h, p, s] = good.token.split('.');
    const claims = JSON.parse(atob(p.replace(/-/g, '+').replace(/_/g, '/')));
    const b64 = (o: unknown) =>
      btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const forgedKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(48)));
    const cases = [
      `${h}.${b64({ ...claims, loc: 'otherLocation000001' })}.${s}`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      forgedKey,
      'garbage',
    ];
    for (const token of cases) expectError(await call(token, 'GET', '/api/contacts'), 401, 'session_invalid');
  });
});

describe('reconnect_needed', () => {
  it('answers 409 on data routes after an UNINSTALL, while a session can still be made', async () => {
    const [other] = await panelLocations(1, 1);
    expect((await call(other!.token, 'GET', '/api/contacts')).status).toBe(200);
    const res = await deliverEvent({
      type: 'UNINSTALL',
      locationId: other!.locationId,
      companyId: other!.companyId,
    });
    expect(res.status).toBe(200);
    await eventually(
      () => tenantStub(env, other!.locationId).installStatus(other!.locationId),
      (status) => status === 'uninstalled',
      { what: 'uninstall', timeoutMs: 8000 },
    );
    for (const [method, path] of [
      ['GET', '/api/contacts'],
      ['GET', `/api/contacts/${other!.contactIds[0]}`],
      ['GET', `/api/contacts/${other!.contactIds[0]}/timeline`],
      ['GET', '/api/settings'],
      ['GET', '/api/sync-log'],
    ] as const) {
      expectError(await call(other!.token, method, path), 409, 'reconnect_needed');
    }
    const again = await postSession({
      payload: await ssoPayload({
        userId: other!.adminId,
        companyId: other!.companyId,
        activeLocation: other!.locationId,
      }),
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).installStatus).toBe('uninstalled');
  });
});
