import { useState } from 'preact/hooks';
import { errorText, getSyncLog, replaySyncLogEntry } from '../api.ts';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { SyncHealth } from '../components/sync-health.tsx';
import { SyncLogDetail } from '../components/sync-log-detail.tsx';
import { useToast } from '../components/toasts.tsx';
import { formatDateTime, relativeTime } from '../lib/format.ts';
import { useNow } from '../lib/hooks.ts';
import type { Route } from '../lib/route.ts';
import type { SyncLogEntry } from '../lib/types.ts';
import { useConnections } from '../lib/use-connections.ts';
import { usePages } from '../lib/use-pages.ts';
import { describeEntry } from '../lib/sync-log-words.ts';

/** The statuses of worker/sync-log/write.ts, and `dead` for work that ran out of retries. */
const STATUSES = ['failed', 'dead', 'retrying', 'queued', 'conflict', 'skipped', 'done'];
/** The worker replays only these (worker/sync-log REPLAYABLE_STATUSES), and says which rows it takes. */
const REPLAYABLE = new Set(['failed', 'dead']);
const replayable = (e: SyncLogEntry) => e.replayable ?? REPLAYABLE.has(e.status);
const BAD = new Set(['failed', 'dead', 'conflict']);
const label = (s: string) => s.replace(/_/g, ' ');
const tone = (s: string) => (BAD.has(s) ? 'bad' : s === 'done' ? 'ok' : 'neutral');

interface Props {
  contactId?: string;
  navigate: (r: Route) => void;
}

/** What the sync engine did, newest first, with a status filter and replay. */
export function SyncLogPage({ contactId, navigate }: Props) {
  const toast = useToast();
  const now = useNow();
  const [status, setStatus] = useState('');
  const [showAll, setShowAll] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const {
    pages,
    status: phase,
    error,
    cursor,
    more,
    retry,
    setPages,
  } = usePages(
    (c) => getSyncLog({ status, contactId, cursor: c, show: showAll ? 'all' : undefined }),
    [status, contactId, showAll],
  );
  const entries = pages.flatMap((p) => p.entries);
  const [replaying, setReplaying] = useState<number[]>([]);
  const conns = useConnections();

  const replay = async (entry: SyncLogEntry) => {
    const { id } = entry;
    setReplaying((ids) => [...ids, id]);
    try {
      const updated = await replaySyncLogEntry(id);
      setPages((all) =>
        all.map((p) => ({ ...p, entries: p.entries.map((e) => (e.id === id ? updated : e)) })),
      );
      toast('Replay queued: the change will be tried again shortly');
    } catch (err) {
      toast(`Replay failed: ${errorText(err)}`, 'error');
    } finally {
      setReplaying((ids) => ids.filter((x) => x !== id));
    }
  };

  return (
    <section class="card page-card sync-log" aria-labelledby="sync-log-title" data-testid="sync-log">
      <div class="page-head">
        <h1 id="sync-log-title" class="section-title">
          Sync log
        </h1>
        <div class="page-tools">
          {contactId && (
            <span class="chip" data-testid="sync-log-contact">
              Contact {contactId}
              <button
                type="button"
                class="tag-remove"
                aria-label="Show all contacts"
                onClick={() => navigate({ page: 'sync-log' })}
              >
                ×
              </button>
            </span>
          )}
          <label for="sync-log-status" class="small muted">
            Status
          </label>
          <select
            id="sync-log-status"
            class="input input-sm"
            value={status}
            data-testid="sync-log-status"
            onChange={(e) => setStatus(e.currentTarget.value)}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
          <label class="inline-check small">
            <input
              type="checkbox"
              checked={showAll}
              onChange={(e) => setShowAll(e.currentTarget.checked)}
              data-testid="sync-log-show-all"
            />
            Show echoes and no-op skips
          </label>
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            data-testid="sync-log-refresh"
            onClick={() => {
              retry();
              conns.reload();
            }}
          >
            Refresh
          </button>
        </div>
      </div>

      <SyncHealth inboxBacklog={pages[0]?.health.inboxBacklog} list={conns.list} now={now} />

      {phase === 'loading' && <Loading label="Loading sync activity…" />}
      {phase === 'error' && <ErrorState message={error} onRetry={retry} />}
      {(phase === 'ready' || phase === 'more') && entries.length === 0 && (
        <Empty title="No sync activity yet">
          {status
            ? `Nothing with status “${label(status)}”.`
            : 'Changes to contacts, tasks, notes and appointments appear here as they sync.'}
        </Empty>
      )}
      {phase !== 'loading' && phase !== 'error' && entries.length > 0 && (
        <table class="log-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Change</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="sync-log-entry" data-status={e.status}>
                <td>
                  <time dateTime={e.at} title={formatDateTime(e.at)}>
                    {relativeTime(e.at, now)}
                  </time>
                </td>
                <td>
                  <span class="strong" data-testid="sync-log-words">
                    {describeEntry(e)}
                  </span>
                  <span class="muted small block">
                    from {label(e.trigger)}
                    {e.quiet && ' · no news'}
                  </span>
                  {e.error && <span class="small error-text block">{e.error}</span>}
                </td>
                <td>
                  <span class={`badge status-${tone(e.status)}`}>{label(e.status)}</span>
                  {e.attempts > 1 && <span class="muted small block">{e.attempts} attempts</span>}
                </td>
                <td class="log-actions">
                  <button
                    type="button"
                    class="btn btn-sm btn-ghost"
                    data-testid="sync-log-open"
                    onClick={() => setOpen(e.id)}
                    aria-label={`Details: ${describeEntry(e)}`}
                  >
                    Details
                  </button>
                  {replayable(e) && (
                    <button
                      type="button"
                      class="btn btn-sm"
                      data-testid="sync-log-replay"
                      disabled={replaying.includes(e.id)}
                      onClick={() => replay(e)}
                      aria-label={`Replay ${e.action} ${e.objectKind} from ${formatDateTime(e.at)}`}
                    >
                      {replaying.includes(e.id) ? 'Replaying…' : 'Replay'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open !== null &&
        (() => {
          const e = entries.find((x) => x.id === open);
          if (!e) return null;
          const conn = conns.list?.connections.find((c) => c.id === e.connectionId);
          return (
            <SyncLogDetail
              entry={e}
              connectionName={conn?.name}
              replaying={replaying.includes(e.id)}
              onReplay={replayable(e) ? () => replay(e) : undefined}
              onClose={() => setOpen(null)}
            />
          );
        })()}
      {cursor && phase !== 'loading' && phase !== 'error' && (
        <button
          type="button"
          class="btn btn-block"
          disabled={phase === 'more'}
          onClick={more}
          data-testid="sync-log-load-more"
        >
          {phase === 'more' ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
