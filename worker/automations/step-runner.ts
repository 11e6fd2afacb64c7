import * as v from 'valibot';
import { actionOf, type ActionContext } from './catalog/index.ts';
import type { WriteOrigin } from './catalog/types.ts';
import { allHold } from './conditions.ts';
import type { Condition } from './model.ts';
import { enabledSet } from './recipes-cache.ts';
import type { AutomationDeps, ContactAutomations } from './runtime.ts';
import { StepSkipped } from './step-skipped.ts';
import { fillInput } from './template-text.ts';
import type { TriggerData } from './trigger-data.ts';
import { workflowTriggerFor } from './workflows/modules.ts';
import type { Subscription } from './workflows/subscriptions.ts';

const MAX_ATTEMPTS = 5;
const BATCH = 25;
const DAY_MS = 24 * 3600_000;
/** Finished steps and remembered writes are kept this long (history lives in D1). */
const KEEP_MS = 30 * DAY_MS;
const MANUAL = 'manual';
/** Steps that fire a GHL workflow trigger: recipe id `wf:<subscription id>`. */
export const WORKFLOW_PREFIX = 'wf:';
export const FIRE_WORKFLOW = 'workflow.fire';

type StepRow = {
  id: number;
  recipe_id: string;
  trigger_key: string;
  step: number;
  trigger: string;
  subject: string | null;
  data: string;
  action: string;
  input: string;
  when_json: string;
  attempts: number;
  test: number;
  started_at: number | null;
  created_at: number;
};

/**
 * On the object's start: a step cut off by a restart is waiting again, due at once (its action
 * may have landed: see ARCHITECTURE's known limits). Answers when the next step is due.
 */
export function recoverSteps(sql: SqlStorage, now = Date.now()): number | null {
  sql.exec("UPDATE auto_steps SET state = 'waiting', due_at = MIN(due_at, ?) WHERE state = 'running'", now);
  return (
    sql.exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM auto_steps WHERE state = 'waiting'").one()
      .at ?? null
  );
}

/** Runs the contact's due recipe steps from its alarm, one at a time, oldest first. */
export class StepRunner {
  private readonly sql: SqlStorage;
  private readonly deps: AutomationDeps;
  private readonly automations: ContactAutomations;

  constructor(sql: SqlStorage, deps: AutomationDeps, automations: ContactAutomations) {
    this.sql = sql;
    this.deps = deps;
    this.automations = automations;
  }

  nextDueAt(): number | null {
    return (
      this.sql
        .exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM auto_steps WHERE state = 'waiting'")
        .one().at ?? null
    );
  }

  /** GHL task ids a recipe made for a subject. */
  recipeTasks(recipeId: string, subject: string): string[] {
    return this.sql
      .exec<{ result: string }>(
        "SELECT result FROM auto_steps WHERE recipe_id = ? AND subject = ? AND state = 'done' AND action = 'ghl.task.create'",
        recipeId,
        subject,
      )
      .toArray()
      .map((r) => (JSON.parse(r.result) as { taskId?: string }).taskId)
      .filter((id): id is string => typeof id === 'string');
  }

  private stillWaiting(id: number): boolean {
    return (
      this.sql.exec("SELECT 1 FROM auto_steps WHERE id = ? AND state = 'waiting'", id).toArray().length > 0
    );
  }

