/**
 * A contact's tags as both sides should hold them, tag by tag: each tag is on or off as of the
 * last real change to it, from either side (last writer wins per tag). GHL reports tags as the
 * whole set; partners report single adds and removes; both arrive late and out of order. Pure.
 */
export interface TagEntry {
  on: boolean;
  /** epoch ms of the change that set it, at its source */
  at: number;
  /** when our write of this value to GHL ended (epoch ms) */
  ghlAt?: number;
  /** when that write began: GHL's reports from before it show what GHL held without it */
  ghlFrom?: number;
  /** For a value from the partner: the newest GHL report after it that still showed the other value. */
  ghlOther?: number;
  /** time of the newest GHL report that showed this tag as it is (orders GHL's reports) */
  seen?: number;
  /** The value came from GHL's reports: `at` is the earliest report showing it (see GhlRun). */
  byGhl?: boolean;
  /** For a value from GHL: the newest report showing the other value, before `at`. */
  against?: number;
}

/**
 * What GHL's reports say of when a tag took the value the newest one shows: it showed that value
 * from `from` (at the latest) and the other value at `against`. GHL reports the tags of a contact
 * with every change to it, so the report of the change itself may come after later ones.
 */
export interface GhlRun {
  from: number;
  against?: number;
}

/** Per tag, the run of a snapshot that stands for several reports (folded, see foldSnapshots). */
export type TagRuns = Record<string, GhlRun>;

export interface TagState {
  tags: Record<string, TagEntry>;
  /**
   * Time of the newest GHL snapshot merged. Every tag it showed has an entry, so a tag without
   * one was off in it: an older report showing that tag on says nothing new.
   */
  ghlShownAt?: number;
}

export interface TagDiff {
  add: string[];
  remove: string[];
}

/**
 * GHL stamps our write before our call returns, so its reports from before our write landed are
 * dated before `ghlAt`. No slack is added: that would hide a person's change made just after our
 * write. This assumes GHL's clock is not ahead of ours by more than the trip of GHL's answer back.
 */
const CLOCK_SLACK_MS = 0;

const norm = (t: string) => t.trim().toLowerCase();

/** Reads the stored state; the first format kept only the set held on both sides. */
export function readTagState(stored: unknown, heldSince = 0): TagState {
  if (Array.isArray(stored))
    return { tags: Object.fromEntries(stored.map((t) => [norm(String(t)), { on: true, at: heldSince }])) };
  const s = stored as Partial<TagState> | undefined;
  return {
    tags: { ...(s?.tags ?? {}) },
    ...(s?.ghlShownAt !== undefined ? { ghlShownAt: s.ghlShownAt } : {}),
  };
}

export function heldTags(state: TagState): string[] {
  return Object.entries(state.tags)
    .filter(([, e]) => e.on)
    .map(([t]) => t);
}

/**
 * GHL's tag set as of `at`: which tags the partner must gain or lose. A tag changed later on
 * either side keeps its newer value. What GHL reports from before our own write of a tag landed
 * (its webhook about another write of ours, say) or about that write says nothing new of it:
 * both sides had agreed on the tag, so only the change we wrote can have flipped it.
 */
