import type { WebhookInbox } from './inbox.ts';

/** What the agency console shows of one sub-account's sync. */
export interface AdminSummary {
  /** Sync work waiting: stored events not yet handed on, plus work queued or retrying. */
  backlog: number;
  /** Sync work that failed for good since `since`. */
  failures: number;
  lastFailureAt: number | null;
}

/** Read from the location's inbox and sync log (one row per unit of work, sync-log/write.ts). */
export function adminSummary(sql: SqlStorage, inbox: WebhookInbox, since: number): AdminSummary {
  const queued = sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM sync_log WHERE status IN ('queued', 'retrying')")
    .one().n;
  const failed = sql
    .exec<{ n: number; last: number | null }>(
      "SELECT COUNT(*) AS n, MAX(updated_at) AS last FROM sync_log WHERE status = 'failed' AND updated_at >= ?",
      since,
    )
    .one();
  return { backlog: inbox.backlog() + queued, failures: failed.n, lastFailureAt: failed.last };
}
