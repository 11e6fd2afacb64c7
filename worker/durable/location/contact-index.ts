import type { GhlContact } from '../../ghl/types.ts';
import { indexContact, unindexContact } from './matching.ts';
import { forgetContact, knownContact, rememberContacts } from '../../timeline/contact-index.ts';
import type { Meta } from './meta.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Entries not written for this long are dropped; the next read or event fetches them again. */
export const CONTACT_INDEX_MAX_AGE_MS = 30 * DAY_MS;
/** Entries kept per location at most; past it the least recently written go first. */
export const CONTACT_INDEX_CAP = 50_000;
/** Pruning counts the table, so it runs from the alarm at most this often, not on every event. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
// Contacts an inbox event still waits for are never pruned: their dispatch reads the entry.
const WAITING_CONTACTS =
  "SELECT contact_id FROM inbox WHERE state IN ('new', 'retry') AND contact_id IS NOT NULL";

/**
 * The location's index of contacts it has seen (`contacts`, see timeline/contact-index.ts) with
 * the email/phone keys partner matching uses, and its pruning. The index is a cache: a pruned
 * contact costs one GHL read the next time someone asks for it.
 */
export class ContactIndex {
  private readonly sql: SqlStorage;
  private readonly meta: Meta;

  constructor(sql: SqlStorage, meta: Meta) {
    this.sql = sql;
    this.meta = meta;
  }

  /** Remembers contacts of `locationId` seen by the panel or in Contact* events, with their match keys. */
  remember(locationId: string, contacts: Partial<GhlContact>[]): number {
    for (const c of contacts)
      if (c.id && c.locationId === locationId)
        indexContact(this.sql, { id: c.id, email: c.email, phone: c.phone });
    return this.store(locationId, contacts);
  }

  /** Stores contacts in the index only (the sync engine indexes match keys itself). */
  store(locationId: string, contacts: readonly Partial<GhlContact>[]): number {
    return rememberContacts(this.sql, locationId, contacts);
  }

  known(locationId: string, id: string): GhlContact | null {
    return knownContact(this.sql, locationId, id);
  }

  /** Drops a deleted contact, its match keys and its partner links. */
  forget(id: string): void {
    forgetContact(this.sql, id);
    unindexContact(this.sql, id);
  }

  /**
   * Drops entries not written for CONTACT_INDEX_MAX_AGE_MS, then the least recently written
   * beyond CONTACT_INDEX_CAP. Match keys and partner links stay: they are how partner changes
   * find their GHL contact without a call, and a link cannot be rebuilt from GHL.
   */
  prune(now = Date.now()): void {
    const last = Number(this.meta.get('contacts_pruned_at') ?? 0);
    if (now - last < PRUNE_EVERY_MS) return;
    this.meta.set('contacts_pruned_at', String(now));
    this.sql.exec(
      `DELETE FROM contacts WHERE seen_at < ? AND id NOT IN (${WAITING_CONTACTS})`,
      now - CONTACT_INDEX_MAX_AGE_MS,
    );
    const over =
      this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM contacts').one().n - CONTACT_INDEX_CAP;
    if (over <= 0) return;
    this.sql.exec(
      `DELETE FROM contacts WHERE id IN (SELECT id FROM contacts WHERE id NOT IN (${WAITING_CONTACTS}) ORDER BY seen_at, id LIMIT ?)`,
      over,
    );
  }
}
