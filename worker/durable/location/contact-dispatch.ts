import { dispatchPartner, orderKeyOf, type PartnerInboxBody } from './partner-intake.ts';
import type { PartnerSwitches } from '../../sync/partner-gate.ts';
import { loadPartnerSwitches } from './partner-switches.ts';
import { recordSyncLog } from '../../sync-log/write.ts';
import type { GhlEvent } from '../../webhooks/events.ts';
import { contactStub } from '../stubs.ts';
import type { GhlAccess } from './ghl-access.ts';
import type { ResourceIdentity } from './identity.ts';
import type { InboxRow, WebhookInbox } from './inbox.ts';
import type { LocationSync } from './sync.ts';
import { completeThinTask } from './thin-task.ts';
import type { UnmatchedDeletes } from './unmatched-deletes.ts';

/**
 * Hands stored contact, note, task and appointment events to the contact's own object, and
 * partner changes to the contact they match, in the order they arrived.
 */
export class ContactDispatch {
  private readonly env: Env;
  private readonly identity: ResourceIdentity;
  private readonly inbox: WebhookInbox;
  private readonly access: GhlAccess;
  private readonly sync: LocationSync;
  private readonly unmatchedDeletes: UnmatchedDeletes;

  constructor(
    env: Env,
    identity: ResourceIdentity,
    inbox: WebhookInbox,
    access: GhlAccess,
    sync: LocationSync,
    unmatchedDeletes: UnmatchedDeletes,
  ) {
    this.env = env;
    this.identity = identity;
    this.inbox = inbox;
    this.access = access;
    this.sync = sync;
    this.unmatchedDeletes = unmatchedDeletes;
  }

  /**
   * One pass over the due rows, while `mayGoOn` allows; the rest wait for the next pass, in order.
   * Thin payloads (TaskCreate without contactId) are completed by a fetch.
   */
  async run(now: number, mayGoOn: () => boolean = () => true): Promise<void> {
    const rows = this.inbox.dueContactWork(now);
    if (!rows.length) return;
    if (this.identity.uninstalled) {
      this.inbox.skipContactWork();
      return;
    }
    const blocked = new Set<string>();
    // The location's switches, read fresh once per pass: a change made in the panel a moment
    // ago applies to the next partner change.
    let switches: Promise<PartnerSwitches> | undefined;
    const switchesNow = () => (switches ??= loadPartnerSwitches(this.env, this.identity.resourceId));
    for (const row of rows) {
      if (!mayGoOn()) return;
      if (row.type === 'partner') await this.dispatchPartnerRow(row, blocked, switchesNow);
      else await this.dispatchGhlRow(row, blocked);
    }
  }

  private async dispatchGhlRow(row: InboxRow, blocked: Set<string>): Promise<void> {
    let event = JSON.parse(row.body) as GhlEvent;
    try {
      const locationId = this.identity.resourceId;
      let contactId = row.contact_id;
      if (!contactId && this.deletedSince(event)) {
        // The task was deleted before its TaskCreate could be completed: the search can never find
        // it, and its TaskDelete says all there is to say. Retrying would only spend the budget.
        this.inbox.markSkipped(row.seq, 'deleted before it could be completed');
        return;
      }
      if (!contactId) {
        const found = await completeThinTask(this.access.gateway(), locationId, event);
        contactId = found?.contactId ?? null;
        // The search answer is the whole task as it is now: it replaces the event's fields, so
        // nobody reads the task again and the two moments never mix.
        if (found) event = { ...event, ...found.fields };
      }
      if (!contactId)
        throw new Error(`${event.type} ${event.id ?? ''} names no contact and none could be found`);
      // Keep per-contact order: once one event of a contact waits, later ones wait too.
      if (blocked.has(contactId)) return;
      if (!row.contact_id) this.inbox.setContact(row.seq, contactId);
      await contactStub(this.env, locationId, contactId).applyGhlEvent(`${locationId}:${contactId}`, {
        ...event,
        contactId: event.contactId ?? contactId,
      });
      this.inbox.markDispatched(row.seq);
    } catch (err) {
      if (row.contact_id) blocked.add(row.contact_id);
      this.inbox.retry(row.seq, row.attempts, err, 500);
    }
  }

  /** Whether a TaskDelete for the object of this (task) event has been received. */
  private deletedSince(event: GhlEvent): boolean {
    if (!event.type.startsWith('Task') || !event.id) return false;
    return this.inbox.hasTaskDelete(event.id);
  }

  /** Matches a stored partner change to its GHL contact and hands it over, keeping per-person order. */
  private async dispatchPartnerRow(
    row: InboxRow,
    blocked: Set<string>,
    switches: () => Promise<PartnerSwitches>,
  ): Promise<void> {
    const body = JSON.parse(row.body) as PartnerInboxBody;
    const order = `partner:${orderKeyOf(body.change)}`;
    if (blocked.has(order)) return;
    try {
      const deps = this.sync.deps();
      // Its delete came first and matched nobody (the person was not in GHL yet): it is stale.
      const deletedAt = this.unmatchedDeletes.deletedAfter(body.change);
      if (deletedAt !== null) {
        recordSyncLog(deps.sql, {
          trigger: body.trigger,
          action: `${body.change.op} ${body.change.kind} in GHL`,
          objectKind: body.change.kind,
          objectId: body.change.partnerId,
          connectionId: body.connectionId,
          status: 'skipped',
          error: `deleted at the partner since (${new Date(deletedAt).toISOString()}): a late report about it`,
        });
        this.inbox.settlePartner(row.seq, null);
        return;
      }
      const contactId = await dispatchPartner(deps, body, await switches());
      if (!contactId) this.unmatchedDeletes.remember(body.change);
      this.inbox.settlePartner(row.seq, contactId);
    } catch (err) {
      blocked.add(order);
      this.inbox.retry(row.seq, row.attempts, err, 500);
    }
  }
}
