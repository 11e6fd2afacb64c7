import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import {
  applySettings,
  credentialLabel,
  credentialsError,
  settingError,
  formFields,
  settingText,
} from '../lib/connection-admin.ts';
import type { Created, KindSpec, PartnerConnection } from '../lib/connections.ts';
import { calcomSignInUrl, createConnection, updateConnection } from '../settings-api.ts';
import { Field } from './field.tsx';
import { FormError } from './form-error.tsx';

interface Props {
  kinds: KindSpec[];
  /** Given: edits this connection (its kind stays); absent: creates one. */
  connection?: PartnerConnection;
  onCreated?: (c: Created) => void;
  onUpdated?: (c: PartnerConnection) => void;
  /** The admin went to sign in to the partner in another window. */
  onSignIn?: () => void;
  onCancel: () => void;
}

/** Creates or edits a partner connection: kind, name, credentials (password inputs) and the settings that connector needs. */
/** Tokens a sign-in gives: never asked for where the admin can sign in instead. */
const SIGNED_IN = new Set(['accessToken', 'refreshToken', 'clientId', 'clientSecret']);

export function ConnectionForm({ kinds, connection, onCreated, onUpdated, onSignIn, onCancel }: Props) {
  const [kind, setKind] = useState(connection?.kind ?? kinds[0]?.kind ?? '');
  const [name, setName] = useState(connection?.name ?? '');
  const [creds, setCreds] = useState<Record<string, string>>({});
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLElement>('select, input')?.focus(), []);
  const spec = kinds.find((k) => k.kind === kind);
  const fields = formFields(spec);
  const signIn = !connection && spec?.signIn === true;
  const credentialSpecs = (spec?.credentials ?? []).filter((c) => !(signIn && SIGNED_IN.has(c.name)));

  const startSignIn = async () => {
    // Opened before the await: a window opened after it is a popup the browser may block.
    const popup = window.open('', 'calcom-sign-in', 'popup,width=520,height=720');
    setBusy(true);
    setError('');
    try {
      const all = Object.fromEntries(
        fields.filter((f) => f.key !== 'apiBase').map((f) => [f.key, value(f.key)]),
      );
      const url = await calcomSignInUrl({
        name: name.trim() || undefined,
        settings: applySettings(
          {},
          fields.filter((f) => f.key !== 'apiBase'),
          all,
        ),
      });
      if (popup) popup.location.href = url;
      else window.open(url, '_blank', 'noopener');
      onSignIn?.();
    } catch (err) {
      popup?.close();
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const value = (key: string) => values[key] ?? settingText(connection?.settings ?? {}, key);

  const fail = (message: string, testId?: string) => {
    setError(message);
    if (testId) form.current?.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!spec) return fail('Choose what to connect.');
    // The name input takes at most 80 characters, as the worker does.
    const label = name.trim() || spec.label;
    for (const f of fields) {
      const msg = settingError(f, value(f.key));
      if (msg) return fail(msg, `connection-setting-${f.key}`);
    }
    const credentials = Object.fromEntries(
      Object.entries(creds)
        .map(([k, v]) => [k, v.trim()])
        .filter(([, v]) => v),
    );
    const credMsg = credentialsError(spec, credentials, Boolean(connection));
    if (credMsg) return fail(credMsg);
    const all = Object.fromEntries(fields.map((f) => [f.key, value(f.key)]));
    setBusy(true);
    setError('');
    try {
      if (connection) {
        const settings = applySettings(connection.settings, fields, all);
        onUpdated?.(
          await updateConnection(connection.id, {
            name: label,
            settings,
            ...(Object.keys(credentials).length ? { credentials } : {}),
          }),
        );
      } else {
        onCreated?.(
          await createConnection({
            kind,
            name: label,
            credentials,
            settings: applySettings({}, fields, all),
          }),
        );
      }
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <form
      ref={form}
      class="card form inline-form"
      data-testid="connection-form"
      aria-label={connection ? `Edit ${connection.name}` : 'New connection'}
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
      noValidate
    >
      {!connection && (
        <div class="field">
          <label for="connection-kind">Partner app</label>
          <select
            id="connection-kind"
            class="input"
            value={kind}
            data-testid="connection-kind"
            onChange={(e) => {
              setKind(e.currentTarget.value);
              setCreds({});
            }}
          >
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <Field
        label="Name"
        value={name}
        onValue={setName}
        maxLength={80}
        testId="connection-name"
        placeholder={spec?.label}
      />
      {signIn && (
        <div class="sign-in">
          <button
            type="button"
            class="btn btn-primary"
            disabled={busy}
            onClick={startSignIn}
            data-testid="connection-sign-in"
          >
            Sign in with {spec?.label}
          </button>
          <p class="hint">
            Approve Contact Sync in {spec?.label}'s window: the connection and its webhook are made for you.
            Or paste an API key below.
          </p>
        </div>
      )}
      {credentialSpecs.map((c) => {
        const kept = connection?.credentialNames.includes(c.name);
        const generated = !connection && spec?.generated?.includes(c.name);
        const extra = kept
          ? '. Leave empty to keep the current one.'
          : generated
            ? '. Leave empty and Contact Sync generates one.'
            : '';
        return (
          <Field
            key={`${kind}-${c.name}`}
            label={credentialLabel(c.name)}
            type="password"
            autoComplete="new-password"
            value={creds[c.name] ?? ''}
            onValue={(v) => setCreds({ ...creds, [c.name]: v })}
            required={!connection && c.required && !generated}
            hint={c.description.replace(/\.$/, '') + extra}
            testId={`connection-credential-${c.name}`}
          />
        );
      })}
      {fields.map((f) =>
        f.type === 'choice' ? (
          <div class="field" key={`${kind}-${f.key}`}>
            <label for={`connection-setting-${f.key}`}>{f.label}</label>
            <select
              id={`connection-setting-${f.key}`}
              class="input"
              value={value(f.key) || f.options?.[0]?.value}
              data-testid={`connection-setting-${f.key}`}
              aria-describedby={`connection-setting-${f.key}-hint`}
              onChange={(e) => setValues({ ...values, [f.key]: e.currentTarget.value })}
            >
              {f.options?.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <p id={`connection-setting-${f.key}-hint`} class="hint">
              {f.hint}
            </p>
          </div>
        ) : (
          <Field
            key={`${kind}-${f.key}`}
            label={f.label}
            type={f.type === 'url' ? 'url' : 'text'}
            value={value(f.key)}
            onValue={(v) => setValues({ ...values, [f.key]: v })}
            required={f.required}
            hint={f.hint}
            testId={`connection-setting-${f.key}`}
          />
        ),
      )}
      <FormError message={error} />
      <div class="form-actions">
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="connection-save">
          {busy ? 'Saving…' : connection ? 'Save connection' : 'Add connection'}
        </button>
      </div>
    </form>
  );
}
