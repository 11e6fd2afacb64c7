import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startEmulator } from './emulator/server.ts';
import { workerConfig } from './emulator/worker-config.ts';
import { startAppointletEmulator } from './partners/appointlet.ts';
import { startCalcomEmulator } from './partners/calcom.ts';
import { startSink } from './partners/common.ts';
import { startYourAppEmulator } from './partners/yourapp.ts';

/**
 * Starts, once per worker test run, the GHL emulator and the partner emulators the worker under
 * test talks to over HTTP, and hands their addresses and the app's configuration to the pool.
 */
export default async function setup(project: TestProject) {
  const client = {
    clientId: '6578278e879ad2646715ba9c-test0001',
    clientSecret: randomBytes(18).toString('base64url'),
    sharedSecret: randomBytes(18).toString('base64url'),
  };
  // GHL's webhook deliveries land here; tests read them from the emulator's delivery log and
  // hand them to the worker, which listens on no port inside the test pool.
  const ghlSink = await startSink();
  const emu = await startEmulator({
    port: 0,
    clients: [{ ...client, webhookUrl: `${ghlSink.url}/ghl` }],
    webhookRetryDelayMs: 100,
  });
  // Our Cal.com OAuth client, for "Sign in with Cal.com".
  const calcomClient = { clientId: 'contact-sync-test', clientSecret: randomBytes(18).toString('base64url') };
  const calcom = await startCalcomEmulator({ oauthClients: [calcomClient] });
  const appointlet = await startAppointletEmulator();
  const yourapp = await startYourAppEmulator();
  project.provide('workerBindings', {
    ...workerConfig(emu, client, 'http://app.test'),
    EMULATOR_URL: emu.url,
    CALCOM_URL: calcom.url,
    CALCOM_API_KEY: calcom.apiKey,
    CALCOM_WEBHOOK_SECRET: calcom.webhookSecret ?? '',
    CALCOM_OAUTH_CLIENT_ID: calcomClient.clientId,
    CALCOM_OAUTH_CLIENT_SECRET: calcomClient.clientSecret,
    CALCOM_OAUTH_AUTHORIZE_URL: `${calcom.url}/auth/oauth2/authorize`,
    CALCOM_API_BASE: calcom.url,
    APPOINTLET_URL: appointlet.url,
    YOURAPP_URL: yourapp.url,
    YOURAPP_SECRET: yourapp.secret,
    YOURAPP_API_KEY: yourapp.apiKey,
  });
  return async () => {
    await Promise.all([emu.close(), calcom.close(), appointlet.close(), yourapp.close(), ghlSink.close()]);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}
