import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { getCatalog, runAction, testTrigger } from '../automations-api.ts';
import { ErrorState, Loading } from '../components/states.tsx';
import { useToast } from '../components/toasts.tsx';
import type { Catalog, Operation } from '../lib/automations.ts';
import { useUniqueId } from '../lib/hooks.ts';

/** Every trigger and action, with its scope; run an action on a contact, or send a trigger's test event. */
export function CatalogPage({ canEdit }: { canEdit: boolean }) {
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setError('');
    getCatalog().then(setCatalog, (err) => setError(errorText(err)));
  }, [attempt]);
  if (error)
    return (
      <div class="card page-card">
        <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />
      </div>
    );
  if (!catalog)
    return (
      <div class="card page-card">
        <Loading label="Loading the catalog…" />
      </div>
    );
  return (
    <section class="settings" aria-labelledby="catalog-title" data-testid="catalog">
      <h1 id="catalog-title" class="section-title">
        Operations catalog
      </h1>
      {(['triggers', 'actions'] as const).map((kind) => (
        <div class="card" key={kind}>
          <h2 class="section-title">{kind === 'triggers' ? 'Triggers' : 'Actions'}</h2>
          <ul class="recipe-list">
            {catalog[kind].map((op) => (
              <OperationItem key={op.key} op={op} canEdit={canEdit} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

/** A form value as the action's schema takes it. */
function typed(type: string, raw: string): unknown {
  if (type === 'array')
    return raw
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  if (type === 'number') return Number(raw);
  if (type === 'boolean') return raw === 'true';
  return raw;
}

function OperationItem({ op, canEdit }: { op: Operation; canEdit: boolean }) {
  const toast = useToast();
  const id = useUniqueId();
  const [open, setOpen] = useState(false);
  const [contactId, setContactId] = useState('');
  const [input, setInput] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const fields = (op.fields ?? []).filter((f) =>
    ['string', 'array', 'number', 'boolean', 'picklist'].includes(f.type),
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      if (op.kind === 'action') {
        const body = Object.fromEntries(
          fields.filter((f) => input[f.name]).map((f) => [f.name, typed(f.type, input[f.name]!)]),
        );
        const result = await runAction(op.key, contactId.trim(), body);
        toast(`Done: ${JSON.stringify(result).slice(0, 120)}`);
      } else {
        const { scheduled } = await testTrigger(op.key, contactId.trim());
        toast(`Test event sent: ${scheduled} step(s) scheduled`);
      }
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="recipe-item" data-testid="catalog-entry" data-key={op.key}>
      <div class="recipe-text">
        <span class="strong">{op.label}</span>
        <span class="muted small">{op.description}</span>
        <span class="small">
          <code>{op.key}</code> · scope: {op.scope ?? 'none'}
          {op.adminOnly ? ' · admins only' : ''}
        </span>
      </div>
      {canEdit && (
        <button
          type="button"
          class="btn btn-sm"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen(!open)}
        >
          {op.kind === 'action' ? 'Run on a contact' : 'Send a test event'}
        </button>
      )}
      {open && (
        <form id={id} class="form inline-form card" onSubmit={submit}>
          <label class="field">
            <span>Contact id</span>
            <input
              class="input input-sm"
              required
              pattern="[A-Za-z0-9_\-]{1,64}"
              value={contactId}
              onInput={(e) => setContactId(e.currentTarget.value)}
            />
          </label>
          {op.kind === 'action' &&
            fields.map((f) => (
              <label class={f.type === 'boolean' ? 'field-check' : 'field'} key={f.name}>
                <span>
                  {f.name}
                  {f.required ? ' *' : ''}
                </span>
                {f.type === 'boolean' ? (
                  <input
                    type="checkbox"
                    checked={input[f.name] === 'true'}
                    onChange={(e) => setInput({ ...input, [f.name]: e.currentTarget.checked ? 'true' : '' })}
                    data-testid={`run-${f.name}`}
                  />
                ) : f.type === 'picklist' && f.options ? (
                  <select
                    class="input input-sm"
                    value={input[f.name] ?? ''}
                    onChange={(e) => setInput({ ...input, [f.name]: e.currentTarget.value })}
                    data-testid={`run-${f.name}`}
                  >
                    {!f.required && <option value="">Default</option>}
                    {f.options.map((o) => (
                      <option value={o} key={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    class="input input-sm"
                    type={f.type === 'number' ? 'number' : 'text'}
                    required={f.required}
                    value={input[f.name] ?? ''}
                    onInput={(e) => setInput({ ...input, [f.name]: e.currentTarget.value })}
                    data-testid={`run-${f.name}`}
                  />
                )}
              </label>
            ))}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary btn-sm" disabled={busy}>
              {op.kind === 'action' ? 'Run' : 'Send test'}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
