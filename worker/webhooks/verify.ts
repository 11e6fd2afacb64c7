import { fromBase64, pemToDer } from '../crypto/encoding.ts';

/**
 * Verifies a GHL webhook over the raw request bytes. `x-ghl-signature` (Ed25519) is preferred and,
 * when present, decides alone: a bad Ed25519 signature is not rescued by the legacy RSA header.
 * No signature at all is a rejection, never a skip.
 */
export type VerifyResult = { ok: true; scheme: 'ed25519' | 'rsa' } | { ok: false; reason: string };

const keyCache = new Map<string, Promise<CryptoKey>>();

function importKey(pem: string, algorithm: 'Ed25519' | 'RSA'): Promise<CryptoKey> {
  const cacheKey = `${algorithm}:${pem}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const alg =
      algorithm === 'Ed25519' ? { name: 'Ed25519' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    key = crypto.subtle.importKey('spki', pemToDer(pem), alg, false, ['verify']);
    keyCache.set(cacheKey, key);
    key.catch(() => keyCache.delete(cacheKey));
  }
  return key;
}

function decodeSignature(header: string): Uint8Array<ArrayBuffer> | null {
  try {
    return fromBase64(header.trim());
  } catch {
    return null;
  }
}

export async function verifyGhlSignature(
  raw: Uint8Array<ArrayBuffer>,
  headers: Headers,
  keys: { ed25519PublicKeyPem: string; rsaPublicKeyPem: string },
): Promise<VerifyResult> {
  const ed = headers.get('x-ghl-signature');
  if (ed !== null) {
    const sig = decodeSignature(ed);
    if (!sig || sig.length !== 64)
      return { ok: false, reason: 'x-ghl-signature is not a base64 Ed25519 signature' };
    const key = await importKey(keys.ed25519PublicKeyPem, 'Ed25519');
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, raw);
    return ok
      ? { ok: true, scheme: 'ed25519' }
      : { ok: false, reason: 'x-ghl-signature does not match the body' };
  }
  const rsa = headers.get('x-wh-signature');
  if (rsa !== null) {
    const sig = decodeSignature(rsa);
    if (!sig || sig.length === 0) return { ok: false, reason: 'x-wh-signature is not base64' };
    const key = await importKey(keys.rsaPublicKeyPem, 'RSA');
    const ok = await crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key, sig, raw);
    return ok ? { ok: true, scheme: 'rsa' } : { ok: false, reason: 'x-wh-signature does not match the body' };
  }
  return { ok: false, reason: 'the request carries no x-ghl-signature or x-wh-signature header' };
}
