import { CALCOM_API_BASE, CALCOM_TOKEN_PATH } from './calcom-oauth.ts';
import { checkPartnerUrl, errorForStatus, PartnerApiError, partnerFetch, readJson } from './http.ts';

/**
 * "Sign in with Cal.com" (FACTS §3.1): the admin approves our OAuth client on Cal.com's
 * authorize page, Cal.com sends them back to `/oauth/calcom/callback` with a code, and the code
 * becomes the connection's tokens (`POST /v2/auth/oauth2/token`, grant_type=authorization_code).
 */

export interface CalcomSignIn {
  clientId: string;
  clientSecret: string | null;
  authorizeUrl: string;
  apiBase: string;
}

/** The sign-in configuration, or null when Cal.com OAuth is not set up (API keys then). */
export function calcomSignIn(env: Env): CalcomSignIn | null {
  const clientId = env.CALCOM_OAUTH_CLIENT_ID?.trim();
  if (!clientId) return null;
  const authorizeUrl = checkPartnerUrl(
    env.CALCOM_OAUTH_AUTHORIZE_URL?.trim() || 'https://app.cal.com/auth/oauth2/authorize',
  );
  const apiBase = checkPartnerUrl(env.CALCOM_API_BASE?.trim() || CALCOM_API_BASE);
  if (!authorizeUrl || !apiBase) return null;
  return { clientId, clientSecret: env.CALCOM_OAUTH_CLIENT_SECRET?.trim() || null, authorizeUrl, apiBase };
}

export const redirectUriOf = (appBaseUrl: string) => `${appBaseUrl}/oauth/calcom/callback`;

export function authorizeUrlFor(cfg: CalcomSignIn, redirectUri: string, state: string): string {
  const q = new URLSearchParams({ client_id: cfg.clientId, redirect_uri: redirectUri, state });
  return `${cfg.authorizeUrl}?${q}`;
}

/** The connection's credentials for an authorization code. Throws PartnerApiError. */
export async function exchangeCalcomCode(
  cfg: CalcomSignIn,
  code: string,
  redirectUri: string,
): Promise<Record<string, string>> {
  const res = await partnerFetch(`${cfg.apiBase}${CALCOM_TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      grant_type: 'authorization_code',
      client_id: cfg.clientId,
      code,
      redirect_uri: redirectUri,
      ...(cfg.clientSecret ? { client_secret: cfg.clientSecret } : {}),
    }),
  });
  const what = 'Cal.com sign-in';
  const body = (await readJson(res, what).catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    const why = typeof body?.error === 'string' ? body.error : undefined;
    throw errorForStatus(res, what, why);
  }
  // The access token's lifetime is not kept: the credential keeper renews it on Cal.com's first 401.
  if (typeof body?.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new PartnerApiError('rejected', `${what}: Cal.com answered without tokens.`);
  }
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    clientId: cfg.clientId,
    ...(cfg.clientSecret ? { clientSecret: cfg.clientSecret } : {}),
  };
}
