import type { TestProject } from 'vitest/node';
import { connectDemoPartners } from '../../scripts/demo-partners.ts';
import { installAgency, startStack } from '../../scripts/stack.ts';

/**
 * Starts the whole app once for the browser tests: the GHL emulator with the Northwind demo agency
 * and the worker under `wrangler dev` wired to it, then installs the app on the agency through the
 * real OAuth redirects. `npm test` has built the panel into dist/ui/app before this runs.
 */
export default async function setup(project: TestProject) {
  const stack = await startStack({ emulator: { seedDemo: true }, partners: { yourapp: 1, calcom: true } });
  let demoPartners;
  try {
    await installAgency(stack);
    // As `npm start` does: the demo partners connected to one sub-account.
    demoPartners = await connectDemoPartners(stack);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  project.provide('appUrl', stack.appUrl);
  project.provide('emulatorUrl', stack.emulatorUrl);
  project.provide('clientId', stack.client.clientId);
  project.provide('demoPartners', {
    ...demoPartners,
    yourappUrl: stack.partners.yourapp[0]!.url,
    calcomUrl: stack.partners.calcom!.url,
  });
  return () => stack.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    emulatorUrl: string;
    clientId: string;
    demoPartners: {
      locationId: string;
      locationName: string;
      yourapp: string | null;
      calcom: string | null;
      yourappUrl: string;
      calcomUrl: string;
    };
  }
}
