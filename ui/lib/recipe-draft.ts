/**
 * The recipe editor's state (pure): what "stop when" can name, a step's delay inputs (a task's
 * due time), and the problems that keep a draft from being saved, each in words.
 */
import {
  describeDelay,
  type Catalog,
  type Delay,
  type Operation,
  type RecipeDefinition,
  type Step,
} from './automations.ts';

const MAX_MINUTES = 60 * 24 * 366;
const MAX_STOP_TRIGGERS = 5;

export interface Problem {
  /** Where: `stopOn`, `steps.1.delay`, `steps.0.input.due`. */
  field: string;
  message: string;
}

/** Does the trigger's occurrence name an appointment (its sample carries one)? */
export const namesAppointment = (trigger: Operation | undefined) =>
  Boolean((trigger?.sample as { appointment?: unknown } | null)?.appointment);

/** Triggers a recipe can be stopped by: other triggers about an appointment. */
export function stopCandidates(catalog: Catalog, trigger: string): Operation[] {
  return catalog.triggers.filter((t) => t.key !== trigger && namesAppointment(t));
}

/** The draft with a stop trigger turned on or off (no triggers left: no stop at all). */
export function toggleStop(def: RecipeDefinition, key: string, on: boolean): RecipeDefinition {
  const current = def.stopOn?.triggers ?? [];
  const triggers = on ? [...new Set([...current, key])] : current.filter((t) => t !== key);
  const { stopOn: _old, ...rest } = def;
  return triggers.length
    ? { ...rest, stopOn: { closeTasks: def.stopOn?.closeTasks ?? true, triggers } }
    : rest;
}

export function setCloseTasks(def: RecipeDefinition, closeTasks: boolean): RecipeDefinition {
  return def.stopOn ? { ...def, stopOn: { ...def.stopOn, closeTasks } } : def;
}

/** A step's delay input (e.g. a task's `due`) set, or cleared back to the action's default. */
export function setDelayInput(step: Step, field: string, delay: Delay | undefined): Step {
  const { [field]: _old, ...input } = step.input;
  return { ...step, input: delay ? { ...input, [field]: delay } : input };
}

const relative = (d: Delay) => d.type === 'before_appointment' || d.type === 'after_appointment';

function delayProblem(d: Delay, where: string, aboutAppointment: boolean, what: string): string | null {
  if (d.type === 'now') return null;
  if (d.type === 'next_business_day') {
    return Number.isInteger(d.hour) && d.hour >= 0 && d.hour <= 23
      ? null
      : `${where}: ${what} needs an hour from 0 to 23.`;
  }
  if (!Number.isInteger(d.minutes) || d.minutes < 0 || d.minutes > MAX_MINUTES)
    return `${where}: ${what} needs a whole number of minutes from 0 to ${MAX_MINUTES}.`;
  if (d.type === 'after' && d.minutes === 0)
    return `${where}: ${what} "after 0 minutes" is "at once": choose that.`;
  if (relative(d) && !aboutAppointment)
    return `${where}: ${what} "${describeDelay(d)}" needs a trigger about an appointment.`;
  return null;
}

/** Why the draft cannot be saved as it is; empty when it can. */
export function recipeProblems(def: RecipeDefinition, catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  const trigger = catalog.triggers.find((t) => t.key === def.trigger);
  const aboutAppointment = namesAppointment(trigger);
  const stops = def.stopOn?.triggers ?? [];
  if (stops.length && !aboutAppointment)
    problems.push({
      field: 'stopOn',
      message: `"Stop when" needs a trigger about an appointment; "${trigger?.label ?? def.trigger}" names none.`,
    });
  if (stops.length > MAX_STOP_TRIGGERS)
    problems.push({ field: 'stopOn', message: `"Stop when" takes at most ${MAX_STOP_TRIGGERS} triggers.` });
  for (const key of stops)
    if (!namesAppointment(catalog.triggers.find((t) => t.key === key)))
      problems.push({ field: 'stopOn', message: `"Stop when" cannot use ${key}: it names no appointment.` });
  def.steps.forEach((step, i) => {
    const where = `Step ${i + 1}`;
    const timing = delayProblem(step.delay, where, aboutAppointment, 'its timing');
    if (timing) problems.push({ field: `steps.${i}.delay`, message: timing });
    const op = catalog.actions.find((a) => a.key === step.action);
    for (const f of op?.fields ?? []) {
      const value = step.input[f.name] as Delay | undefined;
      if (f.type !== 'delay' || !value) continue;
      const due = delayProblem(
        value,
        where,
        aboutAppointment,
        `its ${f.name === 'due' ? 'due time' : f.name}`,
      );
      if (due) problems.push({ field: `steps.${i}.input.${f.name}`, message: due });
    }
  });
  return problems;
}
