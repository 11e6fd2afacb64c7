/**
 * The contact engine's decisions about its work items, as functions of plain data: whether a
 * kind flows, how a report folds into a waiting item, which of two whole-object rivals wins,
 * what a failed attempt leads to, the restores an item asks for, and the sync log rows of all
 * of it. The contact object runs them with its queue and calls (durable/contact/sync/).
 */
import type { OutboundOp, SyncKind } from '../connectors/types.ts';
import type { SyncLogInput, SyncStatus } from '../sync-log/entry.ts';
import { SETTINGS_KEY, type EngineSettings } from './engine-types.ts';
import type { FieldConflict } from './field-record.ts';
import type { GhlChange } from './ghl-events.ts';
import { ghlPrint } from './ghl-model.ts';
import { withReport, type HeldReport } from './item-reports.ts';
import {
  allowsFlow,
  MAX_ATTEMPTS,
  resolveConflict,
  retryDelayMs,
  type ConflictPolicy,
  type Side,
} from './policy.ts';
import type { Fold, RestorePayload, RestoreReason, WorkDirection, WorkInput, WorkItem } from './work.ts';

/**
 * How long after a timed-out partner write it may still land: our 15 s timeout plus what a
 * server commonly gives a request (30 s) before it gives up itself.
 */
export const LATE_WRITE_MS = 30_000;

/** How often work for a connection that needs a reconnect looks again. */
export const RECONNECT_RECHECK_MS = 10 * 60_000;

/** The side an item's change comes from. */
export const sourceOf = (item: Pick<WorkItem, 'direction'>): Side =>
  item.direction === 'to_partner' ? 'ghl' : 'partner';

/** Why a kind does not flow from `from` right now, or null when it does. */
export function flowBlocked(settings: EngineSettings, kind: SyncKind, from: Side): string | null {
  const k = settings.kinds[SETTINGS_KEY[kind]];
  if (!k?.enabled) return `${SETTINGS_KEY[kind]} sync is switched off for this location`;
  if (!allowsFlow(k.direction, from))
    return `${SETTINGS_KEY[kind]} sync runs ${k.direction.replace(/_/g, ' ')} only`;
  return null;
}

/** A partner write (not a delete, not a check) whose answer is lost may still be applied later. */
export function mayLandLate(item: WorkItem): boolean {
  return (
    item.direction === 'to_partner' &&
    item.op !== 'delete' &&
    !(item.type === 'restore' && item.payload.reason === 'verify')
  );
}

/**
 * Folds a report into a waiting item of the same object: the newest content is what the item
 * shows, and each report is kept with its own time (item-reports.ts), so the record learns when
 * each field changed. `at` is null for a report with no usable time.
 */
export function foldReport<P extends { data?: unknown; reports?: HeldReport[] }>(
  payload: P,
  changedAt: number | undefined,
  at: number | null,
  inner?: Fold<P>,
): Fold<P> {
  return (waiting) => {
    // A row from before payloads were always objects may hold null.
    const held = waiting.payload as P | null;
    const newer = changedAt === undefined || waiting.changedAt === null || changedAt >= waiting.changedAt;
    const folded = (inner ? inner(waiting) : newer ? payload : held) as P;
    const reports = withReport(held?.reports ?? [{ at: waiting.changedAt, data: held?.data }], {
      at,
      data: payload.data,
    });
    return { ...folded, reports };
  };
}

/**
 * Our own write coming back waits on its own: folded into a waiting change, it would replace
 * that change (made before our write landed) with what we wrote, and the change would be lost.
 */
export function apart(coalesceKey: string, echo: boolean, id: string): string {
  return echo ? `${coalesceKey}:echo:${id}` : coalesceKey;
}

/** The connector operation a GHL change needs (what the connector's capabilities are asked for). */
export function outboundOp(change: GhlChange): OutboundOp {
  if (change.kind === 'tag') return 'tag_add';
  return change.op === 'delete' ? 'delete' : 'update';
}

/**
 * A delete and a change waiting on the other side conflict as wholes: decided against the
 * newest rival (beating it beats them all; losing to it leaves them to run in turn).
 */
export function settleRivals(policy: ConflictPolicy, item: WorkItem, rivals: WorkItem[]) {
  const from = sourceOf(item);
  const rival = rivals.reduce((a, b) => ((b.changedAt ?? 0) > (a.changedAt ?? 0) ? b : a));
  const winner = resolveConflict(
    policy,
    { side: from, changedAt: item.changedAt },
    { side: from === 'ghl' ? 'partner' : 'ghl', changedAt: rival.changedAt },
  );
  return {
    winner,
    itemWins: winner === from,
    losers: winner === from ? rivals : [item],
    /** The losers' error in the queue, and in the sync log. */
    error: `both sides changed; ${winner} wins (${policy})`,
    logged: `both sides changed; ${winner === 'ghl' ? 'GHL' : 'the partner'} wins (${policy})`,
    detail: {
      policy,
      winner,
      ghl: from === 'ghl' ? item.payload : rival.payload,
      partner: from === 'ghl' ? rival.payload : item.payload,
    },
  };
}

/** What a failed attempt is, as the contact object classified the error. */
export interface Failure {
  message: string;
  /** The connection needs a reconnect: the item waits, its attempt not counted. */
  reconnect: boolean;
  retryable: boolean;
  /** The partner asked us to wait at least this long. */
  retryAfterMs?: number;
}

