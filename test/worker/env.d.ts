import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Base URL of the GHL emulator (test-only binding). */
      EMULATOR_URL: string;
      /** Partner emulators (test-only bindings). */
      CALCOM_URL: string;
      CALCOM_API_KEY: string;
      CALCOM_WEBHOOK_SECRET: string;
      APPOINTLET_URL: string;
      YOURAPP_URL: string;
      YOURAPP_SECRET: string;
      YOURAPP_API_KEY: string;
      /** Internal: the gateway's GHL timeout in ms (vitest.config.ts). */
      GHL_TIMEOUT_MS: string;
    }
  }
}
