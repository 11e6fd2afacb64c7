/**
 * GHL workflow action calls, once per execution step (`auto_workflow_runs` in the contact's
 * object). GHL may call an action again for the same step (its retries); the call again answers
 * what the first one did instead of running the action twice.
 */

// Each side names the other's field as absent: the union still narrows on `ok` once it has
// crossed the Durable Object RPC boundary.
export type ActionOutcome =
  | { ok: true; result: Record<string, unknown>; error?: undefined }
  | { ok: false; error: string; result?: undefined };

/** How one call is recognised again, and for how long. */
export interface RunOnce {
  key: string;
  ttlMs: number;
}

/** Rows kept per contact at most, past their time or not; the oldest go first. */
const MAX_ROWS = 500;

export const WORKFLOW_RUNS_SCHEMA = `CREATE TABLE auto_workflow_runs (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  result TEXT,
  started_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
)`;

type RunRow = {
  state: 'running' | 'done' | 'failed';
  result: string | null;
  started_at: number;
};

export class WorkflowRuns {
  /** Calls running now (bounded by the calls in flight, not by the calls seen). */
  readonly #inFlight = new Map<string, Promise<ActionOutcome>>();

  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /**
   * Runs the action once for `once.key`. A call while the first is running waits for it; a call
   * after it finished answers its result. A failed run (or one a restart cut off) runs again, with
   * its first run's time and `rerun` set, so its writes are looked up before being made again.
   * Between reading the key's row and claiming it there is no await.
   */
  run(
    once: RunOnce,
    now: number,
    action: (startedAt: number, rerun: boolean) => Promise<ActionOutcome>,
  ): Promise<ActionOutcome> {
    const running = this.#inFlight.get(once.key);
    if (running) return running;
    this.prune(now);
    const row = this.sql
      .exec<RunRow>('SELECT state, result, started_at FROM auto_workflow_runs WHERE key = ?', once.key)
      .toArray()[0];
    if (row?.state === 'done')
      return Promise.resolve({ ok: true, result: JSON.parse(row.result ?? '{}') as Record<string, unknown> });
    const startedAt = row?.started_at ?? now;
    this.sql.exec(
      `INSERT INTO auto_workflow_runs (key, state, started_at, expires_at) VALUES (?1, 'running', ?2, ?3)
       ON CONFLICT (key) DO UPDATE SET state = 'running'`,
      once.key,
      startedAt,
      now + once.ttlMs,
    );
    const attempt = action(startedAt, row !== undefined)
      .then((outcome) => {
        this.sql.exec(
          'UPDATE auto_workflow_runs SET state = ?, result = ? WHERE key = ?',
          outcome.ok ? 'done' : 'failed',
          outcome.ok ? JSON.stringify(outcome.result) : null,
          once.key,
        );
        return outcome;
      })
      .finally(() => this.#inFlight.delete(once.key));
    this.#inFlight.set(once.key, attempt);
    return attempt;
  }

  private prune(now: number): void {
    this.sql.exec("DELETE FROM auto_workflow_runs WHERE expires_at <= ? AND state != 'running'", now);
    this.sql.exec(
      `DELETE FROM auto_workflow_runs WHERE key IN (
         SELECT key FROM auto_workflow_runs ORDER BY started_at DESC LIMIT -1 OFFSET ?)`,
      MAX_ROWS,
    );
  }
}
