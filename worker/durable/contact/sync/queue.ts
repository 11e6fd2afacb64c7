import type { SyncRecord } from '../../../sync/field-record.ts';
import {
  INTERRUPTED,
  workOf,
  foldInto,
  type Fold,
  type Link,
  type LinkInput,
  type WorkDirection,
  type WorkInput,
  type WorkItem,
  type WorkState,
} from '../../../sync/work.ts';

/**
 * The contact's durable, ordered queue of sync work, in the contact object's SQLite. One item
 * runs at a time; a burst of changes to the same object coalesces into the waiting item.
 */
type Row = {
  id: number;
  idem_key: string;
  coalesce_key: string;
  direction: WorkDirection;
  connection_id: string;
  kind: string;
  op: string;
  ghl_id: string | null;
  partner_id: string | null;
  trigger: string;
  payload: string;
  changed_at: number | null;
  state: WorkState;
  attempts: number;
  next_attempt_at: number;
  error: string | null;
  log_id: number | null;
  created_at: number;
};

/**
 * How much finished work a contact's object keeps: as long as the sync log keeps rows (30 days,
 * sync-log/retention.ts), at most 2,000 items (a busy contact's month), failures up to 5,000.
 */
export const WORK_LIMITS = {
  keepMs: 30 * 24 * 3_600_000,
  maxSettled: 2_000,
  hardMaxSettled: 5_000,
  batch: 200,
};

export const SYNC_QUEUE_SCHEMA: readonly string[] = [
  `CREATE TABLE work (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     idem_key TEXT NOT NULL UNIQUE,
     coalesce_key TEXT NOT NULL,
     direction TEXT NOT NULL,
     connection_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     op TEXT NOT NULL,
     ghl_id TEXT,
     partner_id TEXT,
     trigger TEXT NOT NULL,
     payload TEXT NOT NULL,
     changed_at INTEGER,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     lease_until INTEGER,
     error TEXT,
     log_id INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   )`,
  `CREATE INDEX work_due ON work (state, next_attempt_at, id)`,
  `CREATE INDEX work_coalesce ON work (coalesce_key, state)`,
  // ID map of this contact's objects: GHL id <-> partner id per connection, with the print of
  // the content both sides held after the last sync (echo suppression, "changed since").
  `CREATE TABLE links (
     kind TEXT NOT NULL,
     connection_id TEXT NOT NULL,
     ghl_id TEXT NOT NULL,
     partner_id TEXT,
     ghl_fp TEXT,
     partner_fp TEXT,
     state TEXT,
     synced_at INTEGER,
     source_at INTEGER,
     partner_write_at INTEGER,
     PRIMARY KEY (kind, connection_id, ghl_id)
   )`,
  `CREATE INDEX links_partner ON links (connection_id, kind, partner_id)`,
  // Ids the partner used before (a Cal.com reschedule gives the booking a new uid): a late
  // event about the old id still finds the same GHL object.
  `CREATE TABLE link_aliases (kind TEXT NOT NULL, connection_id TEXT NOT NULL, partner_id TEXT NOT NULL, ghl_id TEXT NOT NULL, PRIMARY KEY (kind, connection_id, partner_id))`,
  // When we last wrote the object to GHL, and the content last synced (common model): enough to
  // write the winner again where our own older write may have landed over a newer change.
  `ALTER TABLE links ADD COLUMN ghl_write_at INTEGER`,
  `ALTER TABLE links ADD COLUMN data TEXT`,
  // Prints of our last few writes to each side: GHL's webhook about an earlier write of ours can
  // arrive after a later one, and must still be known as our own.
  `ALTER TABLE links ADD COLUMN ghl_written TEXT`,
  `ALTER TABLE links ADD COLUMN partner_written TEXT`,
  // Superseded by `fields` (no longer read or written; the schema is append-only).
  `ALTER TABLE links ADD COLUMN ghl_prior TEXT`,
  `ALTER TABLE links ADD COLUMN partner_prior TEXT`,
  // The object's record, field by field (field-record.ts): what each side held and when each
  // field last changed, on which side.
  `ALTER TABLE links ADD COLUMN fields TEXT`,
];

