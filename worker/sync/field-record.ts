/**
 * The record of one synced object, field by field, and the one rule that decides what a report
 * from either side changes. Pure: no I/O, no clock of its own.
 *
 * Per field the record keeps the value both sides should hold, when and on which side it last
 * changed, and what each side held over time (from its reports, and from our writes to it). A
 * report changes a field only if its side changed it (its value differs from what that side
 * held at the report's time) and that change is newer than the field's last change; a field the
 * report merely repeats is no news. Our own writes, late reports, echoes and conflicts all fall
 * out of that.
 */
import { canonical, normalizeEmail, normalizePhone } from './fingerprint.ts';
import { resolveConflict, type ConflictPolicy, type Side } from './policy.ts';

/**
 * A value a side held from `at` (epoch ms). Our write ran from `at` to `end`; `ours`: the side's
 * report of it; `maybe`: our write may have landed after the report before it, or before.
 */
export interface Held {
  v?: unknown;
  at: number;
  end?: number;
  ours?: true;
  maybe?: true;
  /** the side said it changed the field to this value then (an add or remove): never our write showing */
  said?: true;
  /** times of later reports of the side still showing this value (bounded, oldest first) */
  shown?: number[];
  /** the same for later reports taken for the side's report of our write */
  echoes?: number[];
  /** records stored before `shown`: the newest such time */
  seen?: number;
}

/** Times of later reports kept per value. */
const REPEATS = 8;
const withTime = (times: number[] | undefined, t: number) =>
  [...new Set([...(times ?? []), t])].sort((a, b) => a - b).slice(-REPEATS);
/** When later reports still showed an entry's value (a record stored before `shown` kept one). */
const shownTimes = (h: Held): number[] => h.shown ?? (h.seen !== undefined ? [h.seen] : []);

export interface FieldState {
  /** the value both sides should hold */
  v?: unknown;
  /** when the change that set it was made at its source (0: as first synced) */
  at: number;
  by?: Side;
  /** what each side held over time, oldest first (bounded) */
  ghl: Held[];
  partner: Held[];
  /**
   * The other side's change this value beat by being newer: when reports show this value is
   * older than it looked (dated by a later snapshot), the rival wins after all.
   */
  rival?: { v?: unknown; at: number; by: Side };
}

export interface SyncRecord {
  fields: Record<string, FieldState>;
}

/** One side's report: its whole record (or the fields it knows) as of `at`; null: no usable time. */
export interface Report {
  side: Side;
  at: number | null;
  data: Record<string, unknown>;
  /**
   * What the side held just before, for fields the report says it changed (a partner's tag add
   * or remove): its change is no repeat of a value it held, whatever our writes were doing.
   */
  prior?: Record<string, unknown>;
}

export interface FieldConflict {
  field: string;
  ghl: unknown;
  partner: unknown;
  winner: Side;
}

export interface Decision {
  record: SyncRecord;
  /** fields whose agreed value this report changed, with the new value */
  changed: Record<string, unknown>;
  /** fields this report showed changed on its side, but older than the field's last change */
  older: string[];
  conflicts: FieldConflict[];
  /** how each field the report touched was decided, for the sync log */
  log: string[];
}

/** Not the person's to change, or decided elsewhere (tags: tag-record.ts, a field per tag). */
const IGNORED = new Set(['updatedAt', 'dateUpdated', 'name', 'tags']);

/** A side's report of our write may be stamped this long after our call returned (its clock, its queue). */
export const CLOCK_SLACK_MS = 500;

/** Values remembered per side and field. */
const HISTORY = 32;

const other = (side: Side): Side => (side === 'ghl' ? 'partner' : 'ghl');
const sideName = (side: Side) => (side === 'ghl' ? 'GHL' : 'the partner');

/** The same value as far as either side can tell (email case, phone punctuation, date format). */
export function sameValue(key: string, a: unknown, b: unknown): boolean {
  if (key === 'email') return (normalizeEmail(a) ?? canonical(a)) === (normalizeEmail(b) ?? canonical(b));
  if (key === 'phone') return (normalizePhone(a) ?? canonical(a)) === (normalizePhone(b) ?? canonical(b));
  return JSON.stringify(canonical(a) ?? null) === JSON.stringify(canonical(b) ?? null);
}

