import { DurableObject } from 'cloudflare:workers';
import { renewConnectionCredentials } from '../tenants/connections.ts';
import type { RenewOutcome } from '../connectors/credential-keeper.ts';
import type { PartnerChange } from '../connectors/types.ts';
import type { CreateOnce } from '../ghl/create-once.ts';
import type { GhlRequest, GhlResult } from '../ghl/gateway.ts';
import type { TokenSet } from '../ghl/oauth.ts';
import type { GhlContact } from '../ghl/types.ts';
import type { BackfillProgress } from '../sync/backfill-progress.ts';
import type { ReplayResult, SyncLogEntry, SyncLogFilter } from '../sync-log/read.ts';
import type { SyncLogInput } from '../sync-log/write.ts';
import { benchClock } from '../lib/bench-probes.ts';
import { requestPressure } from '../lib/request-pressure.ts';
import type { GhlEvent } from '../webhooks/events.ts';
import { adminSummary, type AdminSummary } from './location/admin-summary.ts';
import { AgencyDirectory, type Directory } from './location/agency-directory.ts';
import { AgencyRequests, type StoredAnswer } from './location/agency-requests.ts';
import { Backfills } from './location/backfills.ts';
import { ContactDispatch } from './location/contact-dispatch.ts';
import { ContactIndex } from './location/contact-index.ts';
import { GhlAccess } from './location/ghl-access.ts';
import { IdempotentCreates, type CreateOnceResult } from './location/idempotent-creates.ts';
import { ResourceIdentity } from './location/identity.ts';
import { WebhookInbox, type IngestResult } from './location/inbox.ts';
import { InstallLifecycle, type InstallMeta } from './location/install-lifecycle.ts';
import { Meta } from './location/meta.ts';
import { LocationSync } from './location/sync.ts';
import { LocationSyncLog } from './location/sync-log.ts';
import { UnmatchedDeletes } from './location/unmatched-deletes.ts';
import { LOCATION_SCHEMA } from './location-schema.ts';
import { applySchema } from './sql-schema.ts';

export type { IngestResult, InstallMeta };

/** With nothing due, the alarm still runs this often for housekeeping (dedupe ids, contact index). */
const HOUSEKEEPING_EVERY_MS = 60 * 60 * 1000;
/**
 * While requests pour in (lib/request-pressure.ts), the alarm hands on one stored event per
 * this pause: each sets off contact and partner work on the thread that acknowledges the next
 * request, so acknowledgements go first, and the drain never stops.
 */
const DRAIN_PAUSE_MS = 250;
/** While the sync log has more rows to prune than one alarm's batch, the alarm comes back after this. */
const LOG_PRUNE_PAUSE_MS = 1000;

/**
 * One per location and one per agency (`company:<companyId>`): owns the token pair and its
 * single-flight refresh, the GHL rate budget and call queue, webhook dedupe and the inbox of
 * accepted events, the contact index, the sync log and the location side of the sync engine.
 * Every RPC method names the resource it is for; the work lives in ./location/.
 */
