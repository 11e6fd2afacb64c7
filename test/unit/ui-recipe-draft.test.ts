import { describe, expect, it } from 'vitest';
import { catalogView } from '../../worker/automations/catalog/index.ts';
import type { Catalog, RecipeDefinition } from '../../ui/lib/automations.ts';
import {
  recipeProblems,
  setCloseTasks,
  setDelayInput,
  stopCandidates,
  toggleStop,
} from '../../ui/lib/recipe-draft.ts';

// The catalog exactly as GET /api/catalog answers it.
const catalog = catalogView() as unknown as Catalog;

const booking: RecipeDefinition = {
  name: 'Prep',
  trigger: 'ghl.appointment.booked',
  conditions: [],
  steps: [{ action: 'ghl.task.create', input: { title: 'Prepare' }, delay: { type: 'now' }, when: [] }],
};

describe('recipe editor state', () => {
  it('"stop when" offers the other appointment triggers and toggles them, dropping an empty stop', () => {
    const keys = stopCandidates(catalog, 'ghl.appointment.booked').map((t) => t.key);
    expect(keys).toContain('ghl.appointment.cancelled');
    expect(keys).toContain('partner.booking.cancelled');
    expect(keys).not.toContain('ghl.appointment.booked');
    expect(keys).not.toContain('ghl.contact.tag_added');
    expect(stopCandidates(catalog, 'ghl.contact.tag_added').map((t) => t.key)).toContain(
      'ghl.appointment.cancelled',
    );

    const stopped = toggleStop(booking, 'ghl.appointment.cancelled', true);
    expect(stopped.stopOn).toEqual({ triggers: ['ghl.appointment.cancelled'], closeTasks: true });
    expect(toggleStop(stopped, 'ghl.appointment.cancelled', true).stopOn!.triggers).toHaveLength(1);
    expect(setCloseTasks(stopped, false).stopOn).toEqual({
      triggers: ['ghl.appointment.cancelled'],
      closeTasks: false,
    });
    expect(toggleStop(stopped, 'ghl.appointment.cancelled', false)).toEqual(booking);
    expect(recipeProblems(stopped, catalog)).toEqual([]);
  });

  it("a task's due delay is set, cleared back to the default, and checked", () => {
    const step = booking.steps[0]!;
    const due = setDelayInput(step, 'due', { type: 'before_appointment', minutes: 60 });
    expect(due.input).toEqual({ title: 'Prepare', due: { type: 'before_appointment', minutes: 60 } });
    expect(setDelayInput(due, 'due', undefined).input).toEqual({ title: 'Prepare' });
    expect(recipeProblems({ ...booking, steps: [due] }, catalog)).toEqual([]);
  });

  it('says, in words, what keeps a draft from being saved', () => {
    const onTag: RecipeDefinition = { ...booking, trigger: 'ghl.contact.tag_added' };
    const dueBefore = setDelayInput(booking.steps[0]!, 'due', { type: 'before_appointment', minutes: 60 });
    expect(recipeProblems({ ...onTag, steps: [dueBefore] }, catalog)).toEqual([
      {
        field: 'steps.0.input.due',
        message: 'Step 1: its due time "60 min before the appointment" needs a trigger about an appointment.',
      },
    ]);
    expect(recipeProblems(toggleStop(onTag, 'ghl.appointment.cancelled', true), catalog)).toEqual([
      {
        field: 'stopOn',
        message: '"Stop when" needs a trigger about an appointment; "Tag added" names none.',
      },
    ]);
    const emptyNumber = setDelayInput(booking.steps[0]!, 'due', { type: 'after', minutes: Number.NaN });
    expect(recipeProblems({ ...booking, steps: [emptyNumber] }, catalog)[0]!.message).toBe(
      'Step 1: its due time needs a whole number of minutes from 0 to 527040.',
    );
    const badHour = { ...booking.steps[0]!, delay: { type: 'next_business_day' as const, hour: Number.NaN } };
    expect(recipeProblems({ ...booking, steps: [badHour] }, catalog)).toEqual([
      { field: 'steps.0.delay', message: 'Step 1: its timing needs an hour from 0 to 23.' },
    ]);
  });
});
