/**
 * The sync engine of one contact: turns GHL events and partner changes into queued work, and
 * runs the queue one item at a time with conflict handling, retries and the sync log.
 */
import { supports, type OutboundOp, type PartnerChange, type SyncKind } from '../../../connectors/types.ts';
import { PartnerApiError } from '../../../connectors/http.ts';
import { GhlError } from '../../../ghl/errors.ts';
import type { GhlEvent } from '../../../webhooks/events.ts';
import { SETTINGS_KEY, type EngineSettings } from '../../../sync/engine-types.ts';
import type { EngineDeps } from './engine-deps.ts';
import { changesFromGhlEvent, foldTagTimes, type GhlChange } from '../../../sync/ghl-events.ts';
import { isGhlEcho, isPartnerEcho } from '../../../sync/echo.ts';
import { ghlPrint } from '../../../sync/ghl-model.ts';
import { withReport, type HeldReport } from '../../../sync/item-reports.ts';
import {
  allowsFlow,
  isRetryable,
  MAX_ATTEMPTS,
  resolveConflict,
  retryDelayMs,
  type Side,
} from '../../../sync/policy.ts';
import { Links, SyncQueue } from './queue.ts';
import {
  INTERRUPTED,
  type Fold,
  type RestorePayload,
  type RestoreReason,
  type WorkItem,
} from '../../../sync/work.ts';
import type { SyncStatus } from '../../../sync-log/write.ts';
import { runToGhl, GhlDropped } from './to-ghl.ts';
import { runToPartner, type StepOutcome } from './to-partner.ts';
import { isRestore, restoreReason, runRestore } from './restore.ts';

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
        const off = this.switchedOff(settings, change.kind, 'ghl');
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
          fold: foldReport(
            { data: change.data },
            change.changedAt,
            change.timed ? change.changedAt : null,
            foldTagTimes(change),
          ),
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
    const off = this.switchedOff(settings, change.kind, 'partner');
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
    const from: Side = item.direction === 'to_partner' ? 'ghl' : 'partner';
    const action = `${item.op} ${item.kind} ${item.direction === 'to_partner' ? 'to partner' : 'in GHL'}`;
    if (settings.uninstalled)
      return this.settle(item, 'skipped', {
        status: 'skipped',
        action,
        note: 'the app was uninstalled from this location',
      });
    const off = this.switchedOff(settings, item.kind as SyncKind, from);
    if (off) return this.settle(item, 'skipped', { status: 'skipped', action, note: off });

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
      // Against the newest rival: beating it beats them all; losing to it leaves them to run in turn.
      const rival = rivals.reduce((a, b) => ((b.changedAt ?? 0) > (a.changedAt ?? 0) ? b : a));
      const winner = resolveConflict(
        settings.conflictPolicy,
        { side: from, changedAt: item.changedAt },
        { side: from === 'ghl' ? 'partner' : 'ghl', changedAt: rival.changedAt },
      );
      const detail = {
        policy: settings.conflictPolicy,
        winner,
        ghl: from === 'ghl' ? item.payload : rival.payload,
        partner: from === 'ghl' ? rival.payload : item.payload,
      };
      const losers = winner === from ? rivals : [item];
      for (const loser of losers) {
        this.queue.finish(
          loser.id,
          'conflict',
          `both sides changed; ${winner} wins (${settings.conflictPolicy})`,
          this.now(),
        );
        await this.logItem(
          { ...loser, attempts: loser.attempts + 1 },
          'conflict',
          `${loser.op} ${loser.kind}`,
          `both sides changed; ${winner === 'ghl' ? 'GHL' : 'the partner'} wins (${settings.conflictPolicy})`,
          detail,
        );
      }
      if (winner !== from) return;
    }

    try {
      const outcome =
        item.type === 'restore'
          ? await runRestore(item, this.deps, this.links, settings.dryRun)
          : item.type === 'ghl_change'
            ? await runToPartner(item, this.deps, this.links, settings.dryRun, settings.conflictPolicy)
            : await runToGhl(item, this.deps, this.links, settings.dryRun, settings.conflictPolicy);
      await this.settle(item, outcome.status, outcome);
      if (outcome.conflicts?.length) await this.logConflicts(item, outcome, settings.conflictPolicy);
      // A restore never asks for another: two sides cannot keep handing the same value back.
      if (outcome.reassert && !isRestore(item)) {
        const ghlId =
          item.kind === 'tag'
            ? this.deps.contactId
            : item.direction === 'to_partner'
              ? item.ghlId
              : outcome.objectId;
        if (ghlId)
          this.restoreLater(
            item,
            'reassert',
            outcome.reassert.to === 'ghl' ? 'to_ghl' : 'to_partner',
            ghlId,
            { tags: outcome.reassert.tags },
          );
      }
    } catch (err) {
      await this.fail(item, action, err);
    }
  }

  /** Fields both sides changed, settled by the policy field by field: one conflict row in the sync log. */
  private async logConflicts(item: WorkItem, outcome: StepOutcome, policy: string) {
    const conflicts = outcome.conflicts ?? [];
    const winners = [...new Set(conflicts.map((c) => c.winner))];
    const pick = (side: 'ghl' | 'partner') => Object.fromEntries(conflicts.map((c) => [c.field, c[side]]));
    const says = conflicts.map((c) => `${c.field}: ${c.winner === 'ghl' ? 'GHL' : 'the partner'}`).join(', ');
    await this.deps.log({
      trigger: item.trigger,
      action: `${item.op} ${item.kind}`,
      objectKind: item.kind,
      objectId: outcome.objectId ?? (item.direction === 'to_partner' ? item.ghlId : item.partnerId) ?? null,
      contactId: this.deps.contactId,
      connectionId: item.connectionId,
      status: 'conflict',
      attempts: item.attempts + 1,
      error: `both sides changed ${conflicts.map((c) => c.field).join(', ')}; kept ${says} (${policy})`,
      detail: {
        policy,
        winner: winners.length === 1 ? winners[0] : 'by field',
        ghl: pick('ghl'),
        partner: pick('partner'),
        fields: conflicts,
      },
    });
  }

  /** Queues a write of what won back to a side that may hold an older value (restore.ts). */
  private restoreLater(
    item: WorkItem,
    reason: RestoreReason,
    direction: WorkItem['direction'],
    ghlId: string,
    what: Omit<RestorePayload, 'type' | 'reason'>,
    dueAt?: number,
  ) {
    const payload: RestorePayload = { type: 'restore', reason, ...what };
    this.queue.enqueue(
      {
        type: 'restore',
        idemKey: `${reason}:${direction}:${item.id}:${item.attempts}`,
        coalesceKey: `${reason}:${direction}:${item.connectionId}:${item.kind}:${ghlId}:${item.id}`,
        direction,
        connectionId: item.connectionId,
        kind: item.kind,
        op: 'upsert',
        ghlId,
        partnerId: null,
        trigger: reason,
        payload,
        changedAt: item.changedAt,
        dueAt,
      },
      this.now(),
    );
  }

  /** Checks the partner after a write of this item may have landed late (restore.ts). */
  private verifyLater(item: WorkItem) {
    if (!item.ghlId) return;
    const data = item.type === 'ghl_change' ? item.payload.data : undefined;
    const check = item.kind === 'tag' ? {} : { uncertainFp: ghlPrint(item.kind, data) };
    this.restoreLater(
      item,
      'verify',
      'to_partner',
      item.kind === 'tag' ? this.deps.contactId : item.ghlId,
      check,
      this.now() + LATE_WRITE_MS,
    );
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
    if (err instanceof PartnerApiError && err.code === 'reconnect_needed') {
      // Nothing to count against the item: it waits, and is looked at again now and then.
      this.queue.park(item.id, this.now() + RECONNECT_RECHECK_MS, message, this.now());
      await this.logItem(item, 'retrying', action, message);
      return;
    }
    const retryable =
      err instanceof GhlDropped
        ? false
        : err instanceof GhlError
          ? isRetryable(err.kind, err.status) || err.kind === 'reconnect_needed'
          : err instanceof PartnerApiError
            ? err.retryable
            : true;
    const attempts = item.attempts + 1;
    if (
      err instanceof PartnerApiError &&
      (err.code === 'timeout' || err.code === 'network') &&
      mayLandLate(item)
    )
      this.verifyLater(item);
    if (retryable && attempts < MAX_ATTEMPTS) {
      const wait = Math.max(
        retryDelayMs(attempts),
        err instanceof PartnerApiError ? (err.retryAfterMs ?? 0) : 0,
      );
      this.queue.retry(item.id, this.now() + wait, message, this.now());
      await this.logItem({ ...item, attempts }, 'retrying', action, message);
    } else {
      this.queue.finish(item.id, retryable ? 'dead' : 'failed', message, this.now());
      await this.logItem(
        { ...item, attempts },
        'failed',
        action,
        retryable ? `gave up after ${attempts} attempts: ${message}` : message,
      );
    }
  }

  private logItem(
    item: WorkItem,
    status: SyncStatus,
    action: string,
    error: string | null = null,
    detail?: unknown,
    objectId?: string | null,
  ) {
    return this.deps.log({
      workKey: `${this.workPrefix}${item.id}`,
      trigger: item.trigger,
      action,
      objectKind: item.kind,
      objectId: objectId ?? (item.direction === 'to_partner' ? item.ghlId : item.partnerId) ?? null,
      contactId: this.deps.contactId,
      connectionId: item.connectionId,
      status,
      attempts: item.attempts,
      error,
      detail,
    });
  }

  /** Why a kind does not flow from `from` right now, or null when it does. */
  private switchedOff(settings: EngineSettings, kind: SyncKind, from: Side): string | null {
    const k = settings.kinds[SETTINGS_KEY[kind]];
    if (!k?.enabled) return `${SETTINGS_KEY[kind]} sync is switched off for this location`;
    if (!allowsFlow(k.direction, from))
      return `${SETTINGS_KEY[kind]} sync runs ${k.direction.replace(/_/g, ' ')} only`;
    return null;
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }
}

