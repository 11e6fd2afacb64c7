import { useRef, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import type { KindSpec } from '../lib/connections.ts';
import {
  COMMON_FIELDS,
  defaultLines,
  mapOf,
  mapPatch,
  rowErrors,
  rowsOf,
  type MapRow,
} from '../lib/field-map.ts';
import type { FieldMapping } from '../lib/settings.ts';
import { putSettings } from '../settings-api.ts';
import { FormError } from './form-error.tsx';
import { useToast } from './toasts.tsx';

interface Props {
  kinds: KindSpec[];
  /** The location's overrides per connector kind (`GET /api/settings` → `fieldMapping`). */
  mapping: FieldMapping;
  canEdit: boolean;
  /** The connector shown first (the first connection's). */
  initialKind?: string;
}

/** Field mapping per connector: its defaults, and this location's overrides as editable rows. */
export function FieldMap({ kinds, mapping, canEdit, initialKind }: Props) {
  const toast = useToast();
  const [kind, setKind] = useState(initialKind ?? kinds[0]?.kind ?? '');
  const [saved, setSaved] = useState(mapping);
  const [drafts, setDrafts] = useState<Record<string, MapRow[]>>({});
  const [errors, setErrors] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  const spec = kinds.find((k) => k.kind === kind);
  const rows = drafts[kind] ?? rowsOf(saved[kind]);
  const dirtyKinds = Object.keys(drafts).filter(
    (k) => JSON.stringify(mapOf(drafts[k]!)) !== JSON.stringify(saved[k] ?? {}),
  );
  const defaults = defaultLines(spec?.defaultFieldMaps);

  const setRows = (next: MapRow[]) => {
    setDrafts({ ...drafts, [kind]: next });
    setErrors([]);
    setError('');
  };
  const edit = (i: number, patch: Partial<MapRow>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const focusRow = (i: number) =>
    setTimeout(() => list.current?.querySelectorAll<HTMLInputElement>('input')[i * 2]?.focus());

  const save = async (e: Event) => {
    e.preventDefault();
    for (const k of dirtyKinds) {
      const ks = kinds.find((s) => s.kind === k);
      const errs = rowErrors(
        drafts[k]!,
        ks?.defaultFieldMaps,
        ks && { label: ks.label, fields: ks.partnerFields },
      );
      const bad = errs.findIndex(Boolean);
      if (bad >= 0) {
        setKind(k);
        setErrors(errs);
        setError('Fix the marked rows first.');
        return focusRow(bad);
      }
    }
    setBusy(true);
    setError('');
    try {
      const fieldMapping = Object.fromEntries(dirtyKinds.map((k) => [k, mapPatch(saved[k], drafts[k]!)]));
      setSaved((await putSettings({ fieldMapping })).fieldMapping);
      setDrafts({});
      toast('Field mapping saved');
    } catch (err) {
      setError(`Field mapping was not saved: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  if (!kinds.length) return null;
  return (
    <form class="card" aria-labelledby="field-map-title" data-testid="field-map" onSubmit={save} noValidate>
      <h2 id="field-map-title" class="section-title">
        Field mapping
      </h2>
      <p class="muted small">
        Which partner field each HighLevel field syncs with. Overrides apply to every connection of that
        partner in this sub-account.
      </p>
      <div class="field field-inline">
        <label for="field-map-kind">Partner app</label>
        <select
          id="field-map-kind"
          class="input input-sm"
          value={kind}
          data-testid="field-map-kind"
          onChange={(e) => {
            setKind(e.currentTarget.value);
            setErrors([]);
          }}
        >
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      <details class="defaults">
        <summary>
          Defaults for {spec?.label ?? kind} ({defaults.length})
        </summary>
        <ul class="map-defaults">
          {defaults.map((d) => (
            <li key={d.field}>
              <code>{d.field}</code> → <code>{d.path}</code>
            </li>
          ))}
        </ul>
      </details>
      <fieldset class="map-rows" disabled={!canEdit}>
        <legend class="strong">Overrides</legend>
        {rows.length === 0 && <p class="muted small">No overrides: the defaults apply.</p>}
        <ul ref={list}>
          {rows.map((r, i) => (
            <li key={i} class="map-row" data-testid="field-map-row">
              <input
                class="input input-sm mono"
                value={r.field}
                placeholder="phone"
                aria-label={`HighLevel field, row ${i + 1}`}
                aria-invalid={errors[i] ? true : undefined}
                aria-describedby={errors[i] ? `map-err-${i}` : 'field-map-hint'}
                data-testid="field-map-field"
                onInput={(e) => edit(i, { field: e.currentTarget.value })}
              />
              <span aria-hidden="true">→</span>
              <input
                class="input input-sm mono"
                value={r.path}
                placeholder="attendee.phoneNumber"
                aria-label={`${spec?.label ?? 'Partner'} field, row ${i + 1}`}
                aria-invalid={errors[i] ? true : undefined}
                list={spec?.partnerFields ? `partner-fields-${kind}` : undefined}
                data-testid="field-map-path"
                onInput={(e) => edit(i, { path: e.currentTarget.value })}
              />
              {canEdit && (
                <button
                  type="button"
                  class="icon-btn"
                  aria-label={`Remove row ${i + 1}`}
                  data-testid="field-map-remove"
                  onClick={() => {
                    setRows(rows.filter((_, j) => j !== i));
                    focusRow(Math.max(0, i - 1));
                  }}
                >
                  ×
                </button>
              )}
              {errors[i] && (
                <p id={`map-err-${i}`} class="small error-text map-error">
                  {errors[i]}
                </p>
              )}
            </li>
          ))}
        </ul>
        {spec?.partnerFields && (
          <datalist id={`partner-fields-${kind}`}>
            {[...new Set(Object.values(spec.partnerFields).flat())]
              .filter((f) => !f.endsWith('.*'))
              .map((f) => (
                <option key={f} value={f} />
              ))}
          </datalist>
        )}
        <p id="field-map-hint" class="hint">
          Common fields: {COMMON_FIELDS.join(', ')}. Prefix with contact., appointment., note. or task. for
          one kind; GHL custom fields are contact.customField.&lt;id&gt;.
        </p>
      </fieldset>
      <FormError message={error} />
      {canEdit && (
        <div class="form-actions">
          <button
            type="button"
            class="btn"
            data-testid="field-map-add"
            onClick={() => {
              setRows([...rows, { field: '', path: '' }]);
              focusRow(rows.length);
            }}
          >
            Add row
          </button>
          <button
            type="submit"
            class="btn btn-primary"
            disabled={busy || !dirtyKinds.length}
            data-testid="field-map-save"
          >
            {busy ? 'Saving…' : 'Save mapping'}
          </button>
        </div>
      )}
    </form>
  );
}
