/**
 * `npm start`: the app on its embedded defaults. Builds the panel, starts the GHL emulator with a
 * demo agency, runs the worker under `wrangler dev` against it with local D1, installs the app
 * on the demo agency through the real OAuth flow, and prints where to look.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connectDemoPartners } from './demo-partners.ts';
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
  preferredPort: 8787,
  emulatorPort: await portOr(8788),
  stateDir,
  emulator: { seedDemo: true },
  partners: { yourapp: 1, calcom: true },
});
await installAgency(stack);
const demo = await connectDemoPartners(stack);
const yourApp = stack.partners.yourapp[0]!;
const cal = stack.partners.calcom!;

console.log(`
Contact Sync is running on its embedded defaults.

  HighLevel, played locally:  ${stack.emulatorUrl}/_emulator/ghl
      (the panel opens inside it, signed in through the SSO handshake)
  The agency view:            ${stack.emulatorUrl}/_emulator/ghl?view=agency
      (the agency console: every sub-account, agency defaults, settings for many at once)
  The worker:                 ${stack.appUrl}   (health: ${stack.appUrl}/healthz)
  The GHL emulator API:       ${stack.emulatorUrl}   (control API under /_emulator)

The demo agency "Northwind Agency" installed the app on two of its three sub-accounts
(Northwind Spa is left out, so the agency console shows a sub-account without it).
${demo.locationName} is connected to two demo partners (Settings › Partner connections):

  "Your app" emulator:        ${yourApp.url}   (state: ${yourApp.url}/_partner/state)
  Cal.com emulator:           ${cal.url}   (state: ${cal.url}/_partner/state)

Make a change as the partner with its control API, e.g.
  curl -X POST ${yourApp.url}/_partner/act -H 'content-type: application/json' \\
    -d '{"type":"note.created","data":{"body":"Hello from your app","contact":{"email":"<a contact's email>"}}}'
  curl -X POST ${cal.url}/_partner/act/book -H 'content-type: application/json' \\
    -d '{"start":"2030-01-07T10:00:00Z","attendee":{"name":"Ada Lovelace","email":"ada@example.com"}}'

Press Ctrl+C to stop.
`);

const shutdown = async () => {
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
