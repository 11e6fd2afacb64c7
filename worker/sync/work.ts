/**
 * A contact's sync work and the ID map of its objects, as plain data: what the queue in the
 * contact object's SQLite stores (durable/contact/sync/queue.ts) and the engine's pure rules read.
 */
import type { SyncRecord } from './field-record.ts';

export type WorkState = 'queued' | 'running' | 'retry' | 'done' | 'skipped' | 'conflict' | 'failed' | 'dead';
export type WorkDirection = 'to_partner' | 'to_ghl';

export interface WorkInput {
  /** Dedupe key of the trigger (webhookId, partner delivery id); a second enqueue is a no-op. */
  idemKey: string;
  /** Items with the same coalesce key merge while waiting (direction, connection, object). */
  coalesceKey: string;
  direction: WorkDirection;
  connectionId: string;
  kind: string;
  op: string;
  ghlId?: string | null;
  partnerId?: string | null;
  trigger: string;
  payload: unknown;
  /** epoch ms of the change at its source */
  changedAt?: number;
  /** epoch ms before which the item must not run (default: at once) */
  dueAt?: number;
  /**
   * The waiting item's payload once this input is folded into it, whichever of the two changes
   * is newer (default: this payload if it is newer, else the waiting one unchanged). Not stored.
   */
  fold?: (waiting: { payload: unknown; changedAt: number | null }) => unknown;
}

export interface WorkItem extends Omit<WorkInput, 'fold'> {
  id: number;
  state: WorkState;
  attempts: number;
  nextAttemptAt: number;
  error: string | null;
  logId: number | null;
  createdAt: number;
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
