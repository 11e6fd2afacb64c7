/**
 * What a sync log row is about, in a few words ("Consultation", "Called, wants a demo…"), read
 * from the work item's content in the contact's queue when the row is written.
 */

const MAX = 80;

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const clip = (s: string) => (s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);

/** The title of an object's content in the common model, or null. */
export function subjectOfData(kind: string, data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (kind === 'tag')
    return Array.isArray(d.tags) && d.tags.length ? clip(d.tags.map(String).join(', ')) : null;
  if (kind === 'contact') {
    const name =
      text(d.name) ?? ([text(d.firstName), text(d.lastName)].filter(Boolean).join(' ') || undefined);
    return clip(name ?? text(d.email) ?? text(d.phone) ?? '') || null;
  }
  const title = text(d.title) ?? text(d.body)?.split('\n')[0];
  return title ? clip(title) : null;
}

/** The subject of the work item behind `workKey` (`<location>:<contact>#<work id>`) in the contact's SQLite. */
export function subjectOfWork(sql: SqlStorage, workKey: string | undefined): string | null {
  const hash = workKey?.lastIndexOf('#') ?? -1;
  if (!workKey || hash < 0) return null;
  const row = sql
    .exec<{ kind: string; payload: string }>(
      'SELECT kind, payload FROM work WHERE id = ?',
      Number(workKey.slice(hash + 1)),
    )
    .toArray()[0];
  if (!row) return null;
  try {
    const payload = JSON.parse(row.payload) as { data?: unknown } | null;
    return subjectOfData(row.kind, payload?.data);
  } catch {
    return null;
  }
}
