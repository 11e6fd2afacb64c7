import { fullJitter } from '../../ghl/rate-budget.ts';
import type { PhaseClock, Phases } from '../../lib/bench-probes.ts';
import type { GhlEvent } from '../../webhooks/events.ts';
import { contactIdOf, objectIdOf } from '../../webhooks/events.ts';

/** How long a webhookId is remembered (longer than GHL's ~70 min retry span). */
const DEDUPE_KEEP_MS = 24 * 60 * 60 * 1000;
/** Forgetting old ids scans the whole table (no index on its time): do it this rarely. */
const FORGET_EVERY_MS = 10 * 60 * 1000;
const INBOX_MAX_ATTEMPTS = 12;
const LIFECYCLE = "('INSTALL', 'UNINSTALL')";
const WAITING = "state IN ('new', 'retry')";

export interface IngestResult {
  accepted: boolean;
  duplicate: boolean;
  seq?: number;
  /** Where the object's time went, only under `npm run bench` (lib/bench-probes.ts). */
  phases?: Phases;
}

export type InboxRow = {
  seq: number;
  type: string;
  body: string;
  contact_id: string | null;
  attempts: number;
};

/**
 * The webhook inbox (`seen_webhooks` + `inbox`): dedupe, events persisted before GHL gets its
 * 200, their states as they are handled, and retries with full-jitter backoff.
 */
export class WebhookInbox {
  private readonly sql: SqlStorage;
  private readonly armAlarm: (at: number) => Promise<void>;
  private readonly transaction: <T>(fn: () => T) => T;
  private forgotAt = 0;

  constructor(sql: SqlStorage, armAlarm: (at: number) => Promise<void>, transaction: <T>(fn: () => T) => T) {
    this.sql = sql;
    this.armAlarm = armAlarm;
    this.transaction = transaction;
  }

