import { calcomClient } from './calcom-client.ts';
import { PartnerApiError } from './http.ts';
import type { ConnectionSettings, ConnectorConnection } from './types.ts';

/**
 * Cal.com connection admin: the credentials check (`GET /v2/me`, a cheap authenticated read),
 * and the webhook made through the API (`/v2/webhooks`) so nobody pastes a URL and secret into
 * Cal.com by hand.
 */

/** The triggers the connector turns into changes (calcom.ts). */
const TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_RESCHEDULED',
  'BOOKING_CANCELLED',
  'BOOKING_REQUESTED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
];

const dataOf = (json: Record<string, unknown>) =>
  json.data && typeof json.data === 'object' ? (json.data as Record<string, unknown>) : {};

export async function testCalcom(conn: ConnectorConnection, inboundUrl?: string): Promise<string> {
  const call = calcomClient(conn);
  const me = dataOf(await call('GET', '/v2/me', 'Cal.com GET /v2/me'));
  const who =
    typeof me.email === 'string' ? me.email : typeof me.username === 'string' ? me.username : 'the account';
  const id = Number(conn.settings.webhookId);
  if (!Number.isInteger(id) || id <= 0) return `Cal.com accepted the credentials of ${who}.`;
  const hook = dataOf(await call('GET', `/v2/webhooks/${id}`, 'Cal.com GET /v2/webhooks/{id}'));
  if (hook.active !== true)
    throw new PartnerApiError('rejected', `Cal.com's webhook ${id} for this connection is switched off.`);
  if (inboundUrl && hook.subscriberUrl !== inboundUrl)
    throw new PartnerApiError(
      'rejected',
      `Cal.com's webhook ${id} sends to ${String(hook.subscriberUrl).slice(0, 200)}, not to this connection.`,
    );
  return `Cal.com accepted the credentials of ${who}; its webhook ${id} is active.`;
}

/** Creates the Cal.com webhook that sends bookings to `inboundUrl`, signed with the connection's secret. */
export async function registerCalcomWebhook(
  conn: ConnectorConnection,
  inboundUrl: string,
): Promise<Partial<ConnectionSettings>> {
  const secret = conn.credentials.webhookSecret;
  if (!secret) throw new PartnerApiError('not_configured', 'This Cal.com connection has no webhook secret.');
  const made = dataOf(
    await calcomClient(conn)('POST', '/v2/webhooks', 'Cal.com POST /v2/webhooks', {
      subscriberUrl: inboundUrl,
      active: true,
      triggers: TRIGGERS,
      secret,
      version: '2021-10-20',
    }),
  );
  if (typeof made.id !== 'number')
    throw new PartnerApiError('rejected', 'Cal.com made the webhook but did not say its id.');
  return { webhookId: made.id };
}

/** Deletes the webhook `registerCalcomWebhook` made; one already gone is fine. */
export async function unregisterCalcomWebhook(conn: ConnectorConnection): Promise<void> {
  const id = Number(conn.settings.webhookId);
  if (!Number.isInteger(id) || id <= 0) return;
  try {
    await calcomClient(conn)('DELETE', `/v2/webhooks/${id}`, 'Cal.com DELETE /v2/webhooks/{id}');
  } catch (err) {
    if (!(err instanceof PartnerApiError && err.code === 'not_found')) throw err;
  }
}
