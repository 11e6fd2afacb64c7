import { ACCESS_TOKEN_RENEW_AT, renewAtFor } from './credential-keeper.ts';
import { checkPartnerUrl, errorForStatus, PartnerApiError, partnerFetch, readJson } from './http.ts';
import type { ConnectorConnection } from './types.ts';

/**
 * Cal.com OAuth token refresh (spec `POST /v2/auth/oauth2/token`,
 * OAuth2RefreshConfidentialInput / OAuth2RefreshPublicInput → OAuth2TokensDto). Every refresh
 * answers a new refresh token, which replaces the one spent.
 */

export const CALCOM_API_BASE = 'https://api.cal.com';
export const CALCOM_TOKEN_PATH = '/v2/auth/oauth2/token';

type Obj = Record<string, unknown>;

/** The RFC 6749 §5.2 `error` of a refused refresh, or Cal.com's own error code. */
function refusalCode(body: unknown): string | undefined {
  const b = body && typeof body === 'object' ? (body as Obj) : {};
  if (typeof b.error === 'string') return b.error;
  const nested = b.error && typeof b.error === 'object' ? (b.error as Obj).code : undefined;
  return typeof nested === 'string' ? nested : undefined;
}

/** New `accessToken`, `refreshToken` and `accessTokenRenewAt` for a Cal.com OAuth connection. */
export async function refreshCalcomTokens(
  conn: ConnectorConnection,
  now = Date.now(),
): Promise<Record<string, string>> {
  const base = checkPartnerUrl(conn.settings.apiBase ?? CALCOM_API_BASE);
  if (!base)
    throw new PartnerApiError(
      'not_configured',
      'The Cal.com API address of this connection is not a valid https URL.',
    );
  const { refreshToken, clientId, clientSecret } = conn.credentials;
  if (!refreshToken || !clientId) {
    throw new PartnerApiError(
      'reconnect_needed',
      'Reconnect needed: the Cal.com access token expired and the connection has no refresh token and OAuth client id to renew it with. Enter new credentials.',
    );
  }
  const res = await partnerFetch(`${base}${CALCOM_TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    // A public client (no secret) refreshes with the refresh token alone.
    body: JSON.stringify({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshToken,
      ...(clientSecret ? { client_secret: clientSecret } : {}),
    }),
  });
  const what = 'Cal.com token refresh';
  const body = await readJson(res, what).catch(() => null);
  // RFC 6749 §5.2: a refused grant or client is a 400 or 401; nothing but new tokens helps then.
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    const code = refusalCode(body) ?? String(res.status);
    throw new PartnerApiError(
      'reconnect_needed',
      `Reconnect needed: Cal.com refused to renew this connection's OAuth tokens (${code.slice(0, 60)}). Enter new tokens for the connection.`,
      res.status,
    );
  }
  if (!res.ok) throw errorForStatus(res, what);
  const tokens = (body ?? {}) as Obj;
  const expiresIn = Number(tokens.expires_in);
  if (typeof tokens.access_token !== 'string' || !tokens.access_token || !Number.isFinite(expiresIn)) {
    throw new PartnerApiError(
      'unavailable',
      `${what}: Cal.com answered without an access token and its lifetime.`,
      res.status,
    );
  }
  return {
    accessToken: tokens.access_token,
    refreshToken:
      typeof tokens.refresh_token === 'string' && tokens.refresh_token ? tokens.refresh_token : refreshToken,
    [ACCESS_TOKEN_RENEW_AT]: String(renewAtFor(now, expiresIn * 1000)),
  };
}
