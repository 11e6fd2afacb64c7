-- Hosts besides GHL's own that may frame the panel (CSP frame-ancestors): a white-label agency's
-- app domain, from its INSTALL webhook (source 'install'), and hosts its admins add (source 'setting').
CREATE TABLE agency_frame_domains (
  company_id  TEXT NOT NULL,
  host        TEXT NOT NULL,                  -- lower-case host name only, checked in code (tenants/frame-domains.ts)
  source      TEXT NOT NULL CHECK (source IN ('install', 'setting')),
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (company_id, source, host)
);
CREATE INDEX agency_frame_domains_recent ON agency_frame_domains (updated_at);
