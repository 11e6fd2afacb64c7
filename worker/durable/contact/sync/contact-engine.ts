/**
 * The sync engine of one contact: turns GHL events and partner changes into queued work, and
 * runs the queue one item at a time with conflict handling, retries and the sync log.
 */
import { supports, type PartnerChange, type SyncKind } from '../../../connectors/types.ts';
import { PartnerApiError } from '../../../connectors/http.ts';
import { GhlError } from '../../../ghl/errors.ts';
import type { GhlEvent } from '../../../webhooks/events.ts';
import type { EngineDeps } from './engine-deps.ts';
import { changesFromGhlEvent, type GhlChange } from '../../../sync/ghl-events.ts';
import { isGhlEcho, isPartnerEcho } from '../../../sync/echo.ts';
import { ghlPrint } from '../../../sync/ghl-model.ts';
import { isRetryable } from '../../../sync/policy.ts';
import { Links, SyncQueue } from './queue.ts';
import { INTERRUPTED, type WorkItem } from '../../../sync/work.ts';
import {
  afterFailure,
  apart,
  fieldConflictsRow,
  flowBlocked,
  foldReport,
  itemLogRow,
  mayLandLate,
  outboundOp,
  reassertWork,
  settleRivals,
  sourceOf,
  verifyWork,
} from '../../../sync/work-rules.ts';
import { runToGhl, GhlDropped } from './to-ghl.ts';
import { runToPartner } from './to-partner.ts';
import type { StepOutcome } from './step.ts';
import { isRestore, runRestore } from './restore.ts';

type RowArgs = Parameters<typeof itemLogRow> extends [string, string, WorkItem, ...infer R] ? R : never;

/** Items run per alarm before yielding (the alarm re-arms at once). */
const BATCH = 25;

export class ContactEngine {
  readonly queue: SyncQueue;
  readonly links: Links;
  private readonly deps: EngineDeps;

  constructor(sql: SqlStorage, deps: EngineDeps) {
    this.queue = new SyncQueue(sql);
    this.links = new Links(sql);
    this.deps = deps;
  }

  private get workPrefix() {
    return `${this.deps.locationId}:${this.deps.contactId}#`;
  }

  /** Queues GHL → partner work for a stored GHL event. Returns how many items were queued. */
  async fromGhl(
    event: GhlEvent,
    trigger = 'ghl_webhook',
    data?: Partial<Record<SyncKind, unknown>>,
    onlyConnection?: string,
  ): Promise<number> {
    const changes = changesFromGhlEvent(event).map((c) =>
      data?.[c.kind] ? { ...c, data: data[c.kind] } : c,
    );
    if (!changes.length) return 0;
    const settings = await this.deps.settings();
    let queued = 0;
    for (const connection of await this.deps.connections()) {
      if (onlyConnection && connection.id !== onlyConnection) continue;
      const connector = this.deps.connector(connection.kind);
      if (!connector) continue;
      for (const change of changes) {
        if (!supports(connector.capabilities, 'outbound', change.kind, outboundOp(change))) continue;
        if (
          change.kind === 'tag' &&
          event.type !== 'ContactTagUpdate' &&
          this.isContactEcho(connection.id, changes)
        )
          continue;
        const off = flowBlocked(settings, change.kind, 'ghl');
        if (off) {
          await this.deps.log({
            trigger,
            action: `${change.op} ${change.kind} to ${connector.label}`,
            objectKind: change.kind,
            objectId: change.ghlId,
            contactId: this.deps.contactId,
            connectionId: connection.id,
            status: 'skipped',
            error: off,
          });
          continue;
        }
        const link = this.links.byGhl(change.kind, connection.id, change.ghlId);
        const echo =
          change.kind !== 'tag' &&
          change.op === 'upsert' &&
          isGhlEcho(link, ghlPrint(change.kind, change.data), change.changedAt);
        const out = this.queue.enqueue({
          type: 'ghl_change',
          idemKey: `${event.webhookId}:${connection.id}:${change.kind}`,
          coalesceKey: apart(
            `to_partner:${connection.id}:${change.kind}:${change.ghlId}`,
            echo,
            event.webhookId,
          ),
          direction: 'to_partner',
          connectionId: connection.id,
          kind: change.kind,
          op: change.op,
          ghlId: change.ghlId,
          partnerId: link?.partnerId ?? null,
          trigger,
          payload: {
            data: change.data,
            reports: [{ at: change.timed ? change.changedAt : null, data: change.data }],
          },
          changedAt: change.changedAt,
          fold: foldReport({ data: change.data }, change.changedAt, change.timed ? change.changedAt : null),
        });
        if (out.kind === 'queued') {
          queued++;
          await this.logItem(out.item, 'queued', `${change.op} ${change.kind} to ${connector.label}`);
        }
      }
    }
    return queued;
  }

