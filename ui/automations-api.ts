/** The `/api/automations` and `/api/catalog` calls; they load with the Automations and Catalog chunks. */
import { enc, request } from './api.ts';
import type { AutomationsAnswer, Catalog, Recipe, RecipeDefinition, Run } from './lib/automations.ts';

export const getAutomations = () => request<AutomationsAnswer>('GET', '/api/automations');
export const enableTemplate = (id: string) =>
  request<{ recipe: Recipe }>('POST', `/api/automations/templates/${enc(id)}/enable`).then((r) => r.recipe);
export const createRecipe = (def: RecipeDefinition & { enabled: boolean }) =>
  request<{ recipe: Recipe }>('POST', '/api/automations/recipes', def).then((r) => r.recipe);
export const updateRecipe = (id: string, change: { definition?: RecipeDefinition; enabled?: boolean }) =>
  request<{ recipe: Recipe }>('PUT', `/api/automations/recipes/${enc(id)}`, change).then((r) => r.recipe);
export const deleteRecipe = (id: string) => request<unknown>('DELETE', `/api/automations/recipes/${enc(id)}`);
export const getRuns = (q: { recipeId?: string; contactId?: string }) => {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => Boolean(e[1])));
  return request<{ runs: Run[] }>('GET', `/api/automations/runs?${params}`).then((r) => r.runs);
};
export const getCatalog = () => request<Catalog>('GET', '/api/catalog');
export const runAction = (key: string, contactId: string, input: Record<string, unknown>) =>
  request<{ result: Record<string, unknown> }>('POST', `/api/catalog/actions/${enc(key)}/run`, {
    contactId,
    input,
  }).then((r) => r.result);
export const testTrigger = (key: string, contactId: string) =>
  request<{ scheduled: number }>('POST', `/api/catalog/triggers/${enc(key)}/test`, { contactId });
