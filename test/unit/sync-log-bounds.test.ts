import { describe, expect, it } from 'vitest';
import {
  boundedDiff,
  clippedBytes,
  MAX_DIFF_BYTES,
  MAX_DIFF_VALUE_CHARS,
  utf8Bytes,
} from '../../worker/sync-log/bounds.ts';

describe('what a sync log row keeps of its free text', () => {
  it('counts bytes as UTF-8 does', () => {
    for (const s of ['', 'plain', 'café', '€uro', 'emoji 😀 and 𝄞', '"quoted\\"'])
      expect(utf8Bytes(s)).toBe(Buffer.byteLength(s));
  });

  it('cuts text to a number of UTF-8 bytes, marked, never inside a character', () => {
    expect(clippedBytes('short', 100)).toBe('short');
    expect(clippedBytes(null, 100)).toBeNull();
    for (const unit of ['a', 'é', '€', '😀']) {
      const cut = clippedBytes(unit.repeat(5000), 2048);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2048);
      expect(Buffer.byteLength(cut)).toBeGreaterThan(2000);
      expect(cut.endsWith('…')).toBe(true);
      expect(cut.slice(0, -1)).toBe(unit.repeat([...cut].length - 1));
    }
  });

  it(`keeps what changed within ${MAX_DIFF_BYTES} bytes: values cut, then the last fields counted`, () => {
    const small = [{ field: 'email', before: 'a@x.com', after: 'b@x.com' }];
    expect(boundedDiff(small)).toEqual(small);
    const long = 'ü'.repeat(5000);
    const diff = Array.from({ length: 30 }, (_, i) => ({
      field: `field${i}`,
      before: long,
      after: { nested: long },
    }));
    const kept = boundedDiff(diff);
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(MAX_DIFF_BYTES);
    expect(kept[0]!.before).toBe(`${'ü'.repeat(MAX_DIFF_VALUE_CHARS)}…`);
    expect(typeof kept[0]!.after).toBe('string');
    const last = kept.at(-1)!;
    expect(last.field).toBe(`(${30 - (kept.length - 1)} more fields)`);
  });
});
