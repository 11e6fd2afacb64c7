import type { PartnerChange } from '../../connectors/types.ts';

/**
 * Partner deletes that matched no GHL contact: the person was not in GHL yet, so the delete
 * reached no contact's object and left no tombstone there. Deliveries come out of order: the
 * object's creation (and the person's) may arrive after its delete. Remembered here, by the
 * partner's id of the object, a change about it made before the delete is stale and never
 * writes the object to GHL.
 */
export const UNMATCHED_DELETES_SCHEMA: readonly string[] = [
  `CREATE TABLE unmatched_partner_deletes (
     connection_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     partner_id TEXT NOT NULL,
     deleted_at INTEGER NOT NULL,
     received_at INTEGER NOT NULL,
     PRIMARY KEY (connection_id, kind, partner_id)
   )`,
  `CREATE INDEX unmatched_partner_deletes_age ON unmatched_partner_deletes (received_at)`,
];

/** As long as a delivery is deduped (inbox.ts): later than that, a change is taken as new. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/** When the partner says the change was made, or null when it gives no usable time. */
const madeAt = (change: PartnerChange): number | null => Date.parse(change.occurredAt) || null;

export class UnmatchedDeletes {
  private readonly sql: SqlStorage;
  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** A partner delete that no contact's object received. A delete with no usable time orders nothing. */
  remember(change: PartnerChange, now = Date.now()): void {
    const at = madeAt(change);
    if (change.op !== 'delete' || at === null) return;
    this.sql.exec('DELETE FROM unmatched_partner_deletes WHERE received_at < ?', now - KEEP_MS);
    this.sql.exec(
      `INSERT INTO unmatched_partner_deletes (connection_id, kind, partner_id, deleted_at, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (connection_id, kind, partner_id) DO UPDATE SET deleted_at = MAX(deleted_at, ?4), received_at = ?5`,
      change.connectionId,
      change.kind,
      change.partnerId,
      at,
      now,
    );
  }

  /** When the object this change is about was deleted, if the change was made before that (it is stale). */
  deletedAfter(change: PartnerChange): number | null {
    const at = madeAt(change);
    if (change.op === 'delete' || at === null) return null;
    const row = this.sql
      .exec<{ deleted_at: number }>(
        'SELECT deleted_at FROM unmatched_partner_deletes WHERE connection_id = ? AND kind = ? AND partner_id IN (?, ?)',
        change.connectionId,
        change.kind,
        change.partnerId,
        change.previousPartnerId ?? change.partnerId,
      )
      .toArray()[0];
    return row && at <= row.deleted_at ? row.deleted_at : null;
  }
}