/**
 * A record for content both sides already held (as of `at`): a link synced before records
 * existed, or an object one side's report just made on the other. Each side is known to hold it
 * from `at`, so a late report from before then is placed before it, not taken for a change after.
 */
export function seedRecord(data: unknown, at: number | null | undefined): SyncRecord {
  const fields: Record<string, FieldState> = {};
  for (const [key, v] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    if (IGNORED.has(key)) continue;
    fields[key] = { v, at: at ?? 0, ghl: [{ v, at: at ?? 0 }], partner: [{ v, at: at ?? 0 }] };
  }
  return { fields };
}

export const emptyRecord = (): SyncRecord => ({ fields: {} });

/** The values both sides should hold. */
export function agreed(record: SyncRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(record.fields)) if (f.v !== undefined) out[key] = f.v;
  return out;
}

/** The fields `side` holds (as far as we know) with another value than the agreed one. */
export function behind(record: SyncRecord, side: Side): string[] {
  return Object.entries(record.fields)
    .filter(([key, f]) => {
      const last = f[side].at(-1);
      return last ? !sameValue(key, last.v, f.v) : f.v !== undefined;
    })
    .map(([key]) => key);
}

/** Does `side` hold (as far as we know) another value than the agreed one for some field? */
export const needsWrite = (record: SyncRecord, side: Side): boolean => behind(record, side).length > 0;

/** Our write of `data` to `side` ran from `startedAt` to `endedAt`: that side holds it now. */
export function recordWrite(
  record: SyncRecord,
  side: Side,
  data: unknown,
  startedAt: number,
  endedAt: number,
): SyncRecord {
  const next = clone(record);
  for (const [key, v] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    if (IGNORED.has(key)) continue;
    const f = (next.fields[key] ??= { v, at: 0, ghl: [], partner: [] });
    const cut = f[side].findIndex((h) => h.at > startedAt);
    const head = cut < 0 ? [...f[side]] : f[side].slice(0, cut);
    const tail = cut < 0 ? [] : f[side].slice(cut);
    f[side] = bounded([...head, { v, at: startedAt, end: endedAt }, ...tail]);
  }
  return next;
}

/**
 * What `report` changes. `now` dates a report with no usable time (it cannot be ordered: the
 * policy settles a field the other side changed too).
 */
export function decide(record: SyncRecord, report: Report, policy: ConflictPolicy, now: number): Decision {
  const next = clone(record);
  const out: Decision = { record: next, changed: {}, older: [], conflicts: [], log: [] };
  for (const [key, v] of Object.entries(report.data)) {
    if (IGNORED.has(key) || v === undefined) continue;
    const f = (next.fields[key] ??= { at: 0, ghl: [], partner: [] });
    if (report.at === null) untimed(f, key, v, report.side, policy, now, out);
    else timed(f, key, v, report.side, report.at, policy, out, report.prior);
  }
  return out;
}

