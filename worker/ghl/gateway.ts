import { classifyGhlError, type GhlFailure } from './errors.ts';
import {
  fullJitter,
  RateBudget,
  readRateLimitHeaders,
  type BackoffPolicy,
  DEFAULT_BACKOFF,
} from './rate-budget.ts';
import { ReconnectNeeded, type TokenKeeper } from '../tenants/token-keeper.ts';
import { OAuthError } from './oauth.ts';
import { timedFetch } from '../lib/timed-fetch.ts';

/** One GHL API call, as it crosses the Durable Object RPC boundary (structured-clonable). */
export interface GhlRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** GHL `Version` header: 2021-07-28 for contacts/oauth/locations, 2021-04-15 for calendars. */
  version: string;
  /** Interactive (panel) calls go before background (sync) calls waiting for the same budget. */
  priority?: 'interactive' | 'background';
}

export type GhlResult<T = unknown> =
  { ok: true; status: number; data: T } | { ok: false; failure: GhlFailure };

/** A person is waiting on interactive calls: give up sooner and let the panel say "try again". */
const MAX_429_RETRIES = { interactive: 3, background: 8 } as const;
const MAX_5XX_RETRIES = 2;
/** GHL answers in well under a second; a call still open after this is treated as lost. */
export const GHL_TIMEOUT_MS = 20_000;

interface Waiter {
  priority: 'interactive' | 'background';
  resolve: () => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Sends GHL calls for one resource: waits for the rate budget in a queue instead of bursting,
 * attaches the current token, refreshes once on a dead-token 401, and backs off with full jitter
 * on 429. Lives inside the resource's Durable Object, so each location has its own queue.
 */
export class GhlGateway {
  readonly budget = new RateBudget();
  private waiters: Waiter[] = [];
  private pumping = false;
  private readonly apiBase: string;
  private readonly keeper: TokenKeeper;
  private readonly backoff: BackoffPolicy;
  /** How long a call may stay unanswered before it counts as lost. */
  readonly timeoutMs: number;

  constructor(
    apiBase: string,
    keeper: TokenKeeper,
    backoff: BackoffPolicy = DEFAULT_BACKOFF,
    timeoutMs = GHL_TIMEOUT_MS,
  ) {
    this.apiBase = apiBase;
    this.keeper = keeper;
    this.backoff = backoff;
    this.timeoutMs = timeoutMs;
  }

  async send<T = unknown>(req: GhlRequest): Promise<GhlResult<T>> {
    let refreshed = false;
    let serverRetries = 0;
    for (let attempt = 0; ; attempt++) {
      if (this.budget.dailyExhausted()) {
        return {
          ok: false,
          failure: {
            kind: 'rate_limited',
            status: 429,
            message: 'The daily GHL request allowance for this location is used up',
          },
        };
      }
      await this.slot(req.priority ?? 'background');
      let token: string;
      try {
        token = (await this.keeper.current()).accessToken;
      } catch (err) {
        this.budget.onNoAnswer(Date.now());
        return { ok: false, failure: tokenFailure(err) };
      }
      let res: Response;
      let body: unknown;
      try {
        // The body is read within the timeout too: a body still arriving when time is up is lost.
        ({ res, body } = await timedFetch(
          this.url(req),
          this.init(req, token),
          this.timeoutMs,
          async (r) => ({
            res: r,
            body: await readBody(r),
          }),
        ));
      } catch (err) {
        this.budget.onNoAnswer(Date.now());
        const timedOut = err instanceof Error && err.name === 'TimeoutError';
        // A POST that got no answer may have created something: the caller decides (the sync
        // engine and the panel's idempotent creates look before creating again); calls that are
        // safe to repeat are retried here, except a timeout while a person waits for the answer.
        const retry = req.method !== 'POST' && !(timedOut && req.priority === 'interactive');
        if (retry && serverRetries++ < MAX_5XX_RETRIES) {
          await sleep(fullJitter(serverRetries, this.backoff));
          continue;
        }
        return {
          ok: false,
          failure: timedOut
            ? { kind: 'timeout', status: 504, message: `GHL did not answer within ${this.timeoutMs} ms` }
            : { kind: 'unavailable', status: 503, message: `GHL did not answer: ${String(err)}` },
        };
      }
      const limits = readRateLimitHeaders(res.headers);
      if (res.status === 401 && limits.remaining === undefined && limits.max === undefined)
        this.budget.onUncounted();
      else this.budget.onAnswer(Date.now(), limits);
      if (res.ok) return { ok: true, status: res.status, data: body as T };
      const failure = classifyGhlError(res.status, body);
      if (failure.kind === 'rate_limited' && attempt < MAX_429_RETRIES[req.priority ?? 'background']) {
        this.budget.pause(Date.now(), Math.max(50, fullJitter(attempt + 1, this.backoff)));
        continue;
      }
      if (failure.kind === 'invalid_token' && !refreshed) {
        refreshed = true;
        try {
          await this.keeper.refresh(token);
        } catch (err) {
          return { ok: false, failure: tokenFailure(err) };
        }
        continue;
      }
      if (failure.kind === 'unavailable' && req.method === 'GET' && serverRetries++ < MAX_5XX_RETRIES) {
        await sleep(fullJitter(serverRetries, this.backoff));
        continue;
      }
      return { ok: false, failure };
    }
  }

  private url(req: GhlRequest): string {
    const u = new URL(this.apiBase + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private init(req: GhlRequest, token: string): RequestInit {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      version: req.version,
      accept: 'application/json',
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    return {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    };
  }

  /** Resolves when the budget lets one more request out; the slot is taken on resolve. */
  private slot(priority: 'interactive' | 'background'): Promise<void> {
    return new Promise((resolve) => {
      const waiter = { priority, resolve };
      if (priority === 'interactive') {
        const firstBackground = this.waiters.findIndex((w) => w.priority === 'background');
        if (firstBackground === -1) this.waiters.push(waiter);
        else this.waiters.splice(firstBackground, 0, waiter);
      } else {
        this.waiters.push(waiter);
      }
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length) {
        const wait = this.budget.waitMs(Date.now());
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        const next = this.waiters.shift()!;
        this.budget.onSend();
        next.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function tokenFailure(err: unknown): GhlFailure {
  if (err instanceof ReconnectNeeded) return { kind: 'reconnect_needed', status: 409, message: err.message };
  if (err instanceof OAuthError)
    return { kind: 'unavailable', status: err.status, message: `token refresh failed: ${err.message}` };
  return { kind: 'unavailable', status: 503, message: String(err) };
}
