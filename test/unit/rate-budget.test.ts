import { describe, expect, it } from 'vitest';
import { fullJitter, RateBudget, readRateLimitHeaders } from '../../worker/ghl/rate-budget.ts';

const headers = (max: number, remaining: number, intervalMs = 1000) => ({
  max,
  remaining,
  intervalMs,
  dailyRemaining: 1000,
});

describe('RateBudget', () => {
  it('probes one request at a time until GHL has told it the limit', () => {
    const b = new RateBudget();
    expect(b.waitMs(0)).toBe(0);
    b.onSend();
    expect(b.waitMs(0)).toBeGreaterThan(0);
    b.onAnswer(5, headers(3, 2));
    expect(b.waitMs(5)).toBe(0);
  });

  it('lets out `max` requests per window and then waits for the oldest answer to age out', () => {
    const b = new RateBudget();
    b.onSend();
    b.onAnswer(0, headers(3, 2));
    b.onSend();
    b.onSend();
    expect(b.waitMs(10)).toBe(1000 - 10);
    b.onAnswer(20, headers(3, 1));
    b.onAnswer(30, headers(3, 0));
    expect(b.waitMs(500)).toBe(500);
    expect(b.waitMs(1000)).toBe(0);
    b.onSend();
    expect(b.waitMs(1001)).toBe(19);
  });

  it("trusts GHL's remaining count when GHL has seen more requests than we have", () => {
    const b = new RateBudget();
    b.onSend();
    b.onAnswer(0, headers(10, 1)); // another instance already spent 8
    expect(b.waitMs(1)).toBe(0);
    b.onSend();
    expect(b.waitMs(2)).toBe(998);
  });

  it('holds everything during a 429 pause', () => {
    const b = new RateBudget();
    b.onSend();
    b.onAnswer(0, headers(100, 99));
    b.pause(0, 300);
    expect(b.waitMs(100)).toBe(200);
    expect(b.waitMs(300)).toBe(0);
  });

  it('frees the slot of an answer GHL did not count (a rejected token)', () => {
    const b = new RateBudget();
    b.onSend();
    b.onAnswer(0, headers(2, 1));
    b.onSend();
    b.onUncounted();
    b.onSend();
    expect(b.waitMs(1)).toBeGreaterThan(0);
    b.onAnswer(2, headers(2, 0));
    expect(b.waitMs(3)).toBe(997);
  });

  it('knows when the daily allowance is gone', () => {
    const b = new RateBudget();
    b.onSend();
    b.onAnswer(0, { max: 100, remaining: 50, dailyRemaining: 0 });
    expect(b.dailyExhausted()).toBe(true);
  });
});

describe('fullJitter', () => {
  it('stays within [0, min(cap, base * 2^n))', () => {
    const policy = { baseMs: 100, capMs: 1000 };
    expect(fullJitter(0, policy, () => 0.999)).toBe(99);
    expect(fullJitter(3, policy, () => 0.5)).toBe(400);
    expect(fullJitter(10, policy, () => 0.999)).toBe(999);
    expect(fullJitter(10, policy, () => 0)).toBe(0);
  });
});

describe('readRateLimitHeaders', () => {
  it('reads the five GHL headers', () => {
    const h = new Headers({
      'X-RateLimit-Limit-Daily': '200000',
      'X-RateLimit-Daily-Remaining': '199990',
      'X-RateLimit-Interval-Milliseconds': '10000',
      'X-RateLimit-Max': '100',
      'X-RateLimit-Remaining': '90',
    });
    expect(readRateLimitHeaders(h)).toEqual({
      max: 100,
      intervalMs: 10000,
      remaining: 90,
      dailyLimit: 200000,
      dailyRemaining: 199990,
    });
  });
});
