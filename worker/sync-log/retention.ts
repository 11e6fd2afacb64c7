/**
 * How long the location's sync log keeps its rows, and the bounded pruning that keeps it there.
 *
 * - A row goes 30 days after its last change (`updated_at`), whatever its status: a failure waits
 *   that long for someone to replay it, counted from when it last failed.
 * - At most 20,000 rows per location. Past that, the oldest rows that are settled (done, skipped,
 *   conflict) go first; failures waiting for a person and work still in flight (queued, retrying)
 *   are kept for their full window.
 * - Those kept rows may take the log up to 25,000 rows; only past that (a sub-account failing
 *   thousands of syncs a day) do the oldest rows go whatever they are, so storage stays bounded.
 *
 * Why 20,000: a busy sub-account syncs a few hundred changes a day, so 30 days fit in it; a large
 * backfill (one row per object) is what reaches the cap, and it pushes out old successes, not
 * failures. A row is typically 1–4 KB and never more than 90 KB (bounds.ts), so the log stays within
 * tens of MB, and even at worst (25,000 rows of 90 KB, about 2.2 GB) inside a Durable Object's
 * storage. The panel pages by id, newest first, which costs the same at the cap.
 *
 * Each call deletes at most `batch` rows per rule, so no request or alarm does unbounded work.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SyncLogLimits {
  /** Rows not changed for this long go. */
  maxAgeMs: number;
  /** Rows kept at most, settled ones dropped first. */
  maxRows: number;
  /** Past this, the oldest rows go whatever their status. */
  hardMaxRows: number;
}

export const SYNC_LOG_LIMITS: SyncLogLimits = {
  maxAgeMs: 30 * DAY_MS,
  maxRows: 20_000,
  hardMaxRows: 25_000,
};

/**
 * Every write of a row whose id is a multiple of PRUNE_EVERY_ROWS prunes up to WRITE_BATCH rows
 * per rule, more than those rows add, so a burst (a backfill) stays at the bounds between two
 * alarms whoever writes the rows. Ids are never reused, so this needs no counter.
 */
export const PRUNE_EVERY_ROWS = 50;
const WRITE_BATCH = 100;

/** Rows the count cap leaves alone: a person may still replay them, or the work is not done yet. */
export const KEPT_BY_CAP: readonly string[] = ['failed', 'dead', 'queued', 'retrying'];

export interface PruneResult {
  deleted: number;
  /** A rule hit its batch: more rows are due to go. */
  more: boolean;
}

/** Deletes up to `batch` rows per rule (age, count, hard count), oldest first. */
export function pruneSyncLog(
  sql: SqlStorage,
  now: number,
  batch: number,
  limits: SyncLogLimits = SYNC_LOG_LIMITS,
): PruneResult {
  let deleted = 0;
  let more = false;
  const deleteUpTo = (due: number, query: string, ...args: (string | number)[]) => {
    const limit = Math.min(due, batch);
    if (limit <= 0) return;
    const n = sql.exec(`${query} RETURNING id`, ...args, limit).toArray().length;
    deleted += n;
    if (n === batch && due > batch) more = true;
  };
  // How many rows are past their age is not counted: a full batch means there may be more.
  deleteUpTo(
    batch + 1,
    'DELETE FROM sync_log WHERE id IN (SELECT id FROM sync_log WHERE updated_at < ? ORDER BY updated_at LIMIT ?)',
    now - limits.maxAgeMs,
  );
  const kept = KEPT_BY_CAP.map(() => '?').join(', ');
  deleteUpTo(
    rowCount(sql) - limits.maxRows,
    `DELETE FROM sync_log WHERE id IN (SELECT id FROM sync_log WHERE status NOT IN (${kept}) ORDER BY id LIMIT ?)`,
    ...KEPT_BY_CAP,
  );
  deleteUpTo(
    rowCount(sql) - limits.hardMaxRows,
    'DELETE FROM sync_log WHERE id IN (SELECT id FROM sync_log ORDER BY id LIMIT ?)',
  );
  return { deleted, more };
}

/** The pruning a write does: a small batch once every PRUNE_EVERY_ROWS new rows. */
export function pruneAfterWrite(sql: SqlStorage, id: number, now: number): void {
  if (id % PRUNE_EVERY_ROWS === 0) pruneSyncLog(sql, now, WRITE_BATCH);
}

const rowCount = (sql: SqlStorage) => sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM sync_log').one().n;

/**
 * Whether a missing row was pruned rather than never written: ids are never reused
 * (AUTOINCREMENT), and pruning is the only thing that deletes rows.
 */
export function wasPruned(sql: SqlStorage, id: number): boolean {
  const seq = sql
    .exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'sync_log'")
    .toArray()[0]?.seq;
  return seq !== undefined && id <= seq;
}
