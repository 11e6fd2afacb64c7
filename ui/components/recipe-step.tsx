import {
  DELAY_TYPES,
  delayNumber,
  makeDelay,
  type Catalog,
  type Delay,
  type Step,
} from '../lib/automations.ts';
import { setDelayInput } from '../lib/recipe-draft.ts';

/** A delay: its kind, and the one number it carries (minutes, or an hour on the location's clock). */
function DelayPicker({
  label,
  value,
  onChange,
  allowDefault,
  testId,
}: {
  label: string;
  value: Delay | undefined;
  onChange: (d: Delay | undefined) => void;
  /** Offer "the action's default" (the input left out). */
  allowDefault?: boolean;
  testId: string;
}) {
  return (
    <>
      <select
        class="input input-sm"
        aria-label={label}
        value={value?.type ?? ''}
        onChange={(e) => {
          const type = e.currentTarget.value as Delay['type'] | '';
          onChange(type ? makeDelay(type, (value && delayNumber(value)) || 60) : undefined);
        }}
        data-testid={testId}
      >
        {allowDefault && <option value="">Default</option>}
        {DELAY_TYPES.map((d) => (
          <option value={d.type} key={d.type}>
            {d.label}
          </option>
        ))}
      </select>
      {value && value.type !== 'now' && (
        <input
          type="number"
          min={0}
          class="input input-sm"
          aria-label={`${label} minutes or hour`}
          value={Number.isNaN(delayNumber(value)) ? '' : delayNumber(value)}
          // An empty or odd entry is kept as typed (NaN) so the editor can say what is wrong.
          onInput={(e) => onChange(makeDelay(value.type, Number(e.currentTarget.value || Number.NaN)))}
          data-testid={`${testId}-number`}
        />
      )}
    </>
  );
}

/** One step of a recipe: its action, when it runs, and the action's inputs (a task's due time too). */
export function StepRow({
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
  const fields = op?.fields ?? [];
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
        <DelayPicker
          label={`Step ${index + 1} timing`}
          value={step.delay}
          onChange={(delay) => onChange({ ...step, delay: delay ?? { type: 'now' } })}
          testId={`step-${index}-timing`}
        />
        {onRemove && (
          <button type="button" class="btn btn-sm btn-ghost" onClick={onRemove}>
            Remove
          </button>
        )}
      </div>
      {fields
        .filter((f) => f.type === 'delay')
        .map((f) => (
          <div class="field" key={f.name}>
            <span>{f.name === 'due' ? 'Due' : f.name}</span>
            <div class="recipe-row">
              <DelayPicker
                label={`Step ${index + 1} ${f.name === 'due' ? 'due' : f.name}`}
                value={step.input[f.name] as Delay | undefined}
                onChange={(d) => onChange(setDelayInput(step, f.name, d))}
                allowDefault
                testId={`step-${index}-${f.name}`}
              />
            </div>
            {f.description && <span class="hint">{f.description}</span>}
          </div>
        ))}
      {fields
        .filter((f) => f.type === 'picklist' && f.options)
        .map((f) => (
          <label class="field" key={f.name}>
            <span>{f.name}</span>
            <select
              class="input input-sm"
              value={String(step.input[f.name] ?? '')}
              onChange={(e) => setInput(f.name, e.currentTarget.value || undefined)}
              data-testid={`step-${index}-${f.name}`}
            >
              {!f.required && <option value="">Default</option>}
              {f.options!.map((o) => (
                <option value={o} key={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
        ))}
      {fields
        .filter((f) => f.type === 'boolean')
        .map((f) => (
          <label class="field field-check" key={f.name}>
            <input
              type="checkbox"
              checked={step.input[f.name] === true}
              onChange={(e) => setInput(f.name, e.currentTarget.checked)}
              data-testid={`step-${index}-${f.name}`}
            />
            <span>{f.description ?? f.name}</span>
          </label>
        ))}
      {fields
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
