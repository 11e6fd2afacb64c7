/**
 * The reports a waiting item stands for, and what they decide over the object's record. A burst
 * of reports about one object waits in one item (one write), but each report keeps its own time
 * and content, so the record learns when each field changed (field-record.ts). Pure.
 */
import type { ConflictPolicy, Side } from './policy.ts';
import { decide, emptyRecord, seedRecord, type FieldConflict, type SyncRecord } from './field-record.ts';

/** What of an object's ID-map entry (queue.ts `Link`) the decision reads. */
export interface RecordedLink {
  deleted?: boolean;
  fields?: SyncRecord;
  data?: unknown;
  sourceAt: number | null;
}

/** One report: the side's content as of `at` (null: the report had no usable time). */
export interface HeldReport {
  at: number | null;
  data: unknown;
}

/** Reports kept per item: the first ones (when values began) and the newest ones. */
const FIRST = 2;
const LAST = 6;

/** The reports of an upsert item, oldest first; an item from before reports were kept has one. */
export function reportsOf(payload: unknown, changedAt: number | null | undefined): HeldReport[] {
  const p = (payload ?? {}) as { reports?: HeldReport[]; data?: unknown };
  return p.reports?.length ? p.reports : [{ at: changedAt ?? null, data: p.data }];
}

/** The reports once `incoming` joins those of a waiting item (bounded). */
export function withReport(held: HeldReport[], incoming: HeldReport): HeldReport[] {
  const all = [...held, incoming].sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
  return all.length <= FIRST + LAST ? all : [...all.slice(0, FIRST), ...all.slice(-LAST)];
}

export interface ItemDecision {
  record: SyncRecord;
  changed: Record<string, unknown>;
  older: string[];
  conflicts: FieldConflict[];
  log: string[];
}

/** The object's record (a link synced before records existed: both sides held its content). */
export function recordOf(link: RecordedLink | undefined): SyncRecord {
  if (!link || link.deleted) return emptyRecord();
  return link.fields ?? (link.data !== undefined ? seedRecord(link.data, link.sourceAt) : emptyRecord());
}

/** Every report of the item, in time order, decided over the object's record. */
export function decideReports(
  link: RecordedLink | undefined,
  reports: HeldReport[],
  side: Side,
  policy: ConflictPolicy,
  now: number,
): ItemDecision {
  const out: ItemDecision = { record: recordOf(link), changed: {}, older: [], conflicts: [], log: [] };
  for (const report of reports) {
    const d = decide(
      out.record,
      { side, at: report.at, data: (report.data ?? {}) as Record<string, unknown> },
      policy,
      now,
    );
    out.record = d.record;
    Object.assign(out.changed, d.changed);
    out.older.push(...d.older.filter((k) => !(k in d.changed)));
    out.conflicts.push(...d.conflicts);
    out.log.push(...d.log);
  }
  return out;
}
