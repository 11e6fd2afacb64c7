import { DurableObject } from 'cloudflare:workers';
import { getConfig } from '../config.ts';
import { GhlGateway, type GhlRequest, type GhlResult } from '../ghl/gateway.ts';
import { listInstalledLocations, mintLocationToken, OAuthError, type TokenSet } from '../ghl/oauth.ts';
import { getInstall, listCompanyLocations, setInstallStatus, upsertInstall } from '../tenants/installs.ts';
import { deleteTokens } from '../tenants/token-store.ts';
import { ReconnectNeeded, TokenKeeper } from '../tenants/token-keeper.ts';
import { fullJitter } from '../ghl/rate-budget.ts';
import type { GhlEvent } from '../webhooks/events.ts';
import { contactIdOf, objectIdOf } from '../webhooks/events.ts';
import { LOCATION_SCHEMA } from './location-schema.ts';
import { applySchema } from './sql-schema.ts';
import { contactStub } from './contact.ts';
import type { GhlContact } from '../ghl/types.ts';
import { forgetContact, knownContact, rememberContacts } from '../timeline/contact-index.ts';
import { getSyncLogEntry, listSyncLog, REPLAYABLE_STATUSES, type ReplayResult, type SyncLogEntry, type SyncLogFilter } from '../sync-log/read.ts';
import type { PartnerChange } from '../connectors/types.ts';
import { GhlApi } from '../ghl/api.ts';
import { ConnectionsCache } from '../sync/connections-cache.ts';
import { acceptPartner, dispatchPartner, orderKeyOf, reconcile, type LocationSyncDeps, type PartnerInboxBody } from '../sync/location-sync.ts';
import { indexContact, unindexContact } from '../sync/matching.ts';
import { backfillStep, newProgress, type BackfillProgress } from '../sync/backfill.ts';
import { connectionHealth, recordSyncLog, type SyncLogInput } from '../sync-log/write.ts';

/** How long a webhookId is remembered (longer than GHL's ~70 min retry span). */
const DEDUPE_KEEP_MS = 24 * 60 * 60 * 1000;
const INBOX_MAX_ATTEMPTS = 12;

export interface IngestResult {
  accepted: boolean;
  duplicate: boolean;
  seq?: number;
}

export interface InstallMeta {
  companyId?: string | null;
  name?: string | null;
  installKind: 'location' | 'agency';
}

/** Stub of the Durable Object that owns a location (or, as `company:<id>`, an agency). */
export function tenantStub(env: Env, resourceId: string) {
  return env.LOCATION.get(env.LOCATION.idFromName(resourceId));
}

/**
 * One per location and one per agency (`company:<companyId>`): owns the token pair and its
 * single-flight refresh, the GHL rate budget and call queue, webhook dedupe and the inbox of
 * accepted events.
 */
