/**
 * A contact's tags as one record of field-record.ts: each tag is a field that is on or off, and
 * the same rule decides it as any other field (a report changes a tag only if its side changed
 * it, and only if that change is the tag's newest). What differs is how reports read:
 * - GHL reports the whole tag set: every tag it does not show was off then, including tags we
 *   have no field for yet (`ghlShown` remembers when the newest such reports were made);
 * - partners report single adds and removes: they say nothing of other tags.
 * Pure.
 */
import {
  behind,
  decide,
  recordWrite,
  type Decision,
  type FieldConflict,
  type FieldState,
  type SyncRecord,
} from './field-record.ts';
import type { ConflictPolicy, Side } from './policy.ts';

export interface TagRecord extends SyncRecord {
  /**
   * Times of the newest GHL tag sets decided (bounded). Every tag they showed has a field, so a
   * tag without one was off in GHL then: a report showing it on before them was a change undone.
   */
  ghlShown?: number[];
  /**
   * Our writes of the whole tag set to the partner (a contact that carries its tags), bounded:
   * each wrote every tag it did not carry off, including tags we had no field for yet.
   */
  partnerSets?: { at: number; end: number }[];
}

/** GHL tag sets remembered by time: enough to date a tag's removal that a late report reveals. */
const SHOWN = 16;

export interface TagDiff {
  add: string[];
  remove: string[];
}

export interface TagDecision {
  record: TagRecord;
  /** tags whose agreed value the report changed */
  changed: string[];
  conflicts: FieldConflict[];
  log: string[];
}

/** Field keys carry a prefix so that no tag name (say "name") can clash with a field rule. */
const keyOf = (tag: string) => `#${tag.trim().toLowerCase()}`;
const tagOf = (key: string) => key.slice(1);

export const emptyTagRecord = (): TagRecord => ({ fields: {} });

/**
 * The stored record of a contact's tags. Links from before tags were records kept a tag state
 * (each tag on or off since `at`), or earlier still the set both sides held: each side is taken
 * to hold that value since then.
 */
export function readTagRecord(
  link: { fields?: unknown; state?: unknown; sourceAt?: number | null } | undefined,
) {
  const fields = link?.fields as TagRecord | undefined;
  if (fields?.fields) return fields;
  const record = emptyTagRecord();
  const stored = link?.state;
  const since = link?.sourceAt ?? 0;
  const legacy: [string, boolean, number][] = Array.isArray(stored)
    ? stored.map((t) => [String(t), true, since])
    : Object.entries((stored as { tags?: Record<string, { on: boolean; at: number }> })?.tags ?? {}).map(
        ([t, e]) => [t, e.on, e.at],
      );
  for (const [tag, on, at] of legacy) record.fields[keyOf(tag)] = heldBoth(on, at);
  const shown = (stored as { ghlShownAt?: number } | undefined)?.ghlShownAt;
  if (typeof shown === 'number') record.ghlShown = [shown];
  return record;
}

/** Every tag the record has a field for, on or off. */
export const knownTags = (record: TagRecord): string[] => Object.keys(record.fields).map(tagOf);

/** The tags on, as both sides should hold them. */
export function heldTags(record: TagRecord): string[] {
  return Object.entries(record.fields)
    .filter(([, f]) => f.v === true)
    .map(([key]) => tagOf(key));
}

/** GHL's whole tag set as of `at` (null: the report had no usable time). */
export function decideGhlTags(
  record: TagRecord,
  tags: readonly string[],
  at: number | null,
  policy: ConflictPolicy,
  now: number,
): TagDecision {
  const shown = new Set(tags.map(keyOf));
  const start: TagRecord = { ...record, fields: { ...record.fields } };
  for (const key of shown) {
    // A tag new to us was off on both sides, and off in GHL's newest set too (it showed no such tag).
    start.fields[key] ??= newField(record, false);
  }
  const data = Object.fromEntries(Object.keys(start.fields).map((key) => [key, shown.has(key)]));
  const out = fromDecision(decide(start, { side: 'ghl', at, data }, policy, now));
  if (at !== null)
    out.record.ghlShown = [...new Set([...(record.ghlShown ?? []), at])].sort((a, b) => a - b).slice(-SHOWN);
  return out;
}

/**
 * Every report of a waiting item (GHL's tag sets, alone or carried by a contact), in time order.
 * A report without a tag list says nothing of tags.
 */
export function decideGhlReports(
  record: TagRecord,
  reports: readonly { at: number | null; data: unknown }[],
  policy: ConflictPolicy,
  now: number,
): TagDecision {
  const out: TagDecision = { record, changed: [], conflicts: [], log: [] };
  for (const report of reports) {
    const tags = (report.data as { tags?: unknown } | null)?.tags;
    if (!Array.isArray(tags)) continue;
    const d = decideGhlTags(out.record, tags.map(String), report.at, policy, now);
    out.record = d.record;
    out.changed = [...new Set([...out.changed, ...d.changed])];
    out.conflicts.push(...d.conflicts);
    out.log.push(...d.log);
  }
  return out;
}

