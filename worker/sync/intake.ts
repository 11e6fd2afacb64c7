import type { PartnerChange } from '../connectors/types.ts';
import { tenantStub } from '../durable/location.ts';

/**
 * Partner changes in: deduped on their keys and persisted in the location's object before the
 * partner gets its answer; matching and sync happen after, in order. Throws when they cannot
 * be stored, and the webhook route answers 429 so the partner retries.
 */
export async function acceptPartnerChanges(
  env: Env,
  connection: { id: string; locationId: string; kind: string },
  changes: PartnerChange[],
  trigger = 'partner_webhook',
): Promise<{ accepted: number; duplicates: number }> {
  if (!changes.length) return { accepted: 0, duplicates: 0 };
  const { accepted, duplicates } = await tenantStub(env, connection.locationId).acceptPartner(connection.locationId, connection.id, changes, trigger);
  return { accepted, duplicates };
}
