/**
 * Backfill of one connection, run page by page from the location object's alarm within the
 * rate budget: every GHL contact (and, where the partner takes them, its notes, tasks and
 * appointments) goes GHL → partner, then the partner's full change feed comes in. A dry run
 * walks the same pages and only counts.
 */
import { connectorFor } from '../connectors/registry.ts';
import type { PartnerChange } from '../connectors/types.ts';
import type { GhlContact } from '../ghl/types.ts';
import { indexContact, matchLocally } from './matching.ts';
import { acceptPartner, type LocationSyncDeps } from './location-sync.ts';

export interface BackfillCounts {
  creates: number;
  updates: number;
  matches: number;
  conflicts: number;
  skipped: number;
}

export interface BackfillProgress {
  connectionId: string;
  dryRun: boolean;
  state: 'running' | 'done' | 'failed';
  phase: 'ghl' | 'partner' | 'done';
  /** GHL contacts in the location (from the first search page). */
  total: number | null;
  processed: number;
  partnerChanges: number;
  counts: BackfillCounts;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  searchAfter: (string | number)[] | null;
  partnerCursor: string | null;
}

const PAGE = 50;

/** Hands one GHL contact to its contact object, which sends it to the partner (or, in a dry run, says what it would do). */
export type BackfillContact = (contact: GhlContact, connectionId: string, dryRun: boolean) => Promise<'create' | 'update' | 'match' | 'skipped'>;

export function newProgress(connectionId: string, dryRun: boolean, now = Date.now()): BackfillProgress {
  return {
    connectionId,
    dryRun,
    state: 'running',
    phase: 'ghl',
    total: null,
    processed: 0,
    partnerChanges: 0,
    counts: { creates: 0, updates: 0, matches: 0, conflicts: 0, skipped: 0 },
    startedAt: new Date(now).toISOString(),
    finishedAt: null,
    error: null,
    searchAfter: null,
    partnerCursor: null,
  };
}

/** One page of work; mutates and returns `p`. */
export async function backfillStep(deps: LocationSyncDeps, p: BackfillProgress, backfillContact: BackfillContact): Promise<BackfillProgress> {
  const connection = (await deps.connections.get()).find((c) => c.id === p.connectionId);
  const connector = connection && connectorFor(connection.kind);
  if (!connection || !connector) return finish(p, 'failed', 'the connection is gone or paused');
  if (p.phase === 'ghl') {
    const res = await deps.ghl.searchContacts({
      pageLimit: PAGE,
      sort: [{ field: 'dateAdded', direction: 'asc' }],
      ...(p.searchAfter ? { searchAfter: p.searchAfter } : {}),
    });
    p.total ??= res.total;
    deps.remember(res.contacts);
    for (const contact of res.contacts) {
      indexContact(deps.sql, contact);
      const verdict = await backfillContact(contact, p.connectionId, p.dryRun);
      p.counts[verdict === 'create' ? 'creates' : verdict === 'update' ? 'updates' : verdict === 'match' ? 'matches' : 'skipped']++;
      p.processed++;
    }
    const last = res.contacts[res.contacts.length - 1] as { searchAfter?: (string | number)[] } | undefined;
    if (res.contacts.length < PAGE || !last?.searchAfter) p.phase = connector.capabilities.reconcile ? 'partner' : 'done';
    else p.searchAfter = last.searchAfter;
  } else if (p.phase === 'partner') {
    const page = await connector.listChangedSince(connection, p.partnerCursor);
    p.partnerChanges += page.changes.length;
    if (p.dryRun) for (const change of page.changes) countPartner(deps, p, change);
    else acceptPartner(deps.sql, connection.id, page.changes, 'backfill');
    p.partnerCursor = page.cursor;
    if (!page.hasMore) p.phase = 'done';
  }
  return p.phase === 'done' ? finish(p, 'done', null) : p;
}

/** A partner change in a preview: known person and same data is a match, else create or update. */
function countPartner(deps: LocationSyncDeps, p: BackfillProgress, change: PartnerChange) {
  if (change.op === 'delete') {
    p.counts.skipped++;
    return;
  }
  const match = matchLocally(deps.sql, p.connectionId, change);
  if (!match) p.counts.creates++;
  else if (change.kind !== 'contact') p.counts.updates++;
  else if (differs(deps, match.contactId, change)) p.counts.conflicts++;
  else p.counts.matches++;
}

/** Both sides hold the person with different field values: the conflict policy will decide. */
function differs(deps: LocationSyncDeps, contactId: string, change: PartnerChange): boolean {
  const row = deps.sql.exec<{ body: string }>('SELECT body FROM contacts WHERE id = ?', contactId).toArray()[0];
  if (!row) return false;
  const ghl = JSON.parse(row.body) as Record<string, unknown>;
  const data = (change.data ?? {}) as Record<string, unknown>;
  return ['firstName', 'lastName', 'phone', 'companyName'].some((f) => typeof data[f] === 'string' && typeof ghl[f] === 'string' && String(data[f]).trim() !== String(ghl[f]).trim());
}

function finish(p: BackfillProgress, state: 'done' | 'failed', error: string | null): BackfillProgress {
  p.state = state;
  p.phase = 'done';
  p.error = error;
  p.finishedAt = new Date().toISOString();
  return p;
}
