-- Installs of the app: one row per agency (company) and per sub-account (location).
CREATE TABLE installs (
  resource_id   TEXT PRIMARY KEY,            -- companyId or locationId
  kind          TEXT NOT NULL CHECK (kind IN ('company', 'location')),
  company_id    TEXT,
  name          TEXT,
  status        TEXT NOT NULL CHECK (status IN ('active', 'pending', 'reconnect_needed', 'uninstalled')),
  install_kind  TEXT,                        -- 'location' (sub-account install) or 'agency' (bulk)
  last_error    TEXT,
  installed_at  INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX installs_company ON installs (company_id);

-- OAuth token pairs, sealed with AES-GCM (TOKEN_ENCRYPTION_KEY); never stored in plaintext.
CREATE TABLE tokens (
  resource_id   TEXT PRIMARY KEY REFERENCES installs (resource_id) ON DELETE CASCADE,
  sealed        TEXT NOT NULL,
  expires_at    INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL
);

-- Per-location settings (toggles, directions, conflict policy, dry run, field mapping).
CREATE TABLE location_settings (
  location_id   TEXT PRIMARY KEY,
  settings      TEXT NOT NULL,
  updated_by    TEXT,
  updated_at    INTEGER NOT NULL
);

-- Agency-level defaults for the same settings.
CREATE TABLE agency_settings (
  company_id    TEXT PRIMARY KEY,
  settings      TEXT NOT NULL,
  updated_by    TEXT,
  updated_at    INTEGER NOT NULL
);
