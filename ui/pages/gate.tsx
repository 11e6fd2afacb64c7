import type { ComponentChildren } from 'preact';
import { Loading } from '../components/states.tsx';

function GateCard({
  testId,
  title,
  children,
}: {
  testId: string;
  title: string;
  children: ComponentChildren;
}) {
  return (
    <main class="gate">
      <section class="card gate-card" data-testid={testId} aria-labelledby={`${testId}-title`}>
        <h1 id={`${testId}-title`}>{title}</h1>
        {children}
      </section>
    </main>
  );
}

export function ConnectingScreen() {
  return (
    <main class="gate" data-testid="gate-connecting">
      <Loading label="Connecting to HighLevel…" />
    </main>
  );
}

export function OutsideScreen({ onRetry }: { onRetry: () => void }) {
  return (
    <GateCard testId="gate-outside" title="Open this page from inside HighLevel">
      <p>
        Contact Sync runs inside your HighLevel sub-account, which tells it who you are. Open HighLevel,
        choose the sub-account, then select <strong>Contact Sync</strong> in the left menu.
      </p>
      <p class="muted">
        Already there? HighLevel did not answer the sign-in request. An agency admin may need to generate the
        app's Shared Secret (SSO key) in the marketplace app settings.
      </p>
      <button type="button" class="btn btn-primary" onClick={onRetry}>
        Try again
      </button>
    </GateCard>
  );
}

export function ReconnectScreen({ message, onRetry }: { message?: string; onRetry: () => void }) {
  return (
    <GateCard testId="reconnect-needed" title="Reconnect needed">
      <p>
        Contact Sync lost its connection to this sub-account (the app was uninstalled, or its access was
        revoked). Nothing syncs until it is reconnected.
      </p>
      {message && <p class="muted">{message}</p>}
      <ol class="steps">
        <li>
          In HighLevel, open <strong>App Marketplace</strong> and find <strong>Contact Sync</strong>.
        </li>
        <li>
          Choose <strong>Install</strong> (or <strong>Reinstall</strong>) and select this sub-account.
        </li>
        <li>Approve the requested access, then come back here.</li>
      </ol>
      <p class="muted">
        Only an agency or sub-account admin can install apps. Your settings and sync history are kept.
      </p>
      <div class="form-actions gate-actions">
        <a class="btn" href="/oauth/install" target="_blank" rel="noopener" data-testid="reconnect-install">
          Open the install page
        </a>
        <button type="button" class="btn btn-primary" onClick={onRetry}>
          I have reconnected
        </button>
      </div>
    </GateCard>
  );
}

export function SessionErrorScreen({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <GateCard testId="gate-error" title="Contact Sync could not start">
      <p role="alert">{message}</p>
      <button type="button" class="btn btn-primary" onClick={onRetry}>
        Try again
      </button>
    </GateCard>
  );
}
