import type { SealingKeys } from './crypto/seal.ts';
import { AppError } from './errors.ts';

/** Validated configuration (docs/CONTRACT.md §3). */
export interface Config {
  clientId: string;
  clientSecret: string;
  sharedSecret: string;
  apiBase: string;
  marketplaceBase: string;
  ed25519PublicKeyPem: string;
  rsaPublicKeyPem: string;
  tokenEncryptionKey: string;
  /** `TOKEN_ENCRYPTION_KEY` seals; `TOKEN_ENCRYPTION_KEY_PREVIOUS` (optional, during a rotation) still opens. */
  sealingKeys: SealingKeys;
  sessionSigningKey: string;
  appBaseUrl: string;
  scopes: string;
}

const cache = new WeakMap<object, Config>();

function need(env: Env, name: keyof Env): string {
  const value = env[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError(
      500,
      'config_missing',
      `Server configuration is incomplete: ${String(name)} is not set.`,
    );
  }
  return value.trim();
}

function url(env: Env, name: keyof Env): string {
  const value = need(env, name);
  try {
    new URL(value);
  } catch {
    throw new AppError(
      500,
      'config_invalid',
      `Server configuration is invalid: ${String(name)} is not a URL.`,
    );
  }
  return value.replace(/\/+$/, '');
}

function pem(env: Env, name: keyof Env): string {
  const value = need(env, name);
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(value)) {
    throw new AppError(
      500,
      'config_invalid',
      `Server configuration is invalid: ${String(name)} is not a PEM public key.`,
    );
  }
  return value;
}

function key32(env: Env, name: keyof Env): string {
  return checkKey32(name, need(env, name));
}

/** An optional key: unset or empty is null, anything else must be a valid key. */
function optionalKey32(env: Env, name: keyof Env): string | null {
  const value = env[name] as unknown;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return null;
  return checkKey32(name, typeof value === 'string' ? value.trim() : '');
}

function checkKey32(name: keyof Env, value: string): string {
  let bytes = 0;
  try {
    bytes = atob(value).length;
  } catch {
    bytes = -1;
  }
  if (bytes !== 32) {
    throw new AppError(
      500,
      'config_invalid',
      `Server configuration is invalid: ${String(name)} must be base64 of 32 bytes.`,
    );
  }
  return value;
}

/** Reads and checks the configuration once per env object; throws a named AppError when anything is off. */
export function getConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const tokenEncryptionKey = key32(env, 'TOKEN_ENCRYPTION_KEY');
  const config: Config = {
    clientId: need(env, 'GHL_CLIENT_ID'),
    clientSecret: need(env, 'GHL_CLIENT_SECRET'),
    sharedSecret: need(env, 'GHL_SHARED_SECRET'),
    apiBase: url(env, 'GHL_API_BASE'),
    marketplaceBase: url(env, 'GHL_MARKETPLACE_BASE'),
    ed25519PublicKeyPem: pem(env, 'GHL_WEBHOOK_ED25519_PUBLIC_KEY'),
    rsaPublicKeyPem: pem(env, 'GHL_WEBHOOK_RSA_PUBLIC_KEY'),
    tokenEncryptionKey,
    sealingKeys: {
      current: tokenEncryptionKey,
      previous: optionalKey32(env, 'TOKEN_ENCRYPTION_KEY_PREVIOUS'),
    },
    sessionSigningKey: need(env, 'SESSION_SIGNING_KEY'),
    appBaseUrl: url(env, 'APP_BASE_URL'),
    scopes: need(env, 'OAUTH_SCOPES'),
  };
  if (config.sessionSigningKey.length < 32) {
    throw new AppError(
      500,
      'config_invalid',
      'Server configuration is invalid: SESSION_SIGNING_KEY must be at least 32 characters.',
    );
  }
  cache.set(env, config);
  return config;
}

/**
 * Internal, not part of the public configuration: how long a GHL call may stay unanswered, in
 * ms. Unset in production (the gateway's 20 s); the worker tests set it short so slow-GHL cases
 * finish quickly.
 */
export function ghlTimeoutOverride(env: Env): number | undefined {
  const raw = (env as Env & { GHL_TIMEOUT_MS?: unknown }).GHL_TIMEOUT_MS;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 120_000) {
    throw new AppError(
      500,
      'config_invalid',
      'Server configuration is invalid: GHL_TIMEOUT_MS must be whole milliseconds from 100 to 120000.',
    );
  }
  return ms;
}

/** appId is the part of the client id before the dash. */
export const appIdOf = (clientId: string) => clientId.split('-')[0] ?? clientId;
