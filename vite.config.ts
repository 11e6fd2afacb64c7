import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';
import { PANEL_SECURITY_HEADERS } from './worker/routes/panel.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Writes `dist/ui/_headers`: the assets layer serves `/app/` and `/app/assets/*` without running
 * the worker, and this file gives those responses the same security headers as the worker's.
 */
function assetHeaders(): Plugin {
  return {
    name: 'panel-asset-headers',
    apply: 'build',
    async closeBundle() {
      const lines = Object.entries(PANEL_SECURITY_HEADERS).map(([k, v]) => `  ${k}: ${v}`);
      await writeFile(here('./dist/ui/_headers'), `/app/*\n${lines.join('\n')}\n`);
    },
  };
}

export default defineConfig({
  root: here('./ui'),
  base: '/app/',
  plugins: [preact(), assetHeaders()],
  build: {
    outDir: here('./dist/ui/app'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
  },
  server: {
    // `vite` alone serves the panel with hot reload; the API stays on `wrangler dev`.
    proxy: { '/api': 'http://localhost:8787' },
  },
});
