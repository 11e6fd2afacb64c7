import { relativeTime } from '../lib/format.ts';
import type { Connection } from '../lib/settings.ts';
import { Switch } from './switch.tsx';

const HEALTHY = ['active', 'ok', 'healthy', 'connected'];

interface Props {
  connections: Connection[];
  /** Given to admins on the settings screen: turns one connection's sync on or off. */
  onToggle?: (id: string, enabled: boolean) => void;
}

/** Partner connections of the location with their health (last event, last error, backlog). */
export function Connections({ connections, onToggle }: Props) {
  return (
    <section class="card" aria-labelledby="connections-title" data-testid="connections">
      <h2 id="connections-title" class="section-title">
        Partner connections
      </h2>
      <ul class="connection-list">
        {connections.map((c) => {
          const bad = Boolean(c.lastError) || c.enabled === false || (c.status !== undefined && !HEALTHY.includes(c.status));
          return (
            <li key={c.id} class="connection" data-testid="connection" data-connection-id={c.id}>
              <span class={`dot ${bad ? 'dot-bad' : 'dot-ok'}`} aria-hidden="true" />
              <div class="connection-text">
                <p class="connection-name">
                  {c.name} {c.status && <span class="badge">{c.status}</span>}
                </p>
                <p class="muted small">
                  {c.lastEventAt ? `Last event ${relativeTime(c.lastEventAt)}` : 'No events yet'}
                  {typeof c.backlog === 'number' && ` · ${c.backlog} waiting`}
                </p>
                {c.lastError && <p class="small error-text">Last error: {c.lastError}</p>}
              </div>
              {c.enabled !== undefined && (
                <Switch
                  label={c.enabled ? 'Syncing' : 'Paused'}
                  checked={c.enabled}
                  disabled={!onToggle}
                  onChange={(on) => onToggle?.(c.id, on)}
                  testId={`setting-connection-${c.id}`}
                />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
