import { seal, unsealWithAny, type SealingKeys } from '../crypto/seal.ts';
import type { TokenSet } from '../ghl/oauth.ts';

/**
 * Sealed token pairs in D1. Only a resource's Durable Object writes its row (single writer), so a
 * refresh never races another refresh of the same resource.
 */
export interface StoredTokens {
  tokens: TokenSet;
  generation: number;
}

/**
 * The resource's token pair, opened with the current key or, during a rotation, the previous one
 * (the next write seals it with the current key). Throws UnreadableSealedValue when neither opens it.
 */
export async function readTokens(
  db: D1Database,
  keys: string | SealingKeys,
  resourceId: string,
): Promise<StoredTokens | null> {
  const row = await db
    .prepare('SELECT sealed, generation FROM tokens WHERE resource_id = ?')
    .bind(resourceId)
    .first<{ sealed: string; generation: number }>();
  if (!row) return null;
  const { plaintext } = await unsealWithAny(
    typeof keys === 'string' ? { current: keys, previous: null } : keys,
    row.sealed,
    resourceId,
  );
  return { tokens: JSON.parse(plaintext) as TokenSet, generation: row.generation };
}

/** Seals with `key`, which is always the current key. */
export async function writeTokens(
  db: D1Database,
  key: string,
  resourceId: string,
  tokens: TokenSet,
  now = Date.now(),
): Promise<number> {
  const sealed = await seal(key, JSON.stringify(tokens), resourceId);
  const row = await db
    .prepare(
      `INSERT INTO tokens (resource_id, sealed, expires_at, generation, updated_at) VALUES (?1, ?2, ?3, 1, ?4)
       ON CONFLICT (resource_id) DO UPDATE SET sealed = ?2, expires_at = ?3, generation = generation + 1, updated_at = ?4
       RETURNING generation`,
    )
    .bind(resourceId, sealed, tokens.expiresAt, now)
    .first<{ generation: number }>();
  return row?.generation ?? 1;
}

export async function deleteTokens(db: D1Database, resourceId: string): Promise<void> {
  await db.prepare('DELETE FROM tokens WHERE resource_id = ?').bind(resourceId).run();
}
