import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';
import { PANEL_SECURITY_HEADERS } from './worker/routes/panel-headers.ts';

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

/**
 * Vite wraps every dynamic import in a preload helper (0.7 KB gzipped) that adds the lazy chunk's
 * CSS and `modulepreload` links first, even when there is nothing to add (vitejs/vite#13952). The
 * settings chunk has no CSS and imports only the entry chunk, so a plain `import()` does the same;
 * the build fails if a lazy chunk ever brings CSS, which would need the real helper.
 */
function plainDynamicImport(): Plugin {
  return {
    name: 'panel-plain-dynamic-import',
    apply: 'build',
    enforce: 'pre',
    load: {
      order: 'pre',
      handler: (id) =>
        id === '\0vite/preload-helper.js' ? 'export const __vitePreload = (load) => load();' : undefined,
    },
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk' && chunk.isDynamicEntry && chunk.viteMetadata?.importedCss.size) {
          this.error(`${chunk.fileName} imports CSS: remove plainDynamicImport() from vite.config.ts`);
        }
      }
    },
  };
}

/**
 * Classic JSX, `h(type, props, ...children)`, in place of the automatic runtime the preset sets,
 * `jsx(type, { ...props, children: [...] })`: the same elements in 0.3 KB less gzipped code. Runs
 * after the preset so its setting wins; type checking still uses `jsxImportSource` (same types).
 * The factory gets a name no module uses, so a local `h` cannot shadow it.
 */
function classicJsx(): Plugin {
  return {
    name: 'panel-classic-jsx',
    enforce: 'post',
    config: () => ({
      oxc: {
        jsx: { runtime: 'classic', pragma: '__h', pragmaFrag: '__Fragment' },
        jsxInject: `import { h as __h, Fragment as __Fragment } from 'preact'`,
      },
    }),
  };
}

export default defineConfig({
  root: here('./ui'),
  base: '/app/',
  plugins: [preact(), classicJsx(), plainDynamicImport(), assetHeaders()],
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
