/**
 * The automations' own SQLite tables in a contact's object, versioned apart from the object's
 * other tables (their list belongs to the sync engine). Append only.
 */
import { WORKFLOW_RUNS_SCHEMA } from './workflow-runs.ts';

export const AUTOMATION_SCHEMA: readonly string[] = [
  // One row per scheduled step of a recipe run; (recipe, trigger occurrence, step) runs once.
  `CREATE TABLE auto_steps (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     recipe_id TEXT NOT NULL,
     trigger_key TEXT NOT NULL,
     step INTEGER NOT NULL,
     trigger TEXT NOT NULL,
     subject TEXT,
     data TEXT NOT NULL,
     action TEXT NOT NULL,
     input TEXT NOT NULL,
     when_json TEXT NOT NULL DEFAULT '[]',
     delay TEXT,
     due_at INTEGER NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     result TEXT,
     error TEXT,
     test INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     UNIQUE (recipe_id, trigger_key, step)
   )`,
  `CREATE INDEX auto_steps_due ON auto_steps (state, due_at)`,
  `CREATE INDEX auto_steps_subject ON auto_steps (recipe_id, subject)`,
  // Objects a recipe wrote (`task:<id>`, `tag:<name>`): events about them carry that origin.
  `CREATE TABLE auto_writes (object TEXT PRIMARY KEY, recipe_id TEXT NOT NULL, at INTEGER NOT NULL)`,
  // Small per-contact memory: the tags last seen, partner bookings seen (start time).
  `CREATE TABLE auto_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE INDEX auto_steps_waiting_subject ON auto_steps (subject, state)`,
  // When the step first ran: its writes are computed from it (a due date "in one day"), so a
  // run again after a lost answer writes the same content under the same key.
  `ALTER TABLE auto_steps ADD COLUMN started_at INTEGER`,
  // GHL workflow action calls by execution step: a call GHL makes again answers the first's result.
  WORKFLOW_RUNS_SCHEMA,
];

/** Applies AUTOMATION_SCHEMA with its own version counter. */
export function applyAutomationSchema(sql: SqlStorage): void {
  sql.exec('CREATE TABLE IF NOT EXISTS _automation_schema (version INTEGER NOT NULL)');
  const row = sql.exec<{ version: number }>('SELECT version FROM _automation_schema').toArray()[0];
  const done = row?.version ?? 0;
  for (let i = done; i < AUTOMATION_SCHEMA.length; i++) sql.exec(AUTOMATION_SCHEMA[i]!);
  if (!row) sql.exec('INSERT INTO _automation_schema (version) VALUES (?)', AUTOMATION_SCHEMA.length);
  else if (done !== AUTOMATION_SCHEMA.length)
    sql.exec('UPDATE _automation_schema SET version = ?', AUTOMATION_SCHEMA.length);
}
