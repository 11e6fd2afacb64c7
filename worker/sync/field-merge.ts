/**
 * Field by field, for a side's report made before our last write to that side landed. It shows
 * what the side held before our write, plus the changes a person made there meanwhile: only the
 * fields where it differs from that earlier content are theirs. Pure.
 */
type Fields = Record<string, unknown>;

/** Not the person's to change, or merged elsewhere (tags: tag-state.ts). */
const IGNORED = new Set(['updatedAt', 'dateUpdated', 'name', 'tags']);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields of `report` a person changed on its side: where it differs from `prior`. */
export function ownChanges(report: unknown, prior: unknown): Fields {
  const r = (report ?? {}) as Fields;
  const p = (prior ?? {}) as Fields;
  const out: Fields = {};
  for (const key of Object.keys(r)) if (!IGNORED.has(key) && !same(r[key], p[key])) out[key] = r[key];
  return out;
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
