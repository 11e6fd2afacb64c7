/**
 * Pure timeline rules: how a cached GHL note, task or appointment becomes a timeline item, and
 * how the items are ordered. No I/O here.
 */

export type TimelineKind = 'note' | 'task' | 'appointment';
export type TimelineSource = 'ghl' | 'partner';
export type TimelineOrder = 'newest' | 'pending-first';

/** One object as the contact's cache holds it: GHL's own JSON plus where it came from. */
export interface CachedItem {
  kind: TimelineKind;
  id: string;
  raw: Record<string, unknown>;
  source: TimelineSource;
}

/** One entry of `GET /api/contacts/:contactId/timeline` (docs/CONTRACT.md §4). */
export interface TimelineItem {
  kind: TimelineKind;
  id: string;
  /** ISO time the entry sits at: a note's dateAdded, a task's dueDate, an appointment's startTime. */
  at: string | null;
  title: string | null;
  body: string | null;
  status: string | null;
  source: TimelineSource;
  raw: Record<string, unknown>;
  /** The panel user who made a task or appointment here (GHL records no author for them). */
  createdBy?: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * GHL times come as ISO strings, epoch millis, or (appointments) "2021-07-16 11:00:00" with no
 * zone; the last form is taken as UTC so every item sorts on one clock.
 */
export function normalizeTime(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value !== 'string' || !value.trim()) return null;
  const bare = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/.exec(value.trim());
  const ms = bare ? Date.parse(`${bare[1]}T${bare[2]}Z`) : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Maps one cached object to its timeline entry. */
export function toTimelineItem(item: CachedItem): TimelineItem {
  const r = item.raw;
  const base = { kind: item.kind, id: item.id, source: item.source, raw: r };
  switch (item.kind) {
    case 'note':
      return {
        ...base,
        at: normalizeTime(r.dateAdded),
        title: text(r.title),
        body: text(r.body),
        status: r.pinned === true ? 'pinned' : null,
      };
    case 'task':
      return {
        ...base,
        at: normalizeTime(r.dueDate) ?? normalizeTime(r.dateAdded),
        title: text(r.title),
        body: text(r.body),
        status: r.completed === true ? 'completed' : 'pending',
      };
    case 'appointment':
      return {
        ...base,
        at: normalizeTime(r.startTime) ?? normalizeTime(r.dateAdded),
        title: text(r.title),
        body: text(r.notes) ?? text(r.description),
        status: text(r.appointmentStatus) ?? text(r.status),
      };
  }
}

const timeOf = (item: TimelineItem) => (item.at ? Date.parse(item.at) : Number.NEGATIVE_INFINITY);

function newestFirst(a: TimelineItem, b: TimelineItem): number {
  return timeOf(b) - timeOf(a) || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id);
}

/** A task that still needs doing. */
export const isPendingTask = (item: TimelineItem) => item.kind === 'task' && item.status === 'pending';

/**
 * Newest first (undated entries last). With `pending-first`, open tasks come on top ordered by
 * due date, soonest (or most overdue) first, then everything else newest first.
 */
export function orderTimeline(
  items: readonly TimelineItem[],
  order: TimelineOrder = 'newest',
): TimelineItem[] {
  if (order !== 'pending-first') return [...items].sort(newestFirst);
  const pending = items.filter(isPendingTask).sort((a, b) => {
    const ta = a.at ? Date.parse(a.at) : Number.POSITIVE_INFINITY;
    const tb = b.at ? Date.parse(b.at) : Number.POSITIVE_INFINITY;
    return ta - tb || a.id.localeCompare(b.id);
  });
  const rest = items.filter((i) => !isPendingTask(i)).sort(newestFirst);
  return [...pending, ...rest];
}
