import {
  AUTOMATION_WORK_PREFIX,
  getSyncLogEntry,
  listSyncLog,
  REPLAYABLE_STATUSES,
  type ReplayResult,
  type SyncLogEntry,
  type SyncLogFilter,
} from '../../sync-log/read.ts';
import { recordSyncLog, type SyncLogInput } from '../../sync-log/write.ts';
import { contactStub } from '../stubs.ts';

/** The location's sync log (`sync_log`): written by contact objects, read and replayed by the panel. */
export class LocationSyncLog {
  private readonly env: Env;
  private readonly sql: SqlStorage;

  constructor(env: Env, sql: SqlStorage) {
    this.env = env;
    this.sql = sql;
  }

  /** Writes (or updates, by work key) a row; returns its id. */
  record(entry: SyncLogInput): number {
    return recordSyncLog(this.sql, entry);
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
    if (!entry) return { ok: false, code: 'not_found', message: 'Sync log entry not found' };
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
