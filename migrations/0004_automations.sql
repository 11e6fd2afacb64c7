-- Automations: recipes per location, their run history, the per-contact daily cap, and the
-- GHL workflow-builder subscriptions to our triggers. Numbered 0004: 0003 is reserved.
CREATE TABLE automation_recipes (
  id          TEXT PRIMARY KEY,
  location_id TEXT NOT NULL,
  template    TEXT,                          -- template id it was made from, if any
  enabled     INTEGER NOT NULL DEFAULT 0,
  definition  TEXT NOT NULL,                 -- JSON: RecipeDefinition (worker/automations/model.ts)
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT
);
CREATE INDEX automation_recipes_location ON automation_recipes (location_id, enabled);

-- One row per step outcome (done, failed, skipped by a condition or a guard, cancelled).
CREATE TABLE automation_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  location_id TEXT NOT NULL,
  recipe_id   TEXT NOT NULL,
  contact_id  TEXT NOT NULL,
  trigger     TEXT NOT NULL,
  trigger_key TEXT NOT NULL,
  step        INTEGER NOT NULL,
  action      TEXT NOT NULL,
  status      TEXT NOT NULL,
  detail      TEXT,                          -- JSON: the action's answer or why it did not run
  test        INTEGER NOT NULL DEFAULT 0,
  at          INTEGER NOT NULL
);
CREATE INDEX automation_runs_recipe ON automation_runs (location_id, recipe_id, at);
CREATE INDEX automation_runs_contact ON automation_runs (location_id, contact_id, at);

CREATE TABLE automation_settings (
  location_id TEXT PRIMARY KEY,
  daily_cap   INTEGER NOT NULL,              -- actions per contact per UTC day, all recipes together
  updated_at  INTEGER NOT NULL
);

-- GHL workflows using one of our triggers: where to fire it (GHL's targetUrl), per workflow trigger.
CREATE TABLE workflow_trigger_subscriptions (
  id          TEXT PRIMARY KEY,              -- GHL's triggerData.id
  location_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  trigger_key TEXT NOT NULL,
  target_url  TEXT NOT NULL,
  filters     TEXT NOT NULL DEFAULT '[]',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX workflow_trigger_subscriptions_location ON workflow_trigger_subscriptions (location_id, trigger_key);

-- The last day (UTC, YYYY-MM-DD) each daily recipe ran; claimed by compare-and-set, so two
-- overlapping cron runs cannot both run it.
CREATE TABLE automation_schedule_runs (
  recipe_id   TEXT PRIMARY KEY,
  location_id TEXT NOT NULL,
  last_day    TEXT NOT NULL,
  contacts    INTEGER NOT NULL DEFAULT 0,
  at          INTEGER NOT NULL
);
