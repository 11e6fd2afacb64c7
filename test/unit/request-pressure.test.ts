import { describe, expect, it } from 'vitest';
import { RequestPressure } from '../../worker/lib/request-pressure.ts';

/** A request that came and was answered at `now`. */
const hit = (p: RequestPressure, now: number) => {
  p.enter(now);
  p.leave();
};

describe('RequestPressure', () => {
  it('is not busy for a lone request or a trickle', () => {
    const p = new RequestPressure(250, 6);
    hit(p, 1_000);
    expect(p.busy(1_000)).toBe(false);
    for (let t = 1_000; t < 10_000; t += 100) hit(p, t);
    expect(p.busy(10_000)).toBe(false);
  });

  it('is busy from the threshold within the current and previous bucket, and calms down after', () => {
    const p = new RequestPressure(250, 6);
    for (let i = 0; i < 3; i++) hit(p, 1_100 + i);
    for (let i = 0; i < 2; i++) hit(p, 1_260 + i);
    expect(p.busy(1_270)).toBe(false);
    hit(p, 1_270);
    expect(p.busy(1_270)).toBe(true);
    // One bucket later only the newer three count (enough to stay busy); two buckets later nothing does.
    expect(p.busy(1_510)).toBe(true);
    expect(p.busy(1_760)).toBe(false);
  });

  it('is busy while three requests are answered at once, however slowly they come', () => {
    const p = new RequestPressure(250, 6, 3);
    p.enter(1_000);
    p.enter(1_000);
    expect(p.busy(1_000)).toBe(false);
    p.enter(1_000);
    expect(p.busy(60_000)).toBe(true);
    p.leave();
    expect(p.busy(60_000)).toBe(false);
  });

  it('once busy, stays busy while requests keep coming more slowly, and calms down when they stop', () => {
    const p = new RequestPressure(250, 6, 3, 2);
    for (let i = 0; i < 6; i++) hit(p, 1_000 + i);
    expect(p.busy(1_010)).toBe(true);
    // Two requests per half second: not enough to become busy, enough to stay busy.
    for (let t = 1_250; t < 5_000; t += 250) {
      hit(p, t);
      expect(p.busy(t)).toBe(true);
    }
    expect(p.busy(5_600)).toBe(false);
    for (let t = 6_000; t < 9_000; t += 250) {
      hit(p, t);
      expect(p.busy(t)).toBe(false);
    }
  });

  it('keeps a few counters whatever the number of requests', () => {
    const p = new RequestPressure(250, 6);
    for (let i = 0; i < 100_000; i++) hit(p, 5_000 + (i % 200));
    expect(p.busy(5_200)).toBe(true);
    expect(Object.keys(p)).toHaveLength(9);
  });
});
