import { fieldDiff, type FieldChange } from './diff.ts';

/** The field changes a work item wrote, read from the contact's SQLite (its `work` and `links`). */

const obj = (text: string | null): Record<string, unknown> => {
  try {
    const v = text ? JSON.parse(text) : null;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** The field changes the work item behind `workKey` wrote, or null when the map holds none. */
export function diffOfWork(sql: SqlStorage, workKey: string | undefined): FieldChange[] | null {
  const hash = workKey?.lastIndexOf('#') ?? -1;
  if (!workKey || hash < 0) return null;
  const work = sql
    .exec<{
      direction: string;
      kind: string;
      ghl_id: string | null;
      partner_id: string | null;
      connection_id: string;
    }>(
      'SELECT direction, kind, ghl_id, partner_id, connection_id FROM work WHERE id = ?',
      Number(workKey.slice(hash + 1)),
    )
    .toArray()[0];
  if (!work) return null;
  const link = sql
    .exec<{ data: string | null; ghl_prior: string | null; partner_prior: string | null }>(
      'SELECT data, ghl_prior, partner_prior FROM links WHERE kind = ? AND connection_id = ? AND (ghl_id = ? OR partner_id = ?) LIMIT 1',
      work.kind,
      work.connection_id,
      work.ghl_id ?? '',
      work.partner_id ?? '',
    )
    .toArray()[0];
  if (!link?.data) return null;
  const changes = fieldDiff(
    obj(work.direction === 'to_partner' ? link.partner_prior : link.ghl_prior),
    obj(link.data),
  );
  return changes.length ? changes : null;
}
