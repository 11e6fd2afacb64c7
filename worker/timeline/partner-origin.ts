import type { TimelineItem } from './merge.ts';

/**
 * Which timeline items came into GHL from a partner: the contact's ID map (`links`) records when
 * we last wrote each object to GHL and to the partner. An object whose latest sync was our write
 * into GHL is shown as the partner's, with the connection's name.
 */

export interface PartnerOrigin {
  connectionId: string;
  /** The connection's name, e.g. "Cal.com". */
  name: string;
  /** The connector kind, e.g. "calcom". */
  kind: string;
}

export type WithOrigin = TimelineItem & { partner?: PartnerOrigin };

/** `connections` is asked only when some item came from a partner (the warm view stays local). */
export async function annotatePartnerOrigin(
  sql: SqlStorage,
  items: TimelineItem[],
  connections: () => Promise<Map<string, { name: string; kind: string }>>,
): Promise<WithOrigin[]> {
  const rows = sql
    .exec<{
      kind: string;
      ghl_id: string;
      connection_id: string;
      ghl_write_at: number;
      partner_write_at: number | null;
    }>(
      `SELECT kind, ghl_id, connection_id, ghl_write_at, partner_write_at FROM links
        WHERE kind IN ('note', 'task', 'appointment') AND ghl_write_at IS NOT NULL AND (partner_write_at IS NULL OR ghl_write_at >= partner_write_at)`,
    )
    .toArray();
  if (!rows.length) return items;
  const names = await connections();
  const from = new Map<string, PartnerOrigin>();
  for (const r of rows) {
    const conn = names.get(r.connection_id);
    if (conn)
      from.set(`${r.kind}:${r.ghl_id}`, { connectionId: r.connection_id, name: conn.name, kind: conn.kind });
  }
  return items.map((item) => {
    const partner = from.get(`${item.kind}:${item.id}`);
    return partner ? { ...item, source: 'partner', partner } : item;
  });
}
