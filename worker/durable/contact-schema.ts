import { SYNC_QUEUE_SCHEMA } from './contact/sync/queue.ts';

/** SQLite tables of a contact's Durable Object (`locationId:contactId`). Append only. */
export const CONTACT_SCHEMA: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // ---- timeline cache: the contact's notes, tasks and appointments as GHL returns them ----
  `CREATE TABLE timeline_items (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     raw TEXT NOT NULL,
     source TEXT NOT NULL DEFAULT 'ghl',
     stale INTEGER NOT NULL DEFAULT 0,
     seq INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   )`,
  // GHL never reuses ids: a deleted object must not come back from an older snapshot or event.
  `CREATE TABLE timeline_tombstones (kind TEXT NOT NULL, id TEXT NOT NULL, deleted_at INTEGER NOT NULL, PRIMARY KEY (kind, id))`,
  // ---- sync engine: the ordered queue of work and the ID map of this contact's objects ----
  ...SYNC_QUEUE_SCHEMA,
];