  /** Queues partner → GHL work for a change already matched to this contact. */
  async fromPartner(change: PartnerChange, trigger = 'partner_webhook'): Promise<boolean> {
    const settings = await this.deps.settings();
    const off = flowBlocked(settings, change.kind, 'partner');
    if (off) {
      await this.deps.log({
        trigger,
        action: `${change.op} ${change.kind} in GHL`,
        objectKind: change.kind,
        objectId: change.partnerId,
        contactId: this.deps.contactId,
        connectionId: change.connectionId,
        status: 'skipped',
        error: off,
      });
      return false;
    }
    const ghlId =
      change.kind === 'contact' || change.kind === 'tag'
        ? this.deps.contactId
        : (this.links.byPartner(change.kind, change.connectionId, change.partnerId)?.ghlId ??
          (change.previousPartnerId
            ? this.links.byPartner(change.kind, change.connectionId, change.previousPartnerId)?.ghlId
            : undefined) ??
          null);
    const echo =
      change.kind !== 'tag' &&
      change.op === 'upsert' &&
      isPartnerEcho(
        this.links.byPartner(change.kind, change.connectionId, change.partnerId),
        change.fingerprint,
        Date.parse(change.occurredAt) || undefined,
      );
    const stamped = Date.parse(change.occurredAt) || null;
    const changedAt = stamped ?? this.now();
    const out = this.queue.enqueue({
      type: 'partner_change',
      idemKey: `${change.connectionId}:${change.dedupeKey}`,
      coalesceKey: apart(
        `to_ghl:${change.connectionId}:${change.kind}:${change.kind === 'tag' ? this.deps.contactId : change.partnerId}`,
        echo,
        change.dedupeKey,
      ),
      direction: 'to_ghl',
      connectionId: change.connectionId,
      kind: change.kind,
      op: change.op,
      ghlId,
      partnerId: change.partnerId,
      trigger,
      payload: { ...change, reports: [{ at: stamped, data: change.data }] },
      changedAt,
      fold: foldReport(change, changedAt, stamped),
    });
    if (out.kind === 'queued') await this.logItem(out.item, 'queued', `${change.op} ${change.kind} in GHL`);
    return out.kind !== 'duplicate';
  }

  /** Backfill preview of one GHL object for one connection: what a run would do with it. */
  preview(connectionId: string, kind: SyncKind, ghlId: string, data: unknown): 'create' | 'update' | 'match' {
    const link = this.links.byGhl(kind, connectionId, ghlId);
    if (!link?.partnerId) return 'create';
    return link.ghlFp === ghlPrint(kind, data) ? 'match' : 'update';
  }

  /** Runs due work in order; returns when the next item is due (or null when idle). */
  async run(): Promise<number | null> {
    for (let n = 0; n < BATCH; n++) {
      const item = this.queue.claim(this.now());
      if (!item) break;
      await this.runOne(item);
    }
    this.queue.prune(this.now());
    return this.queue.nextDueAt();
  }

  /** Puts a finished, failed or dead item back in the queue. */
  replay(workId: number): WorkItem | undefined {
    return this.queue.replay(workId, this.now());
  }

  private async runOne(item: WorkItem): Promise<void> {
    // Cut off by a restart mid-call: the partner may still apply that call, later.
    if (item.error === INTERRUPTED && mayLandLate(item)) this.verifyLater(item);
    const settings = await this.deps.settings();
    const from = sourceOf(item);
    const action = `${item.op} ${item.kind} ${item.direction === 'to_partner' ? 'to partner' : 'in GHL'}`;
    if (settings.uninstalled)
      return this.settle(item, 'skipped', {
        status: 'skipped',
        action,
        note: 'the app was uninstalled from this location',
      });
    const off = flowBlocked(settings, item.kind as SyncKind, from);
    if (off) return this.settle(item, 'skipped', { status: 'skipped', action, note: off });
    // Paused or switched off after this was queued: what a pause means, nothing of it reaches GHL.
    const blocked =
      item.direction === 'to_ghl'
        ? await this.deps.partnerBlocked?.(item.connectionId, item.kind as SyncKind)
        : null;
    if (blocked) return this.settle(item, 'skipped', { status: 'skipped', action, note: blocked });

    // Tags merge tag by tag, and edits field by field (field-record.ts, in the steps): only a delete
    // and a change on the other side conflict as wholes. A restore writes what already won; our
    // own echo (skipped below) is no change, so it cannot beat one.
    const rivals =
      item.kind === 'tag' || isRestore(item) || this.isEcho(item)
        ? []
        : this.queue
            .opposing(item)
            .filter((r) => !isRestore(r) && !this.isEcho(r) && (r.op === 'delete' || item.op === 'delete'));
    if (rivals.length) {
      const settled = settleRivals(settings.conflictPolicy, item, rivals);
      for (const loser of settled.losers) {
        this.queue.finish(loser.id, 'conflict', settled.error, this.now());
        await this.logItem(
          { ...loser, attempts: loser.attempts + 1 },
          'conflict',
          `${loser.op} ${loser.kind}`,
          settled.logged,
          settled.detail,
        );
      }
      if (!settled.itemWins) return;
    }

    try {
      const outcome =
        item.type === 'restore'
          ? await runRestore(item, this.deps, this.links, settings.dryRun)
          : item.type === 'ghl_change'
            ? await runToPartner(item, this.deps, this.links, settings.dryRun, settings.conflictPolicy)
            : await runToGhl(item, this.deps, this.links, settings.dryRun, settings.conflictPolicy);
      await this.settle(item, outcome.status, outcome);
      if (outcome.conflicts?.length)
        await this.deps.log(fieldConflictsRow(item, outcome, settings.conflictPolicy, this.deps.contactId));
      const reassert = reassertWork(item, outcome, this.deps.contactId);
      if (reassert) this.queue.enqueue(reassert, this.now());
    } catch (err) {
      await this.fail(item, action, err);
    }
  }

