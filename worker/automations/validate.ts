import * as v from 'valibot';
import { actionOf, parseActionInput, triggerOf } from './catalog/index.ts';
import { RecipeDefinition } from './model.ts';

export const SCHEDULE_TRIGGER = 'schedule.daily';

/** A recipe as the API takes it: the shape, then every key and input checked against the catalog. */
export const RecipeInput = v.pipe(
  RecipeDefinition,
  v.check((r) => triggerOf(r.trigger) !== undefined, 'trigger: not in the catalog'),
  v.check(
    (r) => (r.trigger === SCHEDULE_TRIGGER) === (r.schedule !== undefined),
    'schedule: a schedule.daily trigger needs a schedule (and only it takes one)',
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const recipe = dataset.value;
    recipe.steps.forEach((step, i) => {
      if (!actionOf(step.action))
        return addIssue({ message: `steps.${i}.action: ${step.action} is not in the catalog` });
      const parsed = parseActionInput(step.action, step.input);
      if (!parsed.ok) addIssue({ message: `steps.${i}.input: ${parsed.message}` });
    });
    for (const t of recipe.stopOn?.triggers ?? [])
      if (!triggerOf(t)) addIssue({ message: `stopOn: ${t} is not in the catalog` });
  }),
);
