/** Read side of the location's sync log (`sync_log` table in the location object's SQLite). */
import { quietSql } from './noise.ts';

/** One unit of sync work as the panel shows it. */
export interface SyncLogEntry {
  id: number;
  at: string;
  updatedAt: string;
  trigger: string;
  action: string;
  objectKind: string;
  objectId: string | null;
  contactId: string | null;
  connectionId: string | null;
  status: string;
  attempts: number;
  error: string | null;
  /** JSON text as the sync engine stored it (parsed by the panel route). */
  detail: string | null;
  /** What the row is about ("Consultation"), when known. */
  subject: string | null;
  /** The contact's name (or email) from the location's contact index, when known. */
  contactName: string | null;
  /** An echo of our own write or a change that changed nothing (hidden unless asked for). */
  quiet: boolean;
  /** JSON text: the GHL and partner requests of each kept try (tries.ts). */
  requests: string | null;
  /** JSON text: what the write changed, field by field (diff.ts). */
  diff: string | null;
  /** Failed sync work that `POST /api/sync-log/:id/replay` takes (not a recipe's partner write). */
  replayable: boolean;
}

export interface SyncLogFilter {
  status?: string;
  contactId?: string;
  /** Only entries older than this id (paging, newest first). */
  beforeId?: number;
  limit: number;
  /** Leave out echoes of our own writes and no-op skips (noise.ts); the panel does unless asked. */
  hideQuiet?: boolean;
}

/** What `LocationDO.replaySyncLog` answers; the sync engine owns the replay itself. */
export type ReplayResult =
  | { ok: true; entry: SyncLogEntry }
  | { ok: false; code: 'not_found' | 'pruned' | 'not_replayable' | 'replay_unavailable'; message: string };

/** Work keys of recipes' writes at partner apps: never sync work, so never replayed. */
export const AUTOMATION_WORK_PREFIX = 'automation:';

/** Entries in these states can be sent again; anything else is done or still on its way. */
export const REPLAYABLE_STATUSES: ReadonlySet<string> = new Set(['failed', 'dead']);

type Row = {
  id: number;
  at: number;
  updated_at: number;
  trigger: string;
  action: string;
  object_kind: string;
  object_id: string | null;
  contact_id: string | null;
  connection_id: string | null;
  status: string;
  attempts: number;
  error: string | null;
  detail: string | null;
  subject: string | null;
  contact_name: string | null;
  quiet: number;
  requests: string | null;
  diff: string | null;
  replayable: number;
};

const toEntry = (r: Row): SyncLogEntry => ({
  id: r.id,
  at: new Date(r.at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  trigger: r.trigger,
  action: r.action,
  objectKind: r.object_kind,
  objectId: r.object_id,
  contactId: r.contact_id,
  connectionId: r.connection_id,
  status: r.status,
  attempts: r.attempts,
  error: r.error,
  detail: r.detail,
  subject: r.subject,
  contactName: r.contact_name,
  quiet: r.quiet === 1,
  requests: r.requests,
  diff: r.diff,
  replayable: r.replayable === 1,
});

const QUIET = quietSql();
/** The contact's name as written with the row, else from the contact index (pruned entries give null). */
const CONTACT_NAME = `COALESCE(sync_log.contact_name, (SELECT COALESCE(
    NULLIF(TRIM(COALESCE(json_extract(c.body, '$.firstName'), '') || ' ' || COALESCE(json_extract(c.body, '$.lastName'), '')), ''),
    json_extract(c.body, '$.contactName'), json_extract(c.body, '$.email'), json_extract(c.body, '$.phone'))
  FROM contacts c WHERE c.id = sync_log.contact_id))`;
const COLUMNS = `id, at, updated_at, trigger, action, object_kind, object_id, contact_id, connection_id, status, attempts, error, detail, subject, requests, diff,
  ${CONTACT_NAME} AS contact_name, ${QUIET.sql} AS quiet,
  (status IN (${[...REPLAYABLE_STATUSES].map((s) => `'${s}'`).join(', ')}) AND work_key IS NOT NULL AND substr(work_key, 1, ${AUTOMATION_WORK_PREFIX.length}) <> '${AUTOMATION_WORK_PREFIX}') AS replayable`;

/** Newest first; `nextBeforeId` is set when there are older entries. */
export function listSyncLog(
  sql: SqlStorage,
  filter: SyncLogFilter,
): { entries: SyncLogEntry[]; nextBeforeId: number | null } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.status) {
    where.push('status = ?');
    args.push(filter.status);
  }
  if (filter.contactId) {
    where.push('contact_id = ?');
    args.push(filter.contactId);
  }
  if (filter.beforeId !== undefined) {
    where.push('id < ?');
    args.push(filter.beforeId);
  }
  if (filter.hideQuiet) {
    where.push(`NOT ${QUIET.sql}`);
    args.push(...QUIET.args);
  }
  const rows = sql
    .exec<Row>(
      `SELECT ${COLUMNS} FROM sync_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      ...QUIET.args,
      ...args,
      filter.limit + 1,
    )
    .toArray();
  const more = rows.length > filter.limit;
  const entries = rows.slice(0, filter.limit).map(toEntry);
  return { entries, nextBeforeId: more ? entries.at(-1)!.id : null };
}

/** One entry, or null. */
export function getSyncLogEntry(sql: SqlStorage, id: number): SyncLogEntry | null {
  const row = sql.exec<Row>(`SELECT ${COLUMNS} FROM sync_log WHERE id = ?`, ...QUIET.args, id).toArray()[0];
  return row ? toEntry(row) : null;
}
