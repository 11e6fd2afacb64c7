import { randomBytes } from 'node:crypto';

/**
 * OAuth for the Cal.com emulator: `POST /v2/auth/oauth2/token` with `grant_type=refresh_token`
 * (spec OAuth2RefreshConfidentialInput / OAuth2RefreshPublicInput → OAuth2TokensDto). Every
 * refresh rotates the refresh token: the spent one is refused afterwards. Errors follow RFC 6749
 * §5.2 (`{ error, error_description }`, 400 / 401), which the spec leaves undocumented [inferred].
 * A user authorizing the app is the authorize page (`authorize()`, always approved, then
 * `grant_type=authorization_code`) or `grant()` (control API).
 */

export interface OAuthClient {
  clientId: string;
  /** null: a public client, which refreshes without a secret. */
  clientSecret: string | null;
  /** Lifetime of the access tokens it is given (the spec's example: 1800). */
  accessTokenTtlSec: number;
}

export interface OAuthTokens {
  access_token: string;
  token_type: 'bearer';
  refresh_token: string;
  expires_in: number;
}

export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, description: string) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

interface Grant {
  clientId: string;
  refreshToken: string;
  revoked: boolean;
}

const token = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

export class CalOAuth {
  readonly clients = new Map<string, OAuthClient>();
  readonly #access = new Map<string, { grant: Grant; expiresAt: number }>();
  readonly #refresh = new Map<string, Grant>();
  readonly #codes = new Map<string, { clientId: string; redirectUri: string }>();
  /** Refresh grants answered with new tokens, for tests that count refreshes. */
  refreshes = 0;

  addClient(input: Partial<OAuthClient> = {}): OAuthClient {
    const client: OAuthClient = {
      clientId: input.clientId ?? `cal_client_${randomBytes(8).toString('hex')}`,
      clientSecret:
        input.clientSecret === undefined ? randomBytes(18).toString('base64url') : input.clientSecret,
      accessTokenTtlSec: input.accessTokenTtlSec ?? 1800,
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  /** Tokens as if the user had approved the client (the authorization code step, skipped). */
  grant(clientId: string, accessTokenTtlSec?: number, now = Date.now()): OAuthTokens {
    const client = this.clients.get(clientId);
    if (!client) throw new OAuthError(401, 'invalid_client', 'Unknown client_id');
    return this.#issue(
      { clientId, refreshToken: '', revoked: false },
      accessTokenTtlSec ?? client.accessTokenTtlSec,
      now,
    );
  }

  /**
   * The user approved `clientId` on the authorize page: a one-time code for `redirectUri`
   * (`GET /auth/oauth2/authorize`; the emulator's user always approves).
   */
  authorize(clientId: string, redirectUri: string): string {
    if (!this.clients.has(clientId)) throw new OAuthError(400, 'invalid_client', 'Unknown client_id');
    const code = token('cal_code');
    this.#codes.set(code, { clientId, redirectUri });
    return code;
  }

  /** The token endpoint: a form or JSON body already parsed into strings. */
  exchange(body: Record<string, unknown>, now = Date.now()): OAuthTokens {
    const clientId = typeof body.client_id === 'string' ? body.client_id : '';
    if (!clientId) throw new OAuthError(400, 'invalid_request', 'client_id is required');
    const client = this.clients.get(clientId);
    if (!client) throw new OAuthError(401, 'invalid_client', 'Unknown client_id');
    if (body.grant_type !== 'refresh_token' && body.grant_type !== 'authorization_code') {
      throw new OAuthError(
        400,
        'unsupported_grant_type',
        'This emulator answers grant_type authorization_code and refresh_token',
      );
    }
    if (client.clientSecret !== null && body.client_secret !== client.clientSecret)
      throw new OAuthError(401, 'invalid_client', 'Invalid client_secret');
    if (body.grant_type === 'authorization_code') {
      // A code is good once, for the client and redirect URI it was given to.
      const code = typeof body.code === 'string' ? this.#codes.get(body.code) : undefined;
      if (code) this.#codes.delete(body.code as string);
      if (!code || code.clientId !== clientId || code.redirectUri !== body.redirect_uri)
        throw new OAuthError(400, 'invalid_grant', 'Invalid or used authorization code');
      return this.#issue({ clientId, refreshToken: '', revoked: false }, client.accessTokenTtlSec, now);
    }
    const grant = typeof body.refresh_token === 'string' ? this.#refresh.get(body.refresh_token) : undefined;
    if (!grant || grant.revoked || grant.clientId !== clientId || grant.refreshToken !== body.refresh_token) {
      throw new OAuthError(400, 'invalid_grant', 'Invalid or expired refresh token');
    }
    this.#refresh.delete(grant.refreshToken);
    this.refreshes++;
    return this.#issue(grant, client.accessTokenTtlSec, now);
  }

  /** Whether `bearer` is a live access token. */
  accepts(bearer: string, now = Date.now()): boolean {
    const t = this.#access.get(bearer);
    return !!t && !t.grant.revoked && t.expiresAt > now;
  }

  /** Makes an access token expire now (a 401 on its next use). */
  expire(accessToken: string): boolean {
    const t = this.#access.get(accessToken);
    if (t) t.expiresAt = 0;
    return !!t;
  }

  /** The user disconnected the app: the grant's refresh and access tokens stop working. */
  revoke(refreshToken: string): boolean {
    const grant = this.#refresh.get(refreshToken);
    if (grant) grant.revoked = true;
    return !!grant;
  }

  #issue(grant: Grant, ttlSec: number, now: number): OAuthTokens {
    const access = token('cal_at');
    grant.refreshToken = token('cal_rt');
    this.#refresh.set(grant.refreshToken, grant);
    this.#access.set(access, { grant, expiresAt: now + ttlSec * 1000 });
    return {
      access_token: access,
      token_type: 'bearer',
      refresh_token: grant.refreshToken,
      expires_in: ttlSec,
    };
  }
}
