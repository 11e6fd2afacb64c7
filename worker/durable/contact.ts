import { DurableObject } from 'cloudflare:workers';
import type { GhlEvent } from '../webhooks/events.ts';
import type { TimelineOrder } from '../timeline/merge.ts';
import { ContactTimeline, type TimelineResult, type TimelineWrite } from './contact/timeline.ts';
import { CONTACT_SCHEMA } from './contact-schema.ts';
import { applySchema } from './sql-schema.ts';
import type { PartnerChange, SyncContact } from '../connectors/types.ts';
import { connectorFor } from '../connectors/registry.ts';
import { LocationGhlApi as GhlApi } from './ghl-api.ts';
import { loadSettings } from '../settings/store.ts';
import { getInstall } from '../tenants/installs.ts';
import { ContactEngine } from './contact/sync/contact-engine.ts';
import { SyncQueue } from './contact/sync/queue.ts';
import { ConnectionsCache } from './connections-cache.ts';
import type { EngineSettings } from '../sync/engine-types.ts';
import { contactFromGhl, ghlPrint, taskFromGhl } from '../sync/ghl-model.ts';
import { isThinTask } from '../sync/ghl-events.ts';
import { withLocationMapping } from '../sync/field-mapping.ts';
import type { SyncLogInput } from '../sync-log/write.ts';
import { backfillContact, type ContactBackfillResult } from './contact/sync/backfill-contact.ts';
import type { BackfillOptions } from '../sync/backfill-plan.ts';
import { subjectOfData, subjectOfWork } from '../sync-log/subject.ts';
import { diffOfWork } from '../sync-log/diff-of-work.ts';
import { annotatePartnerOrigin } from '../timeline/partner-origin.ts';
import { tenantStub } from './stubs.ts';
import { applyAutomationSchema } from '../automations/contact-schema.ts';
import { WorkflowRuns, type RunOnce } from '../automations/workflow-runs.ts';
import { recoverSteps } from '../automations/step-runner.ts';
import type { ContactAutomations } from '../automations/runtime.ts';
import type { TriggerData } from '../automations/trigger-data.ts';
import { contactAutomations, earliest } from './contact-automations.ts';
import { takeRequests, withTrace } from '../lib/request-trace.ts';
import {
  OUT_OF_SCOPE,
  outOfScope,
  partnerChangeOutOfScope,
  scopeFactsOf,
  type ScopeFacts,
} from '../sync/scope.ts';
import type { SyncScope } from '../settings/model.ts';
import { partnerChangeBlocked, type PartnerSwitches } from '../sync/partner-gate.ts';
import { loadPartnerSwitches } from './location/partner-switches.ts';

/**
 * One per contact (`locationId:contactId`): the contact's timeline cache (notes, tasks,
 * appointments) and its ordered, durable queue of sync work.
 */