function timed(
  f: FieldState,
  key: string,
  v: unknown,
  side: Side,
  t: number,
  policy: ConflictPolicy,
  out: Decision,
  priors?: Record<string, unknown>,
) {
  const prior = priors && key in priors ? { v: priors[key] } : undefined;
  const held = prior ? [prior.v] : heldAt(f[side], t);
  const sure = prior ? prior.v : surelyHeld(f[side], t);
  const ours = landed(f[side], key, v, t, prior);
  f[side] = learn(f[side], key, v, t, ours, prior);
  // Our own write showing (it may have landed over a change made during it: the side then holds
  // it, and the agreed value is written there again). It landed by `t`: another value the side
  // reported after it, taken as no news then, was a person's change.
  if (ours) return changedAfter(f, key, v, side, t, policy, out, true);
  const repeats = held.some((h) => sameValue(key, h, v));
  if (repeats || sameValue(key, v, f.v)) {
    // No change of the side's, or the one it made is the agreed value: it may date that change earlier.
    if (f.by === side && t < f.at && sameValue(key, v, f.v) && unchangedBetween(f[side], key, v, t, f.at))
      redate(f, key, t, policy, out);
    // Or it shows the change of this side's that lost to the agreed value, from an earlier time.
    else if (f.rival?.by === side && t < f.rival.at && sameValue(key, v, f.rival.v))
      keepRival(f, key, { v, at: t, by: side });
    // The side made the agreed value its own, after the other side's change (before our write of
    // it) or again after undoing its own: that is the field's last change now, so an older change
    // reported late does not undo it.
    else if (!repeats && held.length && t > f.at) {
      if (f.rival?.by === side) delete f.rival;
      Object.assign(f, { at: t, by: side });
    }
    if (!repeats) changedAfter(f, key, v, side, t, policy, out);
    return;
  }
  // The side's own later report shows another value, not one we wrote since: that is its change, not this.
  const wroteSince = (h: Held) =>
    f[side].some(
      (w) =>
        w.end !== undefined &&
        w.end > t &&
        w.at <= h.at &&
        sameValue(key, w.v, h.v) &&
        !shownLanded(f[side], key, w, t),
    );
  const superseded = f[side].some(
    (h) =>
      (h.at > t || shownTimes(h).some((x) => x > t)) &&
      h.end === undefined &&
      !h.ours &&
      !sameValue(key, h.v, v) &&
      (h.said || !wroteSince(h)),
  );
  // Made before the field's last change had surely reached this side (our write of it ended
  // after this report), it conflicts with that change, and the policy decides.
  const concurrent = !!f.by && f.by !== side && !sameValue(key, sure, f.v);
  // (A change the side undid itself since conflicts with nothing.)
  if (concurrent && !superseded) {
    const winner = resolveConflict(policy, { side, changedAt: t }, { side: f.by!, changedAt: f.at });
    out.conflicts.push(conflictOf(f, key, side, v, winner));
    if (winner !== side) {
      if (t <= f.at) out.older.push(key);
      keepRival(f, key, { v, at: t, by: side });
      out.log.push(`${key}: both sides changed it; ${sideName(winner)} wins (${policy})`);
      return changedAfter(f, key, v, side, t, policy, out);
    }
    out.log.push(`${key}: both sides changed it; ${sideName(side)} wins (${policy})`);
    return adopt(f, key, v, t, side, out);
  }
  // Two reports from one side within the same millisecond: the one handled later counts as later.
  const older = t < f.at || (t === f.at && f.by !== side);
  if (older || superseded) {
    out.older.push(key);
    out.log.push(
      `${key}: ${sideName(side)}'s change is older than the ${f.by ? `${sideName(f.by)}'s ` : ''}change synced last: ignored`,
    );
    if (superseded) changedAfter(f, key, v, side, t, policy, out);
    return;
  }
  adopt(f, key, v, t, side, out);
}

/**
 * A late report of `v` at `t` makes the side's next report (of another value) a change: one taken
 * as no news when it came, because the side had shown that value before (a tag added and removed
 * again, a task reopened). Newer than the field's last change, it is the field's last change now;
 * older, its rival. Our writes in between do not hide it: they put another value there.
 */
