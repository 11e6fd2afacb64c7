import { directionOf, healthOf, type KindSpec, type PartnerConnection } from '../lib/connections.ts';
import { formatDateTime, relativeTime } from '../lib/format.ts';

const When = ({ at, now }: { at: number; now: number }) => (
  <time dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
    {relativeTime(at, now)}
  </time>
);

/** Name, partner, direction and status of a connection. */
export function ConnectionHead({ c, kinds }: { c: PartnerConnection; kinds: KindSpec[] }) {
  const spec = kinds.find((k) => k.kind === c.kind);
  return (
    <div class="conn-head">
      <div class="connection-text">
        <h3 class="connection-name">{c.name}</h3>
        <p class="muted small">
          {spec?.label ?? c.kind} · {directionOf(spec)}
        </p>
      </div>
      <span
        class={`badge status-${c.status === 'active' ? 'ok' : c.status === 'error' || c.status === 'reconnect_needed' ? 'bad' : 'neutral'}`}
      >
        {c.status}
      </span>
    </div>
  );
}

/** Last event, last error with its time, backlog and failed changes of one connection; a warning when it needs attention. */
export function ConnectionHealth({ connection, now }: { connection: PartnerConnection; now: number }) {
  const h = healthOf(connection, now);
  return (
    <div
      class={`conn-health${h.warn ? ' is-warn' : ''}`}
      data-testid="connection-health"
      data-warn={String(h.warn)}
    >
      {h.warn && <p class="conn-flag">⚠ Needs attention</p>}
      <dl class="health">
        <div>
          <dt>Last event</dt>
          <dd>{h.lastEventAt ? <When at={h.lastEventAt} now={now} /> : 'None yet'}</dd>
        </div>
        <div>
          <dt>Backlog</dt>
          <dd>{h.backlog}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{h.failed}</dd>
        </div>
      </dl>
      {h.lastError && (
        <p class="small error-text">
          Last error
          {h.lastErrorAt && (
            <>
              {' '}
              (<When at={h.lastErrorAt} now={now} />)
            </>
          )}
          : {h.lastError}
        </p>
      )}
    </div>
  );
}
