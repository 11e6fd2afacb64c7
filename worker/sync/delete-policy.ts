import type { ConnectionSettings, PartnerChange } from '../connectors/types.ts';
import type { SyncLogInput } from '../sync-log/entry.ts';

/**
 * What a contact deleted in a partner app does to the GHL contact, per connection
 * (`settings.contactDelete`): `tag` it "deleted in <partner>" (the default: nothing is lost and
 * people can act on it), `delete` it in GHL too, or `ignore` it (logged). Never a silent hard
 * delete. Applied where partner changes come in: webhooks, the sweep and backfills.
 */

export const CONTACT_DELETE_POLICIES = ['tag', 'delete', 'ignore'] as const;
export type ContactDeletePolicy = (typeof CONTACT_DELETE_POLICIES)[number];

export function contactDeletePolicy(settings: ConnectionSettings | undefined): ContactDeletePolicy {
  const p = settings?.contactDelete;
  return (CONTACT_DELETE_POLICIES as readonly unknown[]).includes(p) ? (p as ContactDeletePolicy) : 'tag';
}

export const deletedTag = (label: string) => `deleted in ${label}`.toLowerCase();

/** The changes as the connection's policy has them, and the sync log row of each ignored delete. */
export function deletePolicyOutcome(
  connection: { id: string; settings?: ConnectionSettings },
  label: string,
  changes: PartnerChange[],
  trigger: string,
): { changes: PartnerChange[]; ignored: SyncLogInput[] } {
  const policy = contactDeletePolicy(connection.settings);
  if (policy === 'delete' || !changes.some((c) => c.kind === 'contact' && c.op === 'delete'))
    return { changes, ignored: [] };
  const out: PartnerChange[] = [];
  const ignored: SyncLogInput[] = [];
  for (const change of changes) {
    if (change.kind !== 'contact' || change.op !== 'delete') {
      out.push(change);
    } else if (policy === 'ignore') {
      ignored.push({
        trigger,
        action: `delete contact in GHL`,
        objectKind: 'contact',
        objectId: change.partnerId,
        connectionId: connection.id,
        status: 'skipped',
        error: `deleted in ${label}; this connection leaves GHL contacts as they are`,
      });
    } else {
      out.push({
        connectionId: change.connectionId,
        partnerId: change.partnerId,
        contactPartnerId: change.partnerId,
        occurredAt: change.occurredAt,
        dedupeKey: change.dedupeKey,
        fingerprint: `contact-deleted:${change.partnerId}`,
        kind: 'tag',
        op: 'tag_add',
        data: { tags: [deletedTag(label)] },
      });
    }
  }
  return { changes: out, ignored };
}