export class ContactDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private timelineCache: ContactTimeline | null = null;
  private engineCache: ContactEngine | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      applySchema(this.sql, CONTACT_SCHEMA);
      const interrupted = new SyncQueue(this.sql).recoverInterrupted();
      if (interrupted) await ctx.storage.setAlarm(Date.now());
      // automations: their own tables; a step cut off by a restart is due again.
      applyAutomationSchema(this.sql);
      await this.armAutomations(recoverSteps(this.sql));
    });
  }

  /** The key is given on every call and pinned on the first one. */
  private bind(key: string): { locationId: string; contactId: string } {
    const at = key.indexOf(':');
    if (at <= 0 || at === key.length - 1) throw new Error(`bad contact object key ${key}`);
    const pinned = this.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'key'")
      .toArray()[0]?.value;
    if (!pinned) this.sql.exec("INSERT INTO meta (key, value) VALUES ('key', ?)", key);
    else if (pinned !== key) throw new Error(`object of ${pinned} called for ${key}`);
    return { locationId: key.slice(0, at), contactId: key.slice(at + 1) };
  }

  private timelineOf(key: string): ContactTimeline {
    const { locationId, contactId } = this.bind(key);
    this.timelineCache ??= new ContactTimeline(this.env, this.sql, locationId, contactId);
    return this.timelineCache;
  }

  /** A stored GHL event about this contact, handed over in order by the location's object. */
  async applyGhlEvent(key: string, event: GhlEvent): Promise<void> {
    await this.armAutomations(await this.automationsOf(key).onGhlEvent(event)); // automations
    await this.timelineOf(key).applyEvent(event);
    if (await this.outsideScope(key, event)) return;
    const engine = this.engineOf(key);
    if (event.type.startsWith('Contact') && event.type !== 'ContactDelete')
      this.setSnapshot(contactFromGhl(event));
    let data: Parameters<ContactEngine['fromGhl']>[2];
    if (isThinTask(event) && typeof event.id === 'string' && (await this.wantsTasks(key))) {
      // TaskCreate comes without body and due date (GHL issue #332): read the task once.
      const { contactId } = this.bind(key);
      data = { task: taskFromGhl(await this.ghlOf(key).getTask(contactId, event.id)) };
    }
    if ((await engine.fromGhl(event, String(event.trigger ?? 'ghl_webhook'), data)) > 0) await this.arm();
  }

  // ---- sync engine ------------------------------------------------------------------------

  /**
   * A partner change matched to this contact by the location's object. `created` says the
   * contact was just created in GHL from this very change, so only the ID map is recorded.
   */
  async applyPartnerChange(
    key: string,
    change: PartnerChange,
    trigger: string,
    created: boolean,
  ): Promise<void> {
    await this.armAutomations(await this.automationsOf(key).onPartnerChange(change)); // automations
    if (!created && (await this.partnerOutsideScope(key, change, trigger))) return;
    const engine = this.engineOf(key);
    const { contactId } = this.bind(key);
    if (created) {
      // The contact was just made in GHL from this change (also from a note or task that arrived
      // before the partner's contact event): remember which partner contact it is, so GHL's
      // ContactCreate about it is known as our own write and no second contact is made there.
      const partnerContactId = change.kind === 'contact' ? change.partnerId : change.contactPartnerId;
      const sent = change.kind === 'contact' ? change.data : change.contact;
      if (partnerContactId) {
        // Dated like any synced change, so an older partner event about this person that
        // arrives later (reordered) is stale, not a change to apply over this one.
        engine.links.save({
          kind: 'contact',
          connectionId: change.connectionId,
          ghlId: contactId,
          partnerId: partnerContactId,
          ghlFp: ghlPrint('contact', sent),
          partnerFp: change.kind === 'contact' ? change.fingerprint : null,
          state: undefined,
          sourceAt: change.kind === 'contact' ? Date.parse(change.occurredAt) || null : null,
          ghlWriteAt: Date.now(),
          data: sent,
        });
      }
      if (change.kind === 'contact') return;
    }
    if (await engine.fromPartner(change, trigger)) await this.arm();
  }

  /**
   * Backfill of this contact for one connection (contact/sync/backfill-contact.ts): a preview counts what
   * a run would write, per kind and action; a run queues exactly that.
   */
  async backfillContact(
    key: string,
    connectionId: string,
    contact: Record<string, unknown>,
    opts: BackfillOptions & { dryRun: boolean },
  ): Promise<ContactBackfillResult> {
    const engine = this.engineOf(key);
    const { locationId, contactId } = this.bind(key);
    const data = contactFromGhl(contact);
    if (!opts.dryRun) this.setSnapshot(data);
    const settings = (await this.engineSettings(locationId)) as EngineSettings & {
      disabledConnections: Set<string>;
      fieldMapping: Record<string, Record<string, string>>;
    };
    const found = (await (this.connectionsCache ??= new ConnectionsCache(this.env, locationId)).get()).find(
      (c) => c.id === connectionId,
    );
    const connector = found && connectorFor(found.kind);
    if (!found || !connector || settings.disabledConnections.has(connectionId))
      return { counts: {}, reasons: {}, queued: 0 };
    const connection = {
      ...found,
      settings: withLocationMapping(
        found.settings,
        connector.defaultFieldMaps,
        settings.fieldMapping[found.kind],
      ),
    };
    const why = outOfScope((settings as EngineSettings & { scope?: SyncScope }).scope, scopeFactsOf(contact));
    if (why)
      return {
        counts: { contact: { create: 0, update: 0, unchanged: 0, skipped: 1 } },
        reasons: { [OUT_OF_SCOPE]: 1 },
        queued: 0,
      };
    const result = await backfillContact(
      { locationId, contactId, engine, ghl: this.ghlOf(key), settings, connection, connector },
      contact,
      opts,
    );
    if (result.queued) await this.arm();
    return result;
  }

  /** Puts a finished or failed work item back in the queue (sync log replay). */
  async replayWork(key: string, workId: number): Promise<boolean> {
    const item = this.engineOf(key).replay(workId);
    if (item) await this.arm();
    return item !== undefined;
  }

  /** Queue counts by state (tests, health). */
  async syncStatus(key: string) {
    const engine = this.engineOf(key);
    return { counts: engine.queue.counts(), backlog: engine.queue.backlog(), links: engine.links.count() };
  }

  override async alarm(): Promise<void> {
    const key = this.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'key'")
      .toArray()[0]?.value;
    if (!key) return;
    let next: number | null = null;
    try {
      await this.runAutomations(key);
      this.partnerSwitches = null; // read fresh once per run of the queue
      // Traced: each row of the sync log keeps the GHL and partner requests of each try.
      next = await withTrace(() => this.engineOf(key).run());
    } finally {
      // Re-armed in finally: a throw mid-run must not strand the rest of the queue.
      const at = earliest(
        next ?? this.engineOf(key).queue.nextDueAt(),
        this.automationsOf(key).runner.nextDueAt(),
      );
      if (at !== null) await this.ctx.storage.setAlarm(Math.max(at, Date.now() + 5));
    }
  }

  private async arm(): Promise<void> {
    const at = this.engineOf(
      this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'key'").one().value,
    ).queue.nextDueAt();
    if (at === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(Math.max(at, Date.now()));
  }

  // ---- automations (worker/automations): recipes run from the same alarm ------------------

  private automationsCache: ContactAutomations | null = null;

  private automationsOf(key: string): ContactAutomations {
    const { locationId, contactId } = this.bind(key);
    this.automationsCache ??= contactAutomations(this.env, this.sql, locationId, contactId, {
      backfillContact: async (connectionId, history) =>
        this.backfillContact(key, connectionId, await this.ghlOf(key).getContact(contactId), {
          dryRun: false,
          history,
        }),
      dryRun: async () => (await this.engineSettings(locationId)).dryRun,
    });
    return this.automationsCache;
  }

  private async armAutomations(at: number | null): Promise<void> {
    if (at === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(Math.max(at, Date.now()));
  }

  /** Due recipe steps; their failures are theirs (retried there) and never hold up the sync queue. */
  private async runAutomations(key: string): Promise<void> {
    try {
      await this.automationsOf(key).runner.runDue();
    } catch (err) {
      console.error('automation steps failed to run', key, String(err));
    }
  }

  /** Sync triggers never disturb the sync: a failure here is logged, not thrown into the engine. */
  private async automationsOnSyncLog(key: string, entry: SyncLogInput & { logId?: number }): Promise<void> {
    try {
      await this.armAutomations(await this.automationsOf(key).onSyncLog(entry));
    } catch (err) {
      console.error('automation sync trigger failed', key, String(err));
    }
  }

  /** A catalog trigger fired by hand from the panel (marked as a test). */
  async automationTestEvent(key: string, trigger: string, data: TriggerData): Promise<{ scheduled: number }> {
    const automations = this.automationsOf(key);
    const stamp = Date.now();
    const at = await automations.onEvents(
      [
        {
          trigger,
          key: `test:${trigger}:${stamp}:${crypto.randomUUID()}`,
          test: true,
          data: { ...data, contact: { ...(data.contact ?? {}), id: this.bind(key).contactId } },
        },
      ],
      stamp,
    );
    await this.armAutomations(at);
    const scheduled = this.sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM auto_steps WHERE test = 1 AND created_at = ?', stamp)
      .one().n;
    return { scheduled };
  }

  /** A daily recipe's occurrence for this contact (durable/automation-schedules.ts). */
  async automationScheduled(
    key: string,
    recipeId: string,
    day: string,
    contact: Record<string, unknown>,
  ): Promise<void> {
    await this.armAutomations(await this.automationsOf(key).onScheduled(recipeId, day, contact));
  }

  /**
   * A catalog action run on this contact from the panel, or by a GHL workflow (`origin`). With
   * `once`, a call made again under the same key answers the first one's outcome (workflow-runs.ts).
   */
  async runAutomationAction(
    key: string,
    action: string,
    input: Record<string, unknown>,
    origin?: { by: 'manual' | 'workflow'; key: string },
    once?: RunOnce,
  ) {
    const { contactId } = this.bind(key);
    const runner = this.automationsOf(key).runner;
    const data = { contact: { id: contactId } };
    if (!once) return runner.runNow(action, input, data, origin);
    this.workflowRuns ??= new WorkflowRuns(this.sql);
    return this.workflowRuns.run(once, Date.now(), (startedAt, rerun) =>
      runner.runNow(action, input, data, origin, startedAt, { idempotencyKey: once.key, rerun }),
    );
  }

  private workflowRuns: WorkflowRuns | null = null;

  /**
   * A change of a contact outside the location's sync scope (sync/scope.ts) does not go out; a
   * quiet log row says so.
   */
  private async outsideScope(key: string, event: GhlEvent): Promise<boolean> {
    const { locationId, contactId } = this.bind(key);
    // Kept whatever the scope, so a scope set later reads what the contact is now.
    if (event.type.startsWith('Contact') && event.type !== 'ContactDelete') {
      const known = this.storedScopeFacts();
      this.saveScopeFacts({ businessId: known?.businessId, ...scopeFactsOf(event, 'event') });
    }
    const scope = await this.scopeOf(locationId);
    if (!scope || event.type === 'ContactDelete') return false;
    const why = outOfScope(scope, await this.scopeFacts(key, scope));
    if (!why) return false;
    await tenantStub(this.env, locationId).recordSync(locationId, {
      trigger: String(event.trigger ?? 'ghl_webhook'),
      action: `${event.type} to partners`,
      objectKind:
        event.type.replace(/(Create|Update|Delete|Complete|TagUpdate|DndUpdate)$/, '').toLowerCase() ||
        'contact',
      contactId,
      status: 'skipped',
      error: why,
    });
    return true;
  }

  /** A partner change about a contact outside the sync scope is not written to GHL; the log says so. */
  private async partnerOutsideScope(key: string, change: PartnerChange, trigger: string): Promise<boolean> {
    const { locationId, contactId } = this.bind(key);
    const scope = await this.scopeOf(locationId);
    const why = scope ? partnerChangeOutOfScope(scope, await this.scopeFacts(key, scope)) : null;
    if (!why) return false;
    await tenantStub(this.env, locationId).recordSync(locationId, {
      trigger,
      action: `${change.op} ${change.kind} in GHL`,
      objectKind: change.kind,
      objectId: change.partnerId,
      contactId,
      connectionId: change.connectionId,
      status: 'skipped',
      error: why,
    });
    return true;
  }

  private async scopeOf(locationId: string): Promise<SyncScope | undefined> {
    return ((await this.engineSettings(locationId)) as EngineSettings & { scope?: SyncScope }).scope;
  }

  /**
   * What the scope looks at (tags, business, creation): from the last Contact* event, else from
   * what the location knows of the contact, else from GHL once. The business, which events do
   * not carry, is read once when the scope asks for it.
   */
  private async scopeFacts(key: string, scope: SyncScope): Promise<ScopeFacts> {
    const { locationId, contactId } = this.bind(key);
    const stored = this.storedScopeFacts();
    if (stored && (stored.businessId !== undefined || !scope.businessId)) return stored;
    const known = await tenantStub(this.env, locationId).knownContact(locationId, contactId);
    const read =
      known && (!scope.businessId || 'businessId' in known)
        ? known
        : await this.ghlOf(key).getContact(contactId);
    const fromGhl = scopeFactsOf(read);
    const facts = stored ? { ...stored, businessId: fromGhl.businessId } : fromGhl;
    this.saveScopeFacts(facts);
    return facts;
  }

  private storedScopeFacts(): ScopeFacts | undefined {
    const stored = this.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'scope_facts'")
      .toArray()[0]?.value;
    return stored ? (JSON.parse(stored) as ScopeFacts) : undefined;
  }

  private saveScopeFacts(facts: ScopeFacts): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('scope_facts', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
      JSON.stringify(facts),
    );
  }

  /** Tells the location which partner contact this contact is (the ID map knows it once synced). */
  private async sharePartnerLink(locationId: string, contactId: string, connectionId: string): Promise<void> {
    const partnerId = this.sql
      .exec<{ partner_id: string | null }>(
        "SELECT partner_id FROM links WHERE kind = 'contact' AND connection_id = ? AND ghl_id = ?",
        connectionId,
        contactId,
      )
      .toArray()[0]?.partner_id;
    if (partnerId)
      await tenantStub(this.env, locationId).linkPartnerContact(
        locationId,
        connectionId,
        partnerId,
        contactId,
      );
  }

  private settingsCache: { value: EngineSettings; until: number } | null = null;
  private partnerSwitches: Promise<PartnerSwitches> | null = null;
  private connectionsCache: ConnectionsCache | null = null;
  private ghlCache: GhlApi | null = null;

  private ghlOf(key: string): GhlApi {
    const { locationId } = this.bind(key);
    this.ghlCache ??= new GhlApi(this.env, locationId, 'background');
    return this.ghlCache;
  }

  private async wantsTasks(key: string): Promise<boolean> {
    const { locationId } = this.bind(key);
    this.connectionsCache ??= new ConnectionsCache(this.env, locationId);
    return (await this.connectionsCache.get()).some(
      (c) => connectorFor(c.kind)?.capabilities.outbound.task?.length,
    );
  }

  private snapshot(): SyncContact | undefined {
    const v = this.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'contact'")
      .toArray()[0]?.value;
    return v ? (JSON.parse(v) as SyncContact) : undefined;
  }

  private setSnapshot(contact: SyncContact): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('contact', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
      JSON.stringify(contact),
    );
  }

  /** The location's settings, read at most every few seconds while work runs. */
  private async engineSettings(locationId: string): Promise<EngineSettings> {
    if (this.settingsCache && this.settingsCache.until > Date.now()) return this.settingsCache.value;
    const [{ settings }, install] = await Promise.all([
      loadSettings(this.env.DB, locationId),
      getInstall(this.env.DB, locationId),
    ]);
    const disabledConnections = new Set(settings.connections.filter((c) => !c.enabled).map((c) => c.id));
    const value = { ...settings, disabledConnections, uninstalled: install?.status === 'uninstalled' };
    this.settingsCache = { value, until: Date.now() + 5_000 };
    return value;
  }

  private engineOf(key: string): ContactEngine {
    if (this.engineCache) return this.engineCache;
    const { locationId, contactId } = this.bind(key);
    this.connectionsCache ??= new ConnectionsCache(this.env, locationId);
    const connections = this.connectionsCache;
    const location = tenantStub(this.env, locationId);
    this.engineCache = new ContactEngine(this.sql, {
      locationId,
      contactId,
      ghl: this.ghlOf(key),
      settings: () => this.engineSettings(locationId),
      connections: async () => {
        const settings = (await this.engineSettings(locationId)) as EngineSettings & {
          disabledConnections: Set<string>;
          fieldMapping: Record<string, Record<string, string>>;
        };
        return (await connections.get({ held: true }))
          .filter((c) => !settings.disabledConnections.has(c.id))
          .map((c) => ({
            ...c,
            settings: withLocationMapping(
              c.settings,
              connectorFor(c.kind)?.defaultFieldMaps ?? {},
              settings.fieldMapping[c.kind],
            ),
          }));
      },
      connector: connectorFor,
      partnerBlocked: async (connectionId, kind) =>
        partnerChangeBlocked(
          await (this.partnerSwitches ??= loadPartnerSwitches(this.env, locationId)),
          connectionId,
          kind,
        ),
      log: async (entry: SyncLogInput) => {
        if (entry.status === 'done' && entry.objectKind === 'contact' && entry.connectionId)
          await this.sharePartnerLink(locationId, contactId, entry.connectionId);
        const id = await location.recordSync(locationId, {
          ...entry,
          subject: entry.subject ?? subjectOfWork(this.sql, entry.workKey),
          contactName: entry.contactName ?? subjectOfData('contact', this.snapshot()),
          // A try ended: the requests made since the last one are this try's.
          ...(entry.status === 'queued' ? {} : { requests: takeRequests() }),
          ...(entry.status === 'done' ? { diff: diffOfWork(this.sql, entry.workKey) } : {}),
        });
        await this.automationsOnSyncLog(key, { ...entry, logId: id }); // automations: sync triggers
        return id;
      },
      contact: async () => {
        const known = this.snapshot();
        if (known) return known;
        const fromIndex = await location.knownContact(locationId, contactId);
        const contact = contactFromGhl(fromIndex ?? (await this.ghlOf(key).getContact(contactId)));
        this.setSnapshot(contact);
        return contact;
      },
    });
    return this.engineCache;
  }
  // ---- timeline (panel) -------------------------------------------------------------------

  /** The contact's merged timeline, from the cache or (cold, or `refresh`) from GHL. */
  async timeline(key: string, opts: { refresh: boolean; order: TimelineOrder }): Promise<TimelineResult> {
    const result = await this.timelineOf(key).view(opts);
    if (!result.ok) return result;
    // Items that came from a partner name it (the ID map knows which side we last wrote).
    const { locationId } = this.bind(key);
    const names = async () => {
      const connections = await (this.connectionsCache ??= new ConnectionsCache(this.env, locationId)).get({
        held: true,
      });
      return new Map(connections.map((c) => [c.id, { name: c.name, kind: c.kind }]));
    };
    return { ...result, items: await annotatePartnerOrigin(this.sql, result.items, names) };
  }

  /** Write-through: a change the panel just made in GHL. */
  async applyTimelineWrite(key: string, change: TimelineWrite): Promise<void> {
    this.timelineOf(key).applyWrite(change);
  }
}
