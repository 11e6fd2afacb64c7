import type { SyncScope } from '../settings/model.ts';

/**
 * Which GHL contacts a location syncs (settings `scope`): only those with a tag, of a business,
 * or created on or after a day. Checked where GHL changes go out (live events and the sweep,
 * in the contact's object), in backfills, and where partner changes come in (people created in
 * GHL get the scope's tag; changes about contacts outside it are not written). Pure.
 */

/** What the scope looks at, from a GHL contact or a Contact* event. */
export interface ScopeFacts {
  tags: string[];
  /** Absent when not known: GHL's Contact* events do not carry the business. */
  businessId?: string | null;
  dateAdded: string | null;
}

/** The facts of a contact as GHL answers it, or (`event`) of a Contact* event, which names no business. */
export function scopeFactsOf(
  contact: Record<string, unknown>,
  from: 'contact' | 'event' = 'contact',
): ScopeFacts {
  const business = typeof contact.businessId === 'string' && contact.businessId ? contact.businessId : null;
  return {
    tags: Array.isArray(contact.tags) ? contact.tags.map((t) => String(t).toLowerCase()) : [],
    ...(business || from === 'contact' ? { businessId: business } : {}),
    dateAdded: typeof contact.dateAdded === 'string' ? contact.dateAdded : null,
  };
}

export const OUT_OF_SCOPE = 'outside this location’s sync scope';

/** Why the contact is outside the scope, or null when it syncs. */
export function outOfScope(scope: SyncScope | undefined, facts: ScopeFacts): string | null {
  const miss = scopeMiss(scope, facts);
  return miss && `${OUT_OF_SCOPE} (${miss})`;
}

/**
 * A partner change about a GHL contact outside the scope is not written to GHL. Its log row says
 * so plainly and is not one of the quiet ones: the partner's change did not land.
 */
export function partnerChangeOutOfScope(scope: SyncScope | undefined, facts: ScopeFacts): string | null {
  const miss = scopeMiss(scope, facts);
  return miss && `not written to GHL: the contact is outside the sync scope (${miss})`;
}

/**
 * What a person the partner names must carry when we create them in GHL, so that they are inside
 * the scope: the scope's tag (added after the create: GHL's upsert would replace existing tags on
 * a merge). A business cannot be given through GHL's contacts API, and a contact created today
 * cannot be created on or after a later day: then the person is not created, and `blocked` says why.
 */
export function newContactInScope(
  scope: SyncScope | undefined,
  now: number,
): { tags: string[]; blocked: string | null } {
  if (scope?.businessId)
    return {
      tags: [],
      blocked: `not created in GHL: only contacts of business ${scope.businessId} sync here, and a new GHL contact cannot be put in a business through GHL's API`,
    };
  if (scope?.createdAfter && now < dayStart(scope.createdAfter))
    return {
      tags: [],
      blocked: `not created in GHL: only contacts created on or after ${scope.createdAfter} sync here`,
    };
  return { tags: scope?.tag ? [scope.tag] : [], blocked: null };
}

function scopeMiss(scope: SyncScope | undefined, facts: ScopeFacts): string | null {
  if (!scope) return null;
  if (scope.tag && !facts.tags.includes(scope.tag.toLowerCase())) return `no tag “${scope.tag}”`;
  if (scope.businessId && facts.businessId !== scope.businessId) return `not of business ${scope.businessId}`;
  if (scope.createdAfter) {
    const added = Date.parse(facts.dateAdded ?? '');
    if (!(added >= dayStart(scope.createdAfter))) return `created before ${scope.createdAfter}`;
  }
  return null;
}

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
