import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export type SignMode = 'both' | 'ed25519' | 'rsa' | 'none';

export interface PublicKeys {
  ed25519PublicKeyPem: string;
  rsaPublicKeyPem: string;
}

/** Fresh key pairs per emulator start: it cannot sign with GHL's private keys, so the app is configured with these. */
export class Signer {
  readonly keys: PublicKeys;
  readonly #ed25519: KeyObject;
  readonly #rsa: KeyObject;

  constructor() {
    const ed = generateKeyPairSync('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#ed25519 = ed.privateKey;
    this.#rsa = rsa.privateKey;
    this.keys = {
      ed25519PublicKeyPem: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      rsaPublicKeyPem: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }

  /** Headers GHL would send with exactly these body bytes. */
  headers(body: string, mode: SignMode = 'both'): Record<string, string> {
    const bytes = Buffer.from(body, 'utf8');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (mode === 'both' || mode === 'ed25519')
      headers['x-ghl-signature'] = sign(null, bytes, this.#ed25519).toString('base64');
    if (mode === 'both' || mode === 'rsa')
      headers['x-wh-signature'] = sign('sha256', bytes, this.#rsa).toString('base64');
    return headers;
  }
}
