export interface RateLimitConfig {
  max: number;
  intervalMs: number;
  daily: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { max: 100, intervalMs: 10_000, daily: 200_000 };

interface Bucket {
  hits: number[];
  day: string;
  dayCount: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** GHL's burst (sliding window) and daily limits, counted per (app, location or company). */
export class RateLimiter {
  #defaults: RateLimitConfig;
  readonly #overrides = new Map<string, RateLimitConfig>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(defaults: Partial<RateLimitConfig> = {}) {
    this.#defaults = { ...DEFAULT_RATE_LIMIT, ...defaults };
  }

  /** A limit for one location or company id, or (no id) the default for all of them. */
  configure(resourceId: string | undefined, config: Partial<RateLimitConfig>): RateLimitConfig {
    if (!resourceId) {
      this.#defaults = { ...this.#defaults, ...config };
      return this.#defaults;
    }
    const next = { ...this.configFor(resourceId), ...config };
    this.#overrides.set(resourceId, next);
    return next;
  }

  configFor(resourceId: string): RateLimitConfig {
    return this.#overrides.get(resourceId) ?? this.#defaults;
  }

  take(clientId: string, resourceId: string, now = Date.now()): RateDecision {
    const config = this.configFor(resourceId);
    const key = `${clientId}|${resourceId}`;
    const today = new Date(now).toISOString().slice(0, 10);
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { hits: [], day: today, dayCount: 0 };
      this.#buckets.set(key, bucket);
    }
    if (bucket.day !== today) {
      bucket.day = today;
      bucket.dayCount = 0;
    }
    bucket.hits = bucket.hits.filter((t) => t > now - config.intervalMs);
    // Rejected requests are not counted, so a client that backs off recovers when the window slides.
    const allowed = bucket.hits.length < config.max && bucket.dayCount < config.daily;
    if (allowed) {
      bucket.hits.push(now);
      bucket.dayCount++;
    }
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit-Daily': String(config.daily),
        'X-RateLimit-Daily-Remaining': String(Math.max(0, config.daily - bucket.dayCount)),
        'X-RateLimit-Interval-Milliseconds': String(config.intervalMs),
        'X-RateLimit-Max': String(config.max),
        'X-RateLimit-Remaining': String(Math.max(0, config.max - bucket.hits.length)),
      },
    };
  }
}
