import { checkPartnerUrl, errorForStatus, PartnerApiError, partnerFetch } from './http.ts';
import { signer, signYourAppBody } from './yourapp-signing.ts';
import type { ConnectorConnection } from './types.ts';

/**
 * "Your app" connection admin: a signed `ping` its webhook URL must answer (and, when set, one
 * read of its change feed), and a signed `test` event. Both are marked `test: true`; partners
 * answer them and store nothing (test/partners/README.md).
 */

async function post(
  conn: ConnectorConnection,
  type: 'ping' | 'test',
  data: Record<string, unknown>,
): Promise<number> {
  const url = checkPartnerUrl(conn.settings.webhookUrl);
  if (!url)
    throw new PartnerApiError(
      'not_configured',
      'This connection has no valid webhook URL (https) for your app.',
    );
  const body = JSON.stringify({
    type,
    test: true,
    timestamp: new Date().toISOString(),
    data: { connectionId: conn.id, ...data },
  });
  const id = `${type}_${crypto.randomUUID()}`;
  const res = await partnerFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signYourAppBody(signer(conn), id, body) },
    body,
  });
  await res.body?.cancel();
  if (!res.ok) throw errorForStatus(res, `Your app ${type}`);
  return res.status;
}

export async function testYourApp(conn: ConnectorConnection): Promise<string> {
  const status = await post(conn, 'ping', {});
  const base = checkPartnerUrl(conn.settings.apiBase);
  if (!base) return `Your app answered the signed ping (${status}).`;
  const q = new URLSearchParams({ since: new Date().toISOString(), limit: '1' });
  const res = await partnerFetch(`${base}/changes?${q}`, {
    headers: {
      accept: 'application/json',
      ...(conn.credentials.apiKey ? { authorization: `Bearer ${conn.credentials.apiKey}` } : {}),
    },
  });
  await res.body?.cancel();
  if (!res.ok) throw errorForStatus(res, 'Your app GET /changes');
  return `Your app answered the signed ping (${status}) and its change feed (${res.status}).`;
}

export async function sendYourAppTestEvent(conn: ConnectorConnection): Promise<string> {
  const status = await post(conn, 'test', { message: 'A test event from Contact Sync. Nothing to store.' });
  return `Your app took the test event (${status}).`;
}
