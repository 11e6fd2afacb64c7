import {
  AUTOMATION_WORK_PREFIX,
  getSyncLogEntry,
  listSyncLog,
  REPLAYABLE_STATUSES,
  type ReplayResult,
  type SyncLogEntry,
  type SyncLogFilter,
} from '../../sync-log/read.ts';
import { pruneSyncLog, SYNC_LOG_LIMITS, wasPruned } from '../../sync-log/retention.ts';
import { recordSyncLog, type SyncLogInput } from '../../sync-log/write.ts';
import { contactStub } from '../stubs.ts';
import type { Meta } from './meta.ts';

/** The alarm prunes what aged out while nothing was written: hourly, or at once while more is due. */
const ALARM_BATCH = 500;
const ALARM_PRUNE_EVERY_MS = 60 * 60 * 1000;

/** What a replay of a row the log no longer keeps answers (retention.ts). */
export const PRUNED_MESSAGE = `This sync log entry is no longer kept: the log keeps entries ${
  SYNC_LOG_LIMITS.maxAgeMs / 86_400_000
} days after their last change, and at most ${SYNC_LOG_LIMITS.maxRows.toLocaleString('en-US')} per sub-account.`;

/** The location's sync log (`sync_log`): written by contact objects, read and replayed by the panel. */
export class LocationSyncLog {
  private readonly env: Env;
  private readonly sql: SqlStorage;
  private readonly meta: Meta;

  constructor(env: Env, sql: SqlStorage, meta: Meta) {
    this.env = env;
    this.sql = sql;
    this.meta = meta;
  }

  /** Writes (or updates, by work key) a row; returns its id. */
  record(entry: SyncLogInput): number {
    return recordSyncLog(this.sql, entry);
  }

  /** The alarm's pruning; returns true when more rows are due to go (the alarm comes back soon). */
  prune(now: number): boolean {
    const last = Number(this.meta.get('sync_log_pruned_at') ?? 0);
    if (now - last < ALARM_PRUNE_EVERY_MS) return false;
    const { more } = pruneSyncLog(this.sql, now, ALARM_BATCH);
    // While more is due the next alarm prunes again; once done, not for an hour.
    if (!more) this.meta.set('sync_log_pruned_at', String(now));
    return more;
  }

  list(filter: SyncLogFilter): { entries: SyncLogEntry[]; nextBeforeId: number | null } {
    return listSyncLog(this.sql, filter);
  }

  get(id: number): SyncLogEntry | null {
    return getSyncLogEntry(this.sql, id);
  }

  /** Sends the work behind a failed entry through its contact's queue again. */
  async replay(locationId: string, id: number): Promise<ReplayResult> {
    const entry = getSyncLogEntry(this.sql, id);
    if (!entry)
      return wasPruned(this.sql, id)
        ? { ok: false, code: 'pruned', message: PRUNED_MESSAGE }
        : { ok: false, code: 'not_found', message: 'Sync log entry not found' };
    const workKey = this.sql
      .exec<{ work_key: string | null }>('SELECT work_key FROM sync_log WHERE id = ?', id)
      .one().work_key;
    if (workKey?.startsWith(AUTOMATION_WORK_PREFIX))
      return {
        ok: false,
        code: 'not_replayable',
        message:
          "A recipe's write at a connected app is not sync work: its step retries it, or run the action again.",
      };
    if (!REPLAYABLE_STATUSES.has(entry.status) || !workKey) {
      return { ok: false, code: 'not_replayable', message: 'Only failed sync work can be replayed.' };
    }
    // A work key is `<locationId>:<contactId>#<work id>`.
    const hash = workKey.lastIndexOf('#');
    const contactKey = workKey.slice(0, hash);
    const contactId = contactKey.slice(contactKey.indexOf(':') + 1);
    const replayed = await contactStub(this.env, locationId, contactId).replayWork(
      contactKey,
      Number(workKey.slice(hash + 1)),
    );
    if (!replayed) return { ok: false, code: 'not_found', message: 'The work behind this entry is gone' };
    recordSyncLog(this.sql, {
      workKey,
      trigger: 'replay',
      action: entry.action,
      objectKind: entry.objectKind,
      contactId: entry.contactId,
      connectionId: entry.connectionId,
      status: 'queued',
      attempts: 0,
    });
    return { ok: true, entry: getSyncLogEntry(this.sql, id)! };
  }
}
