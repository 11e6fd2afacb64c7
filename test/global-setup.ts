import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startEmulator } from './emulator/server.ts';

/** The marketplace app the worker under test is, as the emulator knows it. */
export const TEST_CLIENT = {
  clientId: '6578278e879ad2646715ba9c-test0001',
  clientSecret: randomBytes(18).toString('base64url'),
  sharedSecret: randomBytes(18).toString('base64url'),
};

/** Starts one GHL emulator for the worker test run and hands its address and keys to the pool. */
export default async function setup(project: TestProject) {
  const emu = await startEmulator({ port: 0, clients: [TEST_CLIENT], webhookRetryDelayMs: 100 });
  project.provide('workerBindings', {
    GHL_CLIENT_ID: TEST_CLIENT.clientId,
    GHL_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    GHL_SHARED_SECRET: TEST_CLIENT.sharedSecret,
    GHL_API_BASE: emu.url,
    GHL_MARKETPLACE_BASE: emu.url,
    GHL_WEBHOOK_ED25519_PUBLIC_KEY: emu.keys.ed25519PublicKeyPem,
    GHL_WEBHOOK_RSA_PUBLIC_KEY: emu.keys.rsaPublicKeyPem,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SESSION_SIGNING_KEY: randomBytes(48).toString('base64url'),
    APP_BASE_URL: 'http://app.test',
    EMULATOR_URL: emu.url,
  });
  return () => emu.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}
