/**
 * Recipes at work inside one contact's Durable Object: trigger occurrences in, steps scheduled
 * in the object's SQLite (run by its alarm, in order with the contact's sync work), each
 * (recipe, occurrence, step) once. The loop guard: an event about an object a recipe wrote does
 * not start that recipe again, and a contact runs at most the location's daily cap of actions.
 */
import type { PartnerChange } from '../connectors/types.ts';
import type { GhlApi } from '../ghl/api.ts';
import type { ActionContext, ActionGhl, WriteOrigin } from './catalog/types.ts';
import type { GhlEvent } from '../webhooks/events.ts';
import { allHold, hasUpcoming, needsContact, needsUpcoming, type CostlyFacts } from './conditions.ts';
import {
  contactFacts,
  fromGhlEvent,
  fromPartnerChange,
  fromSyncLog,
  type BookingSeen,
  type SyncLogFacts,
} from './events.ts';
import type { Condition, Delay, Recipe } from './model.ts';
import { enabledSet, type EnabledSet } from './recipes-cache.ts';
import { delayEnd, needsLocationZone } from './schedule.ts';
import { recordRun, type RunRecord } from './store.ts';
import { FIRE_WORKFLOW, StepRunner, WORKFLOW_PREFIX } from './step-runner.ts';
import type { Subscription } from './workflows/subscriptions.ts';
import type { TriggerData, TriggerEvent } from './trigger-data.ts';

export interface AutomationDeps {
  db: D1Database;
  locationId: string;
  contactId: string;
  ghl: ActionGhl & Pick<GhlApi, 'getContact'>;
  /** The contact from the location's index, without a GHL call when it is known there. */
  knownContact(): Promise<Record<string, unknown> | null>;
  /** POSTs a trigger's payload to a GHL workflow's targetUrl with the location's token; `gone` when GHL says the trigger is inactive. */
  fireWorkflow(targetUrl: string, payload: Record<string, unknown>): Promise<{ gone: boolean }>;
  /** Drops a workflow subscription GHL no longer runs. */
  dropSubscription(id: string): Promise<void>;
  /** The contact's partner records from the sync's ID map. */
  partnerRecords(): Promise<{ connectionId: string; connectionKind: string; partnerId: string }[]>;
  /** Stores a ContactUpdate of the contact as GHL holds it in the location's inbox (the sync takes it from there). */
  pushToPartners(): Promise<{ queued: boolean }>;
  /** The location's IANA time zone (GHL's location record, cached), for wall-time delays. */
  locationTimeZone(): Promise<string>;
  /** Writes at the partner apps on behalf of `origin` (logged in the sync log), and engine operations (catalog/types.ts). */
  partners(origin: WriteOrigin): ActionContext['partners'];
  engine: ActionContext['engine'];
}

export class ContactAutomations {
  private readonly sql: SqlStorage;
  private readonly deps: AutomationDeps;
  readonly runner: StepRunner;

  constructor(sql: SqlStorage, deps: AutomationDeps) {
    this.sql = sql;
    this.deps = deps;
    this.runner = new StepRunner(sql, deps, this);
  }

  private state(key: string): string | undefined {
    return this.sql.exec<{ value: string }>('SELECT value FROM auto_state WHERE key = ?', key).toArray()[0]
      ?.value;
  }

  private setState(key: string, value: string): void {
    this.sql.exec(
      'INSERT INTO auto_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2',
      key,
      value,
    );
  }

  /** A GHL event the contact's object accepted. Returns when the next step is due (to arm the alarm). */
  async onGhlEvent(event: GhlEvent, now = Date.now()): Promise<number | null> {
    const stored = this.state('tags');
    const { events, tags } = fromGhlEvent(
      event,
      this.deps.contactId,
      stored ? (JSON.parse(stored) as string[]) : undefined,
    );
    // The tag memory is kept even while no recipe listens, so a recipe enabled later sees true changes.
    if (tags && JSON.stringify(tags) !== stored) this.setState('tags', JSON.stringify(tags));
    if (!events.length) return null;
    return this.onEvents(events, now);
  }

  /** A partner change matched to this contact. */
  async onPartnerChange(change: PartnerChange, now = Date.now()): Promise<number | null> {
    let seen: BookingSeen;
    const bookingKey = `pbook:${change.connectionId}:${change.partnerId}`;
    if (change.kind === 'appointment' && change.op === 'upsert') {
      const v = this.state(bookingKey);
      seen = v ? { startTime: v } : undefined;
      if (change.previousPartnerId && !seen)
        seen = { startTime: this.state(`pbook:${change.connectionId}:${change.previousPartnerId}`) ?? '' };
      this.setState(bookingKey, change.data.startTime);
    }
    const events = fromPartnerChange(change, this.deps.contactId, seen);
    return events.length ? this.onEvents(events, now) : null;
  }

