import * as v from 'valibot';
import { RecipeDefinition, type Recipe } from './model.ts';

/** Recipes, run history and the daily cap of a location (D1). Every query is scoped to one location. */

export const DEFAULT_DAILY_CAP = 50;

interface RecipeRow {
  id: string;
  location_id: string;
  template: string | null;
  enabled: number;
  definition: string;
  updated_at: number;
  updated_by: string | null;
}

function toRecipe(row: RecipeRow): Recipe | null {
  const parsed = v.safeParse(RecipeDefinition, JSON.parse(row.definition));
  // A stored definition that no longer parses is left out, never run half-understood.
  if (!parsed.success) return null;
  return {
    ...parsed.output,
    id: row.id,
    locationId: row.location_id,
    enabled: row.enabled === 1,
    template: row.template,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export async function listRecipes(
  db: D1Database,
  locationId: string,
  onlyEnabled = false,
): Promise<Recipe[]> {
  const sql = `SELECT * FROM automation_recipes WHERE location_id = ?${onlyEnabled ? ' AND enabled = 1' : ''} ORDER BY created_at, id`;
  const { results } = await db.prepare(sql).bind(locationId).all<RecipeRow>();
  return results.map(toRecipe).filter((r): r is Recipe => r !== null);
}

export async function getRecipe(db: D1Database, locationId: string, id: string): Promise<Recipe | null> {
  const row = await db
    .prepare('SELECT * FROM automation_recipes WHERE location_id = ? AND id = ?')
    .bind(locationId, id)
    .first<RecipeRow>();
  return row ? toRecipe(row) : null;
}

export async function createRecipe(
  db: D1Database,
  locationId: string,
  definition: RecipeDefinition,
  opts: { enabled: boolean; template?: string | null; userId: string },
  now = Date.now(),
): Promise<Recipe> {
  const id = `rcp_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
  await db
    .prepare(
      'INSERT INTO automation_recipes (id, location_id, template, enabled, definition, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .bind(
      id,
      locationId,
      opts.template ?? null,
      opts.enabled ? 1 : 0,
      JSON.stringify(definition),
      now,
      now,
      opts.userId,
    )
    .run();
  return (await getRecipe(db, locationId, id))!;
}

export async function updateRecipe(
  db: D1Database,
  locationId: string,
  id: string,
  change: { definition?: RecipeDefinition; enabled?: boolean },
  userId: string,
  now = Date.now(),
): Promise<Recipe | null> {
  const current = await getRecipe(db, locationId, id);
  if (!current) return null;
  const {
    id: _i,
    locationId: _l,
    enabled,
    template: _t,
    updatedAt: _u,
    updatedBy: _b,
    ...definition
  } = current;
  await db
    .prepare(
      'UPDATE automation_recipes SET definition = ?, enabled = ?, updated_at = ?, updated_by = ? WHERE location_id = ? AND id = ?',
    )
    .bind(
      JSON.stringify(change.definition ?? definition),
      (change.enabled ?? enabled) ? 1 : 0,
      now,
      userId,
      locationId,
      id,
    )
    .run();
  return getRecipe(db, locationId, id);
}

export async function deleteRecipe(db: D1Database, locationId: string, id: string): Promise<boolean> {
  const result = await db
    .prepare('DELETE FROM automation_recipes WHERE location_id = ? AND id = ?')
    .bind(locationId, id)
    .run();
  return result.meta.changes > 0;
}

export async function dailyCap(db: D1Database, locationId: string): Promise<number> {
  const row = await db
    .prepare('SELECT daily_cap FROM automation_settings WHERE location_id = ?')
    .bind(locationId)
    .first<{ daily_cap: number }>();
  return row?.daily_cap ?? DEFAULT_DAILY_CAP;
}

export async function setDailyCap(
  db: D1Database,
  locationId: string,
  cap: number,
  now = Date.now(),
): Promise<void> {
  await db
    .prepare(
      'INSERT INTO automation_settings (location_id, daily_cap, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (location_id) DO UPDATE SET daily_cap = ?2, updated_at = ?3',
    )
    .bind(locationId, cap, now)
    .run();
}

export interface RunRecord {
  recipeId: string;
  contactId: string;
  trigger: string;
  triggerKey: string;
  step: number;
  action: string;
  status: 'done' | 'failed' | 'skipped' | 'cancelled';
  detail: unknown;
  test?: boolean;
  at: number;
}

export async function recordRun(db: D1Database, locationId: string, run: RunRecord): Promise<void> {
  await db
    .prepare(
      'INSERT INTO automation_runs (location_id, recipe_id, contact_id, trigger, trigger_key, step, action, status, detail, test, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .bind(
      locationId,
      run.recipeId,
      run.contactId,
      run.trigger,
      run.triggerKey,
      run.step,
      run.action,
      run.status,
      JSON.stringify(run.detail ?? null),
      run.test ? 1 : 0,
      run.at,
    )
    .run();
}

interface RunRow {
  id: number;
  recipe_id: string;
  contact_id: string;
  trigger: string;
  trigger_key: string;
  step: number;
  action: string;
  status: string;
  detail: string | null;
  test: number;
  at: number;
}

/** Run history of a location, newest first, optionally of one recipe or one contact. */
export async function listRuns(
  db: D1Database,
  locationId: string,
  filter: { recipeId?: string; contactId?: string; limit: number; before?: number },
) {
  const where = ['location_id = ?'];
  const args: unknown[] = [locationId];
  if (filter.recipeId) (where.push('recipe_id = ?'), args.push(filter.recipeId));
  if (filter.contactId) (where.push('contact_id = ?'), args.push(filter.contactId));
  if (filter.before) (where.push('id < ?'), args.push(filter.before));
  const { results } = await db
    .prepare(`SELECT * FROM automation_runs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
    .bind(...args, filter.limit)
    .all<RunRow>();
  return results.map((r) => ({
    id: r.id,
    recipeId: r.recipe_id,
    contactId: r.contact_id,
    trigger: r.trigger,
    triggerKey: r.trigger_key,
    step: r.step,
    action: r.action,
    status: r.status,
    detail: r.detail ? JSON.parse(r.detail) : null,
    test: r.test === 1,
    at: new Date(r.at).toISOString(),
  }));
}
