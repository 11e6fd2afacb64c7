import { MATCHING_SCHEMA } from './location/matching.ts';
import { UNMATCHED_DELETES_SCHEMA } from './location/unmatched-deletes.ts';

/** SQLite tables of a location's (or agency's) Durable Object. Append only. */
export const LOCATION_SCHEMA: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // webhookId dedupe, kept well past GHL's retry span (6 retries ~10 min apart).
  `CREATE TABLE seen_webhooks (webhook_id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)`,
  // Every accepted event, persisted before GHL gets its 200.
  `CREATE TABLE inbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     webhook_id TEXT NOT NULL,
     type TEXT NOT NULL,
     object_id TEXT,
     contact_id TEXT,
     body TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'new',
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL DEFAULT 0,
     last_error TEXT
   )`,
  `CREATE INDEX inbox_due ON inbox (state, next_attempt_at)`,
  // The location's sync log: one row per unit of sync work, updated as it moves on.
  `CREATE TABLE sync_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     trigger TEXT NOT NULL,
     action TEXT NOT NULL,
     object_kind TEXT NOT NULL,
     object_id TEXT,
     contact_id TEXT,
     connection_id TEXT,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     error TEXT,
     detail TEXT,
     work_key TEXT
   )`,
  `CREATE INDEX sync_log_status ON sync_log (status, id)`,
  `CREATE INDEX sync_log_contact ON sync_log (contact_id, id)`,
  `CREATE UNIQUE INDEX sync_log_work ON sync_log (work_key)`,
  // ---- panel (timeline): index of contacts seen through search, reads and Contact* events ----
  `CREATE TABLE contacts (id TEXT PRIMARY KEY, body TEXT NOT NULL, date_updated TEXT, seen_at INTEGER NOT NULL)`,
  // ---- sync engine: email/phone index and contact ID map for matching partner changes ----
  ...MATCHING_SCHEMA,
  // Pruning of the contact index drops the least recently written first.
  `CREATE INDEX contacts_seen ON contacts (seen_at)`,
  // ---- panel creates under an Idempotency-Key: one GHL create per key (location/idempotent-creates.ts) ----
  `CREATE TABLE idempotent_creates (
     key TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     state TEXT NOT NULL,
     sent_at INTEGER NOT NULL,
     settle_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     object_id TEXT,
     result TEXT
   )`,
  `CREATE INDEX idempotent_creates_expiry ON idempotent_creates (expires_at)`,
  `CREATE INDEX idempotent_creates_object ON idempotent_creates (object_id)`,
  // What a sync log row is about ("Consultation"), for rows people can read.
  `ALTER TABLE sync_log ADD COLUMN subject TEXT`,
  `ALTER TABLE sync_log ADD COLUMN contact_name TEXT`,
  // The GHL and partner requests of the row's last tries (sync-log/tries.ts), JSON.
  `ALTER TABLE sync_log ADD COLUMN requests TEXT`,
  // What the row's write changed, field by field (sync-log/diff.ts), JSON.
  `ALTER TABLE sync_log ADD COLUMN diff TEXT`,
  // ---- agency objects: the agency's sub-accounts as GHL lists them (location/agency-directory.ts) ----
  `CREATE TABLE agency_directory (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     address TEXT NOT NULL,
     installed INTEGER NOT NULL,
     installed_at TEXT
   )`,
  // Answers of the agency console's bulk requests by Idempotency-Key (location/agency-requests.ts).
  `CREATE TABLE agency_requests (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, answer TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX sync_log_failed ON sync_log (status, updated_at)`,
  // Partner deletes that matched no GHL contact yet, so the object's late creation stays out.
  ...UNMATCHED_DELETES_SCHEMA,
  // The sync log's pruning by age (sync-log/retention.ts).
  `CREATE INDEX sync_log_updated ON sync_log (updated_at)`,
  // Each connection's health, read with every sync-log page, from the index alone (write.ts).
  `CREATE INDEX sync_log_connection ON sync_log (connection_id, status, updated_at)`,
];
