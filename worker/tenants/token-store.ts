import { seal, unseal } from '../crypto/seal.ts';
import type { TokenSet } from '../ghl/oauth.ts';

/**
 * Sealed token pairs in D1. Only a resource's Durable Object writes its row (single writer), so a
 * refresh never races another refresh of the same resource.
 */
export interface StoredTokens {
  tokens: TokenSet;
  generation: number;
}

export async function readTokens(db: D1Database, key: string, resourceId: string): Promise<StoredTokens | null> {
  const row = await db
    .prepare('SELECT sealed, generation FROM tokens WHERE resource_id = ?')
    .bind(resourceId)
    .first<{ sealed: string; generation: number }>();
  if (!row) return null;
  const tokens = JSON.parse(await unseal(key, row.sealed, resourceId)) as TokenSet;
  return { tokens, generation: row.generation };
}

export async function writeTokens(db: D1Database, key: string, resourceId: string, tokens: TokenSet, now = Date.now()): Promise<number> {
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
