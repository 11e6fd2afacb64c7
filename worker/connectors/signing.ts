import { timingSafeEqual, toHex, utf8 } from '../crypto/encoding.ts';

/**
 * Web Crypto helpers for inbound partner authentication. Comparisons never short-circuit on the
 * first differing byte: HMAC checks go through `crypto.subtle.verify`, hashes through
 * `timingSafeEqual`.
 */

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);
}

/** hex(HMAC-SHA256(secret, data)), as Cal.com puts in `X-Cal-Signature-256`. */
export async function hmacSha256Hex(secret: string, data: Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), new Uint8Array(data));
  return toHex(mac);
}

/** Does `signatureHex` equal hex(HMAC-SHA256(secret, data))? False for anything malformed. */
export async function verifyHmacSha256Hex(
  secret: string,
  data: Uint8Array,
  signatureHex: string | null,
): Promise<boolean> {
  if (!secret || !signatureHex) return false;
  const sig = hexToBytes(signatureHex.trim());
  if (!sig || sig.length !== 32) return false;
  try {
    return await crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), sig, new Uint8Array(data));
  } catch {
    return false;
  }
}

/** hex(SHA-256(text)): how inbound URL keys are stored. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}

/** Does SHA-256(`presented`) equal `storedHashHex`? Constant time in the hash bytes. */
export async function matchesHash(
  presented: string | null | undefined,
  storedHashHex: string | null | undefined,
): Promise<boolean> {
  if (!presented || !storedHashHex) return false;
  const stored = hexToBytes(storedHashHex);
  if (!stored || stored.length !== 32) return false;
  const actual = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(presented)));
  return timingSafeEqual(actual, stored);
}
