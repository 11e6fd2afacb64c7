/**
 * Write side of the location's sync log (`sync_log` in the location object's SQLite; the read
 * side is read.ts). One row per unit of work, updated as it moves on; skipped changes get one too.
 */
import {
  boundedDiff,
  clipped,
  clippedBytes,
  MAX_DETAIL_BYTES,
  MAX_ERROR_BYTES,
  MAX_NAME_CHARS,
} from './bounds.ts';
import type { SyncLogInput } from './entry.ts';
import { pruneAfterWrite } from './retention.ts';
import { withTry } from './tries.ts';

export type { SyncLogInput, SyncStatus } from './entry.ts';

/** Inserts or updates (by workKey) a log row, keeping the log within its bounds; returns its id. */
export function recordSyncLog(sql: SqlStorage, input: SyncLogInput, now = Date.now()): number {
  const id = writeRow(sql, input, now);
  pruneAfterWrite(sql, id, now);
  return id;
}

function writeRow(sql: SqlStorage, input: SyncLogInput, now: number): number {
  const e = bounded(input);
  const detail =
    e.detail === undefined ? null : clippedBytes(JSON.stringify(e.detail) ?? null, MAX_DETAIL_BYTES);
  if (e.workKey) {
    const requests = e.requests?.length ? triesWith(sql, e.workKey, e, now) : null;
    // "Queued" is written as the work is accepted, while the contact object may already be
    // running it: arriving after "done", it must not roll the row back (a replay may).
    const row = sql
      .exec<{ id: number }>(
        `INSERT INTO sync_log (at, updated_at, trigger, action, object_kind, object_id, contact_id, connection_id, status, attempts, error, detail, work_key, subject, contact_name, requests, diff)
         VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (work_key) DO UPDATE SET updated_at = ?1, trigger = ?2, action = ?3, object_id = COALESCE(?5, object_id),
           status = ?8, attempts = ?9, error = ?10, detail = COALESCE(?11, detail), subject = COALESCE(?13, subject), contact_name = COALESCE(?14, contact_name),
           requests = COALESCE(?15, requests), diff = COALESCE(?16, diff)
         WHERE NOT (?8 = 'queued' AND ?2 != 'replay' AND sync_log.status != 'queued')
         RETURNING id`,
        now,
        e.trigger,
        e.action,
        e.objectKind,
        e.objectId ?? null,
        e.contactId ?? null,
        e.connectionId ?? null,
        e.status,
        e.attempts ?? 0,
        e.error ?? null,
        detail,
        e.workKey,
        e.subject ?? null,
        e.contactName ?? null,
        requests,
        e.diff?.length ? JSON.stringify(e.diff) : null,
      )
      .toArray()[0];
    return (
      row?.id ?? sql.exec<{ id: number }>('SELECT id FROM sync_log WHERE work_key = ?', e.workKey).one().id
    );
  }
  return sql
    .exec<{ id: number }>(
      `INSERT INTO sync_log (at, updated_at, trigger, action, object_kind, object_id, contact_id, connection_id, status, attempts, error, detail, subject, contact_name)
       VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id`,
      now,
      e.trigger,
      e.action,
      e.objectKind,
      e.objectId ?? null,
      e.contactId ?? null,
      e.connectionId ?? null,
      e.status,
      e.attempts ?? 0,
      e.error ?? null,
      detail,
      e.subject ?? null,
      e.contactName ?? null,
    )
    .one().id;
}

/** The entry with its free text cut to what a row keeps (bounds.ts). */
function bounded(e: SyncLogInput): SyncLogInput {
  return {
    ...e,
    error: clippedBytes(e.error ?? null, MAX_ERROR_BYTES),
    contactName: e.contactName ? clipped(e.contactName, MAX_NAME_CHARS) : e.contactName,
    ...(e.diff ? { diff: boundedDiff(e.diff) } : {}),
  };
}

/** The row's kept tries with this one added (tries.ts). */
function triesWith(sql: SqlStorage, workKey: string, e: SyncLogInput, now: number): string {
  const stored = sql
    .exec<{ requests: string | null }>('SELECT requests FROM sync_log WHERE work_key = ?', workKey)
    .toArray()[0]?.requests;
  return withTry(stored ?? null, {
    attempt: e.attempts ?? 0,
    at: new Date(now).toISOString(),
    status: e.status,
    ...(e.error ? { error: e.error } : {}),
    requests: e.requests ?? [],
  });
}

/** Health of each connection from its log: last event, last error, backlog. */
export function connectionHealth(sql: SqlStorage) {
  return sql
    .exec<{
      connection_id: string;
      last_event_at: number | null;
      last_error: string | null;
      last_error_at: number | null;
      backlog: number;
      failed: number;
    }>(
      `SELECT connection_id,
              MAX(updated_at) AS last_event_at,
              (SELECT error FROM sync_log e WHERE e.connection_id = s.connection_id AND e.status IN ('failed', 'retrying') ORDER BY updated_at DESC LIMIT 1) AS last_error,
              (SELECT MAX(updated_at) FROM sync_log e WHERE e.connection_id = s.connection_id AND e.status IN ('failed', 'retrying')) AS last_error_at,
              SUM(CASE WHEN status IN ('queued', 'retrying') THEN 1 ELSE 0 END) AS backlog,
              SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
         FROM sync_log s WHERE connection_id IS NOT NULL GROUP BY connection_id`,
    )
    .toArray()
    .map((r) => ({
      connectionId: r.connection_id,
      lastEventAt: r.last_event_at,
      lastError: r.last_error,
      lastErrorAt: r.last_error_at,
      backlog: r.backlog,
      failed: r.failed,
    }));
}
