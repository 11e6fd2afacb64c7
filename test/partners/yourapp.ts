import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import {
  apiMiddleware,
  CallStats,
  Deliverer,
  Faults,
  holdRoutes,
  Holds,
  jsonBody,
  listen,
  type Delivery,
  type FaultRule,
} from './common.ts';
import { nowIso } from '../support/change-clock.ts';

/**
 * "Your app": a partner that speaks the contract in test/partners/README.md. It receives our
 * Standard Webhooks events at `POST /webhooks` (verifies, dedupes on webhook-id, stores), keeps
 * every change in a feed served by `GET /changes?since=`, and, through the control API, makes
 * its own changes and sends them to us signed.
 */

export interface YourAppEmulatorOptions {
  port?: number;
  /** Shared Standard Webhooks secret (`whsec_…`); random by default. */
  secret?: string;
  /** Bearer token required by GET /changes; random by default. */
  apiKey?: string;
  /** Our inbound URL (`/webhooks/partner/:id`); settable later by the control API. */
  targetUrl?: string;
  /** Whether events we receive from GHL also enter the /changes feed (default true, as a real feed would). */
  logInbound?: boolean;
}

export interface FeedEvent {
  id: string;
  seq: number;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface YourAppEmulator {
  url: string;
  /** Where we POST events: `${url}/webhooks`. */
  webhookUrl: string;
  secret: string;
  apiKey: string;
  objects: Record<string, Map<string, Record<string, unknown>>>;
  feed: FeedEvent[];
  deliveries: Delivery[];
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;
const KINDS = ['contact', 'appointment', 'note', 'task'];
/** Events that only check the line: `ping` (a connection test) and `test` (a test event). */
const TEST_TYPES = new Set(['ping', 'test']);

/** Starts the your-app partner emulator. */
export async function startYourAppEmulator(opts: YourAppEmulatorOptions = {}): Promise<YourAppEmulator> {
  const secret = opts.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
  const apiKey = opts.apiKey ?? `ya_${randomBytes(16).toString('hex')}`;
  const webhook = new Webhook(secret);
  const logInbound = opts.logInbound !== false;
  const objects: Record<string, Map<string, Obj>> = Object.fromEntries(
    KINDS.map((k) => [k, new Map<string, Obj>()]),
  );
  const feed: FeedEvent[] = [];
  const received: { id: string; event: unknown; answer: Obj }[] = [];
  const tests: { id: string; event: unknown }[] = [];
  const seen = new Map<string, Obj>();
  const faults = new Faults();
  const holds = new Holds();
  const stats = new CallStats();
  const deliverer = new Deliverer(stats);
  let target = opts.targetUrl ?? null;
  let seq = 0;
  let made = 0;

  const byGhl = (kind: string, ghlId: unknown) =>
    [...objects[kind]!.values()].find((o) => ghlId !== undefined && o.ghlId === ghlId);

  /** Applies an event to the store (either side's); returns the object's id here. */
  function apply(type: string, data: Obj): string | undefined {
    const [kind, verb] = type.split('.') as [string, string];
    if (kind === 'tag') {
      const ref = (data.contact ?? {}) as Obj;
      const id = String(data.id ?? ref.id ?? byGhl('contact', ref.ghlId)?.id ?? `ya_contact_${++made}`);
      const contact = objects.contact!.get(id) ?? { id, ...ref };
      const tags = new Set((contact.tags as string[] | undefined) ?? []);
      for (const t of (data.tags as string[] | undefined) ?? [])
        verb === 'added' ? tags.add(t) : tags.delete(t);
      objects.contact!.set(id, { ...contact, id, tags: [...tags] });
      return id;
    }
    const store = objects[kind];
    if (!store) throw new Error(`unknown kind ${kind}`);
    const existing =
      (data.id !== undefined ? store.get(String(data.id)) : undefined) ?? byGhl(kind, data.ghlId);
    const id = String(data.id ?? existing?.id ?? `ya_${kind}_${++made}`);
    if (verb === 'deleted') store.delete(id);
    else store.set(id, { ...existing, ...data, id });
    return id;
  }

  function record(id: string, type: string, data: Obj, timestamp = nowIso()): FeedEvent {
    const event = { id, seq: ++seq, type, timestamp, data };
    feed.push(event);
    return event;
  }

  const app = new Hono();
  app.use(
    '*',
    apiMiddleware(
      faults,
      stats,
      (c, status) => c.json({ error: `injected fault ${status}` }, status as 500),
      holds,
    ),
  );

  app.post('/webhooks', async (c) => {
    const raw = await c.req.text();
    const headers = {
      'webhook-id': c.req.header('webhook-id') ?? '',
      'webhook-timestamp': c.req.header('webhook-timestamp') ?? '',
      'webhook-signature': c.req.header('webhook-signature') ?? '',
    };
    let event: { type?: unknown; data?: unknown; timestamp?: unknown };
    try {
      event = webhook.verify(raw, headers) as typeof event;
    } catch {
      return c.json({ error: 'invalid signature' }, 401);
    }
    // A connection test or test event: answered, never stored.
    if (TEST_TYPES.has(event?.type as string)) {
      tests.push({ id: headers['webhook-id'], event });
      return c.json({ ok: true, test: true });
    }
    const prior = seen.get(headers['webhook-id']);
    if (prior) return c.json({ ...prior, duplicate: true });
    if (typeof event?.type !== 'string' || !event.data || typeof event.data !== 'object')
      return c.json({ error: 'invalid event' }, 400);
    let id: string | undefined;
    try {
      id = apply(event.type, event.data as Obj);
    } catch (err) {
      return c.json({ error: String((err as Error).message) }, 400);
    }
    const answer = { id };
    seen.set(headers['webhook-id'], answer);
    received.push({ id: headers['webhook-id'], event, answer });
    if (logInbound)
      record(
        headers['webhook-id'],
        event.type,
        { ...(event.data as Obj), id },
        typeof event.timestamp === 'string' ? event.timestamp : undefined,
      );
    return c.json(answer);
  });

  app.get('/changes', (c) => {
    if (c.req.header('authorization') !== `Bearer ${apiKey}`) return c.json({ error: 'unauthorized' }, 401);
    const since = c.req.query('since') ?? '';
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 500);
    const after = /^c\d+$/.test(since) ? Number(since.slice(1)) : undefined;
    const from = after === undefined && since ? Date.parse(since) : Number.NaN;
    if (since && after === undefined && !Number.isFinite(from))
      return c.json({ error: 'since must be a cursor or an ISO timestamp' }, 400);
    const matching = feed.filter((e) =>
      after !== undefined ? e.seq > after : !since || Date.parse(e.timestamp) >= from,
    );
    const page = matching.slice(0, limit);
    const last = page[page.length - 1];
    return c.json({
      events: page.map(({ seq: _s, ...e }) => e),
      nextCursor: last ? `c${last.seq}` : after !== undefined ? since : `c${seq}`,
      hasMore: matching.length > page.length,
    });
  });

  app.get('/_partner/state', (c) =>
    c.json({
      targetUrl: target,
      objects: Object.fromEntries(KINDS.map((k) => [k, [...objects[k]!.values()]])),
      received,
      tests,
      feed,
    }),
  );
  app.post('/_partner/reset', (c) => {
    for (const k of KINDS) objects[k]!.clear();
    feed.length = 0;
    received.length = 0;
    tests.length = 0;
    seen.clear();
    faults.clear();
    holds.release();
    stats.reset();
    deliverer.log.length = 0;
    return c.json({ ok: true });
  });
  app.post('/_partner/target', async (c) => {
    const b = (await jsonBody(c)) ?? {};
    target = typeof b.url === 'string' ? b.url : null;
    return c.json({ targetUrl: target });
  });
  app.post('/_partner/act', async (c) => {
    const b = (await jsonBody(c)) ?? {};
    if (typeof b.type !== 'string' || !b.data || typeof b.data !== 'object')
      return c.json({ error: 'type and data are required' }, 400);
    const data = { ...(b.data as Obj) };
    if (TEST_TYPES.has(b.type)) {
      // A test event to us: signed and sent like any event, marked as a test, never in the feed.
      const body = JSON.stringify({ type: b.type, test: true, timestamp: new Date().toISOString(), data });
      const headers = signHeaders(webhook, `msg_${randomBytes(12).toString('hex')}`, body);
      return c.json({
        body,
        deliveries: target ? [await deliverer.send(target, b.type, body, headers)] : [],
      });
    }
    let id: string | undefined;
    try {
      id = apply(b.type, data);
    } catch (err) {
      return c.json({ error: String((err as Error).message) }, 400);
    }
    if (!b.type.startsWith('tag.')) data.id = id;
    else if (data.id === undefined && !(data.contact as Obj | undefined)?.id) data.id = id;
    const event = record(`msg_${randomBytes(12).toString('hex')}`, b.type, data);
    const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
    const deliveries: Delivery[] = [];
    if (target && b.deliver !== false) {
      const headers = signHeaders(
        webhook,
        event.id,
        body,
        b.sign === 'bad' ? 'bad' : b.sign === 'none' ? 'none' : 'valid',
      );
      for (let i = 0; i < (typeof b.times === 'number' ? b.times : 1); i++)
        deliveries.push(await deliverer.send(target, event.type, body, headers));
    }
    return c.json({ event, body, deliveries });
  });
  app.post('/_partner/sign', async (c) => {
    const b = (await jsonBody(c)) ?? {};
    const body = typeof b.body === 'string' ? b.body : JSON.stringify(b.body ?? {});
    const id = typeof b.id === 'string' ? b.id : `msg_${randomBytes(12).toString('hex')}`;
    const at = typeof b.timestamp === 'number' ? new Date(b.timestamp * 1000) : new Date();
    return c.json({ body, headers: signHeaders(webhook, id, body, 'valid', at) });
  });
  app.get('/_partner/faults', (c) => c.json({ faults: faults.list() }));
  app.post('/_partner/faults', async (c) =>
    c.json({ id: faults.add(((await jsonBody(c)) ?? {}) as FaultRule) }),
  );
  app.delete('/_partner/faults', (c) => {
    faults.clear();
    holds.release();
    return c.json({ ok: true });
  });
  holdRoutes(app, '/_partner', holds);
  app.get('/_partner/stats', (c) => c.json(stats.snapshot()));
  app.get('/_partner/deliveries', (c) => c.json({ deliveries: deliverer.log }));

  const running = await listen(app, opts.port);
  return {
    url: running.url,
    webhookUrl: `${running.url}/webhooks`,
    secret,
    apiKey,
    objects,
    feed,
    deliveries: deliverer.log,
    close: running.close,
  };
}

/** Standard Webhooks headers; `bad` signs with a wrong key, `none` leaves the signature out. */
export function signHeaders(
  webhook: Webhook,
  id: string,
  body: string,
  mode: 'valid' | 'bad' | 'none' = 'valid',
  at = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  };
  if (mode === 'valid') headers['webhook-signature'] = webhook.sign(id, at, body);
  if (mode === 'bad')
    headers['webhook-signature'] = new Webhook(`whsec_${randomBytes(32).toString('base64')}`).sign(
      id,
      at,
      body,
    );
  return headers;
}
