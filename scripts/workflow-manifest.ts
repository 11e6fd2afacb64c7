/**
 * Writes marketplace/workflow-modules.json: our workflow triggers and actions as the marketplace
 * CLI takes them, generated from worker/automations/workflows/modules.ts. `{{APP_BASE_URL}}` and
 * `{{WORKFLOW_SECRET}}` are filled in when the modules are published.
 */
import { writeFileSync } from 'node:fs';
import { marketplaceManifest } from '../worker/automations/workflows/modules.ts';

export const MANIFEST_PATH = new URL('../marketplace/workflow-modules.json', import.meta.url);
export const manifestText = () => `${JSON.stringify(marketplaceManifest('{{APP_BASE_URL}}'), null, 2)}\n`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeFileSync(MANIFEST_PATH, manifestText());
  console.log(`wrote ${MANIFEST_PATH.pathname}`);
}
