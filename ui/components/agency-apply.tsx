import { useState } from 'preact/hooks';
import { applyToLocations } from '../agency-api.ts';
import { errorText } from '../api.ts';
import { applyPatch, applySummary, noChoices, type ApplyAnswer, type ApplyChoices } from '../lib/agency.ts';
import { DIRECTIONS, KINDS, POLICIES, type Kind } from '../lib/settings.ts';
import { useToast } from './toasts.tsx';

const kindLabel = (k: Kind) => k[0]!.toUpperCase() + k.slice(1);
const ON_OFF = [
  { value: 'on', label: 'On' },
  { value: 'off', label: 'Off' },
];

function Choice(props: {
  id: string;
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        class="input input-sm"
        value={props.value}
        data-testid={props.id}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        <option value="">Leave as is</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

const newKey = () => `apply-${crypto.randomUUID()}`;

/**
 * Sets the chosen settings on every selected sub-account, as its own choice. One key per
 * request: pressing Apply again after a lost answer repeats it safely; a new choice gets a new key.
 */
export function AgencyApplyForm({ selected, onApplied }: { selected: string[]; onApplied: () => void }) {
  const toast = useToast();
  const [choices, setChoices] = useState<ApplyChoices>(noChoices);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ApplyAnswer | null>(null);
  const [key, setKey] = useState(newKey);
  const patch = applyPatch(choices);
  const ready = selected.length > 0 && Object.keys(patch).length > 0;
  const choose = (next: ApplyChoices) => {
    setChoices(next);
    setKey(newKey());
  };
  const setKindChoice = (field: 'enabled' | 'direction', k: Kind, value: string) =>
    choose({ ...choices, [field]: { ...choices[field], [k]: value } });

  const apply = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const res = await applyToLocations(selected, patch, key);
      setAnswer(res);
      if (!res.summary.failed) setKey(newKey());
      toast(applySummary(res), res.summary.failed ? 'error' : 'success');
      onApplied();
    } catch (err) {
      toast(`Nothing was applied: ${errorText(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="agency-apply-title">
      <h2 class="section-title" id="agency-apply-title">
        Apply settings to selected sub-accounts
      </h2>
      <p class="muted small">
        Choose only what should change; everything left as is keeps each sub-account's own value or the agency
        default. Applying the same settings twice changes nothing more.
      </p>
      <form class="form" onSubmit={apply} data-testid="agency-apply">
        <div class="form-row">
          <Choice
            id="apply-conflict"
            label="When both sides changed"
            value={choices.conflictPolicy}
            options={POLICIES}
            onChange={(v) => choose({ ...choices, conflictPolicy: v as ApplyChoices['conflictPolicy'] })}
          />
          <Choice
            id="apply-dry-run"
            label="Dry run"
            value={choices.dryRun}
            options={ON_OFF}
            onChange={(v) => choose({ ...choices, dryRun: v as ApplyChoices['dryRun'] })}
          />
        </div>
        <div class="form-row">
          {KINDS.map((k) => (
            <div key={k} class="apply-kind">
              <Choice
                id={`apply-enabled-${k}`}
                label={`${kindLabel(k)} sync`}
                value={choices.enabled[k]}
                options={ON_OFF}
                onChange={(v) => setKindChoice('enabled', k, v)}
              />
              <Choice
                id={`apply-direction-${k}`}
                label={`${kindLabel(k)} direction`}
                value={choices.direction[k]}
                options={DIRECTIONS}
                onChange={(v) => setKindChoice('direction', k, v)}
              />
            </div>
          ))}
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={!ready || busy} data-testid="apply-submit">
            {busy
              ? 'Applying…'
              : `Apply to ${selected.length} sub-account${selected.length === 1 ? '' : 's'}`}
          </button>
        </div>
        <p class="muted small" aria-live="polite" data-testid="apply-result">
          {answer ? applySummary(answer) : ''}
        </p>
      </form>
    </section>
  );
}
