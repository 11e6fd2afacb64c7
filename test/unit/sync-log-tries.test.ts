import { describe, expect, it } from 'vitest';
import type { TracedRequest } from '../../worker/lib/request-trace.ts';
import {
  LEFT_OUT,
  MAX_TRIES,
  MAX_TRIES_BYTES,
  readTries,
  withTry,
  type SyncTry,
} from '../../worker/sync-log/tries.ts';

const request = (status: number, body = ''): TracedRequest => ({
  side: 'ghl',
  method: 'POST',
  path: '/contacts/c1/notes',
  status,
  ms: 12,
  requestBody: body,
});
const attempt = (n: number, requests: TracedRequest[], status = 'retrying'): SyncTry => ({
  attempt: n,
  at: new Date(n * 1000).toISOString(),
  status,
  requests,
});

describe('the tries a sync log row keeps', () => {
  it('adds each try in order, oldest first', () => {
    let stored: string | null = null;
    stored = withTry(stored, attempt(1, [request(503)]));
    stored = withTry(stored, attempt(2, [request(201)], 'done'));
    const { tries, dropped } = readTries(stored);
    expect(tries.map((t) => [t.attempt, t.status, t.requests[0]!.status])).toEqual([
      [1, 'retrying', 503],
      [2, 'done', 201],
    ]);
    expect(dropped).toBe(0);
  });

  it(`keeps at most ${MAX_TRIES} tries and ${MAX_TRIES_BYTES} bytes, however many come, and counts the rest`, () => {
    let stored: string | null = null;
    const big = 'x'.repeat(2048);
    for (let n = 1; n <= 40; n++)
      stored = withTry(
        stored,
        attempt(
          n,
          Array.from({ length: 12 }, () => request(500, big)),
        ),
      );
    const { tries, dropped } = readTries(stored);
    expect(stored!.length).toBeLessThanOrEqual(MAX_TRIES_BYTES);
    expect(tries.length).toBeLessThanOrEqual(MAX_TRIES);
    expect(tries.at(-1)!.attempt).toBe(40);
    expect(dropped + tries.length).toBe(40);

    let small: string | null = null;
    for (let n = 1; n <= 9; n++) small = withTry(small, attempt(n, [request(500)]));
    expect(readTries(small).tries.map((t) => t.attempt)).toEqual([5, 6, 7, 8, 9]);
    expect(readTries(small).dropped).toBe(4);
  });

  it('reads a row written before tries were kept as its one try, and nothing as none', () => {
    expect(readTries(JSON.stringify([request(200)])).tries).toHaveLength(1);
    expect(readTries(null)).toEqual({ tries: [], dropped: 0 });
    expect(readTries('not json')).toEqual({ tries: [], dropped: 0 });
  });

  it(`holds ${MAX_TRIES_BYTES} bytes of UTF-8 even when one try alone is bigger: oldest bodies left out first`, () => {
    // 2 KB bodies as the trace cuts them, but escaped JSON and non-Latin text: 12 of them pass 64 KB.
    const quoted = JSON.stringify({ note: '"€"'.repeat(680) }).slice(0, 2048);
    const requests = Array.from({ length: 12 }, (_, i) => ({
      ...request(500, quoted),
      path: `/contacts/c1/notes/${i}`,
      responseBody: quoted,
    }));
    expect(Buffer.byteLength(JSON.stringify(requests))).toBeGreaterThan(MAX_TRIES_BYTES);
    const stored = withTry(null, attempt(1, requests, 'failed'));
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(MAX_TRIES_BYTES);
    const [only] = readTries(stored).tries;
    // Every request is still listed; the oldest lost their bodies, the last ones kept theirs.
    expect(only!.requests.map((r) => r.path)).toEqual(requests.map((r) => r.path));
    expect(only!.requests[0]!.requestBody).toBe(LEFT_OUT);
    expect(only!.requests.at(-1)!.requestBody).toBe(quoted);

    // A try whose requests carry huge errors keeps its last request, readable.
    const noisy = Array.from({ length: 12 }, () => ({ ...request(500), error: 'ü'.repeat(40_000) }));
    const trimmed = withTry(null, attempt(2, noisy, 'failed'));
    expect(Buffer.byteLength(trimmed)).toBeLessThanOrEqual(MAX_TRIES_BYTES);
    expect(readTries(trimmed).tries[0]!.requests).toHaveLength(1);
  });
});
