import type { EngineOps, PartnerWrites } from '../automations/catalog/types.ts';
import { ContactAutomations } from '../automations/runtime.ts';
import { connectorFor } from '../connectors/registry.ts';
import { supports, type OutboundChange } from '../connectors/types.ts';
import { backfillRefusal } from '../sync/backfill-progress.ts';
import type { ContactBackfillResult } from './contact/sync/backfill-contact.ts';
import { contactFromGhl } from '../sync/ghl-model.ts';
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

/** What the contact object lends the runtime for engine operations on itself. */
export interface ContactHooks {
  backfillContact(connectionId: string, history: boolean): Promise<ContactBackfillResult>;
}

/** Partner writes through the connectors, for this contact (its record and partner ids added). */
function partnerWrites(
  sql: SqlStorage,
  connections: ConnectionsCache,
  ghl: LocationGhlApi,
  contactId: string,
): PartnerWrites {
  return {
    targets: async (kind, op) =>
      (await connections.get())
        .filter((c) => {
          const connector = connectorFor(c.kind);
          return connector && supports(connector.capabilities, 'outbound', kind, op);
        })
        .map((c) => ({ id: c.id, kind: c.kind, name: c.name })),
    apply: async (connectionId, write, key) => {
      const connection = (await connections.get()).find((c) => c.id === connectionId);
      const connector = connection && connectorFor(connection.kind);
      if (!connection || !connector) throw new Error(`connection ${connectionId} is not active`);
      const link = new Links(sql).byGhl('contact', connectionId, contactId);
      const change = {
        ...write,
        // Not a GHL object: the partner's report of it comes back through the sync.
        ghlId: '',
        contact: contactFromGhl(await ghl.getContact(contactId)),
        ...(link?.partnerId ? { contactPartnerId: link.partnerId } : {}),
        contactGhlId: contactId,
        occurredAt: new Date().toISOString(),
      } as OutboundChange;
      return connector.apply(change, connection, key);
    },
    known: async (connectionId, kind, partnerId) => {
      const data = new Links(sql).byPartner(kind, connectionId, partnerId)?.data;
      return data && typeof data === 'object' ? (data as Record<string, unknown>) : null;
    },
  };
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
    partners: partnerWrites(sql, connections, ghl, contactId),
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
