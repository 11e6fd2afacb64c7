import type { GhlRequest } from './gateway.ts';

/**
 * A panel create that must happen once per user action, however often the panel retries it
 * (docs/CONTRACT.md §5: every change is applied once). Crosses the Durable Object RPC boundary, so
 * plain data only.
 */
export interface CreateOnce {
  /** The panel's `Idempotency-Key`, one per user action and reused on its retries. */
  key: string;
  /** Hash of what is created and by whom: the same key for different content is refused. */
  fingerprint: string;
  /** How to find the object when the create's answer was lost. */
  find: CreatedLookup;
}

export interface CreatedLookup {
  /** Lists the objects the create adds to, e.g. `GET /contacts/:id/notes`. */
  list: Omit<GhlRequest, 'priority'>;
  /**
   * Key of the array in the list answer (`notes`) and of the object in the create answer (`note`);
   * no `wrap` when the create answers the object itself (appointments).
   */
  collection: string;
  wrap?: string;
  /** Fields the created object shows as sent; dates compare as instants. */
  match: Record<string, string | boolean>;
}

/** GHL's clock and ours differ; a create is looked for from this long before we sent it. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T|$)/;

function same(expected: string | boolean, actual: unknown): boolean {
  if (typeof expected === 'boolean')
    return actual === expected || (actual === undefined && expected === false);
  const shown = actual === undefined || actual === null ? '' : String(actual);
  if (ISO_DATE.test(expected) && ISO_DATE.test(shown)) return Date.parse(expected) === Date.parse(shown);
  return shown.trim() === expected.trim();
}

/**
 * The object a lost create made, from the list answer: it shows every matched field, was added
 * no earlier than the create was sent (less clock skew), and no other key has claimed it. The
 * earliest such object wins, so two lost creates of the same content each find their own.
 */
export function findCreated(
  listAnswer: unknown,
  lookup: CreatedLookup,
  sentAt: number,
  claimed: (id: string) => boolean,
): Record<string, unknown> | null {
  const items = (listAnswer as Record<string, unknown> | null)?.[lookup.collection];
  if (!Array.isArray(items)) return null;
  const candidates = items.filter((raw): raw is Record<string, unknown> => {
    if (!raw || typeof raw !== 'object') return false;
    const item = raw as Record<string, unknown>;
    if (typeof item.id !== 'string' || claimed(item.id)) return false;
    const added = Date.parse(String(item.dateAdded ?? ''));
    if (Number.isFinite(added) && added < sentAt - CLOCK_SKEW_MS) return false;
    return Object.entries(lookup.match).every(([field, value]) => same(value, item[field]));
  });
  const at = (item: Record<string, unknown>) => Date.parse(String(item.dateAdded ?? '')) || 0;
  return candidates.sort((a, b) => at(a) - at(b))[0] ?? null;
}