function changedAfter(
  f: FieldState,
  key: string,
  v: unknown,
  side: Side,
  t: number,
  policy: ConflictPolicy,
  out: Decision,
  ours = false,
) {
  const history = f[side];
  const at = history.findIndex(
    (h) => h.at === t && h.end === undefined && !h.maybe && !!h.ours === ours && sameValue(key, h.v, v),
  );
  if (at < 0) return;
  let n = at + 1;
  while (n < history.length && isOurs(history[n]!)) n++;
  const next = history[n];
  if (!next || sameValue(key, next.v, v)) return;
  // A write of ours of that value, running in between, may have put it there.
  const oursBetween = history.slice(at + 1, n).some((h) => sameValue(key, h.v, next.v));
  const writing = history.some(
    (w) =>
      w.end !== undefined &&
      w.at <= next.at &&
      w.end >= t &&
      sameValue(key, w.v, next.v) &&
      !shownLanded(history, key, w, t),
  );
  // The side changed it again since: that change was weighed when it came.
  const again = history.slice(n + 1).some((h) => !isOurs(h) && !sameValue(key, h.v, next.v));
  if ((!next.said && (oursBetween || writing)) || again) return;
  if (next.at <= f.at) {
    if (f.by && f.by !== side && !sameValue(key, next.v, f.v))
      keepRival(f, key, { v: next.v, at: next.at, by: side });
    return;
  }
  if (sameValue(key, next.v, f.v)) {
    // The side made the agreed value its own since the field's last change (again, if it was its own).
    if (f.rival?.by === side) delete f.rival;
    Object.assign(f, { at: next.at, by: side });
    return;
  }
  // Made before our write of the agreed value had surely landed there: the policy decides.
  const shown = history.slice(0, n).some((h) => h.ours && sameValue(key, h.v, f.v));
  const concurrent =
    !!f.by &&
    f.by !== side &&
    !shown &&
    history.some((w) => w.end !== undefined && w.end > next.at && sameValue(key, w.v, f.v));
  const winner = concurrent
    ? resolveConflict(policy, { side, changedAt: next.at }, { side: f.by!, changedAt: f.at })
    : side;
  if (concurrent) out.conflicts.push(conflictOf(f, key, side, next.v, winner));
  if (winner !== side) return keepRival(f, key, { v: next.v, at: next.at, by: side });
  out.older = out.older.filter((k) => k !== key);
  out.log.push(
    `${key}: ${sideName(side)}'s report from ${next.at} was a change after all (it had shown another value before it)`,
  );
  adopt(f, key, next.v, next.at, side, out);
}

/** The side reported our write `w` by `t`: it had landed then. */
const shownLanded = (history: Held[], key: string, w: Held, t: number) =>
  history.some((e) => e.ours && e.at >= w.at && e.at <= t && sameValue(key, e.v, w.v));

/** A conflict between `side`'s value `v` and the agreed one, for the log. */
const conflictOf = (f: FieldState, key: string, side: Side, v: unknown, winner: Side): FieldConflict => ({
  field: key,
  ghl: side === 'ghl' ? v : f.v,
  partner: side === 'ghl' ? f.v : v,
  winner,
});

/** An entry of ours: a write, the side's report of it, or a write that may have landed later. */
const isOurs = (h: Held) => h.end !== undefined || !!h.ours || !!h.maybe;

/** A report with no time: it cannot be ordered against the other side's change, so the policy decides. */
function untimed(
  f: FieldState,
  key: string,
  v: unknown,
  side: Side,
  policy: ConflictPolicy,
  now: number,
  out: Decision,
) {
  const last = f[side].at(-1);
  f[side] = learn(f[side], key, v, now);
  if ((last && sameValue(key, last.v, v)) || sameValue(key, v, f.v)) return;
  // The field's last change came from the other side: with no time, this one cannot be ordered after it.
  const both = !!f.by && f.by !== side;
  if (both) {
    const winner = policy === 'ghl_wins' ? 'ghl' : policy === 'partner_wins' ? 'partner' : f.by!;
    out.conflicts.push(conflictOf(f, key, side, v, winner));
    out.log.push(
      `${key}: ${sideName(side)}'s report has no time and ${sideName(f.by!)} changed it too: ${sideName(winner)}'s value kept (${policy}${policy === 'newest_wins' ? ': a change with no time counts as the older' : ''})`,
    );
    if (winner !== side) return;
  } else {
    out.log.push(
      `${key}: ${sideName(side)}'s report has no time; no other change to weigh it against: taken`,
    );
  }
  adopt(f, key, v, now, side, out);
}

function adopt(f: FieldState, key: string, v: unknown, at: number, side: Side, out: Decision) {
  if (f.by && f.by !== side) f.rival = { v: f.v, at: f.at, by: f.by };
  else if (f.rival?.by === side) delete f.rival;
  f.v = v;
  f.at = at;
  f.by = side;
  out.changed[key] = v;
}

function keepRival(f: FieldState, key: string, rival: { v?: unknown; at: number; by: Side }) {
  const kept = f.rival;
  if (kept && kept.by === rival.by && sameValue(key, kept.v, rival.v)) {
    // One value, two reports of its side: it is dated by the earliest one showing it, unless the
    // side held another value between them (then it came back, at the later time).
    const [from, to] = [Math.min(kept.at, rival.at), Math.max(kept.at, rival.at)];
    kept.at = unchangedBetween(f[rival.by], key, rival.v, from, to) ? from : to;
    return;
  }
  if (!kept || kept.by !== rival.by || kept.at < rival.at) f.rival = rival;
}

