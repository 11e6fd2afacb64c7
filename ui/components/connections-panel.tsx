import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { credentialLabel } from '../lib/connection-admin.ts';
import type { Created, KindSpec, PartnerConnection } from '../lib/connections.ts';
import { useNow, useUniqueId } from '../lib/hooks.ts';
import type { ConnectionsState } from '../lib/use-connections.ts';
import { deleteConnection, updateConnection } from '../settings-api.ts';
import { BackfillPanel } from './backfill.tsx';
import { CheckResult, ConnectionChecks } from './connection-checks.tsx';
import { ConnectionForm } from './connection-form.tsx';
import { ConnectionHead, ConnectionHealth } from './connection-health.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { Empty, ErrorState, Loading } from './states.tsx';
import { useToast } from './toasts.tsx';

/** Where each partner wants the URL and secrets shown once at creation. */
const SETUP: Record<string, string> = {
  calcom: 'In Cal.com › Settings › Developer › Webhooks, add a webhook with this URL and secret.',
  yourapp: 'Send your app’s signed webhooks to this URL, with this secret.',
  appointlet: 'Add this URL as an Appointlet webhook. Its key is a password: keep it private.',
};

/** A read-only value with a Copy button (clipboard, or selection + copy inside GHL's iframe). */
function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const id = useUniqueId();
  const toast = useToast();
  const input = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      input.current?.select();
      if (!document.execCommand('copy')) return toast('Copy failed: select the text and copy it.', 'error');
    }
    toast(`${label} copied`);
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input
          id={id}
          ref={input}
          class="input mono"
          readOnly
          value={value}
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="btn" onClick={copy} aria-label={`Copy ${label}`}>
          Copy
        </button>
      </div>
    </div>
  );
}

/** The inbound URL and generated secrets, shown once right after creation. */
function Secrets({ created, onDone }: { created: Created; onDone: () => void }) {
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => title.current?.focus(), []);
  return (
    <div class="card secrets" role="region" aria-labelledby="secrets-title" data-testid="connection-secrets">
      <h3 id="secrets-title" ref={title} tabIndex={-1} class="subtitle">
        {created.webhookRegistered
          ? `${created.connection.name} is connected`
          : `Copy this now: ${created.connection.name} is connected`}
      </h3>
      {created.check && <CheckResult check={created.check} testId="connection-created-check" />}
      {created.webhookRegistered ? (
        <p class="notice">
          Its webhook was registered in {created.connection.name} for you: nothing to paste there.
        </p>
      ) : (
        <>
          <p class="notice">
            These are shown only this once.{' '}
            {SETUP[created.connection.kind] ?? 'Give them to the partner app.'}
          </p>
          <CopyField label="Webhook URL" value={created.inboundUrl} testId="secret-inboundUrl" />
          {Object.entries(created.secrets).map(([k, v]) => (
            <CopyField key={k} label={credentialLabel(k)} value={v} testId={`secret-${k}`} />
          ))}
        </>
      )}
      <div class="form-actions">
        <button type="button" class="btn btn-primary" onClick={onDone} data-testid="connection-secrets-done">
          I copied them
        </button>
      </div>
    </div>
  );
}

interface CardProps {
  c: PartnerConnection;
  kinds: KindSpec[];
  canEdit: boolean;
  now: number;
  onChange: () => void;
}

