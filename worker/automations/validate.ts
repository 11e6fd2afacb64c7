import * as v from 'valibot';
import { actionOf, parseActionInput, triggerOf } from './catalog/index.ts';
import { RecipeDefinition, type Delay } from './model.ts';
import { describeDelay } from './schedule.ts';

export const SCHEDULE_TRIGGER = 'schedule.daily';

/** A trigger whose occurrences name an appointment (its sample carries one). */
const namesAppointment = (key: string) => Boolean(triggerOf(key)?.sample.appointment);

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
    const aboutAppointment = namesAppointment(recipe.trigger);
    // Timed from the appointment, on a trigger that names none, it would silently never be due.
    const timedFromAppointment = (where: string, d: unknown) => {
      const delay = d as Delay | undefined;
      if ((delay?.type === 'before_appointment' || delay?.type === 'after_appointment') && !aboutAppointment)
        addIssue({ message: `${where}: "${describeDelay(delay)}" needs a trigger about an appointment` });
    };
    recipe.steps.forEach((step, i) => {
      if (!actionOf(step.action))
        return addIssue({ message: `steps.${i}.action: ${step.action} is not in the catalog` });
      const parsed = parseActionInput(step.action, step.input);
      if (!parsed.ok) return addIssue({ message: `steps.${i}.input: ${parsed.message}` });
      timedFromAppointment(`steps.${i}.delay`, step.delay);
      for (const field of ['due', 'start'])
        timedFromAppointment(`steps.${i}.input.${field}`, parsed.value[field]);
    });
    for (const t of recipe.stopOn?.triggers ?? []) {
      if (!triggerOf(t)) addIssue({ message: `stopOn: ${t} is not in the catalog` });
      else if (!namesAppointment(t)) addIssue({ message: `stopOn: ${t} names no appointment` });
    }
    if (recipe.stopOn && !aboutAppointment)
      addIssue({ message: `stopOn: needs a trigger about an appointment; ${recipe.trigger} names none` });
  }),
);
