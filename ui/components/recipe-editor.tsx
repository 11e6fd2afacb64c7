import { useState } from 'preact/hooks';
import {
  blankCondition,
  CONDITION_TYPES,
  type Catalog,
  type Condition,
  type RecipeDefinition,
} from '../lib/automations.ts';
import { useUniqueId } from '../lib/hooks.ts';
import { recipeProblems, setCloseTasks, stopCandidates, toggleStop } from '../lib/recipe-draft.ts';
import { FormError } from './form-error.tsx';
import { StepRow } from './recipe-step.tsx';

interface Props {
  catalog: Catalog;
  initial: RecipeDefinition;
  saving: boolean;
  onSave: (def: RecipeDefinition) => void;
  onCancel: () => void;
}

const replace = <T,>(list: T[], i: number, item: T) => list.map((x, j) => (j === i ? item : x));

/** Edits a recipe: trigger, conditions, and steps (action, its inputs, its delay). */
export function RecipeEditor({ catalog, initial, saving, onSave, onCancel }: Props) {
  const [draft, setDraft] = useState<RecipeDefinition>(initial);
  const [problem, setProblem] = useState('');
  const id = useUniqueId();
  const set = (patch: Partial<RecipeDefinition>) => setDraft({ ...draft, ...patch });
  const stops = stopCandidates(catalog, draft.trigger);
  const submit = (e: Event) => {
    e.preventDefault();
    const problems = recipeProblems(draft, catalog);
    setProblem(problems.map((p) => p.message).join(' '));
    if (problems.length) return;
    // Only a daily recipe takes a schedule.
    const { schedule, ...rest } = draft;
    onSave(draft.trigger === 'schedule.daily' ? { ...rest, schedule: schedule ?? { hour: 6 } } : rest);
  };
  return (
    <form class="card form recipe-editor" onSubmit={submit} data-testid="recipe-editor" aria-label="Recipe">
      <div class="form-row">
        <label class="field" for={`${id}-name`}>
          <span>Name</span>
          <input
            id={`${id}-name`}
            class="input"
            required
            maxLength={120}
            value={draft.name}
            onInput={(e) => set({ name: e.currentTarget.value })}
            data-testid="recipe-name"
          />
        </label>
        <label class="field" for={`${id}-trigger`}>
          <span>When</span>
          <select
            id={`${id}-trigger`}
            class="input"
            value={draft.trigger}
            onChange={(e) => set({ trigger: e.currentTarget.value })}
            data-testid="recipe-trigger"
          >
            {catalog.triggers.map((t) => (
              <option value={t.key} key={t.key}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {draft.trigger === 'schedule.daily' && (
        <fieldset class="recipe-part" data-testid="recipe-schedule">
          <legend>Every day</legend>
          <div class="recipe-row">
            <label class="field">
              <span>Hour (local)</span>
              <input
                type="number"
                min={0}
                max={23}
                class="input input-sm"
                required
                value={draft.schedule?.hour ?? 6}
                onInput={(e) => set({ schedule: { ...draft.schedule, hour: Number(e.currentTarget.value) } })}
              />
            </label>
            <label class="field">
              <span>Contacts with the tag</span>
              <input
                class="input input-sm"
                value={draft.schedule?.tag ?? ''}
                onInput={(e) =>
                  set({
                    schedule: { hour: draft.schedule?.hour ?? 6, tag: e.currentTarget.value || undefined },
                  })
                }
              />
            </label>
            <label class="field">
              <span>or of the business (id)</span>
              <input
                class="input input-sm"
                value={draft.schedule?.businessId ?? ''}
                onInput={(e) =>
                  set({
                    schedule: {
                      hour: draft.schedule?.hour ?? 6,
                      businessId: e.currentTarget.value || undefined,
                    },
                  })
                }
              />
            </label>
          </div>
        </fieldset>
      )}
      <fieldset class="recipe-part">
        <legend>Only if</legend>
        {draft.conditions.map((c, i) => (
          <ConditionRow
            key={i}
            condition={c}
            onChange={(n) => set({ conditions: replace(draft.conditions, i, n) })}
            onRemove={() => set({ conditions: draft.conditions.filter((_, j) => j !== i) })}
          />
        ))}
        <button
          type="button"
          class="btn btn-sm"
          onClick={() => set({ conditions: [...draft.conditions, blankCondition('tag')] })}
          data-testid="add-condition"
        >
          Add condition
        </button>
      </fieldset>
      <fieldset class="recipe-part">
        <legend>Then</legend>
        {draft.steps.map((s, i) => (
          <StepRow
            key={i}
            index={i}
            step={s}
            catalog={catalog}
            onChange={(n) => set({ steps: replace(draft.steps, i, n) })}
            onRemove={
              draft.steps.length > 1 ? () => set({ steps: draft.steps.filter((_, j) => j !== i) }) : undefined
            }
          />
        ))}
        <button
          type="button"
          class="btn btn-sm"
          onClick={() =>
            set({
              steps: [
                ...draft.steps,
                { action: catalog.actions[0]!.key, input: {}, delay: { type: 'now' }, when: [] },
              ],
            })
          }
          data-testid="add-step"
        >
          Add step
        </button>
      </fieldset>
      {(draft.stopOn || stops.length > 0) && (
        <fieldset class="recipe-part" data-testid="recipe-stop">
          <legend>Stop when (for the same appointment)</legend>
          <div class="recipe-row">
            {(stops.length
              ? stops
              : catalog.triggers.filter((t) => draft.stopOn?.triggers.includes(t.key))
            ).map((t) => (
              <label class="field-check" key={t.key}>
                <input
                  type="checkbox"
                  checked={draft.stopOn?.triggers.includes(t.key) ?? false}
                  onChange={(e) => setDraft(toggleStop(draft, t.key, e.currentTarget.checked))}
                  data-testid={`stop-${t.key}`}
                />
                <span>{t.label}</span>
              </label>
            ))}
          </div>
          {draft.stopOn && (
            <label class="field-check">
              <input
                type="checkbox"
                checked={draft.stopOn.closeTasks !== false}
                onChange={(e) => setDraft(setCloseTasks(draft, e.currentTarget.checked))}
                data-testid="stop-close-tasks"
              />
              <span>Also complete the tasks this recipe added for it</span>
            </label>
          )}
        </fieldset>
      )}
      <FormError message={problem} />
      <div class="form-actions">
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={saving} data-testid="recipe-save">
          {saving ? 'Saving…' : 'Save recipe'}
        </button>
      </div>
    </form>
  );
}

function ConditionRow({
  condition: c,
  onChange,
  onRemove,
}: {
  condition: Condition;
  onChange: (c: Condition) => void;
  onRemove: () => void;
}) {
  const text = (value: string, label: string, apply: (v: string) => Condition) => (
    <input
      class="input input-sm"
      aria-label={label}
      value={value}
      onInput={(e) => onChange(apply(e.currentTarget.value))}
    />
  );
  return (
    <div class="recipe-row" data-testid="condition-row">
      <select
        class="input input-sm"
        aria-label="Condition"
        value={c.type}
        onChange={(e) => onChange(blankCondition(e.currentTarget.value as Condition['type']))}
      >
        {CONDITION_TYPES.map((t) => (
          <option value={t} key={t}>
            {t.replace('_', ' ')}
          </option>
        ))}
      </select>
      {c.type === 'tag' && (
        <>
          <select
            class="input input-sm"
            aria-label="Has or lacks"
            value={c.op}
            onChange={(e) => onChange({ ...c, op: e.currentTarget.value as 'has' | 'lacks' })}
          >
            <option value="has">has</option>
            <option value="lacks">lacks</option>
          </select>
          {text(c.tag, 'Tag', (tag) => ({ ...c, tag }))}
        </>
      )}
      {c.type === 'field' && (
        <>
          {text(c.path, 'Field path', (path) => ({ ...c, path }))}
          <select
            class="input input-sm"
            aria-label="Comparison"
            value={c.op}
            onChange={(e) => onChange({ ...c, op: e.currentTarget.value as typeof c.op })}
          >
            {['eq', 'neq', 'contains', 'set', 'unset'].map((o) => (
              <option value={o} key={o}>
                {o}
              </option>
            ))}
          </select>
          {c.op !== 'set' && c.op !== 'unset' && text(c.value ?? '', 'Value', (value) => ({ ...c, value }))}
        </>
      )}
      {(c.type === 'source' || c.type === 'business' || c.type === 'calendar') &&
        text(c.value, `${c.type} value`, (value) => ({ ...c, value }))}
      {c.type === 'upcoming_appointment' && (
        <select
          class="input input-sm"
          aria-label="Upcoming appointment"
          value={String(c.value)}
          onChange={(e) => onChange({ ...c, value: e.currentTarget.value === 'true' })}
        >
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      )}
      <button type="button" class="btn btn-sm btn-ghost" onClick={onRemove} aria-label="Remove condition">
        Remove
      </button>
    </div>
  );
}
