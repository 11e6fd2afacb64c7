import { Webhook } from 'standardwebhooks';
import { AppError } from '../errors.ts';
import { toBase64 } from '../crypto/encoding.ts';
import { parseJsonObject } from '../lib/body.ts';
import { checkPartnerUrl, errorForStatus, PartnerApiError, partnerFetch, readJson } from './http.ts';
import { mapFor, str } from './mapping.ts';
import { sendYourAppTestEvent, testYourApp } from './yourapp-admin.ts';
import { signer, signYourAppBody, standardWebhooksSecretProblem } from './yourapp-signing.ts';
import {
  parseYourAppEvent,
  toYourAppEvent,
  YOURAPP_DEFAULT_MAPS,
  yourappFingerprint,
  type YourAppMaps,
} from './yourapp-map.ts';
import type { ChangePage, Connector, ConnectorConnection, PartnerChange } from './types.ts';

/**
 * "Your app": a generic two-way partner speaking Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature = v1,base64(HMAC-SHA256(secret, id.timestamp.body))) in
 * both directions with one shared `whsec_` secret, plus `GET {apiBase}/changes?since=` for
 * reconciliation. The contract is in test/partners/README.md.
 */

const PAGE_SIZE = 100;

function maps(conn: ConnectorConnection): YourAppMaps {
  return {
    contact: mapFor(YOURAPP_DEFAULT_MAPS, conn.settings, 'contact'),
    appointment: mapFor(YOURAPP_DEFAULT_MAPS, conn.settings, 'appointment'),
    note: mapFor(YOURAPP_DEFAULT_MAPS, conn.settings, 'note'),
    task: mapFor(YOURAPP_DEFAULT_MAPS, conn.settings, 'task'),
  };
}

/** The your-app connector. */
export const yourappConnector: Connector = {
  kind: 'yourapp',
  label: 'Your app',
  capabilities: {
    inbound: {
      contact: ['upsert', 'delete'],
      appointment: ['upsert', 'delete'],
      note: ['upsert', 'delete'],
      task: ['upsert', 'delete'],
      tag: ['tag_add', 'tag_remove'],
    },
    outbound: {
      contact: ['create', 'update', 'delete'],
      appointment: ['create', 'update', 'delete'],
      note: ['create', 'update', 'delete'],
      task: ['create', 'update', 'delete'],
      tag: ['tag_add', 'tag_remove'],
    },
    reconcile: true,
    inboundAuth: 'standard-webhooks',
  },
  credentials: [
    {
      name: 'webhookSecret',
      required: true,
      description: 'Standard Webhooks secret (whsec_…), used to sign in both directions',
      check: standardWebhooksSecretProblem,
    },
    { name: 'apiKey', required: false, description: 'Bearer token for GET /changes (reconciliation)' },
  ],
  defaultFieldMaps: YOURAPP_DEFAULT_MAPS,

  async verifyInbound(raw, headers, conn) {
    const secret = conn.credentials.webhookSecret;
    const id = headers.get('webhook-id');
    const timestamp = headers.get('webhook-timestamp');
    const signature = headers.get('webhook-signature');
    if (!secret || !id || !timestamp || !signature) return false;
    try {
      new Webhook(secret).verify(
        new TextDecoder().decode(raw),
        { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
        { jsonParse: false },
      );
      return true;
    } catch {
      return false;
    }
  },

  parseInbound(raw, headers, conn): PartnerChange[] {
    const id = headers.get('webhook-id');
    if (!id) throw new AppError(400, 'invalid_event', 'The event has no webhook-id header.');
    const event = parseJsonObject(raw);
    // A connection test or test event from the partner: accepted (health shows it), nothing to sync.
    if (event.type === 'ping' || event.type === 'test') return [];
    return parseYourAppEvent(event, id, conn.id, maps(conn));
  },

  async apply(change, conn, idempotencyKey) {
    const url = checkPartnerUrl(conn.settings.webhookUrl);
    if (!url)
      throw new PartnerApiError(
        'not_configured',
        'This connection has no valid webhook URL (https) for your app.',
      );
    const sign = signer(conn);
    const event = toYourAppEvent(change, maps(conn));
    const body = JSON.stringify(event);
    const what = `Your app ${event.type}`;
    const res = await partnerFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signYourAppBody(sign, idempotencyKey, body) },
      body,
    });
    if (!res.ok) throw errorForStatus(res, what);
    const answer = (await readJson(res, what).catch(() => null)) as { id?: unknown } | null;
    const partnerId = str(answer?.id) ?? change.partnerId ?? change.ghlId;
    if (change.op === 'delete') return { partnerId, echoFingerprint: yourappFingerprint(change.kind, null) };
    return { partnerId, echoFingerprint: yourappFingerprint(change.kind, change.data) };
  },

  /** `GET {apiBase}/changes?since=<cursor>&limit=` → `{ events: [{ id, type, timestamp, data }], nextCursor, hasMore }`. */
  async listChangedSince(conn, cursor): Promise<ChangePage> {
    const base = checkPartnerUrl(conn.settings.apiBase);
    if (!base)
      throw new PartnerApiError(
        'not_configured',
        'This connection has no API base URL for your app, so it cannot reconcile.',
      );
    const since = cursor ?? new Date(conn.createdAt).toISOString();
    const q = new URLSearchParams({ since, limit: String(PAGE_SIZE) });
    const what = 'Your app GET /changes';
    const res = await partnerFetch(`${base}/changes?${q}`, {
      headers: {
        accept: 'application/json',
        ...(conn.credentials.apiKey ? { authorization: `Bearer ${conn.credentials.apiKey}` } : {}),
      },
    });
    if (!res.ok) throw errorForStatus(res, what);
    const json = (await readJson(res, what)) as {
      events?: unknown;
      nextCursor?: unknown;
      hasMore?: unknown;
    } | null;
    if (!json || !Array.isArray(json.events))
      throw new PartnerApiError('rejected', `${what}: the answer has no events array.`);
    const connMaps = maps(conn);
    const changes: PartnerChange[] = [];
    for (const e of json.events as Record<string, unknown>[]) {
      const id = str(e?.id);
      if (!id) continue;
      try {
        changes.push(...parseYourAppEvent(e, id, conn.id, connMaps));
      } catch (err) {
        // One malformed entry must not block the sweep behind it.
        if (!(err instanceof AppError)) throw err;
      }
    }
    return { changes, cursor: str(json.nextCursor) ?? since, hasMore: json.hasMore === true };
  },

  fingerprint: yourappFingerprint,

  testConnection: (conn) => testYourApp(conn),
  sendTestEvent: (conn) => sendYourAppTestEvent(conn),

  mintSecrets() {
    return { webhookSecret: `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(32)))}` };
  },
};
