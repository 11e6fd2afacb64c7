import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ConnectionsPanel } from '../components/connections-panel.tsx';
import { FieldMap } from '../components/field-map.tsx';
import { ErrorState, Loading } from '../components/states.tsx';
import { Switch } from '../components/switch.tsx';
import { useToast } from '../components/toasts.tsx';
import {
  DIRECTIONS,
  KINDS,
  POLICIES,
  readSettings,
  type Direction,
  type Kind,
  type SettingsView,
  type SyncSettings,
} from '../lib/settings.ts';
import type { Session } from '../lib/types.ts';
import { useConnections } from '../lib/use-connections.ts';

const KIND_LABEL: Record<Kind, string> = {
  contacts: 'Contacts',
  tasks: 'Tasks',
  notes: 'Notes',
  appointments: 'Appointments',
  tags: 'Tags',
};

/** Per-location sync settings; editable by admins, read-only for everyone else. */
export function SettingsPage({ session }: { session: Session }) {
  const toast = useToast();
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<SyncSettings | null>(null);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const conns = useConnections();

  useEffect(() => {
    setError('');
    setView(null);
    api.getSettings().then(
      (res) => {
        const v = readSettings(res);
        setView(v);
        setDraft(v.settings);
      },
      (err) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [attempt]);

  if (error) return <div class="card page-card"><ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} /></div>;
  if (!view || !draft) return <div class="card page-card"><Loading label="Loading settings…" /></div>;

  const canEdit = view.canEdit ?? session.user.role === 'admin';
  const dirty = JSON.stringify(draft) !== JSON.stringify(view.settings);
  const setKind = (k: Kind, patch: Partial<SyncSettings['kinds'][Kind]>) =>
    setDraft({ ...draft, kinds: { ...draft.kinds, [k]: { ...draft.kinds[k], ...patch } } });

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      const res = await api.putSettings(view.toBody(draft));
      const settings = res && typeof res === 'object' && Object.keys(res).length ? readSettings(res).settings : draft;
      setView({ ...view, settings });
      setDraft(settings);
      toast('Settings saved');
    } catch (err) {
      toast(`Settings were not saved: ${err instanceof Error ? err.message : String(err)}`, 'error');
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="settings-page">
      <form class="settings" onSubmit={save} data-testid="settings">
        {!canEdit && (
          <p class="notice" role="note" data-testid="settings-readonly">
            Only sub-account admins can change these settings. Ask an admin if something should sync differently.
          </p>
        )}
        <fieldset class="card" disabled={!canEdit}>
          <legend class="section-title">What syncs</legend>
          <p class="muted small">Choose what Contact Sync keeps in step with the partner app, and in which direction.</p>
          <div class="kind-rows">
            {KINDS.map((k) => (
              <div class="kind-row" key={k} data-testid={`setting-kind-${k}`}>
                <Switch
                  label={KIND_LABEL[k]}
                  checked={draft.kinds[k].enabled}
                  disabled={!canEdit}
                  onChange={(enabled) => setKind(k, { enabled })}
                  testId={`setting-enabled-${k}`}
                />
                <label class="sr-only" for={`direction-${k}`}>
                  {KIND_LABEL[k]} direction
                </label>
                <select
                  id={`direction-${k}`}
                  class="input input-sm"
                  value={draft.kinds[k].direction}
                  disabled={!canEdit || !draft.kinds[k].enabled}
                  data-testid={`setting-direction-${k}`}
                  onChange={(e) => setKind(k, { direction: e.currentTarget.value as Direction })}
                >
                  {DIRECTIONS.map((d) => (
                    <option key={d.value} value={d.value}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </div>
            ))}
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
            <button type="button" class="btn" disabled={!dirty || saving} onClick={() => setDraft(view.settings)}>
              Discard changes
            </button>
            <button type="submit" class="btn btn-primary" disabled={!dirty || saving} data-testid="settings-save">
              {saving ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        )}
      </form>

      <ConnectionsPanel state={conns} canEdit={canEdit} />
      {conns.list && (
        <FieldMap kinds={conns.list.kinds} mapping={view.fieldMapping} canEdit={canEdit} initialKind={conns.list.connections[0]?.kind} />
      )}
    </div>
  );
}
