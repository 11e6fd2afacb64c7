import type { PartnerChange } from '../connectors/types.ts';

/**
 * TODO(sync engine): the sync engine owns this function and will replace this placeholder with
 * the real intake (dedupe on `dedupeKey`, persist durably in the location's and contacts'
 * Durable Objects, then answer). This placeholder persists nothing and dedupes nothing, so the
 * partner webhook route can be built and tested before the engine lands.
 *
 * Contract: resolve only once every change is durably stored (or recognised as a duplicate);
 * throw when they cannot be stored, and the route answers 429 so the partner retries.
 */
export async function acceptPartnerChanges(
  _env: Env,
  _connection: { id: string; locationId: string; kind: string },
  changes: PartnerChange[],
): Promise<{ accepted: number; duplicates: number }> {
  return { accepted: changes.length, duplicates: 0 };
}
