import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 20-character alphanumeric id, the shape GHL uses for locations, contacts, tasks, notes, users. */
export function newId(random: () => number = secureRandom): string {
  let id = '';
  for (let i = 0; i < 20; i++) id += ALPHANUM[Math.floor(random() * ALPHANUM.length)];
  return id;
}

/** A 24-hex Mongo ObjectId, the shape of appId, versionId and planId. */
export function objectId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + randomBytes(8).toString('hex');
}

export function traceId(): string {
  return randomUUID();
}

export function secureRandom(): number {
  return randomBytes(4).readUInt32BE(0) / 0x1_0000_0000;
}

export { seededRandom } from '../support/seeded-random.ts';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Tokens look like GHL's JWTs; the emulator only ever looks them up, it never trusts their content. */
export function jwtLike(claims: Record<string, unknown>): string {
  const header = base64url({ alg: 'HS256', typ: 'JWT' });
  const payload = base64url({ ...claims, iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

/** Wall-clock ISO time that never repeats or goes back, so every change moves dateUpdated. */
export { nowIso } from '../support/change-clock.ts';
