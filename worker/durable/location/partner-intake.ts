/**
 * The sync engine's work inside a location's object: partner changes in (dedupe, persist,
 * match to a GHL contact, hand to the contact's object), the sync log, replay, and the
 * reconciliation sweep. The location object calls these; they share its SQLite.
 */
import type { PartnerChange } from '../../connectors/types.ts';
import { deletePolicyOutcome } from '../../sync/delete-policy.ts';
import { connectorFor } from '../../connectors/registry.ts';
import { saveCursor } from '../../tenants/connections.ts';
import type { GhlApi } from '../../ghl/api.ts';
import type { GhlContact } from '../../ghl/types.ts';
import { contactStub } from '../stubs.ts';
import type { ConnectionsCache } from '../connections-cache.ts';
import { contactToGhl } from '../../sync/ghl-model.ts';
import {
  indexContact,
  linkContact,
  matchInGhl,
  matchLocally,
  namesPerson,
  partnerKeyOf,
  personOf,
} from './matching.ts';
import {
  DRY_RUN,
  partnerChangeBlocked,
  personCreateBlocked,
  type PartnerSwitches,
} from '../../sync/partner-gate.ts';
import { recordSyncLog, type SyncLogInput } from '../../sync-log/write.ts';
import { newContactInScope } from '../../sync/scope.ts';

export interface PartnerInboxBody {
  connectionId: string;
  change: PartnerChange;
  trigger: string;
}

export interface LocationSyncDeps {
  sql: SqlStorage;
  env: Env;
  locationId: string;
  ghl: GhlApi;
  connections: ConnectionsCache;
  /** Stores GHL contacts in the location's contact index (panel and matching). */
  remember(contacts: Partial<GhlContact>[]): void;
}

/**
 * Persists partner changes with dedupe on their keys. `transaction` (the object's
 * `transactionSync`) makes each change's dedupe row and inbox row commit together, or neither:
 * a failed inbox write leaves no dedupe row, so the partner's retry is stored, not called a
 * duplicate; and a change is never stored twice.
 */
export function acceptPartner(
  sql: SqlStorage,
  connectionId: string,
  changes: PartnerChange[],
  trigger: string,
  now = Date.now(),
  transaction: <T>(fn: () => T) => T = (fn) => fn(),
) {
  return transaction(() => {
    let accepted = 0;
    let duplicates = 0;
    for (const change of changes) {
      const key = `partner:${connectionId}:${change.dedupeKey}`;
      const fresh =
        sql.exec('INSERT OR IGNORE INTO seen_webhooks (webhook_id, received_at) VALUES (?, ?)', key, now)
          .rowsWritten > 0;
      if (!fresh) {
        duplicates++;
        continue;
      }
      const body: PartnerInboxBody = { connectionId, change, trigger };
      sql.exec(
        `INSERT INTO inbox (webhook_id, type, object_id, contact_id, body, received_at, next_attempt_at) VALUES (?, 'partner', ?, NULL, ?, ?, ?)`,
        key,
        change.partnerId,
        JSON.stringify(body),
        now,
        now,
      );
      accepted++;
    }
    return { accepted, duplicates };
  });
}

/**
 * Finds (or creates) the GHL contact a partner change is about and hands the change to that
 * contact's object. Returns the contact id, or null when the change was logged as skipped.
 * The location's switches are checked first: matching may write the person to GHL.
 */
export async function dispatchPartner(
  deps: LocationSyncDeps,
  body: PartnerInboxBody,
  switches: PartnerSwitches,
): Promise<string | null> {
  const { sql, locationId } = deps;
  const { connectionId, change, trigger } = body;
  const skip = (action: string, reason: string, extra: Partial<SyncLogInput> = {}) => {
    recordSyncLog(sql, {
      trigger,
      action,
      objectKind: change.kind,
      objectId: change.partnerId,
      connectionId,
      status: 'skipped',
      error: reason,
      ...extra,
    });
    return null;
  };
  let match = matchLocally(sql, connectionId, change);
  const blocked = partnerChangeBlocked(switches, connectionId, change.kind);
  if (blocked)
    return skip(`${change.op} ${change.kind} in GHL`, blocked, { contactId: match?.contactId ?? null });
  let created = false;
  if (!match) {
    const inScope = newContactInScope(switches.settings.scope, Date.now());
    const createBlocked = change.op === 'delete' ? null : (personCreateBlocked(switches) ?? inScope.blocked);
    const found = await matchInGhl(deps.ghl, change, change.op !== 'delete' && !createBlocked, inScope.tags);
    if (!found) {
      if (change.op === 'delete') return skip(`${change.op} ${change.kind} in GHL`, 'not known in GHL');
      if (!namesPerson(change))
        return skip(
          `${change.op} ${change.kind} in GHL`,
          'the change names no email or phone to match a GHL contact by',
        );
      // Creating the person is a contact write in GHL, whatever kind of change names them.
      return skip('create contact in GHL', createBlocked ?? 'not created in GHL', {
        objectKind: 'contact',
        detail: { wouldSend: contactToGhl(personOf(change)), for: `${change.op} ${change.kind}` },
      });
    }
    match = found.match;
    created = found.match.by === 'created';
    deps.remember([found.contact]);
    indexContact(sql, found.contact);
    if (found.match.by === 'created' || found.match.by === 'upsert_merged') {
      recordSyncLog(sql, {
        trigger,
        action: found.match.by === 'created' ? 'create contact in GHL' : 'upsert contact in GHL',
        objectKind: 'contact',
        objectId: found.contact.id,
        contactId: found.contact.id,
        connectionId,
        status: found.match.by === 'created' ? 'done' : 'conflict',
        error: found.match.note ?? null,
        detail: { matchedBy: found.match.by, sent: change.contact ?? null },
      });
    }
  }
  if (switches.settings.dryRun) {
    const action =
      change.kind === 'contact' && change.op === 'upsert'
        ? 'update contact in GHL'
        : `${change.op} ${change.kind} in GHL`;
    return skip(action, DRY_RUN, {
      contactId: match.contactId,
      detail: { matchedBy: match.by, wouldSend: change.data ?? null },
    });
  }
  linkContact(sql, connectionId, change, match.contactId);
  await contactStub(deps.env, locationId, match.contactId).applyPartnerChange(
    `${locationId}:${match.contactId}`,
    change,
    trigger,
    created,
  );
  return match.contactId;
}

