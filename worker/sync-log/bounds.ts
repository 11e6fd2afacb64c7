/**
 * The most a sync log row keeps, in UTF-8 bytes as SQLite stores it, so a row stays under 90 KB
 * whatever the engine, GHL or a partner said: the tried requests at most 64 KB (tries.ts), what
 * changed 16 KB, the detail 8 KB, the error 2 KB; ids, names and the subject are short. The panel
 * shows less than this of any of them. Pure.
 */
import type { FieldChange } from './diff.ts';

export const MAX_ERROR_BYTES = 2 * 1024;
/** The panel shows 4,000 characters of a detail. */
export const MAX_DETAIL_BYTES = 8 * 1024;
export const MAX_DIFF_BYTES = 16 * 1024;
/** Per value of a change, before and after (30 fields at most: diff.ts). */
export const MAX_DIFF_VALUE_CHARS = 500;
export const MAX_NAME_CHARS = 200;

/** Bytes of `s` in UTF-8. */
export function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is two units and four bytes; other units past 0x7ff take three.
    if (c >= 0xd800 && c <= 0xdfff) n += 1;
    else if (c >= 0x800) n += 2;
    else if (c >= 0x80) n += 1;
  }
  return n;
}

/** `text` cut to at most `max` characters, marked with "…" when it was. */
export function clipped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** `text` cut to at most `maxBytes` of UTF-8 (the "…" included), never inside a character. */
export function clippedBytes(text: string, maxBytes: number): string;
export function clippedBytes(text: string | null, maxBytes: number): string | null;
export function clippedBytes(text: string | null, maxBytes: number): string | null {
  if (text === null || utf8Bytes(text) <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes - 3);
  while (end > 0 && utf8Bytes(text.slice(0, end)) > maxBytes - 3)
    end = Math.floor((end * (maxBytes - 3)) / utf8Bytes(text.slice(0, end))) - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, Math.max(end, 0))}…`;
}

/**
 * What changed, within MAX_DIFF_BYTES as JSON: each value cut (a value too long as JSON becomes
 * its cut text), then the last fields left out, counted in a final row.
 */
export function boundedDiff(diff: readonly FieldChange[]): FieldChange[] {
  const bound = (v: unknown): unknown => {
    if (typeof v === 'string') return clipped(v, MAX_DIFF_VALUE_CHARS);
    const json = JSON.stringify(v);
    return json !== undefined && json.length > MAX_DIFF_VALUE_CHARS ? clipped(json, MAX_DIFF_VALUE_CHARS) : v;
  };
  const out = diff.map((d) => ({
    field: clipped(d.field, MAX_NAME_CHARS),
    before: bound(d.before),
    after: bound(d.after),
  }));
  let left = 0;
  const more = () => (left ? [{ field: `(${left} more fields)`, before: null, after: null }] : []);
  while (out.length && utf8Bytes(JSON.stringify([...out, ...more()])) > MAX_DIFF_BYTES) {
    out.pop();
    left++;
  }
  return [...out, ...more()];
}