  /** A sync log entry of this contact's engine (conflict, failure, reconnect needed). */
  async onSyncLog(entry: SyncLogFacts, now = Date.now()): Promise<number | null> {
    const events = fromSyncLog(entry, this.deps.contactId, now);
    return events.length ? this.onEvents(events, now) : null;
  }

  /** A daily recipe's run for this contact: only that recipe starts, once per day. */
  async onScheduled(
    recipeId: string,
    day: string,
    contact: Record<string, unknown>,
    now = Date.now(),
  ): Promise<number | null> {
    const set = await enabledSet(this.deps.db, this.deps.locationId, now);
    const recipe = set.recipes.find((r) => r.id === recipeId);
    if (!recipe) return null;
    const event: TriggerEvent = {
      trigger: recipe.trigger,
      key: `schedule:${day}`,
      data: { contact: contactFacts(this.deps.contactId, contact), schedule: { day, ...recipe.schedule } },
    };
    return this.onEvents([event], now, {
      ...set,
      recipes: [recipe],
      subscriptions: [],
      listens: new Set([recipe.trigger]),
    });
  }

  /** Occurrences in: stop what they stop, then schedule the steps of each recipe they start. */
  async onEvents(events: TriggerEvent[], now = Date.now(), only?: EnabledSet): Promise<number | null> {
    // Steps already waiting on a moved appointment follow it, whatever listens now (local only).
    let moved = false;
    for (const event of events) if (event.subject && this.followAppointment(event, now)) moved = true;
    const set = only ?? (await enabledSet(this.deps.db, this.deps.locationId, now));
    if (!events.some((e) => set.listens.has(e.trigger))) return moved ? this.runner.nextDueAt() : null;
    for (const event of events) {
      for (const recipe of set.recipes) {
        if (event.subject && recipe.stopOn?.triggers.includes(event.trigger))
          await this.stop(recipe, event, now);
        if (recipe.trigger === event.trigger) await this.start(recipe, event, now);
      }
      for (const sub of set.subscriptions)
        if (sub.operation === event.trigger) this.scheduleFiring(sub, event, now);
    }
    return this.runner.nextDueAt();
  }

  /** A GHL workflow using this trigger gets it, from the alarm (retried like a step). */
  private scheduleFiring(sub: Subscription, event: TriggerEvent, now: number): void {
    const firing: Recipe = {
      id: `${WORKFLOW_PREFIX}${sub.id}`,
      locationId: this.deps.locationId,
      enabled: true,
      template: null,
      updatedAt: now,
      updatedBy: null,
      name: 'workflow',
      description: '',
      trigger: event.trigger,
      conditions: [],
      steps: [{ action: FIRE_WORKFLOW, input: {}, delay: { type: 'now' }, when: [] }],
    };
    this.insertStep(firing, event, 0, 'waiting', now, now);
  }

  private originOf(event: TriggerEvent): string | null {
    if (!event.object) return null;
    return (
      this.sql
        .exec<{ recipe_id: string }>('SELECT recipe_id FROM auto_writes WHERE object = ?', event.object)
        .toArray()[0]?.recipe_id ?? null
    );
  }

  private async start(recipe: Recipe, event: TriggerEvent, now: number): Promise<void> {
    const fired =
      this.sql
        .exec(
          'SELECT 1 FROM auto_steps WHERE recipe_id = ? AND trigger_key = ? LIMIT 1',
          recipe.id,
          event.key,
        )
        .toArray().length > 0;
    if (fired) return;
    const base = {
      recipeId: recipe.id,
      contactId: this.deps.contactId,
      trigger: event.trigger,
      triggerKey: event.key,
      test: event.test,
      at: now,
    };
    if (this.originOf(event) === recipe.id) {
      this.insertStep(
        recipe,
        event,
        0,
        'skipped',
        now,
        now,
        "loop guard: the event is about this recipe's own write",
      );
      await this.history({
        ...base,
        step: 0,
        action: recipe.steps[0]!.action,
        status: 'skipped',
        detail: { reason: 'loop_guard', object: event.object },
      });
      return;
    }
    const data = await this.withFacts(event.data, recipe.conditions);
    const facts = await this.costlyFacts(recipe.conditions, now);
    if (!allHold(recipe.conditions, data, facts)) return;
    const enriched = { ...event, data };
    const zone = recipe.steps.some((s) => needsLocationZone(s.delay))
      ? await this.deps.locationTimeZone()
      : 'UTC';
    recipe.steps.forEach((step, i) => {
      const due = delayEnd(step.delay, now, data, zone);
      if (due === null)
        this.insertStep(
          recipe,
          enriched,
          i,
          'skipped',
          now,
          now,
          'the delay needs an appointment and the trigger names none',
        );
      else this.insertStep(recipe, enriched, i, 'waiting', due, now);
    });
  }

