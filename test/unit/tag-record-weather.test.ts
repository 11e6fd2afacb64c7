/**
 * A contact's tags under random weather: people add and remove tags on both sides at random
 * times; GHL reports its whole tag set, the partner each add or remove; every report arrives
 * 0-2 s late or 5-30 s late, some twice; our writes take time and may land after a person's edit
 * made during them, and each side mostly reports our write back. Whatever the order, both sides
 * must end with the newest change of every tag. Numeric clock, seeded, in memory.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../support/tag-weather.ts';

describe('tags under random weather', () => {
  it('400 seeded runs: both sides end with the newest change of every tag', () => {
    const wrong: string[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const { ok, log } = run(seed);
      if (!ok) wrong.push(`seed ${seed}:\n${log.join('\n')}`);
    }
    expect(wrong.slice(0, 1)).toEqual([]);
  });

  it('400 seeded runs where the engine also writes the contact with its whole tag set to the partner', () => {
    const wrong: string[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const { ok, log } = run(seed, 8, true);
      if (!ok) wrong.push(`seed ${seed}:\n${log.join('\n')}`);
    }
    expect(wrong.slice(0, 1)).toEqual([]);
  });
});