/** How many of our own recent writes per side are remembered for echo suppression. */
const WRITES_REMEMBERED = 5;

const toItem = (r: Row): WorkItem => ({
  id: r.id,
  idemKey: r.idem_key,
  coalesceKey: r.coalesce_key,
  connectionId: r.connection_id,
  kind: r.kind,
  op: r.op,
  ghlId: r.ghl_id,
  partnerId: r.partner_id,
  trigger: r.trigger,
  ...workOf(r.direction, r.trigger, JSON.parse(r.payload)),
  changedAt: r.changed_at ?? undefined,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  error: r.error,
  logId: r.log_id,
  createdAt: r.created_at,
});

export type EnqueueOutcome =
  { kind: 'queued'; item: WorkItem } | { kind: 'coalesced'; item: WorkItem } | { kind: 'duplicate' };

export class SyncQueue {
  private readonly sql: SqlStorage;
  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** Adds work, or folds it into a waiting item for the same object. Synchronous: one transaction. */
  enqueue(input: WorkInput, now = Date.now()): EnqueueOutcome {
    if (this.sql.exec('SELECT 1 FROM work WHERE idem_key = ?', input.idemKey).toArray().length)
      return { kind: 'duplicate' };
    // Only into work not yet tried: a failed try may have landed (a create whose answer was
    // lost), and its retry must repeat it as it was (same content, same idempotency key).
    const waiting = this.sql
      .exec<Row>(
        "SELECT * FROM work WHERE coalesce_key = ? AND state = 'queued' ORDER BY id DESC LIMIT 1",
        input.coalesceKey,
      )
      .toArray()[0];
    const into = waiting && foldInto({ op: waiting.op, changedAt: waiting.changed_at }, input);
    if (waiting && into) {
      if (into.rewrite) {
        this.sql.exec(
          `UPDATE work SET payload = ?, changed_at = ?, ghl_id = COALESCE(?, ghl_id), partner_id = COALESCE(?, partner_id), updated_at = ? WHERE id = ?`,
          JSON.stringify(
            input.fold
              ? (input.fold as Fold<unknown>)({
                  payload: JSON.parse(waiting.payload),
                  changedAt: waiting.changed_at,
                })
              : input.payload,
          ),
          into.changedAt,
          input.ghlId ?? null,
          input.partnerId ?? null,
          now,
          waiting.id,
        );
      }
      // Remember the folded trigger's key so its redelivery is still a duplicate.
      this.sql.exec(
        `INSERT INTO work (idem_key, coalesce_key, direction, connection_id, kind, op, ghl_id, partner_id, trigger, payload, changed_at, state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'null', ?, 'skipped', 0, ?, ?)`,
        input.idemKey,
        input.coalesceKey,
        input.direction,
        input.connectionId,
        input.kind,
        input.op,
        input.ghlId ?? null,
        input.partnerId ?? null,
        input.trigger,
        input.changedAt ?? null,
        now,
        now,
      );
      return { kind: 'coalesced', item: this.get(waiting.id)! };
    }
    const row = this.sql
      .exec<Row>(
        `INSERT INTO work (idem_key, coalesce_key, direction, connection_id, kind, op, ghl_id, partner_id, trigger, payload, changed_at, state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING *`,
        input.idemKey,
        input.coalesceKey,
        input.direction,
        input.connectionId,
        input.kind,
        input.op,
        input.ghlId ?? null,
        input.partnerId ?? null,
        input.trigger,
        JSON.stringify(input.payload),
        input.changedAt ?? null,
        input.dueAt ?? now,
        now,
        now,
      )
      .one();
    return { kind: 'queued', item: toItem(row) };
  }

  get(id: number): WorkItem | undefined {
    const row = this.sql.exec<Row>('SELECT * FROM work WHERE id = ?', id).toArray()[0];
    return row ? toItem(row) : undefined;
  }

