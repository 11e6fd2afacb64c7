import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { ConnectionsPanel } from '../components/connections-panel.tsx';
import { FieldMap } from '../components/field-map.tsx';
import { FrameDomainsCard } from '../components/frame-domains.tsx';
import { ErrorState, Loading } from '../components/states.tsx';
import { KindRows } from '../components/kind-rows.tsx';
import { Switch } from '../components/switch.tsx';
import { SyncScopeForm } from '../components/sync-scope.tsx';
import { useToast } from '../components/toasts.tsx';
import { editable, POLICIES, type Kind, type SettingsAnswer, type SyncSettings } from '../lib/settings.ts';
import { useConnections } from '../lib/use-connections.ts';
import { getSettings, putSettings } from '../settings-api.ts';

/** Per-location sync settings; editable by admins, read-only for everyone else. */
export function SettingsPage() {
  const toast = useToast();
  const [view, setView] = useState<SettingsAnswer | null>(null);
  const [draft, setDraft] = useState<SyncSettings | null>(null);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const conns = useConnections();

  useEffect(() => {
    setError('');
    setView(null);
    getSettings().then(
      (res) => {
        setView(res);
        setDraft(editable(res));
      },
      (err) => setError(errorText(err)),
    );
  }, [attempt]);

  const title = <h1 class="page-title">Settings</h1>;
  if (error)
    return (
      <div class="card page-card">
        {title}
        <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />
      </div>
    );
  if (!view || !draft)
    return (
      <div class="card page-card">
        {title}
        <Loading label="Loading settings…" />
      </div>
    );

  const { canEdit } = view;
  const saved = editable(view);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const setKind = (k: Kind, patch: Partial<SyncSettings['kinds'][Kind]>) =>
    setDraft({ ...draft, kinds: { ...draft.kinds, [k]: { ...draft.kinds[k], ...patch } } });

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      const res = await putSettings(draft);
      setView(res);
      setDraft(editable(res));
      toast('Settings saved');
    } catch (err) {
      toast(`Settings were not saved: ${errorText(err)}`, 'error');
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="settings-page">
      {title}
      <form class="settings" onSubmit={save} data-testid="settings">
        {!canEdit && (
          <p class="notice" role="note" data-testid="settings-readonly">
            Only sub-account admins can change these settings. Ask an admin if something should sync
            differently.
          </p>
        )}
        <fieldset class="card" disabled={!canEdit}>
          <legend class="section-title">What syncs</legend>
          <p class="muted small">
            Choose what Contact Sync keeps in step with the partner app, and in which direction.
          </p>
          <div class="kind-rows">
            <KindRows kinds={draft.kinds} testPrefix="setting" disabled={!canEdit} onChange={setKind} />
          </div>
        </fieldset>

        <fieldset class="card" disabled={!canEdit}>
          <legend class="section-title">When both sides changed</legend>
          <div class="radio-list">
            {POLICIES.map((p) => (
              <label key={p.value} class="radio">
                <input
                  type="radio"
                  name="conflictPolicy"
                  value={p.value}
                  checked={draft.conflictPolicy === p.value}
                  data-testid={`setting-conflict-${p.value}`}
                  onChange={() => setDraft({ ...draft, conflictPolicy: p.value })}
                />
                <span>
                  <strong>{p.label}</strong>
                  <span class="muted small block">{p.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        <fieldset class="card" disabled={!canEdit}>
          <legend class="section-title">Dry run</legend>
          <Switch
            label="Dry run: log what would sync, change nothing"
            checked={draft.dryRun}
            disabled={!canEdit}
            onChange={(dryRun) => setDraft({ ...draft, dryRun })}
            testId="setting-dry-run"
            hint="Use it to preview a backfill or a new direction; the sync log shows every planned change."
          />
        </fieldset>

        {canEdit && (
          <div class="form-actions sticky-actions">
            <button type="button" class="btn" disabled={!dirty || saving} onClick={() => setDraft(saved)}>
              Discard changes
            </button>
            <button
              type="submit"
              class="btn btn-primary"
              disabled={!dirty || saving}
              data-testid="settings-save"
            >
              {saving ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        )}
      </form>

      <SyncScopeForm scope={view.scope} canEdit={canEdit} />
      <ConnectionsPanel state={conns} canEdit={canEdit} />
      {conns.list && (
        <FieldMap
          kinds={conns.list.kinds}
          mapping={view.fieldMapping}
          canEdit={canEdit}
          initialKind={conns.list.connections[0]?.kind}
        />
      )}
      <FrameDomainsCard canEdit={canEdit} />
    </div>
  );
}
