import { ContactAutomations } from '../automations/runtime.ts';
import { forgetEnabledSet } from '../automations/recipes-cache.ts';
import { dropSubscription } from '../automations/workflows/subscriptions.ts';
import { getConfig } from '../config.ts';
import { listConnections } from '../tenants/connections.ts';
import { Links } from './contact/sync/queue.ts';
import { LocationGhlApi } from './ghl-api.ts';
import { GhlError } from '../ghl/errors.ts';
import { tenantStub } from './stubs.ts';

/** The contact object's recipe runtime, wired to the location's GHL access and contact index. */
export function contactAutomations(
  env: Env,
  sql: SqlStorage,
  locationId: string,
  contactId: string,
): ContactAutomations {
  const ghl = new LocationGhlApi(env, locationId, 'background');
  return new ContactAutomations(sql, {
    db: env.DB,
    locationId,
    contactId,
    ghl,
    knownContact: () => tenantStub(env, locationId).knownContact(locationId, contactId),
    fireWorkflow: async (targetUrl, payload) => {
      // The location's token goes only to GHL's own API host, whatever a subscription says.
      const base = getConfig(env).apiBase;
      if (!targetUrl.startsWith(`${base}/`)) throw new Error(`targetUrl ${targetUrl} is not on ${base}`);
      try {
        await ghl.call({
          method: 'POST',
          path: targetUrl.slice(base.length),
          body: payload,
          version: '2021-07-28',
        });
        return { gone: false };
      } catch (err) {
        if (err instanceof GhlError && /trigger with id: .* inactive/i.test(err.message))
          return { gone: true };
        throw err;
      }
    },
    dropSubscription: async (id) => {
      await dropSubscription(env.DB, locationId, id);
      forgetEnabledSet(locationId);
    },
    partnerRecords: async () => {
      // Read through the ID map's own class; a tombstone (both prints cleared) is no record.
      const links = new Links(sql);
      const out: { connectionId: string; connectionKind: string; partnerId: string }[] = [];
      for (const c of await listConnections(env, locationId)) {
        const link = links.byGhl('contact', c.id, contactId);
        if (link?.partnerId && (link.ghlFp !== null || link.partnerFp !== null))
          out.push({ connectionId: c.id, connectionKind: c.kind, partnerId: link.partnerId });
      }
      return out;
    },
    pushToPartners: async () => {
      const contact = await ghl.getContact(contactId);
      const now = Date.now();
      // Stored like GHL's own report, so it waits its turn behind the contact's earlier events.
      const result = await tenantStub(env, locationId).ingest(
        locationId,
        {
          ...contact,
          type: 'ContactUpdate',
          id: contactId,
          locationId,
          webhookId: `automation-push:${contactId}:${now}`,
          timestamp: new Date(now).toISOString(),
          trigger: 'automation',
        },
        now,
      );
      return { queued: result.accepted && !result.duplicate };
    },
  });
}

/** The earlier of two alarm times, either of which may be absent. */
export const earliest = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.min(a, b);