  /**
   * The next item to run, claimed with a lease. An item left `running` by a restart is due again
   * once its lease ran out. Ordered by id: per-contact order is arrival order.
   */
  claim(now = Date.now(), leaseMs = 60_000): WorkItem | undefined {
    const running = this.sql
      .exec<Row>("SELECT * FROM work WHERE state = 'running' ORDER BY id LIMIT 1")
      .toArray()[0];
    if (running) {
      const lease =
        this.sql
          .exec<{ lease_until: number | null }>('SELECT lease_until FROM work WHERE id = ?', running.id)
          .one().lease_until ?? 0;
      if (lease > now) return undefined;
      // The object restarted mid-item: count the lost attempt and run it again.
      this.sql.exec(
        `UPDATE work SET state = 'retry', attempts = attempts + 1, error = '${INTERRUPTED}' WHERE id = ?`,
        running.id,
      );
    }
    // Order holds per connection: an item waiting for its retry holds back later work for the
    // same connection only. Work queued for later (`dueAt`, never tried yet) holds back nothing.
    const head = this.sql
      .exec<Row>(
        `SELECT * FROM work w WHERE state IN ('queued', 'retry') AND next_attempt_at <= ?1
           AND NOT EXISTS (SELECT 1 FROM work e WHERE e.state = 'retry' AND e.connection_id = w.connection_id
                             AND e.id < w.id AND e.next_attempt_at > ?1)
         ORDER BY id LIMIT 1`,
        now,
      )
      .toArray()[0];
    if (!head) return undefined;
    this.sql.exec(
      "UPDATE work SET state = 'running', lease_until = ?, updated_at = ? WHERE id = ?",
      now + leaseMs,
      now,
      head.id,
    );
    return toItem({ ...head, state: 'running' });
  }

