/**
 * A contact's sync work and the ID map of its objects, as plain data: what the queue in the
 * contact object's SQLite stores (durable/contact/sync/queue.ts) and the engine's pure rules read.
 */
import type { PartnerChange } from '../connectors/types.ts';
import type { SyncRecord } from './field-record.ts';
import type { GhlPayload } from './ghl-events.ts';
import type { HeldReport } from './item-reports.ts';

export type WorkState = 'queued' | 'running' | 'retry' | 'done' | 'skipped' | 'conflict' | 'failed' | 'dead';
export type WorkDirection = 'to_partner' | 'to_ghl';

/** The fields every item has, whatever it carries. */
interface WorkFields {
  /** Dedupe key of the trigger (webhookId, partner delivery id); a second enqueue is a no-op. */
  idemKey: string;
  /** Items with the same coalesce key merge while waiting (direction, connection, object). */
  coalesceKey: string;
  connectionId: string;
  kind: string;
  op: string;
  ghlId?: string | null;
  partnerId?: string | null;
  trigger: string;
  /** epoch ms of the change at its source */
  changedAt?: number;
  /** epoch ms before which the item must not run (default: at once) */
  dueAt?: number;
}

/** A GHL change for a partner: its newest content, each report with its own time (item-reports.ts). */
export type GhlWork = GhlPayload & { reports?: HeldReport[] };
/** A partner change for GHL, as the connector parsed it, with each report's own time. */
export type PartnerWork = PartnerChange & { reports?: HeldReport[] };

export type RestoreReason = 'reassert' | 'verify';
export const RESTORE_TRIGGERS: readonly string[] = ['reassert', 'verify'] satisfies RestoreReason[];

/** A write of what both sides agreed on last, to one side again (durable/contact/sync/restore.ts). */
export interface RestorePayload {
  type: 'restore';
  reason: RestoreReason;
  /** Only these tags (a tag item); all known tags when absent. */
  tags?: string[];
  /** verify: print of the timed-out content; equal to what the partner should hold, no write is needed. */
  uncertainFp?: string;
}

/** What an item carries, told by `type`: each branch has its own direction and payload. */
export type Work =
  | { type: 'ghl_change'; direction: 'to_partner'; payload: GhlWork }
  | { type: 'partner_change'; direction: 'to_ghl'; payload: PartnerWork }
  | { type: 'restore'; direction: WorkDirection; payload: RestorePayload };

/**
 * The waiting item's payload once a new change is folded into it, whichever of the two is newer
 * (without one: the new payload if it is newer, else the waiting one unchanged). Not stored.
 */
export type Fold<P> = (waiting: { payload: P; changedAt: number | null }) => P;

type WithFold<W> = W extends { payload: infer P } ? W & { fold?: Fold<P> } : never;

export type WorkInput = WorkFields & WithFold<Work>;

export type WorkItem = WorkFields &
  Work & {
    id: number;
    state: WorkState;
    attempts: number;
    nextAttemptAt: number;
    error: string | null;
    logId: number | null;
    createdAt: number;
  };

export type GhlChangeItem = Extract<WorkItem, { type: 'ghl_change' }>;
export type PartnerChangeItem = Extract<WorkItem, { type: 'partner_change' }>;
export type RestoreItem = Extract<WorkItem, { type: 'restore' }>;

/**
 * What a stored item carries. The payload is stored as it always was (the `type` is not a
 * column): a restore says so in its payload, or (rows from before it did) by its trigger; any
 * other item is a change from the side its direction leaves.
 */
export function workOf(direction: WorkDirection, trigger: string, payload: unknown): Work {
  const held = (payload ?? {}) as Partial<RestorePayload>;
  if (held.type === 'restore' || RESTORE_TRIGGERS.includes(trigger)) {
    const reason = held.reason ?? (trigger === 'verify' ? 'verify' : 'reassert');
    return { type: 'restore', direction, payload: { ...held, type: 'restore', reason } };
  }
  return direction === 'to_partner'
    ? { type: 'ghl_change', direction, payload: held as GhlWork }
    : { type: 'partner_change', direction, payload: held as PartnerWork };
}

/** The error of an item cut off mid-attempt by a restart: its call may still have landed. */
export const INTERRUPTED = 'interrupted by a restart';

export interface Link {
  kind: string;
  connectionId: string;
  ghlId: string;
  partnerId: string | null;
  /** print of the object as GHL holds it after the last sync (ghl-model.ts ghlPrint) */
  ghlFp: string | null;
  /** print of the object as the partner holds it after the last sync (connector.fingerprint) */
  partnerFp: string | null;
  /** extra synced state where a diff is needed (the tag set) */
  state: unknown;
  syncedAt: number | null;
  /** when the change last synced was made at its source (epoch ms): older changes are stale */
  sourceAt: number | null;
  /** when we last wrote this object to the partner (epoch ms) */
  partnerWriteAt: number | null;
  /** when we last wrote this object to GHL (epoch ms) */
  ghlWriteAt: number | null;
  /** the content both sides should hold after the last sync (common model), to write it again */
  data: unknown;
  /** prints of our last few writes to GHL / to the partner, newest last */
  ghlWritten: string[];
  partnerWritten: string[];
  /** the object's record, field by field (field-record.ts); absent before the first sync with one */
  fields?: SyncRecord;
  /** A tombstone: the object was deleted; kept so late, older changes about it stay stale. */
  deleted?: boolean;
}

export type LinkInput = Omit<
  Link,
  | 'syncedAt'
  | 'sourceAt'
  | 'partnerWriteAt'
  | 'ghlWriteAt'
  | 'data'
  | 'deleted'
  | 'ghlWritten'
  | 'partnerWritten'
  | 'fields'
> & {
  sourceAt?: number | null;
  partnerWriteAt?: number | null;
  ghlWriteAt?: number | null;
  data?: unknown;
  /** left out: the stored record is kept */
  fields?: SyncRecord;
};

/**
 * Whether a new change folds into the item waiting for the same object (not yet tried: a tried
 * item's retry repeats what it sent), and what the waiting item then becomes. Null: it queues
 * on its own.
 */
export function foldInto(
  waiting: { op: string; changedAt: number | null },
  input: Pick<WorkInput, 'kind' | 'direction' | 'op' | 'changedAt' | 'fold'>,
): { rewrite: boolean; changedAt: number | null } | null {
  // A partner's tag change adds or removes single tags: folded into another, it would be lost.
  const foldable = !(input.kind === 'tag' && input.direction === 'to_ghl');
  if (!foldable || waiting.op !== input.op) return null;
  // Deliveries come out of order: a change older than the waiting one must not replace it.
  const newer =
    input.changedAt === undefined || waiting.changedAt === null || input.changedAt >= waiting.changedAt;
  // A fold may learn something even from an older change (see WorkInput.fold).
  return { rewrite: newer || !!input.fold, changedAt: newer ? (input.changedAt ?? null) : waiting.changedAt };
}
