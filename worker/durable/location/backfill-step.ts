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
import type { PartnerChange, SyncKind } from '../../connectors/types.ts';
import type { GhlContact } from '../../ghl/types.ts';
import { GhlError } from '../../ghl/errors.ts';
import type { ContactBackfillResult } from '../contact/sync/backfill-contact.ts';
import type { BackfillOptions } from '../../sync/backfill-plan.ts';
import { indexContact, matchLocally } from './matching.ts';
import { acceptPartner, applyDeletePolicy, type LocationSyncDeps } from './partner-intake.ts';
import {
  emptyCounts,
  mergeCounts,
  type ActionCounts,
  type KindCounts,
  type PlanAction,
} from '../../sync/backfill-plan.ts';

/** Totals over every kind and direction (the summary line). */
export interface BackfillCounts {
  creates: number;
  updates: number;
  matches: number;
  conflicts: number;
  skipped: number;
  deletes: number;
}

export type BackfillState = 'running' | 'done' | 'failed' | 'cancelled';

export interface BackfillProgress {
  connectionId: string;
  dryRun: boolean;
  /** Past appointments are booked at the partner too. */
  history: boolean;
  state: BackfillState;
  phase: 'ghl' | 'partner' | 'done';
  /** GHL contacts in the location (from the first search page). */
  total: number | null;
  processed: number;
  partnerChanges: number;
  /** What goes to the partner, per kind and action. */
  toPartner: KindCounts;
  /** What comes from the partner into GHL, per kind and action (`delete` too). */
  toGhl: Partial<Record<SyncKind, ActionCounts & { delete: number }>>;
  counts: BackfillCounts;
  /** Why changes were skipped, with how many. */
  reasons: Record<string, number>;
  /** Things the admin should know about this run (a phase skipped, and why). */
  notes: string[];
  startedAt: string;
  finishedAt: string | null;
  /** Why it failed, or the last error of a step that will be retried. */
  error: string | null;
  /** Steps failed in a row; reset by a step that works. */
  failures: number;
  /** epoch ms before which the next step does not run (backoff after a failure). */
  retryAt: number | null;
  searchAfter: (string | number)[] | null;
  partnerCursor: string | null;
}

const PAGE = 50;
/** Steps failed in a row before a backfill gives up. */
export const MAX_STEP_FAILURES = 6;

/** Hands one GHL contact to its contact object, which plans (and, unless a dry run, queues) what it sends the partner. */
export type BackfillContact = (
  contact: GhlContact,
  connectionId: string,
  opts: BackfillOptions & { dryRun: boolean },
) => Promise<ContactBackfillResult>;

export function newProgress(
  connectionId: string,
  dryRun: boolean,
  opts: { history?: boolean } = {},
  now = Date.now(),
): BackfillProgress {
  return {
    connectionId,
    dryRun,
    history: opts.history === true,
    state: 'running',
    phase: 'ghl',
    total: null,
    processed: 0,
    partnerChanges: 0,
    toPartner: {},
    toGhl: {},
    counts: { creates: 0, updates: 0, matches: 0, conflicts: 0, skipped: 0, deletes: 0 },
    reasons: {},
    notes: [],
    startedAt: new Date(now).toISOString(),
    finishedAt: null,
    error: null,
    failures: 0,
    retryAt: null,
    searchAfter: null,
    partnerCursor: null,
  };
}

const TOTAL_OF: Record<PlanAction | 'delete', keyof BackfillCounts> = {
  create: 'creates',
  update: 'updates',
  unchanged: 'matches',
  skipped: 'skipped',
  delete: 'deletes',
};

function addTotals(p: BackfillProgress, counts: KindCounts) {
  for (const c of Object.values(counts))
    for (const [action, n] of Object.entries(c)) p.counts[TOTAL_OF[action as PlanAction]] += n;
}

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
    for (const change of changes) countPartner(deps, p, change);
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
    p.failures++;
    if (isFinal(err)) return finish(p, 'failed', message);
    if (p.failures >= MAX_STEP_FAILURES)
      return finish(p, 'failed', `Gave up after ${p.failures} failed tries: ${message}`);
    p.error = message;
    p.retryAt = now + Math.min(60_000, 1000 * 2 ** p.failures);
  }
  return p;
}

/** Stops a running backfill; what it already queued still syncs. */
export function cancel(p: BackfillProgress): BackfillProgress {
  if (p.state !== 'running') return p;
  return finish(p, 'cancelled', null);
}

/** A partner change for GHL: unknown person is a create, known person with other data an update. */
function countPartner(deps: LocationSyncDeps, p: BackfillProgress, change: PartnerChange) {
  const tally = (action: PlanAction | 'delete') => {
    const c = (p.toGhl[change.kind] ??= { ...emptyCounts(), delete: 0 });
    c[action]++;
    p.counts[TOTAL_OF[action]]++;
  };
  if (change.op === 'delete') return tally('delete');
  const match = matchLocally(deps.sql, p.connectionId, change);
  if (!match) return tally('create');
  if (change.kind !== 'contact') return tally('update');
  if (!differs(deps, match.contactId, change)) return tally('unchanged');
  p.counts.conflicts++;
  tally('update');
}

/** Both sides hold the person with different field values: the conflict policy will decide. */
function differs(deps: LocationSyncDeps, contactId: string, change: PartnerChange): boolean {
  const row = deps.sql
    .exec<{ body: string }>('SELECT body FROM contacts WHERE id = ?', contactId)
    .toArray()[0];
  if (!row) return false;
  const ghl = JSON.parse(row.body) as Record<string, unknown>;
  const data = (change.data ?? {}) as Record<string, unknown>;
  return ['firstName', 'lastName', 'phone', 'companyName'].some(
    (f) =>
      typeof data[f] === 'string' &&
      typeof ghl[f] === 'string' &&
      String(data[f]).trim() !== String(ghl[f]).trim(),
  );
}

function finish(
  p: BackfillProgress,
  state: Exclude<BackfillState, 'running'>,
  error: string | null,
): BackfillProgress {
  p.state = state;
  p.phase = 'done';
  p.error = error;
  p.retryAt = null;
  p.finishedAt = new Date().toISOString();
  return p;
}

/** Why a connection cannot be backfilled as configured (refused at start), or null. */
export function backfillRefusal(kind: string, settings: { webhookUrl?: unknown }): string | null {
  if (kind === 'yourapp' && !settings.webhookUrl)
    return 'Set the webhook URL of your app first: a backfill sends every contact there.';
  return null;
}
