import type { TestProject } from 'vitest/node';
import { installAgency, startStack } from '../../scripts/stack.ts';

/**
 * Starts the whole app once for the browser tests: the GHL emulator with the Northwind demo agency
 * and the worker under `wrangler dev` wired to it, then installs the app on the agency through the
 * real OAuth redirects. `npm test` has built the panel into dist/ui/app before this runs.
 */
export default async function setup(project: TestProject) {
  const stack = await startStack({ emulator: { seedDemo: true } });
  try {
    await installAgency(stack);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  project.provide('appUrl', stack.appUrl);
  project.provide('emulatorUrl', stack.emulatorUrl);
  project.provide('clientId', stack.client.clientId);
  return () => stack.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    emulatorUrl: string;
    clientId: string;
  }
}