export function mergeGhlSnapshot(
  state: TagState,
  snapshot: readonly string[],
  at: number,
  runs?: TagRuns,
): TagDiff {
  const want = new Set(snapshot.map(norm));
  const diff: TagDiff = { add: [], remove: [] };
  for (const tag of new Set([...want, ...Object.keys(state.tags)])) {
    const on = want.has(tag);
    const entry = state.tags[tag];
    const run = runs?.[tag] ?? { from: at };
    if (!entry && on && at < (state.ghlShownAt ?? 0)) {
      // A newer snapshot showed it off: it was removed after this report, by then.
      state.tags[tag] = {
        on: false,
        at: state.ghlShownAt!,
        seen: state.ghlShownAt!,
        byGhl: true,
        against: at,
      };
      continue;
    }
    if (entry && !entry.byGhl && entry.on !== on && at > entry.at)
      entry.ghlOther = Math.max(entry.ghlOther ?? at, at);
    if (entry && !entry.byGhl && entry.on === on && ghlOwnChange(entry, run)) {
      // GHL showed the other value after the partner's change, then this one before our write of
      // it began: a person in GHL made the same change, later. It is now the tag's last change,
      // so an older partner change delivered after this report does not undo it.
      const { ghlOther: _shownOff, ...rest } = entry;
      state.tags[tag] = { ...rest, at: run.from, seen: at, byGhl: true, against: ghlAgainst(entry, run)! };
      continue;
    }
    if (entry?.ghlAt && at <= entry.ghlAt + CLOCK_SLACK_MS) continue;
    const lastSeen = entry?.seen ?? entry?.at ?? 0;
    if (entry?.byGhl && (at < lastSeen || (at === lastSeen && entry.on === on))) {
      // A report no newer than what GHL told us of this value: it can only tell when it began.
      Object.assign(entry, withReport(entry, lastSeen, entry.on === on, at, run));
      continue;
    }
    if (entry && (entry.at >= at || (entry.seen ?? 0) >= at)) continue;
    if ((entry?.on ?? false) === on) {
      // Unchanged: a later report of GHL's makes an older one stale, but is no change to the
      // tag, so a partner change made before it (and still on its way) still counts.
      if (entry) entry.seen = at;
      if (entry?.byGhl) Object.assign(entry, withReport(entry, at, true, at, run));
      continue;
    }
    // GHL showed it so from before our newer value until now: that value has not reached GHL yet.
    if (entry && entry.at >= run.from) continue;
    state.tags[tag] = {
      on,
      at: run.from,
      seen: at,
      byGhl: true,
      ...(run.against !== undefined ? { against: run.against } : {}),
    };
    (on ? diff.add : diff.remove).push(tag);
  }
  state.ghlShownAt = Math.max(state.ghlShownAt ?? 0, at);
  return diff;
}

/**
 * GHL's run shows it changed the tag to `entry`'s value itself: it showed the other value (at
 * `run.against`) after `entry`'s change was made, and this value from `run.from`, and no write of
 * ours to GHL of this tag ran in between (the same rule as field-record.ts: a side's change is a
 * value that differs from what it held, not one our write put there).
 */
function ghlOwnChange(entry: TagEntry, run: GhlRun): boolean {
  const against = ghlAgainst(entry, run);
  if (against === undefined || run.from <= entry.at || against < entry.at) return false;
  if (entry.ghlAt === undefined) return true;
  // A stored write without its start (before it was kept) may have run any time before it ended.
  const wroteBetween = entry.ghlAt >= against && (entry.ghlFrom ?? -Infinity) <= run.from;
  return !wroteBetween;
}

/** The newest time GHL is known to have shown the other value before this run began. */
function ghlAgainst(entry: TagEntry, run: GhlRun): number | undefined {
  const other = entry.ghlOther !== undefined && entry.ghlOther < run.from ? entry.ghlOther : undefined;
  if (run.against === undefined) return other;
  return other === undefined ? run.against : Math.max(run.against, other);
}

/**
 * A GHL value that began at `entry.at` (and was shown until `until`), after one more report: one
 * as of `t` that agrees with it (carrying its own `run`) or not.
 */
function withReport(
  entry: { at: number; against?: number },
  until: number,
  agrees: boolean,
  t: number,
  run: GhlRun,
): { at: number; against?: number } {
  const known = entry.against ?? -Infinity;
  if (!agrees) {
    // The other value as of `t`: before the run, it bounds its start; inside it, the run began after `t`.
    return t < entry.at ? { at: entry.at, against: Math.max(known, t) } : { at: until, against: t };
  }
  // Agreeing: the run began no later than this report's own run, unless GHL showed otherwise in between.
  const start = run.from > known ? run.from : t > known ? t : entry.at;
  const against = Math.max(known, run.against ?? -Infinity);
  return { at: Math.min(entry.at, start), ...(against > -Infinity ? { against } : {}) };
}

/**
 * Two of GHL's snapshots of a contact's tags folded into one waiting item: the runs (GhlRun) of
 * the tags as the newer one shows them. Without this, a tag added before the older snapshot would
 * count as added at the newer one's time, and a partner change made in between would lose to it.
 * Either may have arrived first.
 */
