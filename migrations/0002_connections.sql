-- Partner connections (docs/CONTRACT.md §6): one row per connection, each owned by one location.
-- `kind` is checked in code (worker/connectors/registry.ts) so a new partner needs no migration.
CREATE TABLE connections (
  id                  TEXT PRIMARY KEY,          -- unguessable; also the inbound webhook path segment
  location_id         TEXT NOT NULL,
  kind                TEXT NOT NULL,             -- calcom | appointlet | yourapp
  name                TEXT NOT NULL,
  sealed_credentials  TEXT,                      -- AES-GCM (TOKEN_ENCRYPTION_KEY), bound to the id; never plaintext
  inbound_secret_hash TEXT,                      -- hex SHA-256 of the inbound URL key (partners that cannot sign)
  settings            TEXT NOT NULL DEFAULT '{}',-- JSON: field map overrides, partner cursor, partner options
  status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'error')),
  last_event_at       INTEGER,
  last_error          TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX connections_location ON connections (location_id, created_at);