/**
 * How long after a timed-out partner write it may still land: our 15 s timeout plus what a
 * server commonly gives a request (30 s) before it gives up itself.
 */
const LATE_WRITE_MS = 30_000;

/** How often work for a connection that needs a reconnect looks again. */
const RECONNECT_RECHECK_MS = 10 * 60_000;

/** A partner write (not a delete, not a check) whose answer is lost may still be applied later. */
function mayLandLate(item: WorkItem): boolean {
  return (
    item.direction === 'to_partner' &&
    item.op !== 'delete' &&
    !(isRestore(item) && restoreReason(item) === 'verify')
  );
}

/**
 * Folds a report into a waiting item of the same object: the newest content is what the item
 * shows, and each report is kept with its own time (item-reports.ts), so the record learns when
 * each field changed. `at` is null for a report with no usable time.
 */
function foldReport<P extends { data?: unknown; reports?: HeldReport[] }>(
  payload: P,
  changedAt: number | undefined,
  at: number | null,
  inner?: Fold<P>,
): Fold<P> {
  return (waiting) => {
    // A row from before payloads were always objects may hold null.
    const held = waiting.payload as P | null;
    const newer = changedAt === undefined || waiting.changedAt === null || changedAt >= waiting.changedAt;
    const folded = (inner ? inner(waiting) : newer ? payload : held) as P;
    const reports = withReport(held?.reports ?? [{ at: waiting.changedAt, data: held?.data }], {
      at,
      data: payload.data,
    });
    return { ...folded, reports };
  };
}

/**
 * Our own write coming back waits on its own: folded into a waiting change, it would replace
 * that change (made before our write landed) with what we wrote, and the change would be lost.
 */
function apart(coalesceKey: string, echo: boolean, id: string): string {
  return echo ? `${coalesceKey}:echo:${id}` : coalesceKey;
}

function outboundOp(change: GhlChange): OutboundOp {
  if (change.kind === 'tag') return 'tag_add';
  return change.op === 'delete' ? 'delete' : 'update';
}

const stripUndefined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