function ConnectionCard({ c, kinds, canEdit, now, onChange }: CardProps) {
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const spec = kinds.find((k) => k.kind === c.kind);
  const paused = c.status !== 'active';

  const act = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await work();
      toast(done);
      onChange();
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class="conn-card" data-testid="connection" data-connection-id={c.id} data-status={c.status}>
      <ConnectionHead c={c} kinds={kinds} />
      <ConnectionHealth connection={c} now={now} />
      <p class="small muted conn-url">
        Webhook URL: <code>{c.inboundUrl}</code>
        {spec?.capabilities?.inboundAuth === 'url-key' && ' (plus the key shown when it was created)'}
      </p>
      {canEdit && !editing && (
        <div class="form-actions conn-actions">
          <button
            type="button"
            class="btn btn-sm"
            onClick={() => setEditing(true)}
            data-testid="connection-edit"
          >
            Edit
          </button>
          <button
            type="button"
            class="btn btn-sm"
            disabled={busy}
            data-testid="connection-pause"
            onClick={() =>
              act(
                () => updateConnection(c.id, { status: paused ? 'active' : 'paused' }),
                paused ? `${c.name} resumed` : `${c.name} paused`,
              )
            }
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost danger"
            disabled={busy}
            onClick={() => setConfirming(true)}
            data-testid="connection-delete"
          >
            Delete
          </button>
        </div>
      )}
      {editing && (
        <ConnectionForm
          kinds={kinds}
          connection={c}
          onCancel={() => setEditing(false)}
          onUpdated={() => {
            setEditing(false);
            toast('Connection saved');
            onChange();
          }}
        />
      )}
      {canEdit && !editing && (
        <ConnectionChecks connectionId={c.id} partnerLabel={spec?.label ?? c.name} onChecked={onChange} />
      )}
      <BackfillPanel
        connectionId={c.id}
        partnerLabel={spec?.label ?? c.name}
        canEdit={canEdit}
        active={!paused}
        now={now}
      />
      {confirming && (
        <ConfirmDialog
          title={`Delete ${c.name}?`}
          message="Syncing with this partner stops and its credentials are erased. Synced contacts stay."
          confirmLabel="Delete connection"
          onConfirm={() => act(() => deleteConnection(c.id), `${c.name} deleted`)}
          onClose={() => setConfirming(false)}
        />
      )}
    </li>
  );
}

/** The location's partner connections: add, edit, pause, delete, health and backfill. Read-only for non-admins. */
export function ConnectionsPanel({ state, canEdit }: { state: ConnectionsState; canEdit: boolean }) {
  const now = useNow();
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  /** A sign-in in another window: how many connections there were, and until when to look. */
  const [signingIn, setSigningIn] = useState<{ count: number; until: number } | null>(null);
  const { list, error, reload } = state;

  // While the admin signs in elsewhere, look every 2 s (for up to 2 minutes) for the new connection.
  useEffect(() => {
    if (!signingIn) return;
    if ((list?.connections.length ?? 0) > signingIn.count || Date.now() > signingIn.until) {
      setSigningIn(null);
      return;
    }
    const t = setTimeout(reload, 2000);
    return () => clearTimeout(t);
  }, [signingIn, list]);

  return (
    <section class="card" aria-labelledby="connections-title" data-testid="connections">
      <div class="page-head">
        <div>
          <h2 id="connections-title" class="section-title">
            Partner connections
          </h2>
          <p class="muted small">The apps this sub-account syncs with, and how each is doing.</p>
        </div>
        {canEdit && list && !adding && (
          <button
            type="button"
            class="btn btn-primary btn-sm"
            onClick={() => setAdding(true)}
            data-testid="connection-add"
          >
            Add connection
          </button>
        )}
      </div>
      {created && (
        <Secrets
          created={created}
          onDone={() => {
            setCreated(null);
            document.querySelector<HTMLElement>('[data-testid="connection-add"]')?.focus();
          }}
        />
      )}
      {signingIn && (
        <p class="notice" role="status" data-testid="connection-signing-in">
          Finish signing in in the other window; the connection appears here when it is made.{' '}
          <button type="button" class="btn btn-sm" onClick={() => setSigningIn(null)}>
            Stop waiting
          </button>
        </p>
      )}
      {adding && list && (
        <ConnectionForm
          kinds={list.kinds}
          onSignIn={() => {
            setAdding(false);
            setSigningIn({ count: list.connections.length, until: Date.now() + 120_000 });
          }}
          onCancel={() => setAdding(false)}
          onCreated={(c) => {
            setAdding(false);
            setCreated(c);
            reload();
          }}
        />
      )}
      {!list &&
        (error ? <ErrorState message={error} onRetry={reload} /> : <Loading label="Loading connections…" />)}
      {list && list.connections.length === 0 && !adding && (
        <Empty title="No partner connections yet">
          {canEdit ? 'Add one to start syncing.' : 'An admin of this sub-account can add one.'}
        </Empty>
      )}
      {list && list.connections.length > 0 && (
        <ul class="conn-list">
          {list.connections.map((c) => (
            <ConnectionCard
              key={c.id}
              c={c}
              kinds={list.kinds}
              canEdit={canEdit}
              now={now}
              onChange={reload}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
