import type { Recipe } from './model.ts';
import { dailyCap, listRecipes } from './store.ts';
import { listSubscriptions, type Subscription } from './workflows/subscriptions.ts';

/** A location's enabled recipes and daily cap, as the contact objects use them. */
export interface EnabledSet {
  recipes: Recipe[];
  dailyCap: number;
  /** GHL workflows subscribed to our triggers. */
  subscriptions: Subscription[];
  /** Trigger keys any enabled recipe or workflow listens to (its trigger or a stop trigger). */
  listens: Set<string>;
}

const TTL_MS = 5_000;
const MAX_LOCATIONS = 500;
const cache = new Map<string, { value: EnabledSet; until: number }>();

/**
 * The enabled set, read from D1 at most every few seconds per location and isolate (like the
 * engine's settings), so an event no recipe listens to costs no GHL call and rarely a D1 read.
 * A change made in the panel is in force within TTL_MS everywhere.
 */
export async function enabledSet(db: D1Database, locationId: string, now = Date.now()): Promise<EnabledSet> {
  const hit = cache.get(locationId);
  if (hit && hit.until > now) return hit.value;
  const [recipes, cap, subscriptions] = await Promise.all([
    listRecipes(db, locationId, true),
    dailyCap(db, locationId),
    listSubscriptions(db, locationId),
  ]);
  const listens = new Set<string>(subscriptions.map((s) => s.operation));
  for (const r of recipes) {
    listens.add(r.trigger);
    for (const t of r.stopOn?.triggers ?? []) listens.add(t);
  }
  const value = { recipes, dailyCap: cap, subscriptions, listens };
  cache.delete(locationId);
  cache.set(locationId, { value, until: now + TTL_MS });
  if (cache.size > MAX_LOCATIONS) cache.delete(cache.keys().next().value!);
  return value;
}

/** Drops the location's entry in this isolate (after a change made here). */
export function forgetEnabledSet(locationId: string): void {
  cache.delete(locationId);
}