/** The agreed value turns out to have been on its side since `t`: the rival it beat may be newer. */
function redate(f: FieldState, key: string, t: number, policy: ConflictPolicy, out: Decision) {
  f.at = t;
  const rival = f.rival;
  if (!rival || rival.by === f.by || policy !== 'newest_wins' || rival.at <= t) return;
  out.log.push(
    `${key}: ${sideName(f.by!)} showed its value from an earlier time; ${sideName(rival.by)}'s newer change wins`,
  );
  out.conflicts.push({
    field: key,
    ghl: rival.by === 'ghl' ? rival.v : f.v,
    partner: rival.by === 'ghl' ? f.v : rival.v,
    winner: rival.by,
  });
  const beaten = { v: f.v, at: f.at, by: f.by! };
  f.v = rival.v;
  f.at = rival.at;
  f.by = rival.by;
  f.rival = beaten;
  out.changed[key] = rival.v;
}

/**
 * The values a side may have held at `t`: the one in effect then and, inside the run of one of
 * our writes, the value before that write. A report from just before our write began is not
 * taken for that write: the sides' clocks agree (both keep network time) far better than the
 * moments between a person's edit and our write in a busy contact.
 */
function heldAt(history: Held[], t: number): unknown[] {
  const values: unknown[] = [];
  let i = -1;
  for (let j = 0; j < history.length; j++) if (history[j]!.at <= t) i = j;
  // Older than all we remember of the side: the oldest value we know is the best guess.
  if (i < 0 && history.length) values.push(history[0]!.v);
  if (i >= 0) {
    values.push(history[i]!.v);
    const h = history[i]!;
    // A side stamps our write before our call returns: a report after its end is after it landed.
    if (h.end !== undefined && t <= h.end && i > 0) values.push(history[i - 1]!.v);
    // Two reports of the side within one millisecond cannot be ordered: the value it held before
    // that millisecond is no news in either (nobody changes a field and back within it).
    if (h.at === t && h.end === undefined && !h.ours) {
      const before = history.findLast((e) => e.at < t);
      if (before) values.push(before.v);
    }
  }
  return values;
}

/**
 * Does the side show one of our writes, made in its run (or within the slack after it)? Not when
 * the side reported another value after that write ended (a person changed it back), nor when a
 * later write of ours of another value had surely landed by `t` (then a person made it again).
 * A side that says what it changed (an add or remove, `prior`) shows our write only if the value
 * it changed from is the one our write replaced: otherwise it changed something we had not heard
 * of yet, and this is its own change too.
 */
function landed(history: Held[], key: string, v: unknown, t: number, prior?: { v: unknown }): boolean {
  return history.some(
    (h, i) =>
      h.end !== undefined &&
      (!prior || i === 0 || sameValue(key, history[i - 1]!.v, prior.v)) &&
      t >= h.at &&
      // A side that says what it changed (an add or remove) stamps it as it happens: after our
      // call returned, it is a change of its own.
      t <= h.end + (prior ? 0 : CLOCK_SLACK_MS) &&
      sameValue(key, h.v, v) &&
      !history.some(
        (r) => r.end === undefined && !r.ours && r.at > h.end! && r.at <= t && !sameValue(key, r.v, v),
      ) &&
      // Nor when a later write of ours, of another value, had landed before the report.
      !history.some((w) => w.end !== undefined && w.at > h.at && w.end < t && !sameValue(key, w.v, v)),
  );
}

/** What the side surely held at `t`: the last value whose report or write (ended) came before. */
function surelyHeld(history: Held[], t: number): unknown {
  let value: unknown;
  for (const h of history) if ((h.end ?? h.at) <= t) value = h.v;
  return value;
}

/**
 * The side held `v` at `t`: remembered in time order, unless a report already showed that value
 * then. One of our writes of it does not count: the side's report of it proves it landed (a
 * change made during the write, reported later, may have landed before it).
 */
