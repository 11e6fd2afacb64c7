import { useEffect, useState } from 'preact/hooks';
import { getAgencyDefaults, putAgencyDefaults } from '../agency-api.ts';
import { errorText } from '../api.ts';
import { changedSettings } from '../lib/agency.ts';
import { editable, POLICIES, type Kind, type SyncSettings } from '../lib/settings.ts';
import { ErrorState, Loading } from './states.tsx';
import { KindRows } from './kind-rows.tsx';
import { Switch } from './switch.tsx';
import { useToast } from './toasts.tsx';

/** The defaults every sub-account follows for what it has not set itself. */
export function AgencyDefaultsForm() {
  const toast = useToast();
  const [saved, setSaved] = useState<SyncSettings | null>(null);
  const [draft, setDraft] = useState<SyncSettings | null>(null);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setError('');
    getAgencyDefaults().then(
      (res) => {
        setSaved(editable(res));
        setDraft(editable(res));
      },
      (err) => setError(errorText(err)),
    );
  }, [attempt]);

  const heading = (
    <h2 class="section-title" id="agency-defaults-title">
      Agency defaults
    </h2>
  );
  if (error)
    return (
      <section class="card" aria-labelledby="agency-defaults-title">
        {heading}
        <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />
      </section>
    );
  if (!saved || !draft)
    return (
      <section class="card" aria-labelledby="agency-defaults-title">
        {heading}
        <Loading label="Loading the defaults…" />
      </section>
    );

  const change = changedSettings(saved, draft);
  const dirty = Object.keys(change).length > 0;
  const setKind = (k: Kind, patch: Partial<SyncSettings['kinds'][Kind]>) =>
    setDraft({ ...draft, kinds: { ...draft.kinds, [k]: { ...draft.kinds[k], ...patch } } });
  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      const res = await putAgencyDefaults(change);
      setSaved(editable(res));
      setDraft(editable(res));
      toast('Agency defaults saved');
    } catch (err) {
      toast(`The defaults were not saved: ${errorText(err)}`, 'error');
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="card" aria-labelledby="agency-defaults-title">
      {heading}
      <p class="muted small">
        Every sub-account follows these for each setting it has not changed itself. A sub-account's own choice
        always wins.
      </p>
      <form class="form" onSubmit={save} data-testid="agency-defaults">
        <fieldset class="plain-fieldset">
          <legend class="field-legend">What syncs</legend>
          <KindRows kinds={draft.kinds} testPrefix="default" onChange={setKind} />
        </fieldset>
        <div class="field">
          <label for="default-conflict">When both sides changed</label>
          <select
            id="default-conflict"
            class="input"
            value={draft.conflictPolicy}
            data-testid="default-conflict"
            onChange={(e) =>
              setDraft({ ...draft, conflictPolicy: e.currentTarget.value as SyncSettings['conflictPolicy'] })
            }
          >
            {POLICIES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <Switch
          label="Dry run: log what would sync, change nothing"
          checked={draft.dryRun}
          onChange={(dryRun) => setDraft({ ...draft, dryRun })}
          testId="default-dry-run"
        />
        <div class="form-actions">
          <button type="button" class="btn" disabled={!dirty || saving} onClick={() => setDraft(saved)}>
            Discard changes
          </button>
          <button
            type="submit"
            class="btn btn-primary"
            disabled={!dirty || saving}
            data-testid="defaults-save"
          >
            {saving ? 'Saving…' : 'Save defaults'}
          </button>
        </div>
      </form>
    </section>
  );
}
