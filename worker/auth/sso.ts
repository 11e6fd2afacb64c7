import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { concatBytes, fromBase64, utf8 } from '../crypto/encoding.ts';

/** The user context GHL hands a custom page, once decrypted. */
export interface SsoUser {
  userId: string;
  companyId: string;
  /** Empty for the agency view (`context: 'agency'`). */
  locationId: string;
  /** Opened inside a sub-account, or from the agency view (no activeLocation). */
  context: 'location' | 'agency';
  role: string;
  type: string | null;
  userName: string;
  email: string;
}

const SALTED = utf8.encode('Salted__');
const MAX_PAYLOAD_CHARS = 8192;
const GhlId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));
const Text = (max: number) => v.optional(v.pipe(v.string(), v.maxLength(max)), '');

const SsoFields = v.looseObject({
  userId: GhlId,
  companyId: GhlId,
  role: v.pipe(v.string(), v.regex(/^[A-Za-z_-]{1,32}$/)),
  type: v.optional(v.nullable(v.string())),
  activeLocation: v.optional(v.nullable(v.string())),
  userName: Text(200),
  email: Text(320),
});

const rejected = (message: string) => new AppError(401, 'invalid_sso', message);

async function md5(...parts: Uint8Array[]): Promise<Uint8Array> {
  // MD5 is not in the Web Crypto standard; workerd supports it for exactly this kind of legacy KDF.
  return new Uint8Array(await crypto.subtle.digest('MD5', concatBytes(...parts)));
}

/** OpenSSL EVP_BytesToKey (MD5, 1 iteration): 32-byte key = D1‖D2, 16-byte iv = D3. */
async function evpBytesToKey(
  pass: Uint8Array,
  salt: Uint8Array,
): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const d1 = await md5(pass, salt);
  const d2 = await md5(d1, pass, salt);
  const d3 = await md5(d2, pass, salt);
  return { key: concatBytes(d1, d2), iv: d3 };
}

/**
 * Decrypts a CryptoJS passphrase-mode string (`CryptoJS.AES.encrypt(text, secret).toString()`):
 * base64 of 'Salted__' ‖ 8-byte salt ‖ AES-256-CBC ciphertext with PKCS#7 padding.
 * Throws a 401 AppError when the payload is malformed or was not made with `secret`.
 */
export async function decryptSsoPayload(payload: string, secret: string): Promise<string> {
  const text = payload.trim();
  if (!text || text.length > MAX_PAYLOAD_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw rejected('The SSO payload is not a HighLevel user-context string.');
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch {
    throw rejected('The SSO payload is not valid base64.');
  }
  const ciphertext = bytes.subarray(16);
  if (bytes.length < 32 || ciphertext.length % 16 !== 0 || !SALTED.every((b, i) => bytes[i] === b)) {
    throw rejected('The SSO payload is not in the salted AES format HighLevel uses.');
  }
  const { key, iv } = await evpBytesToKey(utf8.encode(secret), bytes.subarray(8, 16));
  const aesKey = await crypto.subtle.importKey('raw', key, 'AES-CBC', false, ['decrypt']);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, aesKey, ciphertext);
  } catch {
    throw rejected('The SSO payload could not be decrypted: it was altered or made with another app secret.');
  }
  try {
    // Fatal decoding: CBC has no MAC, and a tampered block decrypts to bytes that are rarely valid UTF-8.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(plain);
  } catch {
    throw rejected('The SSO payload could not be decrypted: it was altered or made with another app secret.');
  }
}

/**
 * Decrypts and checks the SSO payload. The location comes from `activeLocation` only: GHL's own
 * example shows `type: "agency"` next to an activeLocation, so `type` alone decides nothing.
 * Without an activeLocation the app was opened from the agency view: that is an agency session,
 * and only for an agency admin (`type: "agency"`, `role: "admin"`); anything else fails closed.
 */
export async function openSsoPayload(payload: string, secret: string): Promise<SsoUser> {
  const json = await decryptSsoPayload(payload, secret);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw rejected('The SSO payload could not be decrypted: it was altered or made with another app secret.');
  }
  const parsed = v.safeParse(SsoFields, data);
  if (!parsed.success) throw rejected('The SSO payload does not carry a valid HighLevel user.');
  const fields = parsed.output;
  const user = {
    userId: fields.userId,
    companyId: fields.companyId,
    role: fields.role.toLowerCase(),
    type: fields.type ?? null,
    userName: fields.userName,
    email: fields.email,
  };
  const location = fields.activeLocation?.trim();
  if (!location) return agencyUser(user);
  if (!v.is(GhlId, location)) throw rejected('The SSO payload names an invalid location.');
  return { ...user, locationId: location, context: 'location' };
}

function agencyUser(user: Omit<SsoUser, 'locationId' | 'context'>): SsoUser {
  if (user.type?.toLowerCase() !== 'agency') {
    throw new AppError(
      401,
      'no_location',
      'Contact Sync works inside a sub-account. Open it from the left menu of a sub-account.',
    );
  }
  if (user.role !== 'admin') {
    throw new AppError(
      403,
      'agency_admin_only',
      'The agency view of Contact Sync is for agency admins. Open it from the left menu of a sub-account instead.',
    );
  }
  return { ...user, locationId: '', context: 'agency' };
}
