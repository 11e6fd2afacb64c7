/**
 * Backfill of one connection, run page by page from the location object's alarm within the
 * rate budget: every GHL contact (and, where the partner takes them, its notes, tasks and
 * appointments) goes GHL → partner, then the partner's full change feed comes in. A preview
 * walks the same pages through the same plan (backfill-plan.ts) and only counts.
 *
 * Every backfill ends: done, cancelled, or failed with a reason (a refusal that retrying cannot
 * fix ends it at once; an outage is retried with backoff a few times, then ends it).
 */
import { PartnerApiError } from '../../connectors/http.ts';
import { connectorFor } from '../../connectors/registry.ts';
import type { PartnerChange } from '../../connectors/types.ts';
import type { GhlContact } from '../../ghl/types.ts';
import { GhlError } from '../../ghl/errors.ts';
import type { ContactBackfillResult } from '../contact/sync/backfill-contact.ts';
import { mergeCounts, type BackfillOptions } from '../../sync/backfill-plan.ts';
import {
  addTotals,
  countPartnerChange,
  finish,
  personDiffers,
  stepFailed,
  type BackfillProgress,
} from '../../sync/backfill-progress.ts';
import { indexContact, matchLocally } from './matching.ts';
import { newContactInScope, partnerChangeOutOfScope, scopeFactsOf } from '../../sync/scope.ts';
import { loadSettings } from '../../settings/store.ts';
import type { SyncScope } from '../../settings/model.ts';
import { knownContact } from '../../timeline/contact-index.ts';
import { acceptPartner, applyDeletePolicy, type LocationSyncDeps } from './partner-intake.ts';

export { cancel, newProgress, type BackfillProgress } from '../../sync/backfill-progress.ts';

const PAGE = 50;

/** Hands one GHL contact to its contact object, which plans (and, unless a dry run, queues) what it sends the partner. */
export type BackfillContact = (
  contact: GhlContact,
  connectionId: string,
  opts: BackfillOptions & { dryRun: boolean },
) => Promise<ContactBackfillResult>;

/** One page of work; mutates and returns `p`. Errors are handled by `stepOrFail`. */
export async function backfillStep(
  deps: LocationSyncDeps,
  p: BackfillProgress,
  backfillContact: BackfillContact,
): Promise<BackfillProgress> {
  const connection = (await deps.connections.get()).find((c) => c.id === p.connectionId);
  const connector = connection && connectorFor(connection.kind);
  if (!connection || !connector) return finish(p, 'failed', 'The connection was deleted or paused.');
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
      const result = await backfillContact(contact, p.connectionId, { dryRun: p.dryRun, history: p.history });
      mergeCounts(p.toPartner, result.counts);
      addTotals(p, result.counts);
      for (const [reason, n] of Object.entries(result.reasons))
        p.reasons[reason] = (p.reasons[reason] ?? 0) + n;
      p.processed++;
    }
    const last = res.contacts[res.contacts.length - 1] as { searchAfter?: (string | number)[] } | undefined;
    if (res.contacts.length < PAGE || !last?.searchAfter)
      p.phase = connector.capabilities.reconcile ? 'partner' : 'done';
    else p.searchAfter = last.searchAfter;
  } else if (p.phase === 'partner') {
    let page;
    try {
      page = await connector.listChangedSince(connection, p.partnerCursor);
    } catch (err) {
      // An optional read-back the connection was not given (your app without an API base URL).
      if (!(err instanceof PartnerApiError && err.code === 'not_configured')) throw err;
      p.notes.push(`Changes made in ${connector.label} were not read: ${err.message}`);
      p.phase = 'done';
      return finish(p, 'done', null);
    }
    p.partnerChanges += page.changes.length;
    // Preview and run count the partner's changes the same way, after the connection's delete policy.
    const changes = applyDeletePolicy(
      p.dryRun ? null : deps.sql,
      connection,
      connector.label,
      page.changes,
      'backfill',
    );
    const { settings } = await loadSettings(deps.env.DB, deps.locationId);
    for (const change of changes) countPartner(deps, p, change, settings.scope);
    if (!p.dryRun) acceptPartner(deps.sql, connection.id, changes, 'backfill');
    p.partnerCursor = page.cursor;
    if (!page.hasMore) p.phase = 'done';
  }
  return p.phase === 'done' ? finish(p, 'done', null) : p;
}

/** A failure that retrying cannot fix: the backfill ends with it. */
function isFinal(err: unknown): boolean {
  if (err instanceof PartnerApiError) return !err.retryable;
  if (err instanceof GhlError)
    return err.kind === 'reconnect_needed' || err.status === 401 || err.status === 403;
  return false;
}

/** Runs one step; a failure is retried with backoff, and ends the backfill when final or repeated. */
export async function stepOrFail(
  deps: LocationSyncDeps,
  p: BackfillProgress,
  backfillContact: BackfillContact,
  now = Date.now(),
): Promise<BackfillProgress> {
  if (p.state !== 'running' || (p.retryAt !== null && p.retryAt > now)) return p;
  try {
    await backfillStep(deps, p, backfillContact);
    p.failures = 0;
    p.retryAt = null;
    if (p.state === 'running') p.error = null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return stepFailed(p, message, isFinal(err), now);
  }
  return p;
}

/** A partner change for GHL, counted against the location's contact index and the sync scope. */
function countPartner(
  deps: LocationSyncDeps,
  p: BackfillProgress,
  change: PartnerChange,
  scope: SyncScope | undefined,
) {
  const match = matchLocally(deps.sql, p.connectionId, change);
  // The sync scope, as the run applies it (scope.ts): a contact outside it is not written, and
  // a new person is not created where the scope cannot be given to them.
  const known = match && scope && knownContact(deps.sql, deps.locationId, match.contactId);
  const outside = known ? partnerChangeOutOfScope(scope, scopeFactsOf(known)) : null;
  const blocked = match || change.op === 'delete' ? null : newContactInScope(scope, Date.now()).blocked;
  countPartnerChange(
    p,
    change,
    match && { differs: change.kind === 'contact' && differs(deps, match.contactId, change) },
    outside ?? blocked,
  );
}

/** Both sides hold the person with different field values: the conflict policy will decide. */
function differs(deps: LocationSyncDeps, contactId: string, change: PartnerChange): boolean {
  const row = deps.sql
    .exec<{ body: string }>('SELECT body FROM contacts WHERE id = ?', contactId)
    .toArray()[0];
  if (!row) return false;
  return personDiffers(JSON.parse(row.body) as Record<string, unknown>, change);
}
