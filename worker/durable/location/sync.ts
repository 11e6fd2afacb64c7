import type { PartnerChange } from '../../connectors/types.ts';
import { GhlApi } from '../../ghl/api.ts';
import { ConnectionsCache } from '../connections-cache.ts';
import { acceptPartner, applyDeletePolicy, reconcile, type LocationSyncDeps } from './partner-intake.ts';
import { connectorFor } from '../../connectors/registry.ts';
import { connectionHealth } from '../../sync-log/write.ts';
import type { ContactIndex } from './contact-index.ts';
import type { GhlAccess } from './ghl-access.ts';
import type { ResourceIdentity } from './identity.ts';
import type { WebhookInbox } from './inbox.ts';

/**
 * The sync engine's entry points in a location's object: the deps it runs with, partner intake,
 * the reconciliation sweep and connection health.
 */
export class LocationSync {
  private readonly env: Env;
  private readonly sql: SqlStorage;
  private readonly identity: ResourceIdentity;
  private readonly access: GhlAccess;
  private readonly inbox: WebhookInbox;
  private readonly contacts: ContactIndex;
  private readonly armAlarm: (at: number) => Promise<void>;
  private readonly transaction: <T>(fn: () => T) => T;
  private connectionsCache: ConnectionsCache | null = null;

  constructor(
    env: Env,
    sql: SqlStorage,
    identity: ResourceIdentity,
    access: GhlAccess,
    inbox: WebhookInbox,
    contacts: ContactIndex,
    armAlarm: (at: number) => Promise<void>,
    transaction: <T>(fn: () => T) => T,
  ) {
    this.env = env;
    this.sql = sql;
    this.identity = identity;
    this.access = access;
    this.inbox = inbox;
    this.contacts = contacts;
    this.armAlarm = armAlarm;
    this.transaction = transaction;
  }

  /** What the engine's location-side steps (matching, backfill, reconcile) run with. */
  deps(): LocationSyncDeps {
    const locationId = this.identity.resourceId;
    this.connectionsCache ??= new ConnectionsCache(this.env, locationId);
    return {
      sql: this.sql,
      env: this.env,
      locationId,
      ghl: new GhlApi(locationId, (req) => this.access.gateway().send(req)),
      connections: this.connectionsCache,
      remember: (contacts) => void this.contacts.store(locationId, contacts),
    };
  }

  /** Stores partner changes (deduped on their keys) before the partner gets its answer. */
  async acceptPartner(connectionId: string, changes: PartnerChange[], trigger: string) {
    if (this.identity.uninstalled) return { accepted: 0, duplicates: 0, ignored: changes.length };
    if (changes.some((c) => c.kind === 'contact' && c.op === 'delete')) {
      // A connection not found (paused meanwhile) gets the default policy: tag, never delete.
      const connection = (await this.deps().connections.get()).find((c) => c.id === connectionId) ?? {
        id: connectionId,
      };
      changes = applyDeletePolicy(
        this.sql,
        connection,
        connectorFor((connection as { kind?: string }).kind ?? '')?.label ?? 'the partner app',
        changes,
        trigger,
      );
    }
    const result = acceptPartner(this.sql, connectionId, changes, trigger, Date.now(), this.transaction);
    if (result.accepted) await this.armAlarm(Date.now());
    return result;
  }

  /** The reconciliation sweep: repairs what webhooks missed, on both sides. */
  async reconcile() {
    if (this.identity.uninstalled) return { ghlRepaired: 0, partnerChanges: 0 };
    const result = await reconcile(this.deps(), (event) => this.inbox.storeReconciled(event));
    await this.armAlarm(Date.now());
    return result;
  }

  /** Each connection's health from the log: last event, last error, backlog. */
  health() {
    return { inboxBacklog: this.inbox.backlog(), connections: connectionHealth(this.sql) };
  }
}