  /**
   * Dedupes on webhookId and persists the event in one transaction: the dedupe row (its insert is
   * the check, writing nothing for an id seen before) never outlives a failed inbox write, so
   * GHL's retry of an event we answered 429 is stored, not called a duplicate. The caller answers
   * GHL only after this returns.
   */
  async ingest(event: GhlEvent, now: number, clock?: PhaseClock | null): Promise<IngestResult> {
    const seq = this.transaction(() => {
      const fresh =
        this.sql.exec(
          'INSERT OR IGNORE INTO seen_webhooks (webhook_id, received_at) VALUES (?, ?)',
          event.webhookId,
          now,
        ).rowsWritten > 0;
      clock?.lap('do-dedupe');
      if (!fresh) return null;
      const row = this.sql
        .exec<{ seq: number }>(
          `INSERT INTO inbox (webhook_id, type, object_id, contact_id, body, received_at, next_attempt_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
          event.webhookId,
          event.type,
          objectIdOf(event) ?? null,
          contactIdOf(event) ?? null,
          JSON.stringify(event),
          now,
          now,
        )
        .one();
      clock?.lap('do-write');
      return row.seq;
    });
    if (seq === null) return { accepted: true, duplicate: true };
    await this.armAlarm(now);
    clock?.lap('do-alarm');
    return { accepted: true, duplicate: false, seq };
  }

  /** Stores a contact change the reconciliation sweep found; false when it was stored before. */
  storeReconciled(event: Record<string, unknown>): boolean {
    const { webhookId, id } = event as { webhookId: string; id: string };
    if (this.seen(webhookId)) return false;
    this.sql.exec('INSERT INTO seen_webhooks (webhook_id, received_at) VALUES (?, ?)', webhookId, Date.now());
    this.sql.exec(
      `INSERT INTO inbox (webhook_id, type, object_id, contact_id, body, received_at, next_attempt_at) VALUES (?, 'ContactUpdate', ?, ?, ?, ?, ?)`,
      webhookId,
      id,
      id,
      JSON.stringify({ ...event, trigger: 'reconcile' }),
      Date.now(),
      Date.now(),
    );
    return true;
  }

  /** Stored events (raw JSON bodies), oldest first; by default only those not yet handled. */
  stored(opts: { all?: boolean; limit?: number }) {
    const where = opts.all ? '' : `WHERE ${WAITING}`;
    return this.sql
      .exec<{ seq: number; type: string; state: string; body: string; webhook_id: string }>(
        `SELECT seq, type, state, body, webhook_id FROM inbox ${where} ORDER BY seq LIMIT ?`,
        opts.limit ?? 500,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, type: r.type, state: r.state, webhookId: r.webhook_id, body: r.body }));
  }

  forgetOldWebhookIds(now: number): void {
    if (now - this.forgotAt < FORGET_EVERY_MS) return;
    this.forgotAt = now;
    this.sql.exec('DELETE FROM seen_webhooks WHERE received_at < ?', now - DEDUPE_KEEP_MS);
  }

  dueLifecycle(now: number): InboxRow[] {
    return this.sql
      .exec<InboxRow>(
        `SELECT seq, type, body, contact_id, attempts FROM inbox WHERE ${WAITING} AND type IN ${LIFECYCLE} AND next_attempt_at <= ? ORDER BY seq LIMIT 50`,
        now,
      )
      .toArray();
  }

  /** Due contact, note, task, appointment and partner rows, in arrival order. */
  dueContactWork(now: number): InboxRow[] {
    return this.sql
      .exec<InboxRow>(
        `SELECT seq, type, body, contact_id, attempts FROM inbox WHERE ${WAITING} AND type NOT IN ${LIFECYCLE} AND next_attempt_at <= ? ORDER BY seq LIMIT 200`,
        now,
      )
      .toArray();
  }

  /** After an uninstall: waiting contact work is never handed on. */
  skipContactWork(): void {
    this.sql.exec(`UPDATE inbox SET state = 'skipped' WHERE ${WAITING} AND type NOT IN ${LIFECYCLE}`);
  }

  /** UNINSTALL: drops all contact work, handled or not; lifecycle rows stay. */
  dropContactWork(): void {
    this.sql.exec(`DELETE FROM inbox WHERE type NOT IN ${LIFECYCLE}`);
  }

  /** Whether a TaskDelete for this task has been received. */
  hasTaskDelete(taskId: string): boolean {
    return (
      this.sql
        .exec("SELECT 1 FROM inbox WHERE type = 'TaskDelete' AND object_id = ? LIMIT 1", taskId)
        .toArray().length > 0
    );
  }

  setContact(seq: number, contactId: string): void {
    this.sql.exec('UPDATE inbox SET contact_id = ? WHERE seq = ?', contactId, seq);
  }

  markDispatched(seq: number): void {
    this.sql.exec("UPDATE inbox SET state = 'dispatched', attempts = attempts + 1 WHERE seq = ?", seq);
  }

  markSkipped(seq: number, reason: string): void {
    this.sql.exec(
      "UPDATE inbox SET state = 'skipped', attempts = attempts + 1, last_error = ? WHERE seq = ?",
      reason,
      seq,
    );
  }

  /** A partner row is dispatched to the contact it matched, or skipped when it matched nobody. */
  settlePartner(seq: number, contactId: string | null): void {
    this.sql.exec(
      'UPDATE inbox SET state = ?, contact_id = ?, attempts = attempts + 1 WHERE seq = ?',
      contactId ? 'dispatched' : 'skipped',
      contactId,
      seq,
    );
  }

  markDone(seq: number, attempts: number): void {
    this.sql.exec("UPDATE inbox SET state = 'done', attempts = ? WHERE seq = ?", attempts + 1, seq);
  }

  /** Schedules another attempt after `baseMs` plus full jitter, or gives up; returns the new state. */
  retry(seq: number, attempts: number, err: unknown, baseMs: number): 'retry' | 'failed' {
    const next = attempts + 1;
    const state = next >= INBOX_MAX_ATTEMPTS ? 'failed' : 'retry';
    this.sql.exec(
      'UPDATE inbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?',
      state,
      next,
      Date.now() + baseMs + fullJitter(next, { baseMs, capMs: 5 * 60_000 }),
      String(err),
      seq,
    );
    return state;
  }

  /** When the earliest waiting row is due, or null when nothing waits. */
  nextDueAt(): number | null {
    return this.sql
      .exec<{ at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM inbox WHERE ${WAITING}`)
      .one().at;
  }

  backlog(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM inbox WHERE ${WAITING}`).one().n;
  }

  private seen(webhookId: string): boolean {
    return this.sql.exec('SELECT 1 FROM seen_webhooks WHERE webhook_id = ?', webhookId).toArray().length > 0;
  }
}
