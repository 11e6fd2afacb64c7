/**
 * A backfill's progress as plain data: what it counted so far, which phase it is in, how it
 * ends. The location's object runs the steps (durable/location/backfill-step.ts) and stores it.
 */
import type { PartnerChange, SyncKind } from '../connectors/types.ts';
import { emptyCounts, type ActionCounts, type KindCounts, type PlanAction } from './backfill-plan.ts';

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

/** Steps failed in a row before a backfill gives up. */
export const MAX_STEP_FAILURES = 6;

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

/** The counts a page of one contact's plan adds to the totals. */
export function addTotals(p: BackfillProgress, counts: KindCounts) {
  for (const c of Object.values(counts))
    for (const [action, n] of Object.entries(c)) p.counts[TOTAL_OF[action as PlanAction]] += n;
}

/**
 * A partner change for GHL: unknown person is a create, known person with other data an update
 * (and a conflict the policy will decide). `matched`: the person as the location knows them;
 * `skipped`: why the sync scope keeps the change out of GHL.
 */
export function countPartnerChange(
  p: BackfillProgress,
  change: PartnerChange,
  matched: { differs: boolean } | undefined,
  skipped: string | null = null,
) {
  const tally = (action: PlanAction | 'delete') => {
    const c = (p.toGhl[change.kind] ??= { ...emptyCounts(), delete: 0 });
    c[action]++;
    p.counts[TOTAL_OF[action]]++;
  };
  if (skipped) {
    p.reasons[skipped] = (p.reasons[skipped] ?? 0) + 1;
    return tally('skipped');
  }
  if (change.op === 'delete') return tally('delete');
  if (!matched) return tally('create');
  if (change.kind !== 'contact') return tally('update');
  if (!matched.differs) return tally('unchanged');
  p.counts.conflicts++;
  tally('update');
}

/** Both sides hold the person with different field values: the conflict policy will decide. */
export function personDiffers(ghl: Record<string, unknown>, change: PartnerChange): boolean {
  const data = (change.data ?? {}) as Record<string, unknown>;
  return ['firstName', 'lastName', 'phone', 'companyName'].some(
    (f) =>
      typeof data[f] === 'string' &&
      typeof ghl[f] === 'string' &&
      String(data[f]).trim() !== String(ghl[f]).trim(),
  );
}

/** A failed step: the backfill ends when retrying cannot help or it failed too often in a row, else backs off. */
export function stepFailed(
  p: BackfillProgress,
  message: string,
  final: boolean,
  now: number,
): BackfillProgress {
  p.failures++;
  if (final) return finish(p, 'failed', message);
  if (p.failures >= MAX_STEP_FAILURES)
    return finish(p, 'failed', `Gave up after ${p.failures} failed tries: ${message}`);
  p.error = message;
  p.retryAt = now + Math.min(60_000, 1000 * 2 ** p.failures);
  return p;
}

/** Stops a running backfill; what it already queued still syncs. */
export function cancel(p: BackfillProgress): BackfillProgress {
  if (p.state !== 'running') return p;
  return finish(p, 'cancelled', null);
}

export function finish(
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
