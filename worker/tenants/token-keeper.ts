import type { Config } from '../config.ts';
import { UnreadableSealedValue } from '../crypto/seal.ts';
import { OAuthError, refreshTokens, type TokenSet } from '../ghl/oauth.ts';
import { readTokens, writeTokens, type StoredTokens } from './token-store.ts';

/** Refresh this long before GHL's expiry (the official SDK uses 30 s). */
const REFRESH_AHEAD_MS = 60_000;

export class ReconnectNeeded extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ReconnectNeeded';
  }
}

export interface TokenKeeperDeps {
  db: D1Database;
  config: Config;
  resourceId: string;
  /** Mints a fresh location token from the agency token, or null when there is none. */
  mintFromAgency?: (companyId: string) => Promise<TokenSet | null>;
  /** Called when the install can no longer get a token. */
  onDead?: (reason: string) => Promise<void>;
  now?: () => number;
}

/**
 * Holds one resource's token pair inside its Durable Object. Refresh tokens are single-use, so
 * every caller that needs a refresh shares one in-flight promise, and the new pair is written to
 * D1 before any of them continues.
 */
export class TokenKeeper {
  private stored: StoredTokens | null = null;
  private inflight: Promise<TokenSet> | null = null;
  private readonly deps: TokenKeeperDeps;

  constructor(deps: TokenKeeperDeps) {
    this.deps = deps;
  }

  private now() {
    return this.deps.now?.() ?? Date.now();
  }

  /** A token that is valid for at least a minute, refreshing first when needed. */
  async current(): Promise<TokenSet> {
    if (!this.stored) this.stored = await this.read();
    if (!this.stored) throw new ReconnectNeeded('no tokens stored for this install');
    const tokens = this.stored.tokens;
    if (tokens.expiresAt - this.now() > REFRESH_AHEAD_MS) return tokens;
    return this.refresh(tokens.accessToken);
  }

  /**
   * Refreshes because `staleAccessToken` was rejected or is about to expire. Callers that arrive
   * after another caller already replaced that token get the new one without a second refresh.
   */
  refresh(staleAccessToken: string): Promise<TokenSet> {
    if (this.inflight) return this.inflight;
    const held = this.stored?.tokens;
    if (held && held.accessToken !== staleAccessToken && held.expiresAt - this.now() > REFRESH_AHEAD_MS) {
      return Promise.resolve(held);
    }
    this.inflight = this.runRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Stores a pair obtained elsewhere (code exchange, agency mint). */
  async store(tokens: TokenSet): Promise<void> {
    const generation = await writeTokens(
      this.deps.db,
      this.deps.config.tokenEncryptionKey,
      this.deps.resourceId,
      tokens,
      this.now(),
    );
    this.stored = { tokens, generation };
  }

  /**
   * The stored pair. One no configured key opens (sealed under a retired key) cannot be used or
   * refreshed: the install needs a reconnect, which stores a new pair under the current key.
   */
  private async read(): Promise<StoredTokens | null> {
    try {
      return await readTokens(this.deps.db, this.deps.config.sealingKeys, this.deps.resourceId);
    } catch (err) {
      if (!(err instanceof UnreadableSealedValue)) throw err;
      const reason =
        'the stored tokens cannot be decrypted with TOKEN_ENCRYPTION_KEY (or TOKEN_ENCRYPTION_KEY_PREVIOUS)';
      await this.deps.onDead?.(reason);
      throw new ReconnectNeeded(reason);
    }
  }

  /** Forgets the in-memory copy (after an uninstall). */
  forget(): void {
    this.stored = null;
  }

  private async runRefresh(): Promise<TokenSet> {
    const { config } = this.deps;
    const before = this.stored ?? (await this.read());
    if (!before) throw new ReconnectNeeded('no tokens stored for this install');
    try {
      const next = await refreshTokens(config, before.tokens, this.now());
      await this.store(next);
      return next;
    } catch (err) {
      if (!(err instanceof OAuthError) || err.status >= 500 || err.status === 429) throw err;
      return this.recover(before, err);
    }
  }

  /** invalid_grant: re-read (another writer may have stored a new pair), then mint from the agency. */
  private async recover(before: StoredTokens, cause: OAuthError): Promise<TokenSet> {
    const reread = await this.read();
    if (reread && reread.generation !== before.generation) {
      this.stored = reread;
      return reread.tokens;
    }
    const companyId = before.tokens.companyId;
    if (before.tokens.userType === 'Location' && companyId && this.deps.mintFromAgency) {
      const minted = await this.deps.mintFromAgency(companyId).catch(() => null);
      if (minted) {
        await this.store(minted);
        return minted;
      }
    }
    const reason = `token refresh failed (${cause.code}) and no agency token could mint a new one`;
    await this.deps.onDead?.(reason);
    this.stored = null;
    throw new ReconnectNeeded(reason);
  }
}
