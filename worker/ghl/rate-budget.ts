/**
 * Rate budget math for one GHL resource (location or company). Pure: the caller passes `now`.
 *
 * GHL counts requests per app per resource in a burst window (100 per 10 s) and a day (200,000)
 * and reports both in `X-RateLimit-*` headers. We count a request against the window from the
 * moment it is sent until `intervalMs` after its answer arrived: GHL's own count started at some
 * point in between, so this never lets a request out before GHL has forgotten an earlier one.
 */
export interface RateLimitHeaders {
  max?: number;
  intervalMs?: number;
  remaining?: number;
  dailyLimit?: number;
  dailyRemaining?: number;
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 10_000 };

export class RateBudget {
  max = 100;
  intervalMs = 10_000;
  dailyRemaining: number | undefined;
  private learned = false;
  private inflight = 0;
  private finished: number[] = [];
  private pausedUntil = 0;

  /** Milliseconds to wait before the next request may go; 0 means now. */
  waitMs(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    // Until the first answer tells us the real limit, probe with one request at a time.
    if (!this.learned) return this.inflight === 0 ? 0 : 25;
    this.forget(now);
    if (this.inflight + this.finished.length < this.max) return 0;
    const oldest = this.finished[0];
    return oldest === undefined ? 25 : Math.max(1, oldest + this.intervalMs - now);
  }

  /** True when the daily allowance is known to be used up. */
  dailyExhausted(): boolean {
    return this.dailyRemaining !== undefined && this.dailyRemaining <= 0;
  }

  onSend(): void {
    this.inflight++;
  }

  onAnswer(now: number, headers: RateLimitHeaders): void {
    this.inflight = Math.max(0, this.inflight - 1);
    this.finished.push(now);
    if (headers.max !== undefined && headers.max > 0) this.max = headers.max;
    if (headers.intervalMs !== undefined && headers.intervalMs > 0) this.intervalMs = headers.intervalMs;
    if (headers.dailyRemaining !== undefined) this.dailyRemaining = headers.dailyRemaining;
    if (headers.max !== undefined || headers.remaining !== undefined) this.learned = true;
    if (headers.remaining !== undefined) {
      // GHL may have counted requests we do not know of (a restart of this object, another app
      // instance); take its word when it saw more than we did.
      this.forget(now);
      const serverUsed = this.max - headers.remaining;
      const localUsed = this.inflight + this.finished.length;
      for (let i = localUsed; i < serverUsed; i++) this.finished.push(now);
    }
  }

  /**
   * An answer GHL did not count: a rejected token comes back without rate-limit headers, so it
   * frees its slot at once instead of holding it for a window.
   */
  onUncounted(): void {
    this.inflight = Math.max(0, this.inflight - 1);
  }

  /** Called when a request failed without an answer (network error). */
  onNoAnswer(now: number): void {
    this.inflight = Math.max(0, this.inflight - 1);
    this.finished.push(now);
  }

  /** After a 429: hold every request for the computed backoff. */
  pause(now: number, ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
  }

  private forget(now: number): void {
    const cutoff = now - this.intervalMs;
    let drop = 0;
    while (drop < this.finished.length && this.finished[drop]! <= cutoff) drop++;
    if (drop) this.finished.splice(0, drop);
  }
}

/** Full-jitter exponential backoff: random(0, min(cap, base * 2^attempt)). */
export function fullJitter(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Reads the five X-RateLimit-* headers GHL sends. */
export function readRateLimitHeaders(headers: Headers): RateLimitHeaders {
  const num = (name: string) => {
    const v = headers.get(name);
    if (v === null || v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  return {
    max: num('x-ratelimit-max'),
    intervalMs: num('x-ratelimit-interval-milliseconds'),
    remaining: num('x-ratelimit-remaining'),
    dailyLimit: num('x-ratelimit-limit-daily'),
    dailyRemaining: num('x-ratelimit-daily-remaining'),
  };
}
