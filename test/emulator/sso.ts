import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export interface SsoUser {
  userId: string;
  companyId: string;
  activeLocation?: string;
  role: string;
  type: string;
  userName: string;
  email: string;
}

/** OpenSSL EVP_BytesToKey with MD5 and one round, as CryptoJS does for a string passphrase. */
function evpBytesToKey(passphrase: Buffer, salt: Buffer): { key: Buffer; iv: Buffer } {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  while (Buffer.concat(blocks).length < 48) {
    previous = createHash('md5')
      .update(Buffer.concat([previous, passphrase, salt]))
      .digest();
    blocks.push(previous);
  }
  const material = Buffer.concat(blocks);
  return { key: material.subarray(0, 32), iv: material.subarray(32, 48) };
}

/**
 * Encrypts like `CryptoJS.AES.encrypt(JSON.stringify(user), sharedSecret).toString()`:
 * base64 of 'Salted__' + 8-byte salt + AES-256-CBC (PKCS#7) ciphertext.
 */
export function encryptSso(data: unknown, sharedSecret: string): string {
  const salt = randomBytes(8);
  const { key, iv } = evpBytesToKey(Buffer.from(sharedSecret, 'utf8'), salt);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const plaintext = typeof data === 'string' ? data : JSON.stringify(data);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from('Salted__', 'ascii'), salt, ciphertext]).toString('base64');
}
