/** What every step of the contact engine shares: its outcome, and what a partner write carries. */
import { PartnerApiError } from '../../../connectors/http.ts';
import type { FieldConflict } from '../../../sync/field-record.ts';
import type { WorkItem } from '../../../sync/work.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { Links } from './queue.ts';

export type StepOutcome = {
  status: 'done' | 'skipped';
  action: string;
  note?: string;
  objectId?: string | null;
  /**
   * The other side may hold an older value that our own write put over this newer change: write
   * the winner there again (see restore.ts). `tags`: only these tags, for a tag change.
   */
  reassert?: { to: 'ghl' | 'partner'; tags?: string[] };
  /** Fields both sides changed, and who won each (logged as a conflict). */
  conflicts?: FieldConflict[];
  /** How the report's fields were decided, where that needs saying (field-record.ts). */
  fields?: string[];
};

/**
 * What every write of this item to the partner carries: the object's ids, its contact, when the
 * change was made, and the idempotency key (the same on every retry of the item).
 */
export async function outbound(
  item: WorkItem,
  deps: EngineDeps,
  links: Links,
  ghlId: string,
  partnerId: string | null | undefined,
) {
  const base = {
    ghlId,
    partnerId: partnerId ?? undefined,
    contact: await deps.contact(),
    contactPartnerId: links.byGhl('contact', item.connectionId, deps.contactId)?.partnerId ?? undefined,
    contactGhlId: deps.contactId,
    occurredAt: new Date(item.changedAt ?? Date.now()).toISOString(),
  };
  return { base, key: `cs:${deps.locationId}:${deps.contactId}:${item.id}` };
}

/** Work for a connection the partner stopped accepting waits for the reconnect (contact-engine parks it). */
export function awaitReconnect(connection: { status?: string }): void {
  if (connection.status === 'error')
    throw new PartnerApiError(
      'reconnect_needed',
      'The connection needs a reconnect; this change waits for it.',
    );
}