  /** Actions this contact ran today (UTC), tests and manual runs aside. */
  private ranToday(now: number): number {
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
    return this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM auto_steps WHERE state IN ('done', 'failed', 'running') AND test = 0 AND updated_at >= ?",
        dayStart,
      )
      .one().n;
  }

  async runDue(now = Date.now()): Promise<number | null> {
    const rows = this.sql
      .exec<StepRow>(
        "SELECT * FROM auto_steps WHERE state = 'waiting' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
        now,
        BATCH,
      )
      .toArray();
    if (rows.length) {
      const set = await enabledSet(this.deps.db, this.deps.locationId, now);
      for (const row of rows) {
        if (!this.stillWaiting(row.id)) continue;
        if (row.recipe_id.startsWith(WORKFLOW_PREFIX)) {
          await this.fire(
            row,
            set.subscriptions.find((s) => `${WORKFLOW_PREFIX}${s.id}` === row.recipe_id),
            now,
          );
          continue;
        }
        const recipe = set.recipes.find((r) => r.id === row.recipe_id);
        if (!recipe && !row.test) {
          await this.finish(row, 'cancelled', null, 'the recipe was turned off or deleted', now);
          continue;
        }
        if (!row.test && this.ranToday(now) >= set.dailyCap) {
          await this.finish(
            row,
            'skipped',
            null,
            `loop guard: the contact reached the daily cap of ${set.dailyCap} actions`,
            now,
          );
          continue;
        }
        await this.runStep(row, now, recipe?.name ?? null);
      }
    }
    this.sql.exec(
      "DELETE FROM auto_steps WHERE state NOT IN ('waiting', 'running') AND updated_at < ?",
      now - KEEP_MS,
    );
    this.sql.exec('DELETE FROM auto_writes WHERE at < ?', now - KEEP_MS);
    return this.nextDueAt();
  }

  /** Fires a GHL workflow trigger: the occurrence's data, as the trigger's sample shows it. */
  private async fire(row: StepRow, sub: Subscription | undefined, now: number): Promise<void> {
    if (!sub) return this.finish(row, 'cancelled', null, 'the workflow no longer uses this trigger', now);
    this.sql.exec(
      "UPDATE auto_steps SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'waiting'",
      now,
      row.id,
    );
    if (this.sql.exec<{ n: number }>('SELECT changes() AS n').one().n !== 1) return;
    const data = JSON.parse(row.data) as TriggerData;
    const payload = {
      ...data,
      contactId: this.deps.contactId,
      event: workflowTriggerFor(sub.operation)?.key ?? sub.operation,
      test: row.test === 1,
    };
    try {
      const { gone } = await this.deps.fireWorkflow(sub.targetUrl, payload);
      if (gone) await this.deps.dropSubscription(sub.id);
      await this.finish(
        row,
        gone ? 'cancelled' : 'done',
        gone ? null : { workflowId: sub.workflowId },
        gone ? 'GHL says the workflow trigger is inactive; subscription dropped' : null,
        now,
      );
    } catch (err) {
      await this.retryOrFail(row, err, now);
    }
  }

  private async retryOrFail(row: StepRow, err: unknown, now: number): Promise<void> {
    const message = String(err instanceof Error ? err.message : err).slice(0, 500);
    if (row.attempts + 1 >= MAX_ATTEMPTS) await this.finish(row, 'failed', null, message, now);
    else
      this.sql.exec(
        "UPDATE auto_steps SET state = 'waiting', error = ?, due_at = ?, updated_at = ? WHERE id = ?",
        message,
        now + 30_000 * 2 ** row.attempts,
        now,
        row.id,
      );
  }

  private async runStep(row: StepRow, now: number, recipeName: string | null): Promise<void> {
    // Claimed before any await: a second run of the alarm (or a restart) cannot take it too.
    this.sql.exec(
      "UPDATE auto_steps SET state = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, ?1), updated_at = ?1 WHERE id = ?2 AND state = 'waiting'",
      now,
      row.id,
    );
    // (rowsWritten would count index rows too.)
    if (this.sql.exec<{ n: number }>('SELECT changes() AS n').one().n !== 1) return;
    const when = JSON.parse(row.when_json) as Condition[];
    const stored = JSON.parse(row.data) as TriggerData;
    try {
      const data = await this.automations.withFacts(stored, when);
      if (when.length && !allHold(when, data, await this.automations.costlyFacts(when, now))) {
        await this.finish(row, 'skipped', null, 'its conditions no longer hold', now);
        return;
      }
      const result = await this.execute(
        {
          recipeId: row.recipe_id,
          recipeName,
          action: row.action,
          step: row.step,
          attempt: row.attempts + 1,
          lastTry: row.attempts + 1 >= MAX_ATTEMPTS,
        },
        fillInput(JSON.parse(row.input) as Record<string, unknown>, data),
        data,
        row.subject,
        // Its first run's time and a key of its own: a run again writes the same, once.
        row.started_at ?? now,
        `auto:${this.deps.contactId}:${row.id}:${row.created_at}`,
        row.attempts > 0,
      );
      await this.finish(row, 'done', result, null, now);
    } catch (err) {
      if (err instanceof StepSkipped) await this.finish(row, 'skipped', err.detail, err.message, now);
      else await this.retryOrFail(row, err, now);
    }
  }

  /** Runs one catalog action for this contact on behalf of `origin`'s recipe. */
  async execute(
    origin: WriteOrigin,
    rawInput: Record<string, unknown>,
    data: TriggerData,
    subject: string | null,
    now: number,
    idempotencyKey: string | null = null,
    rerun = false,
  ): Promise<Record<string, unknown>> {
    const { recipeId, action: actionKey } = origin;
    const op = actionOf(actionKey);
    if (!op) throw new Error(`unknown action ${actionKey}`);
    const input = v.parse(op.input, rawInput);
    const ctx: ActionContext = {
      ghl: this.deps.ghl,
      locationId: this.deps.locationId,
      contactId: this.deps.contactId,
      data,
      now,
      idempotencyKey,
      rerun,
      timeZone: () => this.deps.locationTimeZone(),
      partners: this.deps.partners(origin),
      engine: this.deps.engine,
      wrote: (object) =>
        this.sql.exec(
          'INSERT INTO auto_writes (object, recipe_id, at) VALUES (?1, ?2, ?3) ON CONFLICT (object) DO UPDATE SET recipe_id = ?2, at = ?3',
          object,
          recipeId,
          now,
        ),
      recipeTasks: () => (subject ? this.recipeTasks(recipeId, subject) : []),
      pushToPartners: () => this.deps.pushToPartners(),
      partnerRecords: () => this.deps.partnerRecords(),
    };
    return op.run(ctx, input);
  }

  /** Runs an action at once from the panel ("run on this contact"), recorded as a manual run. */
  async runNow(
    actionKey: string,
    input: Record<string, unknown>,
    data: TriggerData,
    origin: { by: 'manual' | 'workflow'; key: string } = { by: MANUAL, key: `manual:${Date.now()}` },
    now = Date.now(),
    /** A run that must write once: its writes go under this key (and are looked up on a rerun). */
    once: { idempotencyKey: string; rerun: boolean } | null = null,
  ) {
    const base = {
      recipeId: origin.by,
      contactId: this.deps.contactId,
      trigger: origin.by,
      triggerKey: origin.key,
      step: 0,
      action: actionKey,
      test: origin.by === MANUAL,
      at: now,
    };
    try {
      const result = await this.execute(
        {
          recipeId: origin.by,
          recipeName: null,
          action: actionKey,
          step: 0,
          attempt: 1,
          lastTry: true,
          runKey: origin.key,
        },
        fillInput(input, data),
        data,
        null,
        now,
        once?.idempotencyKey ?? null,
        once?.rerun ?? false,
      );
      await this.automations.history({ ...base, status: 'done', detail: result });
      return { ok: true as const, result };
    } catch (err) {
      if (err instanceof StepSkipped) {
        // Nothing written on purpose (dry run): the run says so, and its caller gets what it would have written.
        await this.automations.history({ ...base, status: 'skipped', detail: err.detail });
        return { ok: true as const, result: { skipped: true, ...err.detail } };
      }
      const message = String(err instanceof Error ? err.message : err).slice(0, 500);
      await this.automations.history({ ...base, status: 'failed', detail: { error: message } });
      return { ok: false as const, error: message };
    }
  }

  private async finish(
    row: StepRow,
    state: 'done' | 'failed' | 'skipped' | 'cancelled',
    result: unknown,
    error: string | null,
    now: number,
  ): Promise<void> {
    this.sql.exec(
      'UPDATE auto_steps SET state = ?, result = ?, error = ?, updated_at = ? WHERE id = ?',
      state,
      result === null ? null : JSON.stringify(result),
      error,
      now,
      row.id,
    );
    await this.automations.history({
      recipeId: row.recipe_id,
      contactId: this.deps.contactId,
      trigger: row.trigger,
      triggerKey: row.trigger_key,
      step: row.step,
      action: row.action,
      status: state,
      detail: result ?? { reason: error },
      test: row.test === 1,
      at: now,
    });
  }
}