function learn(
  history: Held[],
  key: string,
  v: unknown,
  t: number,
  ours = false,
  prior?: { v: unknown },
): Held[] {
  let i = -1;
  for (let j = 0; j < history.length; j++) if (history[j]!.at <= t) i = j;
  // A side that says it changed the field then, from another value than we knew: its own entry.
  const said = !ours && !!prior && !(i >= 0 && sameValue(key, history[i]!.v, prior.v));
  if (
    !said &&
    i >= 0 &&
    sameValue(key, history[i]!.v, v) &&
    (history[i]!.end === undefined || history[i]!.at === t)
  ) {
    // Still showing it: a change of the side reported late from before this is undone by the side.
    const { seen: _old, ...h } = history[i]!;
    if (h.end === undefined && t > h.at && !ours)
      history[i] = { ...h, shown: withTime(shownTimes(history[i]!), t) };
    if (h.end === undefined && t > h.at && ours)
      history[i] = { ...history[i]!, echoes: withTime(h.echoes, t) };
    return history;
  }
  const report: Held = {
    v,
    at: t,
    ...(ours ? { ours: true as const } : {}),
    ...(!ours && prior ? { said: true as const } : {}),
  };
  const split = ours ? undefined : shownAgain(history, i, key, t);
  const again = split ? [split.again] : [];
  if (split) history = [...history.slice(0, i), split.before, ...history.slice(i + 1)];
  if (ours) {
    // Our write had landed by `t`: a change reported within its run after `t` came after it.
    const landedBy = (e: Held) =>
      history.some((w) => w.end === e.end && w.at <= t && sameValue(key, w.v, e.v));
    history = history.filter(
      (e) => !(e.end !== undefined && e.at > t && sameValue(key, e.v, v) && landedBy(e)),
    );
    i = -1;
    for (let j = 0; j < history.length; j++) if (history[j]!.at <= t) i = j;
  }
  // Made while our write was on its way: that write may have landed after it, over it.
  const write: Held[] =
    i >= 0 && history[i]!.end !== undefined && t < history[i]!.end! && !ours
      ? [{ ...history[i]!, at: t, maybe: true }]
      : [];
  return bounded([...history.slice(0, i + 1), report, ...write, ...again, ...history.slice(i + 1)]);
}

/**
 * The value in effect before a late report of another value at `t` was shown again after `t`:
 * those later reports become an entry of their own, dated by the first. Ones we took for our
 * write's echo count too when every write of ours of that value had ended before `t` (then they
 * were the side's change back).
 */
function shownAgain(
  history: Held[],
  i: number,
  key: string,
  t: number,
): { before: Held; again: Held } | undefined {
  const h = history[i];
  if (!h) return undefined;
  const echoOnly = !history.some((w) => w.end !== undefined && w.end >= t && sameValue(key, w.v, h.v));
  const seen = shownTimes(h);
  const echoes = h.echoes ?? [];
  const after = [...new Set([...seen, ...(echoOnly ? echoes : [])])]
    .filter((x) => x > t)
    .sort((a, b) => a - b);
  if (!after.length) return undefined;
  const { seen: _s, shown: _sh, echoes: _ec, ...rest } = h;
  const upTo = (times: number[], list: 'shown' | 'echoes') => {
    const left = times.filter((x) => x <= t);
    return left.length ? { [list]: left } : {};
  };
  const before: Held = { ...rest, ...upTo(seen, 'shown'), ...upTo(echoes, 'echoes') };
  const again: Held = { v: h.v, at: after[0]!, ...(after.length > 1 ? { shown: after.slice(1) } : {}) };
  return { before, again };
}

/**
 * No other value on the side between `from` and `to`: none reported, and none of our writes
 * surely landed before `to` (one still on its way then had not replaced `v`).
 */
function unchangedBetween(history: Held[], key: string, v: unknown, from: number, to: number): boolean {
  return history.every(
    (h) => h.at <= from || h.at >= to || sameValue(key, h.v, v) || (h.end !== undefined && h.end >= to),
  );
}

const bounded = (history: Held[]) => history.slice(-HISTORY);

function clone(record: SyncRecord): SyncRecord {
  return JSON.parse(JSON.stringify(record)) as SyncRecord;
}
