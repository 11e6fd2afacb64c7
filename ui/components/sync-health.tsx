import type { ConnectionList } from '../lib/connections.ts';
import { relativeTime } from '../lib/format.ts';
import { ConnectionHead, ConnectionHealth } from './connection-health.tsx';

const words = (k: string) => k.replace(/At$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();

interface Props {
  health: unknown;
  /** `/api/connections` (null while it loads or when it failed), for names and kinds. */
  list: ConnectionList | null;
  now: number;
}

/** The sync log's `health`: headline figures, and each connection's health (last event, last error, backlog). */
export function SyncHealth({ health, list, now }: Props) {
  const obj = health && typeof health === 'object' ? (health as Record<string, unknown>) : {};
  const facts = Array.isArray(health) ? [] : Object.entries(obj).filter(([, v]) => v === null || typeof v !== 'object');
  return (
    <>
      {facts.length > 0 && (
        <dl class="health" data-testid="sync-health">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{words(k)}</dt>
              <dd>{/At$/.test(k) ? relativeTime(v, now) || '—' : String(v ?? '—')}</dd>
            </div>
          ))}
        </dl>
      )}
      {list && (
        <section class="conn-health-list" aria-labelledby="conn-health-title">
          <h2 id="conn-health-title" class="subtitle">
            Connections
          </h2>
          {list.connections.length === 0 && <p class="muted small">No partner connections yet. An admin adds them under Settings.</p>}
          <ul>
            {list.connections.map((c) => (
              <li key={c.id} data-testid="connection" data-connection-id={c.id}>
                <ConnectionHead c={c} kinds={list.kinds} />
                <ConnectionHealth connection={c} now={now} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
