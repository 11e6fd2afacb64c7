/**
 * Field by field, for a side's report made before our last write to that side landed. It shows
 * what the side held before our write, plus the changes a person made there meanwhile: only the
 * fields where it differs from that earlier content are theirs. Pure.
 */
type Fields = Record<string, unknown>;

/** Not the person's to change, or merged elsewhere (tags: tag-state.ts). */
const IGNORED = new Set(['updatedAt', 'dateUpdated', 'name', 'tags']);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The fields of `report` a person changed on its side: where it differs from `prior`, or where
 * an earlier report folded into it did (`earlier`: a field changed and changed back meanwhile).
 */
export function ownChanges(report: unknown, prior: unknown, earlier?: Earlier): Fields {
  const r = (report ?? {}) as Fields;
  const p = (prior ?? {}) as Fields;
  const out: Fields = {};
  for (const key of Object.keys(r)) if (!IGNORED.has(key) && !same(r[key], p[key])) out[key] = r[key];
  for (const [key, values] of Object.entries(earlier ?? {})) if (!(key in out) && values.some((v) => !same(v, p[key]))) out[key] = r[key];
  return out;
}

/**
 * What a waiting item knows of its side's fields from the reports folded into it: the values
 * shown before the newest report showed another (`earlier`), and per field when the side first
 * showed the value it shows now (`since`, epoch ms; the item's time when absent).
 */
export interface FieldHistory {
  earlier?: Earlier;
  since?: Record<string, number>;
}
export type Earlier = Record<string, unknown[]>;

/**
 * The history once report `next` (as of `nextAt`, with what it knew already: `known`) is folded
 * over report `was` (as of `wasAt`, with its history `held`).
 */
export function foldFields(was: unknown, next: unknown, held: FieldHistory, wasAt: number, nextAt: number, known: FieldHistory = {}): FieldHistory {
  const w = (was ?? {}) as Fields;
  const n = (next ?? {}) as Fields;
  const earlier: Earlier = { ...held.earlier };
  for (const [key, values] of Object.entries(known.earlier ?? {})) earlier[key] = [...(earlier[key] ?? []).filter((v) => !values.some((k) => same(k, v))), ...values];
  const since: Record<string, number> = {};
  for (const key of new Set([...Object.keys(w), ...Object.keys(n)])) {
    if (IGNORED.has(key)) continue;
    const nextSince = known.since?.[key] ?? nextAt;
    if (same(w[key], n[key])) {
      since[key] = Math.min(held.since?.[key] ?? wasAt, nextSince);
      continue;
    }
    since[key] = nextSince;
    if (key in w) earlier[key] = [...(earlier[key] ?? []).filter((v) => !same(v, w[key])), w[key]];
  }
  return { ...(Object.keys(earlier).length ? { earlier } : {}), since };
}

/** When the side changed `key` to the value its report shows. */
export function fieldChangedAt(history: FieldHistory | null | undefined, key: string, changedAt: number | null | undefined): number {
  return history?.since?.[key] ?? changedAt ?? 0;
}

/**
 * The content both sides should hold: what we last synced (`current`), with the person's own
 * changes from the report on top. Null when the report holds no change of theirs at all.
 */
export function mergeOwnChanges(current: unknown, report: unknown, prior: unknown): Fields | null {
  const own = ownChanges(report, prior);
  if (!Object.keys(own).length) return null;
  return withFields(current, own);
}

/** `current` with `fields` written over it. */
export function withFields(current: unknown, fields: Fields): Fields {
  const merged: Fields = { ...((current ?? {}) as Fields), ...fields };
  // A contact's full name follows its parts.
  if ('name' in merged && ('firstName' in fields || 'lastName' in fields)) merged.name = [merged.firstName, merged.lastName].filter(Boolean).join(' ');
  return merged;
}

/**
 * A report older than the change synced last (delivered late), made before our write of that
 * change landed: the person's own changes on the fields that newer change left alone, or null.
 */
export function lateOwnChanges(current: unknown, report: unknown, prior: unknown): Fields | null {
  if (current === undefined || prior === undefined) return null;
  const newer = ownChanges(current, prior);
  const own = Object.entries(ownChanges(report, prior)).filter(([key]) => !(key in newer));
  return own.length ? Object.fromEntries(own) : null;
}
