/**
 * Daily recipes (`schedule.daily`), run from the worker's cron: once a day after their time
 * (on the location's clock, or the zone the schedule names), each contact with the recipe's tag (or of its business) gets the occurrence in its own
 * object, where the steps run as for any trigger.
 */
import type { GhlApi } from '../ghl/api.ts';
import { LocationGhlApi } from './ghl-api.ts';
import { locationZone } from './location-zone.ts';
import { contactStub } from './stubs.ts';
import type { GhlContact } from '../ghl/types.ts';
import { getInstall } from '../tenants/installs.ts';
import { listRecipes } from '../automations/store.ts';
import type { Recipe } from '../automations/model.ts';
import { scheduleDue } from '../automations/schedule.ts';
import { SCHEDULE_TRIGGER } from '../automations/validate.ts';

const MAX_CONTACTS = 500;

async function claim(db: D1Database, recipe: Recipe, day: string, now: number): Promise<boolean> {
  const res = await db
    .prepare(
      `INSERT INTO automation_schedule_runs (recipe_id, location_id, last_day, at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (recipe_id) DO UPDATE SET last_day = ?3, at = ?4 WHERE automation_schedule_runs.last_day < ?3`,
    )
    .bind(recipe.id, recipe.locationId, day, now)
    .run();
  return res.meta.changes > 0;
}

async function contactsOf(ghl: GhlApi, recipe: Recipe): Promise<GhlContact[]> {
  const s = recipe.schedule!;
  if (s.businessId) {
    const res = await ghl.call<{ contacts: GhlContact[] }>({
      method: 'GET',
      path: `/contacts/business/${encodeURIComponent(s.businessId)}`,
      query: { locationId: ghl.locationId, limit: String(MAX_CONTACTS) },
      version: '2021-07-28',
    });
    return res.contacts;
  }
  const res = await ghl.searchContacts({
    pageLimit: MAX_CONTACTS,
    filters: [{ field: 'tags', operator: 'eq', value: s.tag }],
  });
  return res.contacts;
}

/** Runs every due daily recipe of every location that has one. Returns how many contacts got it. */
export async function runSchedules(env: Env, now = Date.now()): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT DISTINCT location_id FROM automation_recipes WHERE enabled = 1 AND definition LIKE '%"trigger":"${SCHEDULE_TRIGGER}"%'`,
  ).all<{ location_id: string }>();
  let handed = 0;
  for (const { location_id: locationId } of results) {
    if ((await getInstall(env.DB, locationId))?.status !== 'active') continue;
    const recipes = (await listRecipes(env.DB, locationId, true)).filter(
      (r) => r.trigger === SCHEDULE_TRIGGER,
    );
    const ghl = new LocationGhlApi(env, locationId, 'background');
    // Read only when a schedule names no zone of its own (cached an hour per isolate).
    const zone = recipes.some((r) => !r.schedule?.timeZone) ? await locationZone(ghl, locationId) : 'UTC';
    for (const recipe of recipes) {
      const last = await env.DB.prepare('SELECT last_day FROM automation_schedule_runs WHERE recipe_id = ?')
        .bind(recipe.id)
        .first<{ last_day: string }>();
      const day = scheduleDue(recipe, last?.last_day ?? null, now, zone);
      if (!day || !(await claim(env.DB, recipe, day, now))) continue;
      const contacts = (await contactsOf(ghl, recipe)).filter(
        (c) => c.id && (c.locationId ?? locationId) === locationId,
      );
      for (const c of contacts) {
        await contactStub(env, locationId, c.id).automationScheduled(
          `${locationId}:${c.id}`,
          recipe.id,
          day,
          c,
        );
        handed++;
      }
      await env.DB.prepare('UPDATE automation_schedule_runs SET contacts = ? WHERE recipe_id = ?')
        .bind(contacts.length, recipe.id)
        .run();
    }
  }
  return handed;
}
