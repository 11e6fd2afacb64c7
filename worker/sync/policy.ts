/** Pure sync decisions: directions, conflicts. */
export type Direction = 'ghl_to_partner' | 'partner_to_ghl' | 'both';
export type ConflictPolicy = 'ghl_wins' | 'partner_wins' | 'newest_wins';
export type Side = 'ghl' | 'partner';

/** Does a kind configured with `direction` let a change flow from `from` to the other side? */
export function allowsFlow(direction: Direction, from: Side): boolean {
  if (direction === 'both') return true;
  return from === 'ghl' ? direction === 'ghl_to_partner' : direction === 'partner_to_ghl';
}

export interface Contender {
  side: Side;
  /** epoch ms of the change on its side; unknown counts as oldest */
  changedAt?: number;
}

/**
 * Both sides changed the same object since the last sync: which change wins. `newest_wins`
 * breaks a tie in GHL's favour, GHL being the system of record the agency pays for.
 */
export function resolveConflict(policy: ConflictPolicy, a: Contender, b: Contender): Side {
  if (policy === 'ghl_wins') return 'ghl';
  if (policy === 'partner_wins') return 'partner';
  const ta = a.changedAt ?? 0;
  const tb = b.changedAt ?? 0;
  if (ta === tb) return 'ghl';
  return ta > tb ? a.side : b.side;
}

/** Errors worth retrying: the other side was busy or away, not wrong. */
export function isRetryable(kind: string | undefined, status?: number): boolean {
  if (kind === 'rate_limited' || kind === 'unavailable' || kind === 'timeout' || kind === 'network')
    return true;
  if (status !== undefined && (status === 429 || status === 408 || status >= 500)) return true;
  return false;
}

export const MAX_ATTEMPTS = 8;

/** Backoff for sync retries: full jitter between 1 s and 5 min, never zero. */
export function retryDelayMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(5 * 60_000, 1000 * 2 ** attempt);
  return 250 + Math.floor(random() * ceiling);
}