  /** Checks the partner after a write of this item may have landed late (restore.ts). */
  private verifyLater(item: WorkItem) {
    const check = verifyWork(item, this.deps.contactId, this.now());
    if (check) this.queue.enqueue(check, this.now());
  }

  /**
   * An item that only repeats what the last sync wrote (the other side's webhook about our own
   * write) is no change: counted as one, our own echo would beat a real, later change.
   */
  private isEcho(rival: WorkItem): boolean {
    if (rival.op === 'delete') return false;
    const link = this.linkOf(rival);
    if (!link) return false;
    if (rival.type === 'ghl_change')
      return isGhlEcho(link, ghlPrint(rival.kind, rival.payload.data), rival.changedAt);
    if (rival.type === 'partner_change')
      return isPartnerEcho(link, rival.payload.fingerprint, rival.changedAt);
    return false;
  }

  /** The ID-map entry of the object an item is about. */
  private linkOf(item: WorkItem) {
    return (
      (item.ghlId ? this.links.byGhl(item.kind, item.connectionId, item.ghlId) : undefined) ??
      (item.partnerId ? this.links.byPartner(item.kind, item.connectionId, item.partnerId) : undefined)
    );
  }

  /**
   * GHL's ContactUpdate about our own contact write carries the tags as they were then, perhaps
   * before a tag write of ours still on its way: they say nothing new (tag changes come as
   * ContactTagUpdate), and taken as news they would undo that write.
   */
  private isContactEcho(connectionId: string, changes: GhlChange[]): boolean {
    const contact = changes.find((c) => c.kind === 'contact');
    if (!contact) return false;
    const link = this.links.byGhl('contact', connectionId, contact.ghlId);
    return !!link?.ghlFp && link.ghlFp === ghlPrint('contact', contact.data);
  }

  private async settle(item: WorkItem, status: 'done' | 'skipped', outcome: StepOutcome) {
    this.queue.finish(item.id, status, status === 'skipped' ? (outcome.note ?? null) : null, this.now());
    await this.logItem(
      { ...item, attempts: item.attempts + 1 },
      status,
      outcome.action,
      outcome.note ?? null,
      outcome.fields ? { fields: outcome.fields } : undefined,
      outcome.objectId,
    );
  }

  private async fail(item: WorkItem, action: string, err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    const reconnect = err instanceof PartnerApiError && err.code === 'reconnect_needed';
    const retryable =
      err instanceof GhlDropped
        ? false
        : err instanceof GhlError
          ? isRetryable(err.kind, err.status) || err.kind === 'reconnect_needed'
          : err instanceof PartnerApiError
            ? err.retryable
            : true;
    const retryAfterMs = err instanceof PartnerApiError ? err.retryAfterMs : undefined;
    const next = afterFailure(item, { message, reconnect, retryable, retryAfterMs }, this.now());
    if (next.step === 'park') {
      // Nothing to count against the item: it waits, and is looked at again now and then.
      this.queue.park(item.id, next.at, message, this.now());
      await this.logItem(item, next.status, action, next.note);
      return;
    }
    if (
      err instanceof PartnerApiError &&
      (err.code === 'timeout' || err.code === 'network') &&
      mayLandLate(item)
    )
      this.verifyLater(item);
    if (next.step === 'retry') this.queue.retry(item.id, next.at, message, this.now());
    else this.queue.finish(item.id, next.state, message, this.now());
    await this.logItem({ ...item, attempts: next.attempts }, next.status, action, next.note);
  }

  private logItem(item: WorkItem, ...row: RowArgs) {
    return this.deps.log(itemLogRow(`${this.workPrefix}${item.id}`, this.deps.contactId, item, ...row));
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }
}