export class LocationDO extends DurableObject<Env> {
  private readonly identity: ResourceIdentity;
  private readonly access: GhlAccess;
  private readonly inbox: WebhookInbox;
  private readonly contacts: ContactIndex;
  private readonly lifecycle: InstallLifecycle;
  private readonly syncLog: LocationSyncLog;
  private readonly sync: LocationSync;
  private readonly backfills: Backfills;
  private readonly dispatch: ContactDispatch;
  private readonly creates: IdempotentCreates;
  private readonly directory: AgencyDirectory;
  private readonly agencyRequests: AgencyRequests;
  /** When the stored alarm is due as this object last set or read it; undefined until known. */
  private armedAt: number | null | undefined;
  /** When the alarm last handed a stored event on. */
  private handedOnAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => applySchema(sql, LOCATION_SCHEMA));
    const meta = new Meta(sql);
    const arm = (at: number) => this.armAlarm(at);
    this.identity = new ResourceIdentity(meta);
    this.access = new GhlAccess(env, this.identity);
    this.inbox = new WebhookInbox(
      sql,
      (at) => this.armAlarm(this.handOffAt(at)),
      (fn) => ctx.storage.transactionSync(fn),
    );
    this.contacts = new ContactIndex(sql, meta);
    this.lifecycle = new InstallLifecycle(env, this.identity, this.access, this.inbox);
    this.syncLog = new LocationSyncLog(env, sql, meta);
    this.sync = new LocationSync(env, sql, this.identity, this.access, this.inbox, this.contacts, arm, (fn) =>
      ctx.storage.transactionSync(fn),
    );
    this.backfills = new Backfills(sql, meta, this.sync, arm);
    this.dispatch = new ContactDispatch(
      env,
      this.identity,
      this.inbox,
      this.access,
      this.sync,
      new UnmatchedDeletes(sql),
    );
    this.creates = new IdempotentCreates(sql, () => this.access.gateway());
    this.directory = new AgencyDirectory(env, sql, meta, this.identity, this.access);
    this.agencyRequests = new AgencyRequests(sql);
  }

  // ---- GHL calls ------------------------------------------------------------------------

  /** Sends one GHL call through this resource's token and rate budget. */
  async ghl<T = unknown>(resourceId: string, req: GhlRequest): Promise<GhlResult<T>> {
    this.identity.bind(resourceId);
    return this.access.gateway().send<T>(req);
  }

  /** Sends a create once per idempotency key: a retry gets the first call's object, never a second one. */
  async ghlOnce(resourceId: string, req: GhlRequest, once: CreateOnce): Promise<CreateOnceResult> {
    this.identity.bind(resourceId);
    return this.creates.create(req, once);
  }

  /** Whether a create under this key came before, with this content or another (idempotent-creates.ts). */
  async createKeySeen(resourceId: string, key: string, fingerprint: string) {
    this.identity.bind(resourceId);
    return this.creates.seen(key, fingerprint);
  }

  // ---- install and tokens ---------------------------------------------------------------

  /** Stores a fresh token pair for this resource and marks the install active. */
  async install(resourceId: string, tokens: TokenSet, meta: InstallMeta): Promise<void> {
    this.identity.bind(resourceId);
    return this.lifecycle.install(tokens, meta);
  }

  /** Agency object only: mints a location token from the agency token, or null when it has none. */
  async mintLocationToken(resourceId: string, locationId: string): Promise<TokenSet | null> {
    this.identity.bind(resourceId);
    return this.lifecycle.mintLocationToken(locationId);
  }

  /** Agency object only: mints and stores a token for every installed location (bulk install). */
  async provisionLocations(resourceId: string): Promise<{ id: string; name: string; ok: boolean }[]> {
    this.identity.bind(resourceId);
    return this.lifecycle.provisionLocations();
  }

  /** Removes this resource's tokens and stops its work (UNINSTALL). */
  async uninstall(resourceId: string): Promise<void> {
    this.identity.bind(resourceId);
    return this.lifecycle.uninstall();
  }

  /** Whether this location can do work right now. */
  async installStatus(resourceId: string) {
    this.identity.bind(resourceId);
    return this.lifecycle.status();
  }

  // ---- agency console --------------------------------------------------------------------

  /** Agency object only: every sub-account of the agency, installed or not (cached GHL list). */
  async agencyDirectory(resourceId: string, opts: { refresh?: boolean } = {}): Promise<Directory> {
    this.identity.bind(resourceId);
    return this.directory.read(opts);
  }

  /** Agency object only: the answer stored under a console request's Idempotency-Key. */
  async findAgencyRequest(resourceId: string, key: string, fingerprint: string): Promise<StoredAnswer> {
    this.identity.bind(resourceId);
    return this.agencyRequests.find(key, fingerprint);
  }

  /** Agency object only: keeps a console request's answer under its Idempotency-Key. */
  async rememberAgencyRequest(
    resourceId: string,
    key: string,
    fingerprint: string,
    answer: string,
  ): Promise<void> {
    this.identity.bind(resourceId);
    this.agencyRequests.remember(key, fingerprint, answer);
  }

  /** This location's backlog and failures since `since`, for the agency console. */
  async adminSummary(locationId: string, since: number): Promise<AdminSummary> {
    this.identity.bind(locationId);
    return adminSummary(this.ctx.storage.sql, this.inbox, since);
  }

  // ---- webhooks -------------------------------------------------------------------------

  /** Dedupes and persists a GHL event; the caller answers GHL only after this returns. */
  async ingest(resourceId: string, event: GhlEvent, now = Date.now()): Promise<IngestResult> {
    this.identity.bind(resourceId);
    const clock = benchClock(this.env);
    const result = await this.inbox.ingest(event, now, clock);
    if (clock) {
      // Under the bench only: wait for the commit the output gate would wait for, to time it.
      await this.ctx.storage.sync();
      clock.lap('do-commit');
      result.phases = clock.phases;
    }
    return result;
  }

  /** Stored events (raw JSON bodies), oldest first; by default only those not yet handled. */
  async storedEvents(resourceId: string, opts: { all?: boolean; limit?: number } = {}) {
    this.identity.bind(resourceId);
    return this.inbox.stored(opts);
  }

  /**
   * Whether the alarm may hand the next stored event on: always while requests are quiet, else
   * once per pause, however often the alarm runs (partner webhooks arm it at once).
   */
  private mayHandOn(): boolean {
    const now = Date.now();
    if (requestPressure.busy(now) && now - this.handedOnAt < DRAIN_PAUSE_MS) return false;
    this.handedOnAt = now;
    return true;
  }

  /** When newly stored events are handed on: at once, or after a pause while intake is busy. */
  private handOffAt(at: number): number {
    const now = Date.now();
    return requestPressure.busy(now) ? Math.max(at, now + DRAIN_PAUSE_MS) : at;
  }

  /** Makes sure the alarm runs by `at`; storage is touched only when no earlier alarm is known. */
  private async armAlarm(at: number): Promise<void> {
    if (this.armedAt != null && this.armedAt <= at) return;
    const current = this.armedAt === undefined ? await this.ctx.storage.getAlarm() : this.armedAt;
    if (current !== null && current <= at) {
      this.armedAt = current;
      return;
    }
    await this.ctx.storage.setAlarm(at);
    this.armedAt = at;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.armedAt = null;
    let backfillDue: number | null = null;
    let logPruneDue = false;
    try {
      this.inbox.forgetOldWebhookIds(now);
      this.contacts.prune(now);
      logPruneDue = this.syncLog.prune(now);
      this.creates.prune(now);
      for (const row of this.inbox.dueLifecycle(now)) await this.lifecycle.handle(row);
      if (!this.identity.isCompany) await this.dispatch.run(now, () => this.mayHandOn());
      if (!this.identity.isCompany) backfillDue = await this.backfills.step(now);
    } finally {
      const end = Date.now();
      const housekeeping = now + HOUSEKEEPING_EVERY_MS;
      const next = this.inbox.nextDueAt();
      let soonest = Math.min(
        next ?? housekeeping,
        housekeeping,
        backfillDue === null ? housekeeping : Math.max(backfillDue, end + 50),
        logPruneDue ? end + LOG_PRUNE_PAUSE_MS : housekeeping,
      );
      if (requestPressure.busy(end)) soonest = Math.max(soonest, end + DRAIN_PAUSE_MS);
      const at = Math.max(end + 10, soonest);
      await this.ctx.storage.setAlarm(at);
      this.armedAt = at;
    }
  }

  // ---- contact index (panel and Contact* events) ----------------------------------------

  /** Remembers contacts of this location seen by the panel or in Contact* events. */
  async rememberContacts(locationId: string, contacts: Partial<GhlContact>[]): Promise<number> {
    this.identity.bind(locationId);
    return this.contacts.remember(locationId, contacts);
  }

  /** The contact as last seen by this location, or null. */
  async knownContact(locationId: string, id: string): Promise<GhlContact | null> {
    this.identity.bind(locationId);
    return this.contacts.known(locationId, id);
  }

  /** Drops a deleted contact from the index. */
  async forgetContact(locationId: string, id: string): Promise<void> {
    this.identity.bind(locationId);
    this.contacts.forget(id);
  }

  // ---- sync log -------------------------------------------------------------------------

  /** The location's sync log, newest first. */
  async listSyncLog(
    locationId: string,
    filter: SyncLogFilter,
  ): Promise<{ entries: SyncLogEntry[]; nextBeforeId: number | null }> {
    this.identity.bind(locationId);
    return this.syncLog.list(filter);
  }

  /** One sync-log entry, or null. */
  async getSyncLogEntry(locationId: string, id: number): Promise<SyncLogEntry | null> {
    this.identity.bind(locationId);
    return this.syncLog.get(id);
  }

  /** Sends a failed sync-log entry through the sync engine again. */
  async replaySyncLog(locationId: string, id: number): Promise<ReplayResult> {
    this.identity.bind(locationId);
    return this.syncLog.replay(locationId, id);
  }

  /** Writes (or updates, by work key) a sync log row; called by contact objects. */
  async recordSync(locationId: string, entry: SyncLogInput): Promise<number> {
    this.identity.bind(locationId);
    return this.syncLog.record(entry);
  }

  // ---- sync engine ----------------------------------------------------------------------

  /**
   * Remembers which GHL contact a partner contact is, once we made or matched it at the partner,
   * so a partner change naming only its own id (a delete) finds the GHL contact.
   */
  async linkPartnerContact(
    locationId: string,
    connectionId: string,
    partnerId: string,
    contactId: string,
  ): Promise<void> {
    this.identity.bind(locationId);
    this.ctx.storage.sql.exec(
      'INSERT OR REPLACE INTO contact_links (connection_id, partner_key, contact_id) VALUES (?, ?, ?)',
      connectionId,
      `id:${partnerId}`,
      contactId,
    );
  }

  /** Stores partner changes (deduped on their keys) before the partner gets its answer. */
  async acceptPartner(
    locationId: string,
    connectionId: string,
    changes: PartnerChange[],
    trigger = 'partner_webhook',
  ) {
    this.identity.bind(locationId);
    return this.sync.acceptPartner(connectionId, changes, trigger);
  }

  /** Starts a backfill (or its dry-run preview) of one connection; one at a time per connection. */
  async startBackfill(
    locationId: string,
    connectionId: string,
    dryRun: boolean,
    opts: { history?: boolean } = {},
  ): Promise<{ ok: boolean; progress: BackfillProgress | null }> {
    this.identity.bind(locationId);
    return this.backfills.start(connectionId, dryRun, opts);
  }

  /** Cancels the connection's running backfill; null when none runs. */
  async cancelBackfill(locationId: string, connectionId: string): Promise<BackfillProgress | null> {
    this.identity.bind(locationId);
    return this.backfills.cancel(connectionId);
  }

  /** The last backfill of a connection, running or finished, or null. */
  async backfillProgress(locationId: string, connectionId: string): Promise<BackfillProgress | null> {
    this.identity.bind(locationId);
    return this.backfills.progress(connectionId);
  }

  /** Each connection's health from the log: last event, last error, backlog. */
  async syncHealth(locationId: string) {
    this.identity.bind(locationId);
    return this.sync.health();
  }

  /** The reconciliation sweep (cron): repairs what webhooks missed, on both sides. */
  async reconcile(locationId: string) {
    this.identity.bind(locationId);
    return this.sync.reconcile();
  }

  /** Renews a partner connection's OAuth tokens: one renewal per connection at a time (connectors/credential-keeper.ts). */
  async renewPartnerCredentials(
    locationId: string,
    connectionId: string,
    staleAccessToken: string,
  ): Promise<RenewOutcome> {
    this.identity.bind(locationId);
    return renewConnectionCredentials(this.env, locationId, connectionId, staleAccessToken);
  }
}
