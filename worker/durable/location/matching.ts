/**
 * Which GHL contact a partner change is about: by the ID map first, then email, then phone
 * (docs/CONTRACT.md §5). Lives in the location's object, whose SQLite holds the index.
 */
import type { PartnerChange, SyncContact } from '../../connectors/types.ts';
import type { GhlApi } from '../../ghl/api.ts';
import type { GhlContact } from '../../ghl/types.ts';
import { normalizeEmail, normalizePhone } from '../../sync/fingerprint.ts';
import { contactToGhl } from '../../sync/ghl-model.ts';

export const MATCHING_SCHEMA: readonly string[] = [
  `CREATE TABLE contact_keys (key TEXT NOT NULL, contact_id TEXT NOT NULL, PRIMARY KEY (key, contact_id))`,
  `CREATE TABLE contact_links (connection_id TEXT NOT NULL, partner_key TEXT NOT NULL, contact_id TEXT NOT NULL, PRIMARY KEY (connection_id, partner_key))`,
];

/** Records a contact's email and phone so later partner changes find it without a GHL call. */
export function indexContact(
  sql: SqlStorage,
  contact: { id: string; email?: unknown; phone?: unknown },
): void {
  sql.exec('DELETE FROM contact_keys WHERE contact_id = ?', contact.id);
  const email = normalizeEmail(contact.email);
  const phone = normalizePhone(contact.phone);
  if (email)
    sql.exec(
      'INSERT OR IGNORE INTO contact_keys (key, contact_id) VALUES (?, ?)',
      `email:${email}`,
      contact.id,
    );
  if (phone)
    sql.exec(
      'INSERT OR IGNORE INTO contact_keys (key, contact_id) VALUES (?, ?)',
      `phone:${phone}`,
      contact.id,
    );
}

export function unindexContact(sql: SqlStorage, contactId: string): void {
  sql.exec('DELETE FROM contact_keys WHERE contact_id = ?', contactId);
  sql.exec('DELETE FROM contact_links WHERE contact_id = ?', contactId);
}

/** The partner's key for the person a change is about: its own contact id, else email/phone. */
export function partnerKeyOf(change: PartnerChange): string | undefined {
  if (change.contactPartnerId) return `id:${change.contactPartnerId}`;
  if (change.kind === 'contact' && change.partnerId) return `id:${change.partnerId}`;
  const email = normalizeEmail(change.contact?.email);
  if (email) return `email:${email}`;
  const phone = normalizePhone(change.contact?.phone);
  return phone ? `phone:${phone}` : undefined;
}

export type MatchedBy =
  'id_map' | 'email' | 'phone' | 'ghl_email' | 'ghl_phone' | 'created' | 'upsert_merged';

export interface Match {
  contactId: string;
  by: MatchedBy;
  /** Set when GHL's upsert answered with a contact other than a new one (a merge). */
  note?: string;
}

/** Local lookup only (no GHL call): ID map, then email, then phone. */
export function matchLocally(
  sql: SqlStorage,
  connectionId: string,
  change: PartnerChange,
): Match | undefined {
  const key = partnerKeyOf(change);
  if (key) {
    const linked = sql
      .exec<{ contact_id: string }>(
        'SELECT contact_id FROM contact_links WHERE connection_id = ? AND partner_key = ?',
        connectionId,
        key,
      )
      .toArray()[0];
    if (linked) return { contactId: linked.contact_id, by: 'id_map' };
  }
  const email = normalizeEmail(change.contact?.email);
  const byEmail =
    email &&
    sql
      .exec<{ contact_id: string }>('SELECT contact_id FROM contact_keys WHERE key = ?', `email:${email}`)
      .toArray()[0];
  if (byEmail) return { contactId: byEmail.contact_id, by: 'email' };
  const phone = normalizePhone(change.contact?.phone);
  const byPhone =
    phone &&
    sql
      .exec<{ contact_id: string }>('SELECT contact_id FROM contact_keys WHERE key = ?', `phone:${phone}`)
      .toArray()[0];
  if (byPhone) return { contactId: byPhone.contact_id, by: 'phone' };
  return undefined;
}

/** The person a partner change names, as far as it tells. */
export function personOf(change: PartnerChange): SyncContact {
  return change.kind === 'contact' && change.op === 'upsert'
    ? { ...change.contact, ...(change.data as SyncContact) }
    : (change.contact ?? {});
}

/** Whether the change names an email or phone to find (or create) its person in GHL by. */
export function namesPerson(change: PartnerChange): boolean {
  const person = personOf(change);
  return !!(normalizeEmail(person.email) || normalizePhone(person.phone));
}

export function linkContact(
  sql: SqlStorage,
  connectionId: string,
  change: PartnerChange,
  contactId: string,
): void {
  const key = partnerKeyOf(change);
  if (key)
    sql.exec(
      'INSERT OR REPLACE INTO contact_links (connection_id, partner_key, contact_id) VALUES (?, ?, ?)',
      connectionId,
      key,
      contactId,
    );
}

/**
 * Finds the contact in GHL (duplicate search by email, then phone) or creates it with an upsert.
 * A contact it creates gets `tags` (the sync scope's) added, never sent in the upsert: on a merge
 * the upsert would replace the existing contact's tags. Returns undefined when the change names
 * nobody to match or create.
 */
export async function matchInGhl(
  ghl: GhlApi,
  change: PartnerChange,
  allowCreate: boolean,
  tags: string[] = [],
): Promise<{ match: Match; contact: GhlContact } | undefined> {
  const person = personOf(change);
  const email = normalizeEmail(person.email);
  const phone = normalizePhone(person.phone);
  if (!email && !phone) return undefined;
  if (email) {
    const found = await ghl.findDuplicate({ email });
    if (found) return { match: { contactId: found.id, by: 'ghl_email' }, contact: found };
  }
  if (phone) {
    const found = await ghl.findDuplicate({ number: phone });
    if (found) return { match: { contactId: found.id, by: 'ghl_phone' }, contact: found };
  }
  if (!allowCreate) return undefined;
  const result = await ghl.upsertContact({ ...contactToGhl(person), source: 'Contact Sync' });
  if (result.new && tags.length)
    result.contact = { ...result.contact, tags: await ghl.addTags(result.contact.id, tags) };
  const by: MatchedBy = result.new ? 'created' : 'upsert_merged';
  return {
    match: {
      contactId: result.contact.id,
      by,
      note: result.new ? undefined : `GHL merged this person into existing contact ${result.contact.id}`,
    },
    contact: result.contact,
  };
}
