/**
 * `npm start`: the app on its embedded defaults. Builds the panel, starts the GHL emulator with a
 * demo agency, runs the worker under `wrangler dev` against it with local D1, installs the app
 * on the demo agency through the real OAuth flow, and prints where to look.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPanel, freePort, installAgency, ROOT, startStack } from './stack.ts';

async function portOr(preferred: number): Promise<number> {
  const probe = await import('node:net');
  const free = await new Promise<boolean>((res) => {
    const srv = probe.createServer();
    srv.once('error', () => res(false));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => res(true)));
  });
  return free ? preferred : freePort();
}

buildPanel();

const stateDir = join(ROOT, '.wrangler', 'demo-state');
mkdirSync(stateDir, { recursive: true });
const stack = await startStack({
  port: await portOr(8787),
  emulatorPort: await portOr(8788),
  stateDir,
  emulator: { seedDemo: true },
});
await installAgency(stack);

console.log(`
Contact Sync is running on its embedded defaults.

  HighLevel, played locally:  ${stack.emulatorUrl}/_emulator/ghl
      (the panel opens inside it, signed in through the SSO handshake)
  The worker:                 ${stack.appUrl}   (health: ${stack.appUrl}/healthz)
  The GHL emulator API:       ${stack.emulatorUrl}   (control API under /_emulator)

The demo agency "Northwind Agency" is installed on its two sub-accounts.
Press Ctrl+C to stop.
`);

const shutdown = async () => {
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
