import { randomBytes } from 'node:crypto';

/**
 * The worker's configuration (docs/CONTRACT.md §3) pointed at a running GHL emulator, with fresh
 * secrets: what `wrangler dev` (scripts/stack.ts) and the worker test pool both need.
 */
export function workerConfig(
  emulator: { url: string; keys: { ed25519PublicKeyPem: string; rsaPublicKeyPem: string } },
  client: { clientId: string; clientSecret: string; sharedSecret: string },
  appBaseUrl: string,
): Record<string, string> {
  return {
    GHL_CLIENT_ID: client.clientId,
    GHL_CLIENT_SECRET: client.clientSecret,
    GHL_SHARED_SECRET: client.sharedSecret,
    GHL_API_BASE: emulator.url,
    GHL_MARKETPLACE_BASE: emulator.url,
    GHL_WEBHOOK_ED25519_PUBLIC_KEY: emulator.keys.ed25519PublicKeyPem,
    GHL_WEBHOOK_RSA_PUBLIC_KEY: emulator.keys.rsaPublicKeyPem,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SESSION_SIGNING_KEY: randomBytes(48).toString('base64url'),
    WORKFLOW_SECRET: randomBytes(24).toString('base64url'),
    APP_BASE_URL: appBaseUrl,
  };
}
