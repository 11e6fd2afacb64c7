import { useState } from 'preact/hooks';
import {
  blankCondition,
  CONDITION_TYPES,
  DELAY_TYPES,
  delayNumber,
  makeDelay,
  type Catalog,
  type Condition,
  type RecipeDefinition,
  type Step,
} from '../lib/automations.ts';
import { useUniqueId } from '../lib/hooks.ts';

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
  const id = useUniqueId();
  const set = (patch: Partial<RecipeDefinition>) => setDraft({ ...draft, ...patch });
  const submit = (e: Event) => {
    e.preventDefault();
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
              <span>Hour (UTC)</span>
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

function StepRow({
  index,
  step,
  catalog,
  onChange,
  onRemove,
}: {
  index: number;
  step: Step;
  catalog: Catalog;
  onChange: (s: Step) => void;
  onRemove?: () => void;
}) {
  const op = catalog.actions.find((a) => a.key === step.action);
  const setInput = (name: string, value: unknown) =>
    onChange({ ...step, input: { ...step.input, [name]: value } });
  return (
    <div class="recipe-step" data-testid="step-row">
      <div class="recipe-row">
        <span class="muted">{index + 1}.</span>
        <select
          class="input input-sm"
          aria-label={`Step ${index + 1} action`}
          value={step.action}
          onChange={(e) => onChange({ ...step, action: e.currentTarget.value, input: {} })}
        >
          {catalog.actions.map((a) => (
            <option value={a.key} key={a.key}>
              {a.label}
            </option>
          ))}
        </select>
        <select
          class="input input-sm"
          aria-label={`Step ${index + 1} timing`}
          value={step.delay.type}
          onChange={(e) =>
            onChange({
              ...step,
              delay: makeDelay(e.currentTarget.value as Step['delay']['type'], delayNumber(step.delay) || 60),
            })
          }
        >
          {DELAY_TYPES.map((d) => (
            <option value={d.type} key={d.type}>
              {d.label}
            </option>
          ))}
        </select>
        {step.delay.type !== 'now' && (
          <input
            type="number"
            min={0}
            class="input input-sm"
            aria-label={`Step ${index + 1} minutes or hour`}
            value={delayNumber(step.delay)}
            onInput={(e) =>
              onChange({ ...step, delay: makeDelay(step.delay.type, Number(e.currentTarget.value)) })
            }
          />
        )}
        {onRemove && (
          <button type="button" class="btn btn-sm btn-ghost" onClick={onRemove}>
            Remove
          </button>
        )}
      </div>
      {(op?.fields ?? [])
        .filter((f) => f.type === 'string' || f.type === 'array' || f.type === 'number')
        .map((f) => (
          <label class="field" key={f.name}>
            <span>
              {f.name}
              {f.required ? ' *' : ''}
            </span>
            <input
              class="input input-sm"
              type={f.type === 'number' ? 'number' : 'text'}
              required={f.required}
              value={
                f.type === 'array'
                  ? ((step.input[f.name] as string[] | undefined) ?? []).join(', ')
                  : String(step.input[f.name] ?? '')
              }
              onInput={(e) => {
                const raw = e.currentTarget.value;
                setInput(
                  f.name,
                  f.type === 'array'
                    ? raw
                        .split(',')
                        .map((x) => x.trim())
                        .filter(Boolean)
                    : f.type === 'number'
                      ? raw === ''
                        ? undefined
                        : Number(raw)
                      : raw,
                );
              }}
              data-testid={`step-${index}-${f.name}`}
            />
            {f.description && <span class="hint">{f.description}</span>}
          </label>
        ))}
    </div>
  );
}
