import type { GhlContact } from '../ghl/types.ts';

/**
 * The location's small index of contacts it has seen (search results, contact reads, Contact*
 * events), kept in the location object's SQLite (`contacts` table). A timeline view takes the
 * contact from here, so a cold view costs only the three activity calls.
 */

type Row = {
  body: string;
  date_updated: string | null;
};

const newer = (a: string | null | undefined, b: string | null | undefined) =>
  !a || !b || Number.isNaN(Date.parse(a)) || Number.isNaN(Date.parse(b)) || Date.parse(a) >= Date.parse(b);

/** Stores contacts of `locationId`, merged over what is known; contacts of any other location are ignored. */
export function rememberContacts(
  sql: SqlStorage,
  locationId: string,
  contacts: readonly Partial<GhlContact>[],
  now = Date.now(),
): number {
  let stored = 0;
  for (const contact of contacts) {
    if (!contact.id || contact.locationId !== locationId) continue;
    const old = sql
      .exec<Row>('SELECT body, date_updated FROM contacts WHERE id = ?', contact.id)
      .toArray()[0];
    const incoming = typeof contact.dateUpdated === 'string' ? contact.dateUpdated : null;
    // A search page fetched before a later read must not roll the contact back.
    if (old && !newer(incoming, old.date_updated)) continue;
    const { searchAfter: _paging, ...fields } = contact as Partial<GhlContact> & { searchAfter?: unknown };
    const merged = old ? { ...(JSON.parse(old.body) as object), ...fields } : fields;
    sql.exec(
      `INSERT INTO contacts (id, body, date_updated, seen_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (id) DO UPDATE SET body = ?2, date_updated = COALESCE(?3, date_updated), seen_at = ?4`,
      contact.id,
      JSON.stringify(merged),
      incoming,
      now,
    );
    stored++;
  }
  return stored;
}

/** The contact as last seen, or null. */
export function knownContact(sql: SqlStorage, locationId: string, id: string): GhlContact | null {
  const row = sql.exec<Row>('SELECT body, date_updated FROM contacts WHERE id = ?', id).toArray()[0];
  if (!row) return null;
  const contact = JSON.parse(row.body) as GhlContact;
  return contact.locationId === locationId ? contact : null;
}

/** Drops a deleted contact from the index. */
export function forgetContact(sql: SqlStorage, id: string): void {
  sql.exec('DELETE FROM contacts WHERE id = ?', id);
}
