import { Hono } from 'hono';
import { getConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { tenantStub } from '../durable/stubs.ts';
import { parseJsonObject, readLimited } from '../lib/body.ts';
import { appIdOf, notForThisApp } from '../webhooks/audience.ts';
import { HANDLED_EVENTS, ownerOf, type GhlEvent } from '../webhooks/events.ts';
import { verifyGhlSignature } from '../webhooks/verify.ts';
import { benchClock, serverTiming, type PhaseClock, type Phases } from '../lib/bench-probes.ts';

/** GHL payloads are a few KB; anything far bigger is not from GHL. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;
/**
 * Replay window on the event `timestamp`. GHL retries a 429 up to 6 times ~10 minutes apart, so
 * the 5 minutes GHL suggests would reject its own retries; webhookId dedupe covers replays inside.
 */
export const REPLAY_WINDOW_MS = 2 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export const ghlWebhookRoutes = new Hono<{ Bindings: Env }>();

ghlWebhookRoutes.post('/', async (c) => {
  const clock = benchClock(c.env);
  const config = getConfig(c.env);
  const raw = await readLimited(c.req.raw, MAX_WEBHOOK_BYTES);
  clock?.lap('read');
  const verdict = await verifyGhlSignature(raw, c.req.raw.headers, config);
  clock?.lap('verify');
  if (!verdict.ok) {
    console.warn('webhook rejected:', verdict.reason);
    throw new AppError(401, 'invalid_signature', 'The webhook signature is missing or does not match.');
  }
  const body = parseJsonObject(raw);
  const foreign = notForThisApp(body, appIdOf(config.clientId));
  if (foreign) {
    // Answered 200 so GHL does not retry it; nothing is stored or changed.
    console.log(
      `webhook ignored: ${printable(body.type)} ${printable(body.webhookId)} ${printable(foreign)}`,
    );
    return c.json({ ok: true, ignored: 'not_for_this_app' });
  }
  const event = checkEnvelope(body);
  if (!HANDLED_EVENTS.has(event.type)) {
    throw new AppError(422, 'unsupported_event', `Event type ${event.type} is not handled by this app.`);
  }
  const owner = ownerOf(event);
  if (!owner) throw new AppError(400, 'invalid_event', 'The event names no locationId or companyId.');
  clock?.lap('parse');

  let result;
  try {
    result = await tenantStub(c.env, owner).ingest(owner, event);
  } catch (err) {
    // GHL redelivers only on 429, so a storage failure must answer 429, never 5xx.
    console.error('webhook could not be persisted', String(err));
    c.header('retry-after', '60');
    return c.json(
      { error: { code: 'try_again', message: 'The event could not be stored; please retry.' } },
      429,
    );
  }
  if (clock) c.header('server-timing', ingestTiming(clock, result.phases));
  return c.json({ ok: true, duplicate: result.duplicate });
});

/** A body value fit for one log line. */
const printable = (value: unknown) =>
  String(value)
    .slice(0, 80)
    .replace(/[^\x20-\x7e]/g, '?');

function checkEnvelope(body: Record<string, unknown>, now = Date.now()): GhlEvent {
  const { type, webhookId, timestamp } = body;
  if (typeof type !== 'string' || !type) throw new AppError(400, 'invalid_event', 'The event has no type.');
  if (typeof webhookId !== 'string' || !webhookId)
    throw new AppError(400, 'invalid_event', 'The event has no webhookId.');
  if (typeof timestamp !== 'string') throw new AppError(400, 'invalid_event', 'The event has no timestamp.');
  const at = Date.parse(timestamp);
  if (!Number.isFinite(at)) throw new AppError(400, 'invalid_event', 'The event timestamp is not a date.');
  if (at < now - REPLAY_WINDOW_MS || at > now + CLOCK_SKEW_MS) {
    throw new AppError(400, 'stale_event', 'The event timestamp is outside the accepted window.');
  }
  for (const key of ['locationId', 'companyId'] as const) {
    if (
      body[key] !== undefined &&
      (typeof body[key] !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(body[key] as string))
    ) {
      throw new AppError(400, 'invalid_event', `The event ${key} is not a valid id.`);
    }
  }
  return body as GhlEvent;
}

/** The route's phases and the location object's; `rpc` is the rest of the call (transport, queueing). */
function ingestTiming(clock: PhaseClock, inObject: Phases = {}): string {
  clock.lap('ingest');
  const { ingest = 0, ...route } = clock.phases;
  const rpc = ingest - Object.values(inObject).reduce((a, b) => a + b, 0);
  return serverTiming({ ...route, ...inObject, rpc: Math.max(0, rpc) });
}
