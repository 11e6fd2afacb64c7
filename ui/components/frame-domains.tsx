import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { parseDomainLines, type FrameDomains } from '../lib/frame-domains.ts';
import { getFrameDomains, putFrameDomains } from '../settings-api.ts';
import { Field } from './field.tsx';
import { useToast } from './toasts.tsx';

/** The agency's own domains that may show Contact Sync (white-label); admins change them. */
export function FrameDomainsCard({ canEdit }: { canEdit: boolean }) {
  const toast = useToast();
  const [saved, setSaved] = useState<FrameDomains | null>(null);
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);

  const show = (d: FrameDomains) => {
    setSaved(d);
    setText(d.domains.join('\n'));
  };
  useEffect(() => {
    getFrameDomains().then(show, () => setSaved(null));
  }, []);
  if (!saved) return null;

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      show(await putFrameDomains(parseDomainLines(text)));
      toast('Domains saved');
    } catch (err) {
      toast(`Domains were not saved: ${errorText(err)}`, 'error');
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="card" onSubmit={save} data-testid="frame-domains">
      <h2 class="section-title">Your agency’s own domains</h2>
      <p class="muted small">
        White-label agencies show HighLevel on their own domain: list it here so Contact Sync can open there
        too.
        {saved.installDomain && (
          <>
            {' '}
            From your install: <strong data-testid="frame-install-domain">{saved.installDomain}</strong>.
          </>
        )}
      </p>
      <fieldset disabled={!canEdit} class="plain">
        <Field
          label="More domains, one per line"
          value={text}
          onValue={setText}
          multiline
          hint="For example app.youragency.com"
          testId="frame-domains-input"
        />
      </fieldset>
      {canEdit && (
        <div class="form-actions">
          <button
            type="submit"
            class="btn btn-primary"
            disabled={saving || text === saved.domains.join('\n')}
            data-testid="frame-domains-save"
          >
            {saving ? 'Saving…' : 'Save domains'}
          </button>
        </div>
      )}
    </form>
  );
}
