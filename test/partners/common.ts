import { serve } from '@hono/node-server';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { holdRequest, type Holds } from '../support/holds.ts';

export { Holds, holdRoutes } from '../support/holds.ts';

/** Shared plumbing of the partner emulators: serving, fault injection, call counters, delivery log. */

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** Serves a Hono app on 127.0.0.1 (port 0 picks a free one). */
export function listen(app: Hono, port = 0): Promise<Running> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

export interface FaultRule {
  pathPrefix?: string;
  method?: string;
  /** Only requests whose body holds this text (a test's own object, while other tests run too). */
  bodyIncludes?: string;
  /** Answer this status instead of handling the request. */
  status?: number;
  /** How many matching requests it applies to (default: all). */
  count?: number;
  /** Chance that a matching request is hit (default 1). A miss still uses up one of `count`. */
  probability?: number;
  /** Delay before answering (or before the fault status). */
  delayMs?: number;
  /** Carry the request out first, then answer `status` instead (a write that landed, its answer lost). */
  afterWrite?: boolean;
  /**
   * Hold the request until the control API releases it (`Holds`): a call kept in flight for
   * exactly as long as a test needs, with no timer. Applies before `status`.
   */
  hold?: boolean;
}

/** Injected failures for the emulated API: a status, a delay or both for the next N matching calls. */
export class Faults {
  #rules: (FaultRule & { id: number; left: number })[] = [];
  #next = 1;

  add(rule: FaultRule): number {
    const id = this.#next++;
    this.#rules.push({ ...rule, id, left: rule.count ?? Number.POSITIVE_INFINITY });
    return id;
  }

  clear(): void {
    this.#rules = [];
  }

  list() {
    return this.#rules.map(({ left, ...r }) => ({ ...r, remaining: Number.isFinite(left) ? left : null }));
  }

  /** Does some rule look into request bodies? (Then the middleware reads them first.) */
  get readsBodies(): boolean {
    return this.#rules.some((r) => r.bodyIncludes !== undefined);
  }

  match(
    method: string,
    path: string,
    random = Math.random,
    body?: string,
  ): { status?: number; delayMs?: number; afterWrite?: boolean; hold?: boolean } | undefined {
    const rule = this.#rules.find(
      (r) =>
        (!r.pathPrefix || path.startsWith(r.pathPrefix)) &&
        (!r.method || r.method.toUpperCase() === method.toUpperCase()) &&
        (r.bodyIncludes === undefined || (body ?? '').includes(r.bodyIncludes)),
    );
    if (!rule) return undefined;
    if (--rule.left <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    if (rule.probability !== undefined && random() >= rule.probability) return undefined;
    return {
      status: rule.status,
      delayMs: rule.delayMs,
      afterWrite: rule.afterWrite === true,
      hold: rule.hold,
    };
  }
}

/** Counters of API calls by route and status, and of webhook deliveries. */
export class CallStats {
  total = 0;
  byRoute: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  webhooks = { sent: 0, failed: 0 };

  record(route: string, status: number): void {
    this.total++;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
    this.byStatus[String(status)] = (this.byStatus[String(status)] ?? 0) + 1;
  }

  snapshot() {
    return structuredClone({
      total: this.total,
      byRoute: this.byRoute,
      byStatus: this.byStatus,
      webhooks: this.webhooks,
    });
  }

  reset(): void {
    this.total = 0;
    this.byRoute = {};
    this.byStatus = {};
    this.webhooks = { sent: 0, failed: 0 };
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Middleware for the emulated API (not the control API): counts every call under its route
 * pattern and applies injected faults before the handler runs.
 */
export function apiMiddleware(
  faults: Faults,
  stats: CallStats,
  faultBody: (c: Context, status: number) => Response,
  holds?: Holds,
): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith('/_partner')) return next();
    const body = faults.readsBodies ? await c.req.text() : undefined;
    const hit = faults.match(c.req.method, c.req.path, Math.random, body);
    if (hit?.hold && holds) await holdRequest(holds, c);
    if (hit?.delayMs) await sleep(hit.delayMs);
    if (hit?.status && !hit.afterWrite) {
      stats.record(`${c.req.method} ${c.req.path}`, hit.status);
      return faultBody(c, hit.status);
    }
    await next();
    if (hit?.status) {
      // The request was carried out; the caller never learns it.
      stats.record(`${c.req.method} ${c.req.path}`, hit.status);
      c.res = undefined;
      c.res = faultBody(c, hit.status);
      return;
    }
    stats.record(`${c.req.method} ${c.req.routePath}`, c.res.status);
  };
}

export interface Delivery {
  id: number;
  event: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  status: number | null;
  response: string | null;
  error: string | null;
  at: string;
}

/** Posts webhooks and keeps a log of every attempt; `flush()` waits for background ones. */
export class Deliverer {
  readonly log: Delivery[] = [];
  #pending = new Set<Promise<unknown>>();
  #next = 1;
  readonly stats: CallStats;

  constructor(stats: CallStats) {
    this.stats = stats;
  }

  async send(url: string, event: string, body: string, headers: Record<string, string>): Promise<Delivery> {
    const d: Delivery = {
      id: this.#next++,
      event,
      url,
      body,
      headers,
      status: null,
      response: null,
      error: null,
      at: new Date().toISOString(),
    };
    this.log.push(d);
    try {
      const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
      d.status = res.status;
      d.response = await res.text();
      if (res.ok) this.stats.webhooks.sent++;
      else this.stats.webhooks.failed++;
    } catch (err) {
      d.error = String(err);
      this.stats.webhooks.failed++;
    }
    return d;
  }

  /** Sends without making the caller wait (as partners do after answering their API call). */
  background(url: string, event: string, body: string, headers: Record<string, string>): void {
    const p = this.send(url, event, body, headers).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  async flush(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }
}

/** Reads a JSON object body, or undefined when the body is not one. */
export async function jsonBody(c: Context): Promise<Record<string, unknown> | undefined> {
  try {
    const body = await c.req.json();
    return body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Sink extends Running {
  received: Received[];
  /** Status the sink answers with (default 200). */
  status: number;
}

/** A webhook receiver for tests: records every POST and answers `sink.status`. */
export async function startSink(): Promise<Sink> {
  const app = new Hono();
  const sink = { received: [] as Received[], status: 200 } as Sink;
  app.post('*', async (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key] = value;
    });
    sink.received.push({ path: c.req.path, headers, body: await c.req.text() });
    return c.json({ ok: sink.status < 300 }, sink.status as 200);
  });
  const running = await listen(app);
  return Object.assign(sink, running);
}
