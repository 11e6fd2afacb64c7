import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { GHL_API_BASE: inject('emulatorUrl') },
            },
          })),
        ],
        test: { name: 'worker', include: ['test/worker/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] },
      },
    ],
  },
});
