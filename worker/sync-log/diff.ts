/**
 * What a sync wrote, field by field: the content agreed before the write against after it, from
 * the contact's ID map (`links`: `data`, and `ghl_prior` / `partner_prior` kept by each write).
 */

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const MAX_FIELDS = 30;
const SKIP = new Set(['updatedAt']);
const SECRET = /token|secret|password|api[-_]?key/i;

const show = (field: string, v: unknown) => (SECRET.test(field) && v !== undefined ? '••••' : v);

/** Top-level fields whose values differ (a missing field is `undefined` → shown as empty). */
export function fieldDiff(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (SKIP.has(field) || JSON.stringify(before[field]) === JSON.stringify(after[field])) continue;
    out.push({ field, before: show(field, before[field]) ?? null, after: show(field, after[field]) ?? null });
    if (out.length >= MAX_FIELDS) break;
  }
  return out;
}
