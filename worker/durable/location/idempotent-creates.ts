import { findCreated, type CreateOnce } from '../../ghl/create-once.ts';
import type { GhlGateway, GhlRequest, GhlResult } from '../../ghl/gateway.ts';

/** Keys are kept this long: a panel retries within minutes; a new day is a new action. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Finished keys kept per location at most; past it the oldest go first. */
export const IDEMPOTENCY_CAP = 5_000;

/** What a create under a key answers: GHL's result, or a refusal of a key reused for other content. */
export type CreateOnceResult = GhlResult | { ok: false; keyReused: true };

type KeyRow = {
  key: string;
  fingerprint: string;
  /** pending: sent, no answer yet; unsure: the answer was lost or was a 5xx; done: `result` holds the answer. */
  state: 'pending' | 'unsure' | 'done';
  sent_at: number;
  settle_at: number;
  result: string | null;
};

/**
 * The location's idempotent creates (`idempotent_creates`): one GHL create per key. A retry
 * while the first call is in flight waits for it; after it finished, it gets its answer; after
 * its answer was lost, it looks for the object the call made before creating again.
 *
 * Correct under the object's interleaving: between reading a key's row and claiming it (the row
 * insert, or the in-flight entry) there is no await, so two requests with one key never both
 * call GHL. The in-flight map holds only calls running now.
 */
export class IdempotentCreates {
  private readonly sql: SqlStorage;
  private readonly gateway: () => GhlGateway;
  private readonly inflight = new Map<string, Promise<CreateOnceResult>>();

  constructor(sql: SqlStorage, gateway: () => GhlGateway) {
    this.sql = sql;
    this.gateway = gateway;
  }

  async create(req: GhlRequest, once: CreateOnce): Promise<CreateOnceResult> {
    for (;;) {
      const running = this.inflight.get(once.key);
      if (running) {
        // Its outcome is in the row once it settles; read that rather than its answer to another caller.
        await running.catch(() => undefined);
        continue;
      }
      const row = this.row(once.key);
      if (row && row.fingerprint !== once.fingerprint) return { ok: false, keyReused: true };
      if (row?.state === 'done') return { ok: true, status: 201, data: JSON.parse(row.result ?? 'null') };
      const attempt = row ? this.recover(row, req, once) : this.first(req, once);
      this.inflight.set(once.key, attempt);
      try {
        return await attempt;
      } finally {
        if (this.inflight.get(once.key) === attempt) this.inflight.delete(once.key);
      }
    }
  }

  /**
   * Whether a request under `key` came before (in flight, finished or unsure): `same` when it
   * had this content, `different` when it had other content, `none` when the key is new here.
   */
  seen(key: string, fingerprint: string): 'none' | 'same' | 'different' {
    const row = this.row(key);
    if (!row) return 'none';
    return row.fingerprint === fingerprint ? 'same' : 'different';
  }

  /** Drops keys past their day, and the oldest finished ones past the cap. */
  prune(now = Date.now()): void {
    this.sql.exec('DELETE FROM idempotent_creates WHERE expires_at < ?', now);
    const done = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM idempotent_creates WHERE state = 'done'")
      .one().n;
    if (done > IDEMPOTENCY_CAP) {
      this.sql.exec(
        "DELETE FROM idempotent_creates WHERE key IN (SELECT key FROM idempotent_creates WHERE state = 'done' ORDER BY sent_at LIMIT ?)",
        done - IDEMPOTENCY_CAP,
      );
    }
  }

  private row(key: string): KeyRow | undefined {
    return this.sql
      .exec<KeyRow>(
        'SELECT key, fingerprint, state, sent_at, settle_at, result FROM idempotent_creates WHERE key = ?',
        key,
      )
      .toArray()[0];
  }

  private first(req: GhlRequest, once: CreateOnce): Promise<CreateOnceResult> {
    const now = Date.now();
    this.prune(now);
    this.sql.exec(
      "INSERT INTO idempotent_creates (key, fingerprint, state, sent_at, settle_at, expires_at) VALUES (?, ?, 'pending', ?, ?, ?)",
      once.key,
      once.fingerprint,
      now,
      now,
      now + IDEMPOTENCY_TTL_MS,
    );
    return this.send(req, once, now);
  }

  private async send(req: GhlRequest, once: CreateOnce, sentAt: number): Promise<CreateOnceResult> {
    const result = await this.gateway().send(req);
    if (result.ok) {
      this.finish(once, result.data);
    } else if (result.failure.kind === 'timeout') {
      // GHL may go on and make the object after we stopped waiting: give it time to show up.
      this.sql.exec(
        "UPDATE idempotent_creates SET state = 'unsure', settle_at = ? WHERE key = ?",
        sentAt + this.settleMs(),
        once.key,
      );
    } else if (result.failure.kind === 'unavailable') {
      this.sql.exec(
        "UPDATE idempotent_creates SET state = 'unsure', settle_at = ? WHERE key = ?",
        Date.now(),
        once.key,
      );
    } else {
      // GHL refused (validation, rate limit, not found, reconnect): nothing was made.
      this.sql.exec('DELETE FROM idempotent_creates WHERE key = ?', once.key);
    }
    return result;
  }

  /**
   * The key's earlier call got no usable answer (or this object restarted during it): find what
   * it made; create again only once that call cannot land any more.
   */
  private async recover(row: KeyRow, req: GhlRequest, once: CreateOnce): Promise<CreateOnceResult> {
    const listed = await this.gateway().send({ ...once.find.list, priority: req.priority });
    if (!listed.ok) return listed;
    const found = findCreated(listed.data, once.find, row.sent_at, (id) => this.claimedByOther(id, once.key));
    if (found) {
      const data = once.find.wrap ? { [once.find.wrap]: found } : found;
      this.finish(once, data);
      return { ok: true, status: 201, data };
    }
    const now = Date.now();
    const settleAt = row.state === 'pending' ? row.sent_at + this.settleMs() : row.settle_at;
    if (now < settleAt) {
      return {
        ok: false,
        failure: {
          kind: 'timeout',
          status: 504,
          message: 'the earlier attempt under this key is not confirmed yet',
        },
      };
    }
    this.sql.exec(
      "UPDATE idempotent_creates SET state = 'pending', sent_at = ?, settle_at = ? WHERE key = ?",
      now,
      now,
      once.key,
    );
    return this.send(req, once, now);
  }

  private finish(once: CreateOnce, data: unknown): void {
    const wrap = once.find.wrap;
    const object = (wrap ? (data as Record<string, unknown> | null)?.[wrap] : data) as {
      id?: unknown;
    } | null;
    const made = object?.id;
    this.sql.exec(
      "UPDATE idempotent_creates SET state = 'done', result = ?, object_id = ? WHERE key = ?",
      JSON.stringify(data),
      typeof made === 'string' ? made : null,
      once.key,
    );
  }

  private claimedByOther(objectId: string, key: string): boolean {
    return (
      this.sql
        .exec('SELECT 1 FROM idempotent_creates WHERE object_id = ? AND key <> ?', objectId, key)
        .toArray().length > 0
    );
  }

  /** A call we stopped waiting for can still land a little later; twice the timeout covers it. */
  private settleMs(): number {
    return 2 * this.gateway().timeoutMs;
  }
}
