import { describe, expect, it } from 'vitest';
import { eventually, truthy } from '../support/eventually.ts';

describe('eventually', () => {
  it('answers the first value that passes, reading again until then', async () => {
    let reads = 0;
    const value = await eventually(
      async () => ++reads,
      (n) => n >= 3,
      { what: 'the third read', everyMs: 1 },
    );
    expect(value).toBe(3);
    expect(reads).toBe(3);
  });

  it('reads again after an error', async () => {
    let reads = 0;
    const read = async () => {
      if (++reads < 2) throw new Error('not yet');
      return 'ready';
    };
    expect(await eventually(read, truthy, { what: 'a read that works', everyMs: 1 })).toBe('ready');
  });

  it('fails after the timeout, naming what it waited for and the last value or error', async () => {
    await expect(
      eventually(
        async () => ({ status: 'queued' }),
        (v) => v.status === 'done',
        { what: 'the item', timeoutMs: 30, everyMs: 5 },
      ),
    ).rejects.toThrow(/timed out after 30 ms waiting for the item; last seen: \{"status":"queued"\}/);
    await expect(
      eventually(() => Promise.reject(new Error('boom')), truthy, {
        what: 'a broken read',
        timeoutMs: 20,
        everyMs: 5,
      }),
    ).rejects.toThrow(/last seen: Error: boom/);
  });
});