export function foldSnapshots(
  waiting: { tags: readonly string[]; at: number; runs?: TagRuns },
  incoming: { tags: readonly string[]; at: number },
): { tags: readonly string[]; at: number; runs: TagRuns } {
  const newer = incoming.at >= waiting.at ? incoming : waiting;
  const older = newer === incoming ? waiting : incoming;
  const olderSet = new Set(older.tags.map(norm));
  const newerSet = new Set(newer.tags.map(norm));
  const runs: TagRuns = {};
  for (const tag of new Set([...olderSet, ...newerSet])) {
    const agrees = olderSet.has(tag) === newerSet.has(tag);
    if (newer === incoming) {
      // The waiting snapshot's run goes on if the new one agrees; otherwise a new run begins.
      runs[tag] = agrees
        ? (waiting.runs?.[tag] ?? { from: waiting.at })
        : { from: incoming.at, against: waiting.at };
    } else {
      const run = waiting.runs?.[tag] ?? { from: waiting.at };
      const next = withReport({ at: run.from, against: run.against }, waiting.at, agrees, incoming.at, {
        from: incoming.at,
      });
      runs[tag] = { from: next.at, ...(next.against !== undefined ? { against: next.against } : {}) };
    }
  }
  return { tags: newer.tags, at: newer.at, runs };
}

/**
 * A partner's add or remove as of `at`: which of its tags GHL must gain or lose. `stale` gathers
 * the tags whose newer value came from GHL while the partner's own older change still shows
 * there: that value must be written to the partner again.
 */
export function mergePartnerOp(
  state: TagState,
  op: 'tag_add' | 'tag_remove',
  tags: readonly string[],
  at: number,
  stale?: string[],
): string[] {
  const on = op === 'tag_add';
  const out: string[] = [];
  // Keyed lower-case (GHL ignores case), written as the partner spelled it.
  for (const [tag, spelled] of new Map(tags.map((t) => [norm(t), t.trim()]))) {
    const entry = state.tags[tag];
    if (entry && entry.at >= at) {
      if (entry.byGhl && entry.on !== on) stale?.push(tag);
      continue;
    }
    state.tags[tag] = {
      on,
      at,
      ...(entry?.ghlAt !== undefined ? { ghlAt: entry.ghlAt } : {}),
      ...(entry?.ghlFrom !== undefined ? { ghlFrom: entry.ghlFrom } : {}),
      ...(entry?.seen !== undefined ? { seen: entry.seen } : {}),
    };
    // A tag we never saw may still be on GHL's side: removing it is never skipped.
    if (!entry || entry.on !== on) out.push(spelled);
  }
  return out;
}

/**
 * The tag set to write with a contact whose GHL snapshot is as of `at`: the snapshot read by the
 * same rules as a tag report (mergeGhlSnapshot), so a tag changed later, or one GHL showed before
 * our write of it landed, keeps the value both sides should hold.
 */
export function contactTags(
  state: TagState,
  snapshot: readonly string[],
  at: number,
  runs?: TagRuns,
): string[] {
  const copy: TagState = {
    ...state,
    tags: Object.fromEntries(Object.entries(state.tags).map(([t, e]) => [t, { ...e }])),
  };
  mergeGhlSnapshot(copy, snapshot, at, runs);
  return heldTags(copy);
}

/** Writes that restore `tags` to their current value on a side that may hold an older one. */
export function restate(state: TagState, tags: readonly string[]): TagDiff {
  const diff: TagDiff = { add: [], remove: [] };
  for (const tag of new Set(tags.map(norm))) (state.tags[tag]?.on ? diff.add : diff.remove).push(tag);
  return diff;
}

/** Our write of `diff` to GHL ran from `from` to `to`. */
export function recordGhlWrite(state: TagState, from: number, to: number, diff: TagDiff): void {
  for (const tag of [...diff.add, ...diff.remove].map(norm)) {
    const entry = state.tags[tag];
    if (entry) Object.assign(entry, { ghlFrom: from, ghlAt: to });
  }
}
