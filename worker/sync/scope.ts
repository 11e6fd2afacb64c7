import type { SyncScope } from '../settings/model.ts';

/**
 * Which GHL contacts a location syncs (settings `scope`): only those with a tag, of a business,
 * or created on or after a day. Checked where GHL changes go out (live events and the sweep,
 * in the contact's object) and in backfills, so all three agree. Pure.
 */

/** What the scope looks at, from a GHL contact or a Contact* event. */
export interface ScopeFacts {
  tags: string[];
  businessId: string | null;
  dateAdded: string | null;
}

export function scopeFactsOf(contact: Record<string, unknown>): ScopeFacts {
  return {
    tags: Array.isArray(contact.tags) ? contact.tags.map((t) => String(t).toLowerCase()) : [],
    businessId: typeof contact.businessId === 'string' && contact.businessId ? contact.businessId : null,
    dateAdded: typeof contact.dateAdded === 'string' ? contact.dateAdded : null,
  };
}

export const OUT_OF_SCOPE = 'outside this location’s sync scope';

/** Why the contact is outside the scope, or null when it syncs. */
export function outOfScope(scope: SyncScope | undefined, facts: ScopeFacts): string | null {
  if (!scope) return null;
  if (scope.tag && !facts.tags.includes(scope.tag.toLowerCase()))
    return `${OUT_OF_SCOPE} (no tag “${scope.tag}”)`;
  if (scope.businessId && facts.businessId !== scope.businessId)
    return `${OUT_OF_SCOPE} (not of business ${scope.businessId})`;
  if (scope.createdAfter) {
    const added = Date.parse(facts.dateAdded ?? '');
    if (!(added >= Date.parse(`${scope.createdAfter}T00:00:00Z`)))
      return `${OUT_OF_SCOPE} (created before ${scope.createdAfter})`;
  }
  return null;
}
