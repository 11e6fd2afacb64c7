import type { ConnectionList } from '../lib/connections.ts';
import { ConnectionHead, ConnectionHealth } from './connection-health.tsx';

interface Props {
  /** Stored events not yet handed to contacts (the sync log's `health`); undefined until it loads. */
  inboxBacklog: number | undefined;
  /** `/api/connections` (null while it loads or when it failed), for names and kinds. */
  list: ConnectionList | null;
  now: number;
}

/** The sync log's headline figure, and each connection's health (last event, last error, backlog). */
export function SyncHealth({ inboxBacklog, list, now }: Props) {
  return (
    <>
      {inboxBacklog !== undefined && (
        <dl class="health" data-testid="sync-health">
          <div>
            <dt>Inbox backlog</dt>
            <dd>{inboxBacklog}</dd>
          </div>
        </dl>
      )}
      {list && (
        <section class="conn-health-list" aria-labelledby="conn-health-title">
          <h2 id="conn-health-title" class="subtitle">
            Connections
          </h2>
          {list.connections.length === 0 && (
            <p class="muted small">No partner connections yet. An admin adds them under Settings.</p>
          )}
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
