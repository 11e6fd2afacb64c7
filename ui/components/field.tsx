import { useUniqueId } from '../lib/hooks.ts';

interface Props {
  label: string;
  value: string;
  onValue: (v: string) => void;
  type?: string;
  hint?: string;
  multiline?: boolean;
  required?: boolean;
  maxLength?: number;
  autoComplete?: string;
  testId?: string;
  placeholder?: string;
}

/** A labelled input (or textarea) bound to a string. */
export function Field({
  label,
  value,
  onValue,
  type,
  hint,
  multiline,
  required,
  maxLength,
  autoComplete,
  testId,
  placeholder,
}: Props) {
  const id = useUniqueId();
  const hintId = hint ? `${id}-hint` : undefined;
  const common = {
    id,
    class: 'input',
    value,
    required,
    maxLength,
    placeholder,
    'aria-describedby': hintId,
    'data-testid': testId,
  };
  return (
    <div class="field">
      <label for={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {multiline ? (
        <textarea {...common} rows={3} onInput={(e) => onValue(e.currentTarget.value)} />
      ) : (
        <input
          {...common}
          type={type}
          autocomplete={autoComplete}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      )}
      {hint && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
