import { formatDateTime } from '../lib/format.ts';
import type { SyncLogEntry, SyncRequest, SyncTry } from '../lib/types.ts';

/** Every kept attempt of a sync log row, each with the GHL and partner requests it made. */
export function SyncLogTries({ entry: e, partnerName }: { entry: SyncLogEntry; partnerName?: string }) {
  const tries: SyncTry[] =
    e.tries ?? (e.requests?.length ? [{ attempt: 0, at: '', status: '', requests: e.requests }] : []);
  if (!tries.length) return null;
  const earlier = e.earlierTries ?? 0;
  return (
    <section aria-labelledby="sync-log-tries-title">
      <p id="sync-log-tries-title" class="strong small">
        Requests, by attempt
      </p>
      {earlier > 0 && (
        <p class="muted small">
          {earlier} earlier {earlier === 1 ? 'attempt is' : 'attempts are'} no longer kept.
        </p>
      )}
      <ol class="try-list" data-testid="sync-log-requests">
        {tries.map((t, i) => (
          <li key={`${i}-${t.at}`} data-testid="sync-log-try">
            <p class="small">
              <span class="strong">{t.attempt ? `Attempt ${t.attempt}` : 'Last attempt'}</span>
              {t.at && ` · ${formatDateTime(t.at)}`}
              {t.status && ` · ${t.status}`}
              {t.error && ` · ${t.error}`}
            </p>
            <ol class="request-list">
              {t.requests.map((r, j) => (
                <RequestItem key={j} request={r} partnerName={partnerName} />
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </section>
  );
}

function RequestItem({ request: r, partnerName }: { request: SyncRequest; partnerName?: string }) {
  return (
    <li>
      <details>
        <summary class="mono small">
          {r.side === 'ghl' ? 'HighLevel' : (partnerName ?? 'Partner')}: {r.method} {r.path} →{' '}
          {r.status ?? r.error ?? 'no answer'} · {r.ms} ms
        </summary>
        {r.requestBody && (
          <pre class="mono small">
            <span class="muted">sent </span>
            {r.requestBody}
          </pre>
        )}
        {r.responseBody && (
          <pre class="mono small">
            <span class="muted">answer </span>
            {r.responseBody}
          </pre>
        )}
      </details>
    </li>
  );
}