/** The changes as the connection's delete policy has them; an ignored delete gets a sync log row (not with `sql` null: a preview). */
export function applyDeletePolicy(
  sql: SqlStorage | null,
  ...args: Parameters<typeof deletePolicyOutcome>
): PartnerChange[] {
  const { changes, ignored } = deletePolicyOutcome(...args);
  if (sql) for (const row of ignored) recordSyncLog(sql, row);
  return changes;
}

/** The partner key used to keep per-person order for changes not yet matched. */
export const orderKeyOf = (change: PartnerChange) => partnerKeyOf(change) ?? `partner:${change.partnerId}`;

/**
 * Reconciliation sweep: GHL contacts updated since the cursor that the webhooks did not bring
 * are stored as synthetic ContactUpdate events; each connection's partner changes since its
 * cursor go through the partner intake. Dedupe keys make a repeated sweep a no-op.
 */
export async function reconcile(
  deps: LocationSyncDeps,
  ingest: (event: Record<string, unknown>) => boolean,
  now = Date.now(),
) {
  const { sql, ghl } = deps;
  const meta = (k: string) =>
    sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', k).toArray()[0]?.value;
  const since = meta('reconcile_ghl_cursor') ?? new Date(now - 24 * 3600_000).toISOString();
  let cursor = since;
  let repaired = 0;
  let searchAfter: unknown[] | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await ghl.searchContacts({
      pageLimit: 100,
      filters: [{ field: 'dateUpdated', operator: 'range', value: { gt: since } }],
      sort: [{ field: 'dateUpdated', direction: 'asc' }],
      ...(searchAfter ? { searchAfter } : {}),
    });
    for (const c of res.contacts) {
      const updated = typeof c.dateUpdated === 'string' ? c.dateUpdated : undefined;
      if (updated && updated > cursor) cursor = updated;
      const known = sql
        .exec<{ date_updated: string | null }>('SELECT date_updated FROM contacts WHERE id = ?', c.id)
        .toArray()[0];
      if (known?.date_updated && updated && Date.parse(known.date_updated) >= Date.parse(updated)) continue;
      const event = {
        ...c,
        type: 'ContactUpdate',
        locationId: deps.locationId,
        id: c.id,
        webhookId: `reconcile:${c.id}:${updated ?? now}`,
        timestamp: new Date(now).toISOString(),
      };
      if (ingest(event)) repaired++;
    }
    const last = res.contacts[res.contacts.length - 1] as
      (GhlContact & { searchAfter?: unknown[] }) | undefined;
    if (!last || res.contacts.length < 100 || !last.searchAfter) break;
    searchAfter = last.searchAfter;
  }
  sql.exec(
    "INSERT INTO meta (key, value) VALUES ('reconcile_ghl_cursor', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
    cursor,
  );

  let partnerChanges = 0;
  for (const connection of await deps.connections.get()) {
    const connector = connectorFor(connection.kind);
    if (!connector?.capabilities.reconcile) continue;
    let pageCursor = connection.settings.cursor ?? null;
    for (let page = 0; page < 20; page++) {
      const result = await connector.listChangedSince(connection, pageCursor);
      partnerChanges += acceptPartner(
        sql,
        connection.id,
        applyDeletePolicy(sql, connection, connector.label, result.changes, 'reconcile'),
        'reconcile',
        now,
      ).accepted;
      pageCursor = result.cursor;
      if (!result.hasMore) break;
    }
    if (pageCursor && pageCursor !== connection.settings.cursor) {
      await saveCursor(deps.env, connection.id, pageCursor);
      deps.connections.invalidate();
    }
  }
  return { ghlRepaired: repaired, partnerChanges };
}
