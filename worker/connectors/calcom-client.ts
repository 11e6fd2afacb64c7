import { CALCOM_API_BASE } from './calcom-oauth.ts';
import { renewalDue } from './credential-keeper.ts';
import { checkPartnerUrl, errorForStatus, PartnerApiError, partnerFetch, readJson } from './http.ts';
import type { ConnectorConnection } from './types.ts';

/**
 * Cal.com API v2 calls for one connection. The bearer is the OAuth access token when the
 * connection has one (renewed ahead of its expiry, and once after a 401), else the API key.
 * Answers are `{ status: "success", … }`; anything else is a PartnerApiError.
 */

export const CALCOM_BOOKINGS_VERSION = '2024-08-13';
export const CALCOM_EVENT_TYPES_VERSION = '2024-06-14';

export type Call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  what: string,
  body?: unknown,
  apiVersion?: string,
) => Promise<Record<string, unknown>>;

/** Renewed credentials replace the connection's, so later calls on it use the new token. */
async function renew(conn: ConnectorConnection, stale: string): Promise<string> {
  const fresh = await conn.renewCredentials!(stale);
  for (const key of Object.keys(conn.credentials)) if (!(key in fresh)) delete conn.credentials[key];
  Object.assign(conn.credentials, fresh);
  const token = conn.credentials.accessToken;
  if (!token)
    throw new PartnerApiError(
      'reconnect_needed',
      'Reconnect needed: the Cal.com connection has no access token after renewal.',
    );
  return token;
}

/** A Cal.com v2 caller bound to one connection's base URL and credentials. */
export function calcomClient(conn: ConnectorConnection, now: () => number = Date.now): Call {
  const base = checkPartnerUrl(conn.settings.apiBase ?? CALCOM_API_BASE);
  if (!base)
    throw new PartnerApiError(
      'not_configured',
      'The Cal.com API address of this connection is not a valid https URL.',
    );
  if (!conn.credentials.accessToken && !conn.credentials.apiKey) {
    throw new PartnerApiError('not_configured', 'This Cal.com connection has no API key or access token.');
  }
  const oauth = () => !!conn.credentials.accessToken;
  const renewable = () => oauth() && !!conn.renewCredentials && !!conn.credentials.refreshToken;

  const send = (method: string, path: string, token: string, body: unknown, apiVersion: string) =>
    partnerFetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'cal-api-version': apiVersion,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  return async (method, path, what, body, apiVersion = CALCOM_BOOKINGS_VERSION) => {
    let token = oauth() ? conn.credentials.accessToken! : conn.credentials.apiKey!;
    if (renewable() && renewalDue(conn.credentials, now())) token = await renew(conn, token);
    let res = await send(method, path, token, body, apiVersion);
    if (res.status === 401 && renewable()) {
      // A token revoked or expired early: renew once and repeat the call with the new one.
      await res.body?.cancel();
      token = await renew(conn, token);
      res = await send(method, path, token, body, apiVersion);
    }
    if (!res.ok) {
      const err = (await readJson(res, what).catch(() => null)) as { error?: { message?: unknown } } | null;
      throw errorForStatus(
        res,
        what,
        typeof err?.error?.message === 'string' ? err.error.message : undefined,
      );
    }
    const json = (await readJson(res, what)) as Record<string, unknown> | null;
    if (!json || json.status !== 'success')
      throw new PartnerApiError(
        'rejected',
        `${what}: Cal.com did not answer with status "success".`,
        res.status,
      );
    return json;
  };
}
