import { describe, expect, it } from 'vitest';
import type { TracedRequest } from '../../worker/lib/request-trace.ts';
import { MAX_TRIES, MAX_TRIES_BYTES, readTries, withTry, type SyncTry } from '../../worker/sync-log/tries.ts';

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
});
