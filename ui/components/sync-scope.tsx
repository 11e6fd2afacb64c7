import { useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { scopeOf, type SyncScope } from '../lib/settings.ts';
import { putSettings } from '../settings-api.ts';
import { Field } from './field.tsx';
import { useToast } from './toasts.tsx';

/** Which contacts sync at all: a tag, a business, a creation day. Live sync, the sweep and backfills follow it. */
export function SyncScopeForm({ scope, canEdit }: { scope: SyncScope | undefined; canEdit: boolean }) {
  const toast = useToast();
  const [saved, setSaved] = useState<SyncScope>(scope ?? {});
  const [values, setValues] = useState({
    tag: saved.tag ?? '',
    businessId: saved.businessId ?? '',
    createdAfter: saved.createdAfter ?? '',
  });
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(scopeOf(values)) !== JSON.stringify(saved);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const answer = await putSettings({ scope: scopeOf(values) });
      setSaved(answer.scope ?? {});
      toast('Sync scope saved');
    } catch (err) {
      toast(`The scope was not saved: ${errorText(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={save} data-testid="sync-scope" aria-labelledby="sync-scope-title">
      <fieldset disabled={!canEdit} class="plain-fieldset">
        <legend id="sync-scope-title" class="section-title">
          Which contacts sync
        </legend>
        <p class="muted small">
          Leave all empty to sync every contact. A contact must match each condition you set, in both
          directions; backfills follow it too. People a partner app adds get the tag; with a business or a day
          still to come set, they are not added to HighLevel.
        </p>
        <div class="form-row">
          <Field
            label="Has the tag"
            value={values.tag}
            onValue={(tag) => setValues({ ...values, tag })}
            maxLength={100}
            testId="scope-tag"
          />
          <Field
            label="Business ID"
            value={values.businessId}
            onValue={(businessId) => setValues({ ...values, businessId })}
            maxLength={64}
            testId="scope-business"
          />
          <Field
            label="Created on or after"
            type="date"
            value={values.createdAfter}
            onValue={(createdAfter) => setValues({ ...values, createdAfter })}
            testId="scope-created-after"
          />
        </div>
      </fieldset>
      {canEdit && (
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || !dirty} data-testid="scope-save">
            {busy ? 'Saving…' : 'Save scope'}
          </button>
        </div>
      )}
    </form>
  );
}