export type AfterFailure =
  | { step: 'park'; at: number; status: 'retrying'; note: string }
  | { step: 'retry'; at: number; attempts: number; status: 'retrying'; note: string }
  | { step: 'finish'; state: 'dead' | 'failed'; attempts: number; status: 'failed'; note: string };

/** Retried with full-jitter backoff up to MAX_ATTEMPTS; then `dead`, or `failed` at once when retrying cannot help. */
export function afterFailure(item: WorkItem, failure: Failure, now: number): AfterFailure {
  const { message } = failure;
  if (failure.reconnect)
    return { step: 'park', at: now + RECONNECT_RECHECK_MS, status: 'retrying', note: message };
  const attempts = item.attempts + 1;
  if (failure.retryable && attempts < MAX_ATTEMPTS) {
    const wait = Math.max(retryDelayMs(attempts), failure.retryAfterMs ?? 0);
    return { step: 'retry', at: now + wait, attempts, status: 'retrying', note: message };
  }
  return {
    step: 'finish',
    state: failure.retryable ? 'dead' : 'failed',
    attempts,
    status: 'failed',
    note: failure.retryable ? `gave up after ${attempts} attempts: ${message}` : message,
  };
}

/** A write of what won back to a side that may hold an older value (restore.ts). */
export function restoreWork(
  item: WorkItem,
  reason: RestoreReason,
  direction: WorkDirection,
  ghlId: string,
  what: Omit<RestorePayload, 'type' | 'reason'>,
  dueAt?: number,
): WorkInput {
  return {
    type: 'restore',
    idemKey: `${reason}:${direction}:${item.id}:${item.attempts}`,
    coalesceKey: `${reason}:${direction}:${item.connectionId}:${item.kind}:${ghlId}:${item.id}`,
    direction,
    connectionId: item.connectionId,
    kind: item.kind,
    op: 'upsert',
    ghlId,
    partnerId: null,
    trigger: reason,
    payload: { type: 'restore', reason, ...what },
    changedAt: item.changedAt,
    dueAt,
  };
}

/** A check of the partner once a write of this item that may have landed late would have (restore.ts). */
export function verifyWork(item: WorkItem, contactId: string, now: number): WorkInput | null {
  if (!item.ghlId) return null;
  const data = item.type === 'ghl_change' ? item.payload.data : undefined;
  const check = item.kind === 'tag' ? {} : { uncertainFp: ghlPrint(item.kind, data) };
  const ghlId = item.kind === 'tag' ? contactId : item.ghlId;
  return restoreWork(item, 'verify', 'to_partner', ghlId, check, now + LATE_WRITE_MS);
}

/** What a step that ran reports (durable/contact/sync/to-partner.ts `StepOutcome`), as the rules read it. */
export interface RanOutcome {
  objectId?: string | null;
  reassert?: { to: 'ghl' | 'partner'; tags?: string[] };
  conflicts?: FieldConflict[];
}

/** The write back an outcome asks for; a restore never asks for another (two sides handing a value back and forth). */
export function reassertWork(item: WorkItem, outcome: RanOutcome, contactId: string): WorkInput | null {
  if (!outcome.reassert || item.type === 'restore') return null;
  const ghlId =
    item.kind === 'tag' ? contactId : item.direction === 'to_partner' ? item.ghlId : outcome.objectId;
  if (!ghlId) return null;
  const direction = outcome.reassert.to === 'ghl' ? 'to_ghl' : 'to_partner';
  return restoreWork(item, 'reassert', direction, ghlId, { tags: outcome.reassert.tags });
}

/** The sync log row of an item. */
export function itemLogRow(
  workKey: string,
  contactId: string,
  item: WorkItem,
  status: SyncStatus,
  action: string,
  error: string | null = null,
  detail?: unknown,
  objectId?: string | null,
): SyncLogInput {
  return {
    workKey,
    trigger: item.trigger,
    action,
    objectKind: item.kind,
    objectId: objectId ?? (item.direction === 'to_partner' ? item.ghlId : item.partnerId) ?? null,
    contactId,
    connectionId: item.connectionId,
    status,
    attempts: item.attempts,
    error,
    detail,
  };
}

/** Fields both sides changed, settled by the policy field by field: one conflict row in the sync log. */
export function fieldConflictsRow(
  item: WorkItem,
  outcome: RanOutcome,
  policy: string,
  contactId: string,
): SyncLogInput {
  const conflicts = outcome.conflicts ?? [];
  const winners = [...new Set(conflicts.map((c) => c.winner))];
  const pick = (side: 'ghl' | 'partner') => Object.fromEntries(conflicts.map((c) => [c.field, c[side]]));
  const says = conflicts.map((c) => `${c.field}: ${c.winner === 'ghl' ? 'GHL' : 'the partner'}`).join(', ');
  return {
    trigger: item.trigger,
    action: `${item.op} ${item.kind}`,
    objectKind: item.kind,
    objectId: outcome.objectId ?? (item.direction === 'to_partner' ? item.ghlId : item.partnerId) ?? null,
    contactId,
    connectionId: item.connectionId,
    status: 'conflict',
    attempts: item.attempts + 1,
    error: `both sides changed ${conflicts.map((c) => c.field).join(', ')}; kept ${says} (${policy})`,
    detail: {
      policy,
      winner: winners.length === 1 ? winners[0] : 'by field',
      ghl: pick('ghl'),
      partner: pick('partner'),
      fields: conflicts,
    },
  };
}
