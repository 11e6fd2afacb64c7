import { app } from './app.ts';
import { runSchedules } from './durable/automation-schedules.ts';
import { tenantStub } from './durable/stubs.ts';
import { listActiveLocations } from './tenants/installs.ts';

export { LocationDO } from './durable/location.ts';
export { ContactDO } from './durable/contact.ts';

export default {
  fetch: app.fetch,

  /** Reconciliation sweep: each active location repairs what its webhooks missed. */
  async scheduled(_controller, env, ctx) {
    // automations: daily recipes
    ctx.waitUntil(runSchedules(env).catch((err) => console.error('daily recipes failed', String(err))));
    const locations = await listActiveLocations(env.DB);
    ctx.waitUntil(
      Promise.allSettled(locations.map((l) => tenantStub(env, l.resourceId).reconcile(l.resourceId))).then(
        (results) => {
          const failed = results.filter((r) => r.status === 'rejected').length;
          if (failed) console.error(`reconciliation failed for ${failed} of ${results.length} locations`);
        },
      ),
    );
  },
} satisfies ExportedHandler<Env>;
