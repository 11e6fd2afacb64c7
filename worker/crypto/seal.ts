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

/**
 * Keys for values at rest. `current` seals everything written; `previous` (set during a key
 * rotation) still opens what it sealed, until those values are next written.
 */
export interface SealingKeys {
  current: string;
  previous: string | null;
}

/** No configured key opens a sealed value: it was sealed under a key since retired, or is damaged. */
export class UnreadableSealedValue extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnreadableSealedValue';
  }
}

/** Opens `sealed` with the current key, else the previous one; says which did (a previous-key value wants resealing). */
export async function unsealWithAny(
  keys: SealingKeys,
  sealed: string,
  boundTo: string,
): Promise<{ plaintext: string; byPrevious: boolean }> {
  try {
    return { plaintext: await unseal(keys.current, sealed, boundTo), byPrevious: false };
  } catch (err) {
    if (keys.previous) {
      try {
        return { plaintext: await unseal(keys.previous, sealed, boundTo), byPrevious: true };
      } catch {
        // Neither key: reported below.
      }
    }
    throw new UnreadableSealedValue(`no configured encryption key opens this value (${String(err)})`);
  }
}
