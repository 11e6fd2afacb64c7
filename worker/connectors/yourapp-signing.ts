import { Webhook } from 'standardwebhooks';
import { PartnerApiError } from './http.ts';
import type { ConnectorConnection } from './types.ts';

/** Standard Webhooks signing for "your app", in both directions, with the connection's one `whsec_` secret. */

export function signer(conn: ConnectorConnection): Webhook {
  const secret = conn.credentials.webhookSecret;
  if (!secret) throw new PartnerApiError('not_configured', 'This connection has no webhook secret.');
  try {
    return new Webhook(secret);
  } catch {
    throw new PartnerApiError(
      'not_configured',
      'The webhook secret of this connection is not a whsec_ base64 secret.',
    );
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A Standard Webhooks secret is `whsec_` and the base64 of 24 to 64 random bytes. */
export function standardWebhooksSecretProblem(secret: string): string | null {
  const key = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : null;
  const bytes = key && BASE64.test(key) ? atob(key).length : 0;
  if (bytes >= 24 && bytes <= 64) return null;
  return 'must be a Standard Webhooks secret: whsec_ followed by the base64 of 24 to 64 random bytes.';
}

/** Standard Webhooks headers for `body`, signed at `now`. */
export function signYourAppBody(
  webhook: Webhook,
  messageId: string,
  body: string,
  now = new Date(),
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': webhook.sign(messageId, now, body),
  };
}