  /** When the earliest waiting item is due (for the alarm), or null when nothing waits. */
  nextDueAt(): number | null {
    const lease = this.sql
      .exec<{ at: number | null }>("SELECT MIN(lease_until) AS at FROM work WHERE state = 'running'")
      .one().at;
    const due = this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(next_attempt_at) AS at FROM work WHERE state IN ('queued', 'retry')",
      )
      .one().at;
    const all = [lease, due].filter((v): v is number => v !== null);
    return all.length ? Math.min(...all) : null;
  }

  /** Replaces what a waiting item will write (a conflict merged the other side's own changes into it). */
  setPayload(id: number, payload: unknown, now = Date.now()) {
    this.sql.exec(
      'UPDATE work SET payload = ?, updated_at = ? WHERE id = ?',
      JSON.stringify(payload),
      now,
      id,
    );
  }

  finish(
    id: number,
    state: Exclude<WorkState, 'queued' | 'running' | 'retry'>,
    error: string | null = null,
    now = Date.now(),
  ) {
    this.sql.exec(
      'UPDATE work SET state = ?, error = ?, lease_until = NULL, attempts = attempts + 1, updated_at = ? WHERE id = ?',
      state,
      error,
      now,
      id,
    );
  }

  retry(id: number, at: number, error: string, now = Date.now()) {
    this.sql.exec(
      "UPDATE work SET state = 'retry', next_attempt_at = ?, error = ?, lease_until = NULL, attempts = attempts + 1, updated_at = ? WHERE id = ?",
      at,
      error,
      now,
      id,
    );
  }

  /** Sets an item aside until `at` without counting an attempt (it waits for something outside). */
  park(id: number, at: number, error: string, now = Date.now()) {
    this.sql.exec(
      "UPDATE work SET state = 'retry', next_attempt_at = ?, error = ?, lease_until = NULL, updated_at = ? WHERE id = ?",
      at,
      error,
      now,
      id,
    );
  }

  setLogId(id: number, logId: number) {
    this.sql.exec('UPDATE work SET log_id = ? WHERE id = ?', logId, id);
  }

  /** Puts a finished or dead item back at the head of its turn (replay). */
  replay(id: number, now = Date.now()): WorkItem | undefined {
    this.sql.exec(
      "UPDATE work SET state = 'queued', attempts = 0, next_attempt_at = ?, error = NULL, lease_until = NULL, trigger = 'replay', updated_at = ? WHERE id = ?",
      now,
      now,
      id,
    );
    return this.get(id);
  }

  /** The next waiting item for the same object from the same side, if any. */
  follower(item: WorkItem): WorkItem | undefined {
    const row = this.sql
      .exec<Row>(
        `SELECT * FROM work WHERE state IN ('queued', 'retry') AND direction = ? AND connection_id = ? AND kind = ? AND id > ?
         AND ((ghl_id IS NOT NULL AND ghl_id = ?) OR (partner_id IS NOT NULL AND partner_id = ?)) ORDER BY id LIMIT 1`,
        item.direction,
        item.connectionId,
        item.kind,
        item.id,
        item.ghlId ?? '',
        item.partnerId ?? '',
      )
      .toArray()[0];
    return row ? toItem(row) : undefined;
  }

  /** Waiting items for the same object from the other side (conflict detection). */
  opposing(item: WorkItem): WorkItem[] {
    const other: WorkDirection = item.direction === 'to_partner' ? 'to_ghl' : 'to_partner';
    return this.sql
      .exec<Row>(
        `SELECT * FROM work WHERE state IN ('queued', 'retry') AND direction = ? AND connection_id = ? AND kind = ? AND id != ?
         AND ((ghl_id IS NOT NULL AND ghl_id = ?) OR (partner_id IS NOT NULL AND partner_id = ?))`,
        other,
        item.connectionId,
        item.kind,
        item.id,
        item.ghlId ?? '',
        item.partnerId ?? '',
      )
      .toArray()
      .map(toItem);
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.sql
      .exec<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM work GROUP BY state')
      .toArray())
      out[r.state] = r.n;
    return out;
  }

  /** Work waiting to sync; work queued for later (`dueAt`, a check) is not waiting yet. */
  backlog(now = Date.now()): number {
    return this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM work WHERE state IN ('retry', 'running') OR (state = 'queued' AND next_attempt_at <= ?)",
        now,
      )
      .one().n;
  }

  /**
   * On a fresh start of the object: an item still marked running was cut off by a restart (one
   * object runs one item at a time), so it is due again now, its attempt counted.
   */
  recoverInterrupted(now = Date.now()): number {
    return this.sql
      .exec(
        `UPDATE work SET state = 'retry', attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, error = '${INTERRUPTED}' WHERE state = 'running' RETURNING id`,
        now,
      )
      .toArray().length;
  }

  /**
   * Forgets finished work, a batch at a time: items settled longer ago than the sync log keeps
   * its rows (a row can be replayed as long as it is shown), and past a cap the oldest settled
   * items first, successes before failures. Waiting work is never touched. Returns how many went.
   */
  prune(now = Date.now(), limits = WORK_LIMITS): number {
    const settled = "state IN ('done', 'skipped', 'conflict', 'failed', 'dead')";
    const batch = (where: string, ...args: (string | number)[]) =>
      this.sql
        .exec(
          `DELETE FROM work WHERE id IN (SELECT id FROM work WHERE ${where} ORDER BY id LIMIT ${limits.batch}) RETURNING id`,
          ...args,
        )
        .toArray().length;
    let gone = batch(`${settled} AND updated_at < ?`, now - limits.keepMs);
    const count = (where: string) =>
      this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM work WHERE ${where}`).one().n;
    if (count(settled) > limits.maxSettled) gone += batch("state IN ('done', 'skipped', 'conflict')");
    if (count(settled) > limits.hardMaxSettled) gone += batch(settled);
    return gone;
  }

  /** Drops waiting work (uninstall). */
  clear() {
    this.sql.exec(
      "UPDATE work SET state = 'skipped', error = 'uninstalled' WHERE state IN ('queued', 'retry', 'running')",
    );
  }
}

const TOMBSTONE = '"deleted"';

type LinkRow = {
  kind: string;
  connection_id: string;
  ghl_id: string;
  partner_id: string | null;
  ghl_fp: string | null;
  partner_fp: string | null;
  state: string | null;
  synced_at: number | null;
  source_at: number | null;
  partner_write_at: number | null;
  ghl_write_at: number | null;
  data: string | null;
  ghl_written: string | null;
  partner_written: string | null;
  fields: string | null;
};

/** ID map of the contact's objects and the content prints of their last sync. */
export class Links {
  private readonly sql: SqlStorage;
  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  byGhl(kind: string, connectionId: string, ghlId: string): Link | undefined {
    return this.map(
      this.sql
        .exec<LinkRow>(
          'SELECT * FROM links WHERE kind = ? AND connection_id = ? AND ghl_id = ?',
          kind,
          connectionId,
          ghlId,
        )
        .toArray()[0],
    );
  }

  byPartner(kind: string, connectionId: string, partnerId: string): Link | undefined {
    const direct = this.sql
      .exec<LinkRow>(
        `SELECT * FROM links WHERE kind = ? AND connection_id = ? AND partner_id = ? ORDER BY CASE WHEN state = '${TOMBSTONE}' THEN 1 ELSE 0 END LIMIT 1`,
        kind,
        connectionId,
        partnerId,
      )
      .toArray()[0];
    if (direct) return this.map(direct);
    const alias = this.sql
      .exec<{ ghl_id: string }>(
        'SELECT ghl_id FROM link_aliases WHERE kind = ? AND connection_id = ? AND partner_id = ?',
        kind,
        connectionId,
        partnerId,
      )
      .toArray()[0];
    return alias ? this.byGhl(kind, connectionId, alias.ghl_id) : undefined;
  }

  /**
   * Records a sync of the object. Write times and data left out keep their stored value; the
   * source time only moves forward.
   */
  save(link: LinkInput, now = Date.now()) {
    const before = this.byGhl(link.kind, link.connectionId, link.ghlId);
    if (before?.partnerId && link.partnerId && before.partnerId !== link.partnerId)
      this.alias(link.kind, link.connectionId, before.partnerId, link.ghlId);
    const remember = (list: string[] | undefined, print: string | null, wrote: boolean) =>
      JSON.stringify(
        wrote && print
          ? [...(list ?? []).filter((p) => p !== print), print].slice(-WRITES_REMEMBERED)
          : (list ?? []),
      );
    this.sql.exec(
      `INSERT INTO links (kind, connection_id, ghl_id, partner_id, ghl_fp, partner_fp, state, synced_at, source_at, partner_write_at, ghl_write_at, data, ghl_written, partner_written, fields)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
       ON CONFLICT (kind, connection_id, ghl_id) DO UPDATE SET partner_id = ?4, ghl_fp = ?5, partner_fp = ?6, state = ?7, synced_at = ?8,
         source_at = MAX(COALESCE(source_at, 0), COALESCE(?9, 0)), partner_write_at = COALESCE(?10, partner_write_at),
         ghl_write_at = COALESCE(?11, ghl_write_at), data = COALESCE(?12, data), ghl_written = ?13, partner_written = ?14,
         fields = COALESCE(?15, fields)`,
      link.kind,
      link.connectionId,
      link.ghlId,
      link.partnerId,
      link.ghlFp,
      link.partnerFp,
      link.state === undefined ? null : JSON.stringify(link.state),
      now,
      link.sourceAt ?? null,
      link.partnerWriteAt ?? null,
      link.ghlWriteAt ?? null,
      link.data === undefined || link.data === null ? null : JSON.stringify(link.data),
      remember(before?.ghlWritten, link.ghlFp, link.ghlWriteAt != null),
      remember(before?.partnerWritten, link.partnerFp, link.partnerWriteAt != null),
      link.fields ? JSON.stringify(link.fields) : null,
    );
  }

  /**
   * What a report taught the object's record, with nothing written to either side: the agreed
   * content (`data`, what a write back repeats) follows the record.
   */
  saveRecord(kind: string, connectionId: string, ghlId: string, fields: SyncRecord, data: unknown) {
    this.sql.exec(
      'UPDATE links SET fields = ?, data = ? WHERE kind = ? AND connection_id = ? AND ghl_id = ?',
      JSON.stringify(fields),
      JSON.stringify(data ?? null),
      kind,
      connectionId,
      ghlId,
    );
  }

  /** Remembers an id the partner used before for the same object. */
  alias(kind: string, connectionId: string, partnerId: string, ghlId: string) {
    this.sql.exec(
      'INSERT OR REPLACE INTO link_aliases (kind, connection_id, partner_id, ghl_id) VALUES (?, ?, ?, ?)',
      kind,
      connectionId,
      partnerId,
      ghlId,
    );
  }

  remove(kind: string, connectionId: string, ghlId: string) {
    this.sql.exec(
      'DELETE FROM links WHERE kind = ? AND connection_id = ? AND ghl_id = ?',
      kind,
      connectionId,
      ghlId,
    );
  }

  /**
   * The object was deleted on both sides: forget its prints but keep a tombstone with the time of
   * the delete, so a late change made before it (a reordered delivery, GHL's own echo) is seen as
   * stale instead of creating the object again.
   */
  bury(kind: string, connectionId: string, ghlId: string, sourceAt: number | null, now = Date.now()) {
    this.sql.exec(
      `UPDATE links SET ghl_fp = NULL, partner_fp = NULL, data = NULL, fields = NULL, state = '${TOMBSTONE}', synced_at = ?, source_at = MAX(COALESCE(source_at, 0), COALESCE(?, 0))
       WHERE kind = ? AND connection_id = ? AND ghl_id = ?`,
      now,
      sourceAt,
      kind,
      connectionId,
      ghlId,
    );
  }

  /**
   * A GHL object deleted before it ever reached the partner: a tombstone, so its creation
   * arriving later (a late webhook) is stale instead of making it at the partner.
   */
  buryUnsyncedGhl(
    kind: string,
    connectionId: string,
    ghlId: string,
    sourceAt: number | null,
    now = Date.now(),
  ) {
    this.sql.exec(
      `INSERT OR IGNORE INTO links (kind, connection_id, ghl_id, state, synced_at, source_at) VALUES (?, ?, ?, '${TOMBSTONE}', ?, ?)`,
      kind,
      connectionId,
      ghlId,
      now,
      sourceAt,
    );
  }

  /**
   * A partner object deleted before it ever reached GHL: a tombstone under its partner id, so its
   * creation arriving later (an older change) is stale instead of making it in GHL.
   */
  buryUnsynced(
    kind: string,
    connectionId: string,
    partnerId: string,
    sourceAt: number | null,
    now = Date.now(),
  ) {
    this.sql.exec(
      `INSERT OR IGNORE INTO links (kind, connection_id, ghl_id, partner_id, state, synced_at, source_at) VALUES (?, ?, ?, ?, '${TOMBSTONE}', ?, ?)`,
      kind,
      connectionId,
      `partner:${partnerId}`,
      partnerId,
      now,
      sourceAt,
    );
  }

  count(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM links').one().n;
  }

  private map(r: LinkRow | undefined): Link | undefined {
    if (!r) return undefined;
    return {
      kind: r.kind,
      connectionId: r.connection_id,
      ghlId: r.ghl_id,
      partnerId: r.partner_id,
      ghlFp: r.ghl_fp,
      partnerFp: r.partner_fp,
      state: r.state === null || r.state === TOMBSTONE ? undefined : JSON.parse(r.state),
      syncedAt: r.synced_at,
      sourceAt: r.source_at,
      partnerWriteAt: r.partner_write_at,
      ghlWriteAt: r.ghl_write_at,
      data: r.data === null ? undefined : JSON.parse(r.data),
      ghlWritten: r.ghl_written ? JSON.parse(r.ghl_written) : [],
      partnerWritten: r.partner_written ? JSON.parse(r.partner_written) : [],
      ...(r.fields ? { fields: JSON.parse(r.fields) as SyncRecord } : {}),
      deleted: r.state === TOMBSTONE,
    };
  }
}
