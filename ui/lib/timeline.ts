import { parseDate } from './format.ts';
import type { Freshness, TimelineItem, TimelineKind } from './types.ts';

export type TimelineFilter = 'all' | 'notes' | 'tasks' | 'appointments';

export const FILTERS: { value: TimelineFilter; label: string; kind?: TimelineKind }[] = [
  { value: 'all', label: 'All' },
  { value: 'notes', label: 'Notes', kind: 'note' },
  { value: 'tasks', label: 'Tasks', kind: 'task' },
  { value: 'appointments', label: 'Appointments', kind: 'appointment' },
];

export function filterItems(items: TimelineItem[], filter: TimelineFilter): TimelineItem[] {
  const kind = FILTERS.find((f) => f.value === filter)?.kind;
  return kind ? items.filter((i) => i.kind === kind) : items;
}

/** Newest first, as the worker orders them; used after local inserts. */
export function sortItems(items: TimelineItem[]): TimelineItem[] {
  const t = (i: TimelineItem) => parseDate(i.at)?.getTime() ?? Number.NEGATIVE_INFINITY;
  return [...items].sort((a, b) => t(b) - t(a) || 0);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export function isCompleted(item: TimelineItem): boolean {
  if (item.raw && typeof item.raw.completed === 'boolean') return item.raw.completed;
  return item.status === 'completed';
}

export function withCompleted(item: TimelineItem, completed: boolean): TimelineItem {
  return { ...item, status: completed ? 'completed' : 'pending', raw: { ...item.raw, completed } };
}

export function taskDue(item: TimelineItem): string | undefined {
  return str(item.raw?.dueDate);
}

/** A timeline item for a GHL note object (`{ note }` answer of a create or update). */
export function noteItem(note: Record<string, unknown>, prev?: TimelineItem): TimelineItem {
  return {
    kind: 'note',
    id: String(note.id ?? prev?.id ?? ''),
    at: str(note.dateAdded) ?? prev?.at ?? new Date().toISOString(),
    title: str(note.title) ?? null,
    body: str(note.body) ?? '',
    status: null,
    source: prev?.source ?? 'ghl',
    raw: { ...prev?.raw, ...note },
  };
}

/** A timeline item for a GHL task object. */
export function taskItem(task: Record<string, unknown>, prev?: TimelineItem): TimelineItem {
  const raw = { ...prev?.raw, ...task };
  return {
    kind: 'task',
    id: String(task.id ?? prev?.id ?? ''),
    at: str(task.dueDate) ?? prev?.at ?? str(task.dateAdded) ?? new Date().toISOString(),
    title: str(task.title) ?? prev?.title ?? 'Task',
    body: str(task.body) ?? prev?.body ?? '',
    status: raw.completed === true ? 'completed' : 'pending',
    source: prev?.source ?? 'ghl',
    ...(prev?.createdBy ? { createdBy: prev.createdBy } : {}),
    raw,
  };
}

/** A timeline item for a GHL appointment (booked, moved or cancelled from the panel). */
export function appointmentItem(event: Record<string, unknown>, prev?: TimelineItem): TimelineItem {
  const raw = { ...prev?.raw, ...event };
  return {
    kind: 'appointment',
    id: String(raw.id ?? prev?.id ?? ''),
    at: str(raw.startTime) ?? prev?.at ?? null,
    title: str(raw.title) ?? prev?.title ?? 'Appointment',
    body: str(raw.notes) ?? str(raw.description) ?? prev?.body ?? null,
    status: str(raw.appointmentStatus) ?? str(raw.status) ?? prev?.status ?? null,
    source: prev?.source ?? 'ghl',
    ...(prev?.partner ? { partner: prev.partner } : {}),
    ...(prev?.createdBy ? { createdBy: prev.createdBy } : {}),
    raw,
  };
}

/** An appointment that can still be moved or cancelled: not cancelled, and not over. */
export function isOpenAppointment(item: TimelineItem, now: number): boolean {
  if (item.kind !== 'appointment' || item.status === 'cancelled') return false;
  const end = parseDate(item.raw?.endTime ?? item.at)?.getTime();
  return end === undefined || end > now;
}

/**
 * When the data was last known fresh, in epoch milliseconds: the later of the worker's `cachedAt`
 * (filled from GHL) and `updatedAt` (changed by an event or a write); null when neither is set.
 */
export function freshnessAt(freshness: Freshness): number | null {
  return (
    Math.max(...[freshness.cachedAt, freshness.updatedAt].map((t) => parseDate(t)?.getTime() ?? 0)) || null
  );
}
