import { PartnerApiError, type PartnerErrorCode } from './http.ts';
import type { Connector, ConnectorConnection } from './types.ts';

/**
 * OAuth token renewal for partner connections. Refresh tokens may be single-use (Cal.com returns
 * a new one with every refresh), so each connection has one renewal in flight however many
 * callers need it, and the new pair is stored before any of them continues. In the worker the
 * keeper runs inside the location's object, which makes it one per connection by construction.
 */

/**
 * Credential holding when to renew the access token (epoch ms); written with renewed tokens,
 * never by users. Tokens a user enters carry none and are renewed on their first 401.
 */
export const ACCESS_TOKEN_RENEW_AT = 'accessTokenRenewAt';
/** Renew this long before the access token expires (at most half its lifetime). */
export const RENEW_AHEAD_MS = 60_000;

/** When a token that lives `lifetimeMs` from `now` is due for renewal. */
export function renewAtFor(now: number, lifetimeMs: number): number {
  // Half the lifetime for short-lived tokens, else each renewed token would be due at once.
  return now + lifetimeMs - Math.min(RENEW_AHEAD_MS, lifetimeMs / 2);
}

/** True when the credentials say their access token is due for renewal. */
export function renewalDue(credentials: Record<string, string>, now = Date.now()): boolean {
  const at = Number(credentials[ACCESS_TOKEN_RENEW_AT]);
  return Number.isFinite(at) && at <= now;
}

/** What a renewal gives; plain data, as it crosses the Durable Object RPC boundary. */
export type RenewOutcome =
  | { ok: true; credentials: Record<string, string> }
  | { ok: false; code: PartnerErrorCode; message: string; retryAfterMs?: number };

/** A connection as stored: `version` changes whenever its sealed credentials do. */
export interface StoredConnection {
  connection: ConnectorConnection;
  status: string;
  lastError: string | null;
  version: string | null;
}

/** Where connections live (D1 in the worker). */
export interface CredentialStore {
  load(connectionId: string): Promise<StoredConnection | null>;
  /** Replaces the credentials if they are still at `version`; false when someone changed them. */
  save(connectionId: string, version: string | null, credentials: Record<string, string>): Promise<boolean>;
  /** Marks the connection as needing new credentials, unless they changed since `version`. */
  markReconnectNeeded(connectionId: string, version: string | null, reason: string): Promise<void>;
}

const MAX_SAVE_TRIES = 3;

const failed = (code: PartnerErrorCode, message: string, retryAfterMs?: number): RenewOutcome =>
  retryAfterMs === undefined ? { ok: false, code, message } : { ok: false, code, message, retryAfterMs };

/** The PartnerApiError a failed outcome stands for (the caller's side of the RPC). */
export function outcomeError(outcome: Extract<RenewOutcome, { ok: false }>): PartnerApiError {
  return new PartnerApiError(outcome.code, outcome.message, undefined, outcome.retryAfterMs);
}

export class CredentialKeeper {
  readonly #inflight = new Map<string, Promise<RenewOutcome>>();
  readonly #connectorFor: (kind: string) => Connector | undefined;
  readonly #now: () => number;

  constructor(connectorFor: (kind: string) => Connector | undefined, now: () => number = Date.now) {
    this.#connectorFor = connectorFor;
    this.#now = now;
  }

  /**
   * Renews `connectionId`'s tokens because `staleAccessToken` was refused or is about to expire.
   * A caller that arrives while a renewal runs shares it; one that arrives after another caller
   * already replaced its token gets the stored credentials without a second refresh.
   */
  renew(
    store: CredentialStore,
    connectionId: string,
    locationId: string,
    staleAccessToken: string,
  ): Promise<RenewOutcome> {
    const running = this.#inflight.get(connectionId);
    if (running) return running;
    const renewal = this.#run(store, connectionId, locationId, staleAccessToken).finally(() =>
      this.#inflight.delete(connectionId),
    );
    this.#inflight.set(connectionId, renewal);
    return renewal;
  }

  async #run(
    store: CredentialStore,
    connectionId: string,
    locationId: string,
    stale: string,
  ): Promise<RenewOutcome> {
    const stored = await store.load(connectionId);
    if (!stored || stored.connection.locationId !== locationId)
      return failed('not_configured', 'The connection no longer exists.');
    const held = stored.connection.credentials;
    // Marked dead earlier: no refresh token is spent until the user enters new credentials.
    if (stored.status === 'error')
      return failed(
        'reconnect_needed',
        stored.lastError ?? `Reconnect needed: enter new ${stored.connection.kind} credentials.`,
      );
    if (held.accessToken && held.accessToken !== stale && !renewalDue(held, this.#now()))
      return { ok: true, credentials: held };
    const connector = this.#connectorFor(stored.connection.kind);
    if (!connector?.refreshTokens)
      return failed(
        'auth_failed',
        `${connector?.label ?? stored.connection.kind} credentials cannot be renewed.`,
      );

    let renewed: Record<string, string>;
    try {
      renewed = await connector.refreshTokens(stored.connection);
    } catch (err) {
      if (!(err instanceof PartnerApiError)) throw err;
      if (err.code !== 'reconnect_needed') return failed(err.code, err.message, err.retryAfterMs);
      return this.#rejected(store, stored, err.message);
    }
    return this.#save(store, stored, renewed);
  }

  /** Stores the renewed tokens over the latest credentials; a user's reconnect meanwhile wins. */
  async #save(
    store: CredentialStore,
    stored: StoredConnection,
    renewed: Record<string, string>,
  ): Promise<RenewOutcome> {
    const used = stored.connection.credentials.refreshToken;
    let current = stored;
    for (let attempt = 0; attempt < MAX_SAVE_TRIES; attempt++) {
      const next = { ...current.connection.credentials, ...renewed };
      if (await store.save(current.connection.id, current.version, next))
        return { ok: true, credentials: next };
      const reread = await store.load(current.connection.id);
      if (!reread)
        return failed('not_configured', 'The connection was removed while its tokens were renewed.');
      // New tokens entered by the user are newer than the ones we just obtained.
      if (reread.connection.credentials.refreshToken !== used)
        return { ok: true, credentials: reread.connection.credentials };
      current = reread;
    }
    return failed('unavailable', 'The renewed tokens could not be saved; the renewal will be retried.');
  }

  /** The partner refused for good: unless the user already entered new tokens, mark the connection. */
  async #rejected(store: CredentialStore, stored: StoredConnection, why: string): Promise<RenewOutcome> {
    const reread = await store.load(stored.connection.id);
    if (!reread) return failed('not_configured', 'The connection was removed while its tokens were renewed.');
    if (reread.connection.credentials.refreshToken !== stored.connection.credentials.refreshToken)
      return { ok: true, credentials: reread.connection.credentials };
    await store.markReconnectNeeded(stored.connection.id, reread.version, why);
    return failed('reconnect_needed', why);
  }
}
