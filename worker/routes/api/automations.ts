import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { isAdmin, type SessionEnv } from '../../auth/session.ts';
import { forgetEnabledSet } from '../../automations/recipes-cache.ts';
import {
  createRecipe,
  dailyCap,
  deleteRecipe,
  getRecipe,
  listRecipes,
  listRuns,
  setDailyCap,
  updateRecipe,
} from '../../automations/store.ts';
import { templateOf, TEMPLATES } from '../../automations/templates.ts';
import { RecipeInput } from '../../automations/validate.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { GhlId, jsonBody, notEmpty, paramsOf, queryOf } from './validate.ts';

/** Only sub-account admins change automations (like settings); checked before any validation. */
export const adminOnly = createMiddleware<SessionEnv>(async (c, next) => {
  if (!isAdmin(c.var.session)) throw forbidden('Only sub-account admins can change automations.');
  await next();
});

const RecipeId = v.object({ id: v.pipe(v.string(), v.regex(/^rcp_[a-f0-9]{20}$/, 'must be a recipe id')) });
const TemplateId = v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,60}$/, 'must be a template id')),
});
const NewRecipe = v.intersect([RecipeInput, v.object({ enabled: v.optional(v.boolean(), false) })]);
const RecipeChange = v.pipe(
  v.object({ definition: v.optional(RecipeInput), enabled: v.optional(v.boolean()) }),
  v.check(notEmpty, 'send a definition or enabled'),
);
const RunsQuery = v.object({
  recipeId: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^(rcp_[a-f0-9]{20}|manual|workflow)$/, 'must be a recipe id, manual or workflow'),
    ),
  ),
  contactId: v.optional(GhlId),
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,12}$/, 'must be a run id'), v.transform(Number))),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'must be a number'),
      v.transform(Number),
      v.minValue(1),
      v.maxValue(200),
    ),
  ),
});
const CapChange = v.object({ dailyCap: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)) });

/** `/api/automations`: templates, recipes and their run history for the session's location. */
export const automationRoutes = new Hono<SessionEnv>();

automationRoutes.get('/', async (c) => {
  const { locationId } = c.var.session;
  const [recipes, cap] = await Promise.all([
    listRecipes(c.env.DB, locationId),
    dailyCap(c.env.DB, locationId),
  ]);
  const templates = TEMPLATES.map((t) => ({
    id: t.id,
    ...t.definition,
    recipeId: recipes.find((r) => r.template === t.id)?.id ?? null,
  }));
  return c.json({ recipes, templates, dailyCap: cap, canEdit: isAdmin(c.var.session) });
});

/** One click: the template becomes an enabled recipe (or its recipe is switched on again). */
automationRoutes.post('/templates/:id/enable', adminOnly, paramsOf(TemplateId), async (c) => {
  const { locationId, userId } = c.var.session;
  const template = templateOf(c.req.valid('param').id);
  if (!template) throw notFound('Template');
  const existing = (await listRecipes(c.env.DB, locationId)).find((r) => r.template === template.id);
  forgetEnabledSet(locationId);
  if (existing)
    return c.json({
      recipe: await updateRecipe(c.env.DB, locationId, existing.id, { enabled: true }, userId),
    });
  const recipe = await createRecipe(c.env.DB, locationId, template.definition, {
    enabled: true,
    template: template.id,
    userId,
  });
  return c.json({ recipe }, 201);
});

automationRoutes.post('/recipes', adminOnly, jsonBody(NewRecipe), async (c) => {
  const { locationId, userId } = c.var.session;
  const { enabled, ...definition } = c.req.valid('json');
  const recipe = await createRecipe(c.env.DB, locationId, definition, { enabled, userId });
  forgetEnabledSet(locationId);
  return c.json({ recipe }, 201);
});

automationRoutes.get('/recipes/:id', paramsOf(RecipeId), async (c) => {
  const recipe = await getRecipe(c.env.DB, c.var.session.locationId, c.req.valid('param').id);
  if (!recipe) throw notFound('Recipe');
  return c.json({ recipe });
});

automationRoutes.put('/recipes/:id', adminOnly, paramsOf(RecipeId), jsonBody(RecipeChange), async (c) => {
  const { locationId, userId } = c.var.session;
  const recipe = await updateRecipe(
    c.env.DB,
    locationId,
    c.req.valid('param').id,
    c.req.valid('json'),
    userId,
  );
  if (!recipe) throw notFound('Recipe');
  forgetEnabledSet(locationId);
  return c.json({ recipe });
});

automationRoutes.delete('/recipes/:id', adminOnly, paramsOf(RecipeId), async (c) => {
  const { locationId } = c.var.session;
  const { id } = c.req.valid('param');
  if (!(await deleteRecipe(c.env.DB, locationId, id))) throw notFound('Recipe');
  forgetEnabledSet(locationId);
  return c.json({ ok: true, id });
});

automationRoutes.get('/runs', queryOf(RunsQuery), async (c) => {
  const { recipeId, contactId, before, limit = 50 } = c.req.valid('query');
  const runs = await listRuns(c.env.DB, c.var.session.locationId, { recipeId, contactId, before, limit });
  return c.json({ runs, next: runs.length === limit ? String(runs[runs.length - 1]!.id) : null });
});

automationRoutes.put('/settings', adminOnly, jsonBody(CapChange), async (c) => {
  const { locationId } = c.var.session;
  const { dailyCap: cap } = c.req.valid('json');
  if (!Number.isFinite(cap)) throw new AppError(422, 'invalid_input', 'dailyCap must be a number');
  await setDailyCap(c.env.DB, locationId, cap);
  forgetEnabledSet(locationId);
  return c.json({ dailyCap: cap });
});