  private insertStep(
    recipe: Recipe,
    event: TriggerEvent,
    i: number,
    state: string,
    due: number,
    now: number,
    error: string | null = null,
  ): void {
    const step = recipe.steps[i]!;
    this.sql.exec(
      `INSERT OR IGNORE INTO auto_steps (recipe_id, trigger_key, step, trigger, subject, data, action, input, when_json, delay, due_at, state, error, test, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      recipe.id,
      event.key,
      i,
      event.trigger,
      event.subject ?? null,
      JSON.stringify(event.data),
      step.action,
      JSON.stringify(step.input ?? {}),
      JSON.stringify(step.when ?? []),
      JSON.stringify(step.delay ?? { type: 'now' }),
      due,
      state,
      error,
      event.test ? 1 : 0,
      now,
      now,
    );
  }

  /** A cancel (or other stop trigger) for the subject: waiting steps are dropped, the recipe's tasks closed. */
  private async stop(recipe: Recipe, event: TriggerEvent, now: number): Promise<void> {
    const waiting = this.sql
      .exec<{ id: number; trigger: string; trigger_key: string; step: number; action: string }>(
        "SELECT id, trigger, trigger_key, step, action FROM auto_steps WHERE recipe_id = ? AND subject = ? AND state = 'waiting'",
        recipe.id,
        event.subject!,
      )
      .toArray();
    this.sql.exec(
      "UPDATE auto_steps SET state = 'cancelled', error = ?, updated_at = ? WHERE recipe_id = ? AND subject = ? AND state = 'waiting'",
      `stopped by ${event.trigger}`,
      now,
      recipe.id,
      event.subject!,
    );
    for (const w of waiting) {
      await this.history({
        recipeId: recipe.id,
        contactId: this.deps.contactId,
        trigger: w.trigger,
        triggerKey: w.trigger_key,
        step: w.step,
        action: w.action,
        status: 'cancelled',
        detail: { reason: `stopped by ${event.trigger}` },
        at: now,
      });
    }
    if (recipe.stopOn?.closeTasks !== false && this.runner.recipeTasks(recipe.id, event.subject!).length) {
      const closer: Recipe = {
        ...recipe,
        steps: [{ action: 'ghl.tasks.close', input: {}, delay: { type: 'now' }, when: [] }],
      };
      this.insertStep(closer, { ...event, key: `stop:${event.key}` }, 0, 'waiting', now, now);
    }
  }

  /** An appointment that moved: waiting steps timed from it follow it. */
  private followAppointment(event: TriggerEvent, now: number): boolean {
    const appointment = event.data.appointment;
    if (!appointment?.startTime) return false;
    let moved = false;
    const rows = this.sql
      .exec<{ id: number; delay: string | null; data: string }>(
        "SELECT id, delay, data FROM auto_steps WHERE subject = ? AND state = 'waiting'",
        event.subject!,
      )
      .toArray();
    for (const row of rows) {
      const delay = row.delay ? (JSON.parse(row.delay) as Delay) : undefined;
      if (delay?.type !== 'before_appointment' && delay?.type !== 'after_appointment') continue;
      const data = {
        ...(JSON.parse(row.data) as TriggerData),
        appointment: { ...(JSON.parse(row.data) as TriggerData).appointment, ...appointment },
      };
      const due = delayEnd(delay, now, data);
      if (due === null) continue;
      this.sql.exec(
        'UPDATE auto_steps SET due_at = ?, data = ?, updated_at = ? WHERE id = ?',
        due,
        JSON.stringify(data),
        now,
        row.id,
      );
      moved = true;
    }
    return moved;
  }

  /** Adds the contact's record when a condition reads it and the trigger did not carry it. */
  async withFacts(data: TriggerData, conditions: readonly Condition[]): Promise<TriggerData> {
    if (data.contact?.tags || !needsContact(conditions)) return data;
    const raw = (await this.deps.knownContact()) ?? (await this.deps.ghl.getContact(this.deps.contactId));
    return {
      ...data,
      contact: {
        ...contactFacts(this.deps.contactId, raw),
        ...(data.contact ?? {}),
        tags: contactFacts(this.deps.contactId, raw).tags,
      },
    };
  }

  /** Facts that cost a GHL call, looked up only when a condition needs them. */
  async costlyFacts(conditions: readonly Condition[], now: number): Promise<CostlyFacts> {
    if (!needsUpcoming(conditions)) return {};
    return {
      upcomingAppointment: hasUpcoming(await this.deps.ghl.listAppointments(this.deps.contactId), now),
    };
  }

  /** Writes a run history row; the history is a record, so a failure to write it fails nothing. */
  async history(run: RunRecord): Promise<void> {
    try {
      await recordRun(this.deps.db, this.deps.locationId, run);
    } catch (err) {
      console.error('automation run history not written', this.deps.locationId, run.recipeId, String(err));
    }
  }
}
