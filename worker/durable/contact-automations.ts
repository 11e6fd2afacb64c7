import type { EngineOps } from '../automations/catalog/types.ts';
import { ContactAutomations } from '../automations/runtime.ts';
import { connectorFor } from '../connectors/registry.ts';
import { backfillRefusal } from '../sync/backfill-progress.ts';
import type { ContactBackfillResult } from './contact/sync/backfill-contact.ts';
import { ConnectionsCache } from './connections-cache.ts';
import { locationZone } from './location-zone.ts';
import { forgetEnabledSet } from '../automations/recipes-cache.ts';
import { dropSubscription } from '../automations/workflows/subscriptions.ts';
import { getConfig } from '../config.ts';
import { listConnections } from '../tenants/connections.ts';
import { Links } from './contact/sync/queue.ts';
import { LocationGhlApi } from './ghl-api.ts';
import { GhlError } from '../ghl/errors.ts';
import { tenantStub } from './stubs.ts';
import { partnerWrites } from './automation-partner-writes.ts';

/** What the contact object lends the runtime for engine operations on itself. */
export interface ContactHooks {
  backfillContact(connectionId: string, history: boolean): Promise<ContactBackfillResult>;
  /** The location's dry run setting, as the contact's sync reads it. */
  dryRun(): Promise<boolean>;
}

function engineOps(
  env: Env,
  connections: ConnectionsCache,
  locationId: string,
  hooks: ContactHooks,
): EngineOps {
  const backfillTargets = async () =>
    (await connections.get())
      .filter((c) => {
        const outbound = connectorFor(c.kind)?.capabilities.outbound ?? {};
        return Object.keys(outbound).length > 0 && !backfillRefusal(c.kind, c.settings);
      })
      .map((c) => ({ id: c.id, kind: c.kind, name: c.name }));
  return {
    backfillTargets,
    backfill: async (connectionId, only, history) => {
      if (!(await backfillTargets()).some((t) => t.id === connectionId))
        throw new Error(`connection ${connectionId} cannot be backfilled now`);
      if (only === 'contact') {
        const result = await hooks.backfillContact(connectionId, history);
        return { only, connectionId, queued: result.queued, counts: result.counts };
      }
      const started = await tenantStub(env, locationId).startBackfill(locationId, connectionId, false, {
        history,
      });
      if (!started.ok) throw new Error('a backfill of this connection is already running');
      return { only, connectionId, started: true, state: started.progress?.state ?? 'running' };
    },
    replay: async (logId) => {
      const result = await tenantStub(env, locationId).replaySyncLog(locationId, logId);
      if (!result.ok) throw new Error(`sync log entry ${logId}: ${result.message}`);
      return { replayed: true, logId, status: result.entry.status };
    },
  };
}

/** The contact object's recipe runtime, wired to the location's GHL access and contact index. */
export function contactAutomations(
  env: Env,
  sql: SqlStorage,
  locationId: string,
  contactId: string,
  hooks: ContactHooks,
): ContactAutomations {
  const ghl = new LocationGhlApi(env, locationId, 'background');
  const connections = new ConnectionsCache(env, locationId);
  return new ContactAutomations(sql, {
    locationTimeZone: () => locationZone(ghl, locationId),
    partners: (origin) =>
      partnerWrites(
        {
          sql,
          connections,
          ghl,
          contactId,
          dryRun: hooks.dryRun,
          log: async (row) => {
            try {
              await tenantStub(env, locationId).recordSync(locationId, row);
            } catch (err) {
              // The write stands either way; a lost row must not make the step write again.
              console.error('sync log row of a recipe partner write not written', locationId, String(err));
            }
          },
        },
        origin,
      ),
    engine: engineOps(env, connections, locationId, hooks),
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
