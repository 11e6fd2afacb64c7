import { fromBase64, fromUtf8, toBase64, utf8 } from './encoding.ts';

/**
 * Seals secrets at rest with AES-256-GCM. The row id is bound as additional data, so a sealed
 * value copied onto another row does not open.
 */
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(base64Key: string): Promise<CryptoKey> {
  let key = keys.get(base64Key);
  if (!key) {
    key = crypto.subtle.importKey('raw', fromBase64(base64Key), 'AES-GCM', false, ['encrypt', 'decrypt']);
    keys.set(base64Key, key);
  }
  return key;
}

export async function seal(base64Key: string, plaintext: string, boundTo: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(boundTo) },
    await keyFor(base64Key),
    utf8.encode(plaintext),
  );
  return `v1.${toBase64(iv)}.${toBase64(ct)}`;
}

export async function unseal(base64Key: string, sealed: string, boundTo: string): Promise<string> {
  const [version, iv, ct] = sealed.split('.');
  if (version !== 'v1' || !iv || !ct) throw new Error('sealed value has an unknown format');
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(iv), additionalData: utf8.encode(boundTo) },
    await keyFor(base64Key),
    fromBase64(ct),
  );
  return fromUtf8.decode(pt);
}