export class LocationDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private keeperCache: TokenKeeper | null = null;
  private gatewayCache: GhlGateway | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => applySchema(this.sql, LOCATION_SCHEMA));
  }

  // ---- identity -------------------------------------------------------------------------

  private meta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2', key, value);
  }

  /** The resource id is given on every call and pinned on the first one. */
  private bind(resourceId: string): string {
    const pinned = this.meta('resource_id');
    if (!pinned) this.setMeta('resource_id', resourceId);
    else if (pinned !== resourceId) throw new Error(`object of ${pinned} called for ${resourceId}`);
    return resourceId;
  }

  private get resourceId(): string {
    const id = this.meta('resource_id');
    if (!id) throw new Error('object used before it was bound to a resource');
    return id;
  }

  private get isCompany(): boolean {
    return this.resourceId.startsWith('company:');
  }

  /** The D1 key of this resource: companyId for agencies, locationId for locations. */
  private get installKey(): string {
    return this.isCompany ? this.resourceId.slice('company:'.length) : this.resourceId;
  }

  private keeper(): TokenKeeper {
    if (!this.keeperCache) {
      const config = getConfig(this.env);
      this.keeperCache = new TokenKeeper({
        db: this.env.DB,
        config,
        resourceId: this.installKey,
        mintFromAgency: (companyId) => tenantStub(this.env, `company:${companyId}`).mintLocationToken(`company:${companyId}`, this.installKey),
        onDead: (reason) => setInstallStatus(this.env.DB, this.installKey, 'reconnect_needed', reason),
      });
    }
    return this.keeperCache;
  }

  private gateway(): GhlGateway {
    if (!this.gatewayCache) this.gatewayCache = new GhlGateway(getConfig(this.env).apiBase, this.keeper());
    return this.gatewayCache;
  }

  // ---- GHL calls ------------------------------------------------------------------------

  /** Sends one GHL call through this resource's token and rate budget. */
  async ghl<T = unknown>(resourceId: string, req: GhlRequest): Promise<GhlResult<T>> {
    this.bind(resourceId);
    return this.gateway().send<T>(req);
  }

  // ---- install and tokens ---------------------------------------------------------------

  /** Stores a fresh token pair for this resource and marks the install active. */
  async install(resourceId: string, tokens: TokenSet, meta: InstallMeta): Promise<void> {
    this.bind(resourceId);
    await upsertInstall(this.env.DB, {
      resourceId: this.installKey,
      kind: this.isCompany ? 'company' : 'location',
      companyId: meta.companyId ?? tokens.companyId ?? null,
      name: meta.name ?? null,
      status: 'active',
      installKind: meta.installKind,
      lastError: null,
    });
    await this.keeper().store(tokens);
    this.setMeta('uninstalled', '0');
  }

  /** Agency object only: mints a location token from the agency token, or null when it has none. */
  async mintLocationToken(resourceId: string, locationId: string): Promise<TokenSet | null> {
    this.bind(resourceId);
    if (!this.isCompany) throw new Error('only an agency object mints location tokens');
    let company: TokenSet;
    try {
      company = await this.keeper().current();
    } catch (err) {
      if (err instanceof ReconnectNeeded) return null;
      throw err;
    }
    try {
      return await mintLocationToken(getConfig(this.env), company, locationId);
    } catch (err) {
      if (!(err instanceof OAuthError) || err.status !== 401) throw err;
      // A dead agency access token: refresh once and try again.
      company = await this.keeper().refresh(company.accessToken);
      return mintLocationToken(getConfig(this.env), company, locationId);
    }
  }

  /**
   * Agency object only: after a bulk install, mint and store a token for every location where
   * the app is installed. Returns the locations that are ready.
   */
  async provisionLocations(resourceId: string): Promise<{ id: string; name: string; ok: boolean }[]> {
    this.bind(resourceId);
    const config = getConfig(this.env);
    const company = await this.keeper().current();
    const locations = await listInstalledLocations(config, company);
    const out: { id: string; name: string; ok: boolean }[] = [];
    for (const loc of locations) {
      try {
        const tokens = await this.mintLocationToken(resourceId, loc.id);
        if (!tokens) throw new Error('agency token unavailable');
        await tenantStub(this.env, loc.id).install(loc.id, tokens, { companyId: company.companyId, name: loc.name, installKind: 'agency' });
        out.push({ ...loc, ok: true });
      } catch (err) {
        console.error('provision location failed', loc.id, String(err));
        out.push({ ...loc, ok: false });
      }
    }
    return out;
  }

  /** Removes this resource's tokens and stops its work (UNINSTALL). */
  async uninstall(resourceId: string): Promise<void> {
    this.bind(resourceId);
    await deleteTokens(this.env.DB, this.installKey);
    await setInstallStatus(this.env.DB, this.installKey, 'uninstalled', null);
    this.keeper().forget();
    this.setMeta('uninstalled', '1');
    this.sql.exec("DELETE FROM inbox WHERE type NOT IN ('INSTALL', 'UNINSTALL')");
    if (this.isCompany) {
      for (const loc of await listCompanyLocations(this.env.DB, this.installKey)) {
        if (loc.installKind === 'agency' && loc.status !== 'uninstalled') await tenantStub(this.env, loc.resourceId).uninstall(loc.resourceId);
      }
    }
  }

  /** Whether this location can do work right now. */
  async installStatus(resourceId: string) {
    this.bind(resourceId);
    return (await getInstall(this.env.DB, this.installKey))?.status ?? 'missing';
  }

  // ---- webhooks -------------------------------------------------------------------------

  /**
   * Dedupes on webhookId and persists the event. Both rows are written with no await between
   * them, so they commit together; the caller answers GHL only after this returns.
   */
  async ingest(resourceId: string, event: GhlEvent, now = Date.now()): Promise<IngestResult> {
    this.bind(resourceId);
    const seen = this.sql.exec('SELECT 1 FROM seen_webhooks WHERE webhook_id = ?', event.webhookId).toArray().length > 0;
    if (seen) return { accepted: true, duplicate: true };
    this.sql.exec('INSERT INTO seen_webhooks (webhook_id, received_at) VALUES (?, ?)', event.webhookId, now);
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
    await this.armAlarm(now);
    return { accepted: true, duplicate: false, seq: row.seq };
  }

  /** Stored events (raw JSON bodies), oldest first; by default only those not yet handled. */
  async storedEvents(resourceId: string, opts: { all?: boolean; limit?: number } = {}) {
    this.bind(resourceId);
    const where = opts.all ? '' : "WHERE state IN ('new', 'retry')";
    return this.sql
      .exec<{ seq: number; type: string; state: string; body: string; webhook_id: string }>(
        `SELECT seq, type, state, body, webhook_id FROM inbox ${where} ORDER BY seq LIMIT ?`,
        opts.limit ?? 500,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, type: r.type, state: r.state, webhookId: r.webhook_id, body: r.body }));
  }

  private async armAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let backfillPending = false;
    try {
      this.sql.exec('DELETE FROM seen_webhooks WHERE received_at < ?', now - DEDUPE_KEEP_MS);
      const due = this.sql
        .exec<{ seq: number; type: string; body: string; attempts: number }>(
          "SELECT seq, type, body, attempts FROM inbox WHERE state IN ('new', 'retry') AND type IN ('INSTALL', 'UNINSTALL') AND next_attempt_at <= ? ORDER BY seq LIMIT 50",
          now,
        )
        .toArray();
      for (const row of due) await this.handleLifecycle(row.seq, row.type, JSON.parse(row.body) as GhlEvent, row.attempts);
      if (!this.isCompany) await this.dispatchContactEvents(now);
      if (!this.isCompany && (await this.stepBackfills())) backfillPending = true;
    } finally {
      const next = this.sql
        .exec<{ at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM inbox WHERE state IN ('new', 'retry')")
        .one().at;
      const purge = now + 60 * 60 * 1000;
      const soonest = Math.min(next ?? purge, purge, backfillPending ? Date.now() + 50 : purge);
      await this.ctx.storage.setAlarm(Math.max(Date.now() + 10, soonest));
    }
  }

  /**
   * Hands stored contact, note, task and appointment events to the contact's own object, in the
   * order they arrived. Thin payloads (TaskCreate without contactId) are completed by a fetch.
   */
  private async dispatchContactEvents(now: number): Promise<void> {
    const rows = this.sql
      .exec<{ seq: number; type: string; body: string; contact_id: string | null; attempts: number }>(
        "SELECT seq, type, body, contact_id, attempts FROM inbox WHERE state IN ('new', 'retry') AND type NOT IN ('INSTALL', 'UNINSTALL') AND next_attempt_at <= ? ORDER BY seq LIMIT 200",
        now,
      )
      .toArray();
    if (!rows.length) return;
    if (this.meta('uninstalled') === '1') {
      this.sql.exec("UPDATE inbox SET state = 'skipped' WHERE state IN ('new', 'retry') AND type NOT IN ('INSTALL', 'UNINSTALL')");
      return;
    }
    const blocked = new Set<string>();
    for (const row of rows) {
      if (row.type === 'partner') {
        await this.dispatchPartnerRow(row, blocked);
        continue;
      }
      let event = JSON.parse(row.body) as GhlEvent;
      try {
        let contactId = row.contact_id;
        if (!contactId && this.deletedSince(event)) {
          // The task was deleted before its TaskCreate could be completed: the search can never find
          // it, and its TaskDelete says all there is to say. Retrying would only spend the budget.
          this.sql.exec("UPDATE inbox SET state = 'skipped', attempts = attempts + 1, last_error = 'deleted before it could be completed' WHERE seq = ?", row.seq);
          continue;
        }
        if (!contactId) {
          const found = await this.completeThinTask(event);
          contactId = found?.contactId ?? null;
          // The search answer is the whole task: pass its body on, so nobody reads the task again.
          if (found) event = { ...found.fields, ...event };
        }
        if (!contactId) throw new Error(`${event.type} ${event.id ?? ''} names no contact and none could be found`);
        // Keep per-contact order: once one event of a contact waits, later ones wait too.
        if (blocked.has(contactId)) continue;
        if (!row.contact_id) this.sql.exec('UPDATE inbox SET contact_id = ? WHERE seq = ?', contactId, row.seq);
        await contactStub(this.env, this.resourceId, contactId).applyGhlEvent(`${this.resourceId}:${contactId}`, { ...event, contactId: event.contactId ?? contactId });
        this.sql.exec("UPDATE inbox SET state = 'dispatched', attempts = attempts + 1 WHERE seq = ?", row.seq);
      } catch (err) {
        if (row.contact_id) blocked.add(row.contact_id);
        this.retryRow(row.seq, row.attempts, err);
      }
    }
  }

  /** Whether a TaskDelete for the object of this (task) event has been received. */
  private deletedSince(event: GhlEvent): boolean {
    if (!event.type.startsWith('Task') || !event.id) return false;
    return this.sql.exec("SELECT 1 FROM inbox WHERE type = 'TaskDelete' AND object_id = ? LIMIT 1", event.id).toArray().length > 0;
  }

  /** Matches a stored partner change to its GHL contact and hands it over, keeping per-person order. */
  private async dispatchPartnerRow(row: { seq: number; body: string; attempts: number }, blocked: Set<string>): Promise<void> {
    const body = JSON.parse(row.body) as PartnerInboxBody;
    const order = `partner:${orderKeyOf(body.change)}`;
    if (blocked.has(order)) return;
    try {
      const contactId = await dispatchPartner(this.syncDeps(), body);
      this.sql.exec("UPDATE inbox SET state = ?, contact_id = ?, attempts = attempts + 1 WHERE seq = ?", contactId ? 'dispatched' : 'skipped', contactId, row.seq);
    } catch (err) {
      blocked.add(order);
      this.retryRow(row.seq, row.attempts, err);
    }
  }

  private retryRow(seq: number, attempts: number, err: unknown): void {
    const next = attempts + 1;
    this.sql.exec(
      'UPDATE inbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?',
      next >= INBOX_MAX_ATTEMPTS ? 'failed' : 'retry',
      next,
      Date.now() + 500 + fullJitter(next, { baseMs: 500, capMs: 5 * 60_000 }),
      String(err),
      seq,
    );
  }

  /**
   * TaskCreate arrives without contactId and body (GHL issue #332). The task search answers with
   * the whole task; it has no id filter, so search by title first, then page through the
   * location's tasks. Returns the contact and the fields the event left out.
   */
  private async completeThinTask(event: GhlEvent): Promise<{ contactId: string; fields: Record<string, unknown> } | undefined> {
    if (!event.type.startsWith('Task') || !event.id) return undefined;
    const title = typeof event.title === 'string' ? event.title : undefined;
    const attempts: Record<string, unknown>[] = title ? [{ query: title, limit: 100 }] : [];
    for (let skip = 0; skip < 500; skip += 100) attempts.push({ limit: 100, skip });
    for (const body of attempts) {
      const result = await this.gateway().send<{ tasks?: { id?: string; _id?: string; contactId?: string; title?: string; body?: string; completed?: boolean }[] }>({
        method: 'POST',
        path: `/locations/${encodeURIComponent(this.resourceId)}/tasks/search`,
        body,
        version: '2021-07-28',
      });
      if (!result.ok) throw new Error(`task search failed: ${result.failure.message}`);
      const tasks = result.data.tasks ?? [];
      const hit = tasks.find((t) => (t.id ?? t._id) === event.id);
      if (hit?.contactId) {
        const fields: Record<string, unknown> = {};
        if (typeof hit.title === 'string') fields.body = hit.body ?? '';
        if (typeof hit.completed === 'boolean') fields.completed = hit.completed;
        return { contactId: hit.contactId, fields };
      }
      if (!('query' in body) && tasks.length < 100) break;
    }
    return undefined;
  }

  private async handleLifecycle(seq: number, type: string, event: GhlEvent, attempts: number): Promise<void> {
    try {
      if (type === 'UNINSTALL') {
        await this.uninstall(this.resourceId);
      } else if (!this.isCompany) {
        await this.completeInstall(event);
      }
      this.sql.exec("UPDATE inbox SET state = 'done', attempts = ? WHERE seq = ?", attempts + 1, seq);
    } catch (err) {
      const next = attempts + 1;
      const state = next >= INBOX_MAX_ATTEMPTS ? 'failed' : 'retry';
      const delay = 1000 + fullJitter(next, { baseMs: 1000, capMs: 5 * 60_000 });
      this.sql.exec(
        'UPDATE inbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?',
        state,
        next,
        Date.now() + delay,
        String(err),
        seq,
      );
      if (state === 'failed') await setInstallStatus(this.env.DB, this.installKey, 'reconnect_needed', `install did not complete: ${String(err)}`);
    }
  }

  /**
   * INSTALL for a location: a sub-account install already stored its token; an agency install
   * mints one from the agency token, which may not exist yet if the webhook beat the code
   * exchange (then this retries, and the exchange also provisions every location).
   */
  private async completeInstall(event: GhlEvent): Promise<void> {
    const install = await getInstall(this.env.DB, this.installKey);
    const hasTokens = await this.env.DB.prepare('SELECT 1 FROM tokens WHERE resource_id = ?').bind(this.installKey).first();
    if (install?.status === 'active' && hasTokens) return;
    const companyId = event.companyId;
    if (!companyId) throw new Error('INSTALL without companyId and no token from a code exchange yet');
    if (!install) {
      await upsertInstall(this.env.DB, { resourceId: this.installKey, kind: 'location', companyId, status: 'pending', installKind: 'agency' });
    }
    const tokens = await tenantStub(this.env, `company:${companyId}`).mintLocationToken(`company:${companyId}`, this.installKey);
    if (!tokens) throw new Error('agency token not stored yet');
    await this.install(this.resourceId, tokens, { companyId, installKind: 'agency', name: install?.name ?? null });
  }

  // ---- panel: contact index and sync-log reads (owned by the panel API; keep separate) ----

  /** Remembers contacts of this location seen by the panel or in Contact* events. */
  async rememberContacts(locationId: string, contacts: Partial<GhlContact>[]): Promise<number> {
    this.bind(locationId);
    for (const c of contacts) if (c.id && c.locationId === locationId) indexContact(this.sql, { id: c.id, email: c.email, phone: c.phone });
    return rememberContacts(this.sql, locationId, contacts);
  }

  /** The contact as last seen by this location, or null. */
  async knownContact(locationId: string, id: string): Promise<GhlContact | null> {
    this.bind(locationId);
    return knownContact(this.sql, locationId, id);
  }

  /** Drops a deleted contact from the index. */
  async forgetContact(locationId: string, id: string): Promise<void> {
    this.bind(locationId);
    forgetContact(this.sql, id);
    unindexContact(this.sql, id);
  }

  /** The location's sync log, newest first. */
  async listSyncLog(locationId: string, filter: SyncLogFilter): Promise<{ entries: SyncLogEntry[]; nextBeforeId: number | null }> {
    this.bind(locationId);
    return listSyncLog(this.sql, filter);
  }

  /** One sync-log entry, or null. */
  async getSyncLogEntry(locationId: string, id: number): Promise<SyncLogEntry | null> {
    this.bind(locationId);
    return getSyncLogEntry(this.sql, id);
  }

  /** Sends a failed sync-log entry through the sync engine again. */
  async replaySyncLog(locationId: string, id: number): Promise<ReplayResult> {
    this.bind(locationId);
    const entry = getSyncLogEntry(this.sql, id);
    if (!entry) return { ok: false, code: 'not_found', message: 'Sync log entry not found' };
    const workKey = this.sql.exec<{ work_key: string | null }>('SELECT work_key FROM sync_log WHERE id = ?', id).one().work_key;
    if (!REPLAYABLE_STATUSES.has(entry.status) || !workKey) {
      return { ok: false, code: 'not_replayable', message: 'Only failed sync work can be replayed.' };
    }
    const hash = workKey.lastIndexOf('#');
    const contactKey = workKey.slice(0, hash);
    const contactId = contactKey.slice(contactKey.indexOf(':') + 1);
    const replayed = await contactStub(this.env, locationId, contactId).replayWork(contactKey, Number(workKey.slice(hash + 1)));
    if (!replayed) return { ok: false, code: 'not_found', message: 'The work behind this entry is gone' };
    recordSyncLog(this.sql, { workKey, trigger: 'replay', action: entry.action, objectKind: entry.objectKind, contactId: entry.contactId, connectionId: entry.connectionId, status: 'queued', attempts: 0 });
    return { ok: true, entry: getSyncLogEntry(this.sql, id)! };
  }

  // ---- sync engine --------------------------------------------------------------------------

  private connectionsCache: ConnectionsCache | null = null;

  private syncDeps(): LocationSyncDeps {
    const locationId = this.resourceId;
    this.connectionsCache ??= new ConnectionsCache(this.env, locationId);
    return {
      sql: this.sql,
      env: this.env,
      locationId,
      ghl: new GhlApi(this.env, locationId, 'background', (req) => this.gateway().send(req)),
      connections: this.connectionsCache,
      remember: (contacts) => void rememberContacts(this.sql, locationId, contacts),
    };
  }

  /** Writes (or updates, by work key) a sync log row; called by contact objects. */
  async recordSync(locationId: string, entry: SyncLogInput): Promise<number> {
    this.bind(locationId);
    return recordSyncLog(this.sql, entry);
  }

  /** Stores partner changes (deduped on their keys) before the partner gets its answer. */
  async acceptPartner(locationId: string, connectionId: string, changes: PartnerChange[], trigger = 'partner_webhook') {
    this.bind(locationId);
    if (this.meta('uninstalled') === '1') return { accepted: 0, duplicates: 0, ignored: changes.length };
    const result = acceptPartner(this.sql, connectionId, changes, trigger);
    if (result.accepted) await this.armAlarm(Date.now());
    return result;
  }

  /** Starts a backfill (or its dry-run preview) of one connection; one at a time per connection. */
  async startBackfill(locationId: string, connectionId: string, dryRun: boolean): Promise<{ ok: boolean; progress: BackfillProgress | null }> {
    this.bind(locationId);
    const current = this.backfill(connectionId);
    if (current?.state === 'running') return { ok: false, progress: current };
    const progress = newProgress(connectionId, dryRun);
    this.setMeta(`backfill:${connectionId}`, JSON.stringify(progress));
    await this.armAlarm(Date.now());
    return { ok: true, progress };
  }

  /** The last backfill of a connection, running or finished, or null. */
  async backfillProgress(locationId: string, connectionId: string): Promise<BackfillProgress | null> {
    this.bind(locationId);
    return this.backfill(connectionId);
  }

  private backfill(connectionId: string): BackfillProgress | null {
    const raw = this.meta(`backfill:${connectionId}`);
    return raw ? (JSON.parse(raw) as BackfillProgress) : null;
  }

  /** One page of every running backfill; true when any is still running. */
  private async stepBackfills(): Promise<boolean> {
    const running = this.sql
      .exec<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key LIKE 'backfill:%'")
      .toArray()
      .map((r) => ({ key: r.key, p: JSON.parse(r.value) as BackfillProgress }))
      .filter((r) => r.p.state === 'running');
    for (const { key, p } of running) {
      try {
        await backfillStep(this.syncDeps(), p);
      } catch (err) {
        // Retried on the next alarm; a partner or GHL outage pauses the backfill, it does not end it.
        p.error = String(err);
      }
      this.setMeta(key, JSON.stringify(p));
    }
    return running.some((r) => r.p.state === 'running');
  }

  /** Each connection's health from the log: last event, last error, backlog. */
  async syncHealth(locationId: string) {
    this.bind(locationId);
    const inbox = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM inbox WHERE state IN ('new', 'retry')").one().n;
    return { inboxBacklog: inbox, connections: connectionHealth(this.sql) };
  }

  /** The reconciliation sweep (cron): repairs what webhooks missed, on both sides. */
  async reconcile(locationId: string) {
    this.bind(locationId);
    if (this.meta('uninstalled') === '1') return { ghlRepaired: 0, partnerChanges: 0 };
    const result = await reconcile(this.syncDeps(), (event) => {
      const seen = this.sql.exec('SELECT 1 FROM seen_webhooks WHERE webhook_id = ?', event.webhookId).toArray().length > 0;
      if (seen) return false;
      this.sql.exec('INSERT INTO seen_webhooks (webhook_id, received_at) VALUES (?, ?)', event.webhookId, Date.now());
      this.sql.exec(
        `INSERT INTO inbox (webhook_id, type, object_id, contact_id, body, received_at, next_attempt_at) VALUES (?, 'ContactUpdate', ?, ?, ?, ?, ?)`,
        event.webhookId, event.id, event.id, JSON.stringify({ ...event, trigger: 'reconcile' }), Date.now(), Date.now(),
      );
      return true;
    });
    await this.armAlarm(Date.now());
    return result;
  }
}
