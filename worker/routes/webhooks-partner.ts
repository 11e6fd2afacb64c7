import { Hono } from 'hono';
import { AppError } from '../errors.ts';
import { readLimited } from '../lib/body.ts';
import { openConnection, recordInboundEvent } from '../tenants/connections.ts';
import { connectorFor } from '../connectors/registry.ts';
import type { PartnerChange } from '../connectors/types.ts';
import { tenantStub } from '../durable/stubs.ts';

/** Partner payloads are a few KB; anything far bigger is not a booking or contact event. */
export const MAX_PARTNER_WEBHOOK_BYTES = 256 * 1024;
/** `last_event_at` is panel health, not an audit trail: write it at most this often per connection. */
const LAST_EVENT_WRITE_EVERY_MS = 60_000;

/**
 * Partner changes in: deduped on their keys and persisted in the location's object before the
 * partner gets its answer; matching and sync happen after, in order. Throws when they cannot
 * be stored, and the route answers 429 so the partner retries.
 */
async function acceptPartnerChanges(
  env: Env,
  connection: { id: string; locationId: string; kind: string },
  changes: PartnerChange[],
): Promise<{ accepted: number; duplicates: number }> {
  if (!changes.length) return { accepted: 0, duplicates: 0 };
  const { accepted, duplicates } = await tenantStub(env, connection.locationId).acceptPartner(
    connection.locationId,
    connection.id,
    changes,
    'partner_webhook',
  );
  return { accepted, duplicates };
}

type Accept = typeof acceptPartnerChanges;

/**
 * `POST /webhooks/partner/:connectionId` (docs/CONTRACT.md §4): unknown connection → 404; oversize →
 * 413; bad or missing signature → 401 with nothing stored; malformed body → 400; otherwise the
 * changes go to the sync engine's intake, and a storage failure answers 429 so the partner retries.
 * `accept` is injectable for tests.
 */
export function createPartnerWebhookRoutes(accept: Accept = acceptPartnerChanges) {
  const routes = new Hono<{ Bindings: Env }>();

  routes.post('/:connectionId', async (c) => {
    const connection = await openConnection(c.env, c.req.param('connectionId'), { cached: true });
    const connector = connection && connectorFor(connection.kind);
    if (!connection || !connector) throw new AppError(404, 'not_found', 'No such connection.');

    const raw = await readLimited(c.req.raw, MAX_PARTNER_WEBHOOK_BYTES);
    const url = new URL(c.req.url);
    if (!(await connector.verifyInbound(raw, c.req.raw.headers, connection, url))) {
      console.warn('partner webhook rejected', connection.id, connection.kind);
      throw new AppError(
        401,
        'invalid_signature',
        'The webhook signature or key is missing or does not match.',
      );
    }
    const changes: PartnerChange[] = connector.parseInbound(raw, c.req.raw.headers, connection);

    let result: { accepted: number; duplicates: number };
    try {
      result = await accept(
        c.env,
        { id: connection.id, locationId: connection.locationId, kind: connection.kind },
        changes,
      );
    } catch (err) {
      console.error('partner webhook could not be persisted', connection.id, String(err));
      c.header('retry-after', '60');
      return c.json(
        { error: { code: 'try_again', message: 'The event could not be stored; please retry.' } },
        429,
      );
    }

    const now = Date.now();
    if (!connection.lastEventAt || now - connection.lastEventAt > LAST_EVENT_WRITE_EVERY_MS) {
      c.executionCtx.waitUntil(
        recordInboundEvent(c.env, connection.id, now).catch((err) =>
          console.warn('last_event_at not saved', String(err)),
        ),
      );
    }
    return c.json({ ok: true, accepted: result.accepted, duplicates: result.duplicates });
  });

  return routes;
}

/** The mounted instance (worker/app.ts). */
export const partnerWebhookRoutes = createPartnerWebhookRoutes();
