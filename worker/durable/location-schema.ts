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
];
