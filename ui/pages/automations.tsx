import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import {
  createRecipe,
  deleteRecipe,
  enableTemplate,
  getAutomations,
  getCatalog,
  getRuns,
  updateRecipe,
} from '../automations-api.ts';
import { RecipeEditor } from '../components/recipe-editor.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { Switch } from '../components/switch.tsx';
import { useToast } from '../components/toasts.tsx';
import {
  describeCondition,
  describeDelay,
  type AutomationsAnswer,
  type Catalog,
  type Recipe,
  type RecipeDefinition,
  type Run,
} from '../lib/automations.ts';
import { formatDateTime } from '../lib/format.ts';

type Editing = { recipe: Recipe | null; def: RecipeDefinition } | null;

const definitionOf = ({
  name,
  description,
  trigger,
  conditions,
  steps,
  stopOn,
  schedule,
}: Recipe): RecipeDefinition => ({
  name,
  description,
  trigger,
  conditions,
  steps,
  ...(stopOn ? { stopOn } : {}),
  ...(schedule ? { schedule } : {}),
});

/** Templates gallery, the location's recipes (on/off, edit, history) and the recipe editor. */
export function AutomationsPage() {
  const toast = useToast();
  const [data, setData] = useState<AutomationsAnswer | null>(null);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [editing, setEditing] = useState<Editing>(null);
  const [busy, setBusy] = useState(false);
  const [history, setHistory] = useState<{ recipe: Recipe; runs: Run[] | null } | null>(null);

  const reload = () => getAutomations().then(setData, (err) => setError(errorText(err)));
  useEffect(() => {
    setError('');
    void reload();
    getCatalog().then(setCatalog, (err) => setError(errorText(err)));
  }, [attempt]);

  if (error)
    return (
      <div class="card page-card">
        <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />
      </div>
    );
  if (!data || !catalog)
    return (
      <div class="card page-card">
        <Loading label="Loading automations…" />
      </div>
    );

  const label = (key: string) =>
    [...catalog.triggers, ...catalog.actions].find((o) => o.key === key)?.label ?? key;
  const act = async (what: string, job: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await job();
      await reload();
      toast(what);
      return true;
    } catch (err) {
      toast(`${what.split(':')[0]} failed: ${errorText(err)}`, 'error');
      return false;
    } finally {
      setBusy(false);
    }
  };
  const save = async (def: RecipeDefinition) => {
    const recipe = editing?.recipe;
    const ok = await act('Recipe saved', () =>
      recipe ? updateRecipe(recipe.id, { definition: def }) : createRecipe({ ...def, enabled: true }),
    );
    if (ok) setEditing(null);
  };
  const showHistory = (recipe: Recipe) => {
    setHistory({ recipe, runs: null });
    getRuns({ recipeId: recipe.id }).then(
      (runs) => setHistory({ recipe, runs }),
      (err) => toast(errorText(err), 'error'),
    );
  };

  return (
    <section class="settings automations" aria-labelledby="automations-title" data-testid="automations">
      <div class="page-head">
        <h1 id="automations-title" class="section-title">
          Automations
        </h1>
        <span class="muted small">At most {data.dailyCap} actions per contact per day</span>
        {data.canEdit && !editing && (
          <button
            type="button"
            class="btn btn-primary"
            data-testid="recipe-new"
            onClick={() =>
              setEditing({
                recipe: null,
                def: {
                  name: 'New recipe',
                  trigger: catalog.triggers[0]!.key,
                  conditions: [],
                  steps: [
                    { action: 'ghl.task.create', input: { title: '' }, delay: { type: 'now' }, when: [] },
                  ],
                },
              })
            }
          >
            New recipe
          </button>
        )}
      </div>
      {editing && (
        <RecipeEditor
          catalog={catalog}
          initial={editing.def}
          saving={busy}
          onSave={save}
          onCancel={() => setEditing(null)}
        />
      )}

      <div class="card">
        <h2 class="section-title">Your recipes</h2>
        {data.recipes.length === 0 && (
          <Empty title="No recipes yet">Enable a template below, or build your own.</Empty>
        )}
        <ul class="recipe-list">
          {data.recipes.map((r) => (
            <li key={r.id} class="recipe-item" data-testid="recipe-item" data-recipe-id={r.id}>
              <div class="recipe-text">
                <span class="strong">{r.name}</span>
                <span class="muted small">
                  When {label(r.trigger)}
                  {r.conditions.length
                    ? `, if ${r.conditions.map(describeCondition).join(' and ')}`
                    : ''}: {r.steps.map((s) => `${label(s.action)} ${describeDelay(s.delay)}`).join('; ')}
                </span>
              </div>
              <Switch
                label="On"
                checked={r.enabled}
                disabled={!data.canEdit || busy}
                testId={`recipe-enabled-${r.id}`}
                onChange={(on) =>
                  void act(on ? 'Recipe turned on' : 'Recipe turned off', () =>
                    updateRecipe(r.id, { enabled: on }),
                  )
                }
              />
              <div class="page-tools">
                <button
                  type="button"
                  class="btn btn-sm"
                  onClick={() => showHistory(r)}
                  data-testid={`recipe-history-${r.id}`}
                >
                  History
                </button>
                {data.canEdit && (
                  <button
                    type="button"
                    class="btn btn-sm"
                    onClick={() => setEditing({ recipe: r, def: definitionOf(r) })}
                  >
                    Edit
                  </button>
                )}
                {data.canEdit && (
                  <button
                    type="button"
                    class="btn btn-sm btn-ghost"
                    onClick={() => void act('Recipe deleted', () => deleteRecipe(r.id))}
                  >
                    Delete
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </div>

      {history && (
        <div class="card" data-testid="run-history" aria-live="polite">
          <div class="page-head">
            <h2 class="section-title">Run history: {history.recipe.name}</h2>
            <button type="button" class="btn btn-sm" onClick={() => showHistory(history.recipe)}>
              Refresh
            </button>
          </div>
          {history.runs === null ? (
            <Loading label="Loading runs…" />
          ) : history.runs.length === 0 ? (
            <Empty title="No runs yet">Runs appear here when the trigger fires.</Empty>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Contact</th>
                  <th>Step</th>
                  <th>Status</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {history.runs.map((run) => (
                  <tr key={run.id} data-testid="run-row" data-status={run.status}>
                    <td>{formatDateTime(run.at)}</td>
                    <td>{run.contactId}</td>
                    <td>
                      {label(run.action)}
                      {run.test ? ' (test)' : ''}
                    </td>
                    <td>
                      <span
                        class={`badge ${run.status === 'done' ? 'status-ok' : run.status === 'failed' ? 'status-bad' : ''}`}
                      >
                        {run.status}
                      </span>
                    </td>
                    <td class="small">
                      {String(run.detail?.reason ?? run.detail?.taskId ?? run.detail?.noteId ?? '')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}

      <div class="card">
        <h2 class="section-title">Templates</h2>
        <ul class="template-grid">
          {data.templates.map((t) => (
            <li key={t.id} class="template-card" data-testid={`template-${t.id}`}>
              <span class="strong">{t.name}</span>
              <span class="muted small">{t.description}</span>
              {data.canEdit && (
                <button
                  type="button"
                  class="btn btn-sm"
                  disabled={busy || data.recipes.some((r) => r.id === t.recipeId && r.enabled)}
                  data-testid={`template-enable-${t.id}`}
                  onClick={() => void act(`Template enabled: ${t.name}`, () => enableTemplate(t.id))}
                >
                  {data.recipes.some((r) => r.id === t.recipeId && r.enabled) ? 'Enabled' : 'Enable'}
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