/** A partner's add or remove of `tags` as of `at` (null: the report had no usable time). */
export function decidePartnerTags(
  record: TagRecord,
  op: 'tag_add' | 'tag_remove',
  tags: readonly string[],
  at: number | null,
  policy: ConflictPolicy,
  now: number,
): TagDecision {
  const on = op === 'tag_add';
  const start: TagRecord = { ...record, fields: { ...record.fields } };
  const data: Record<string, boolean> = {};
  for (const tag of tags) {
    const key = keyOf(tag);
    // A tag new to us held the other value at the partner before this report.
    start.fields[key] ??= newField(record, !on);
    data[key] = on;
  }
  // An add means the tag was off at the partner just before, a remove that it was on.
  const prior = Object.fromEntries(Object.keys(data).map((key) => [key, !on]));
  return fromDecision(decide(start, { side: 'partner', at, data, prior }, policy, now));
}

/** What `side` must gain or lose to hold the agreed tags (as far as we know what it holds). */
export function tagsBehind(record: TagRecord, side: Side, only?: readonly string[]): TagDiff {
  const wanted = only ? new Set(only.map(keyOf)) : undefined;
  return restate(
    record,
    behind(record, side)
      .filter((key) => !wanted || wanted.has(key))
      .map(tagOf),
  );
}

/** The writes that put each of `tags` at its agreed value (a tag we have no field for: off). */
export function restate(record: TagRecord, tags: readonly string[]): TagDiff {
  const diff: TagDiff = { add: [], remove: [] };
  for (const tag of new Set(tags.map((t) => tagOf(keyOf(t)))))
    (record.fields[keyOf(tag)]?.v === true ? diff.add : diff.remove).push(tag);
  return diff;
}

/** Our write of `diff` to `side` ran from `startedAt` to `endedAt`: that side holds it now. */
export function recordTagWrite(
  record: TagRecord,
  side: Side,
  diff: TagDiff,
  startedAt: number,
  endedAt: number,
): TagRecord {
  const data = Object.fromEntries([
    ...diff.add.map((t) => [keyOf(t), true] as const),
    ...diff.remove.map((t) => [keyOf(t), false] as const),
  ]);
  // The copy recordWrite makes keeps `ghlShown`.
  return recordWrite(record, side, data, startedAt, endedAt) as TagRecord;
}

/** Our write of the whole agreed set to the partner (a contact that carries its tags). */
export function recordWholeWrite(record: TagRecord, startedAt: number, endedAt: number): TagRecord {
  const next = recordTagWrite(record, 'partner', restate(record, knownTags(record)), startedAt, endedAt);
  next.partnerSets = [...(record.partnerSets ?? []), { at: startedAt, end: endedAt }].slice(-SHOWN);
  return next;
}

export const describe = (diff: TagDiff): string =>
  [...diff.add.map((t) => `+${t}`), ...diff.remove.map((t) => `-${t}`)].join(' ');

export const isEmpty = (diff: TagDiff): boolean => !diff.add.length && !diff.remove.length;

/**
 * A field for a tag new to us. Off on both sides until now, unless a partner removes it: then it
 * was on there, and we know of GHL only the tag sets it reported without it (none: GHL may hold
 * it, so the remove is written). Our whole tag sets written to the partner count as its writes.
 */
function newField(record: TagRecord, on: boolean): FieldState {
  // Agreed off: a partner's remove of it changes nothing agreed, and is written to GHL all the same.
  const field = { ...heldBoth(on, 0), v: false };
  const shown = (record.ghlShown ?? []).filter((t) => t > 0).map((at) => ({ v: false, at }));
  field.ghl = on ? shown : [{ v: false, at: 0 }, ...shown];
  // Each whole tag set we wrote the partner wrote this tag off there.
  field.partner.push(...(record.partnerSets ?? []).map((w) => ({ v: false, at: w.at, end: w.end })));
  return field;
}

function heldBoth(v: boolean, at: number): FieldState {
  return { v, at, ghl: [{ v, at }], partner: [{ v, at }] };
}

/** The decision in tag words: keys become tag names in the changed list, conflicts and log. */
function fromDecision(d: Decision): TagDecision {
  const keys = Object.keys(d.record.fields).sort((a, b) => b.length - a.length);
  const named = (line: string) => {
    const key = keys.find((k) => line.startsWith(`${k}: `));
    return key ? `tag "${tagOf(key)}"${line.slice(key.length)}` : line;
  };
  return {
    record: d.record as TagRecord,
    changed: Object.keys(d.changed).map(tagOf),
    conflicts: d.conflicts.map((c) => ({ ...c, field: `tag "${tagOf(c.field)}"` })),
    log: d.log.map(named),
  };
}
