import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { SyncHealth } from '../components/sync-health.tsx';
import { useToast } from '../components/toasts.tsx';
import { formatDateTime, relativeTime } from '../lib/format.ts';
import { useNow } from '../lib/hooks.ts';
import type { Route } from '../lib/route.ts';
import type { SyncLogEntry } from '../lib/types.ts';
import { useConnections } from '../lib/use-connections.ts';

const STATUSES = ['failed', 'dead', 'retrying', 'queued', 'conflict', 'skipped', 'done'];
/** The worker replays only these (worker/sync-log REPLAYABLE_STATUSES). */
const REPLAYABLE = new Set(['failed', 'dead']);
const BAD = new Set(['failed', 'dead', 'error', 'conflict']);
const GOOD = new Set(['done', 'ok', 'success']);
const label = (s: string) => s.replace(/_/g, ' ');
const tone = (s: string) => (BAD.has(s) ? 'bad' : GOOD.has(s) ? 'ok' : 'neutral');

interface Props {
  contactId?: string;
  navigate: (r: Route) => void;
}

/** What the sync engine did, newest first, with a status filter and replay. */
export function SyncLogPage({ contactId, navigate }: Props) {
  const toast = useToast();
  const now = useNow();
  const [status, setStatus] = useState('');
  const [entries, setEntries] = useState<SyncLogEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [health, setHealth] = useState<unknown>(null);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'more' | 'error'>('loading');
  const [error, setError] = useState('');
  const [replaying, setReplaying] = useState<Set<string>>(new Set());
  const [attempt, setAttempt] = useState(0);
  const seq = useRef(0);
  const conns = useConnections();

  const load = async (more: boolean) => {
    const mine = ++seq.current;
    setPhase(more ? 'more' : 'loading');
    try {
      const page = await api.syncLog({ status, contactId, cursor: more ? cursor : null });
      if (mine !== seq.current) return;
      setEntries((prev) => (more ? [...prev, ...(page.entries ?? [])] : (page.entries ?? [])));
      setCursor(page.nextCursor ?? null);
      if (!more) setHealth(page.health ?? null);
      setPhase('ready');
    } catch (err) {
      if (mine !== seq.current) return;
      setError(err instanceof Error ? err.message : String(err));
      setPhase('error');
    }
  };

  useEffect(() => {
    void load(false);
  }, [status, contactId, attempt]);

  const replay = async (entry: SyncLogEntry) => {
    const id = String(entry.id);
    setReplaying((s) => new Set(s).add(id));
    try {
      const updated = await api.replay(entry.id);
      const next = updated && typeof updated.status === 'string' ? (updated as unknown as SyncLogEntry) : { ...entry, status: 'queued', error: null };
      setEntries((all) => all.map((e) => (String(e.id) === id ? { ...e, ...next } : e)));
      toast('Replay queued: the change will be tried again shortly');
    } catch (err) {
      toast(`Replay failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
    } finally {
      setReplaying((s) => {
        const next = new Set(s);
        next.delete(id);
        return next;
      });
    }
  };

  const statuses = [...new Set([...STATUSES, ...entries.map((e) => e.status)])];

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
              <button type="button" class="tag-remove" aria-label="Show all contacts" onClick={() => navigate({ page: 'log' })}>
                ×
              </button>
            </span>
          )}
          <label for="sync-log-status" class="small muted">
            Status
          </label>
          <select id="sync-log-status" class="input input-sm" value={status} data-testid="sync-log-status" onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">All</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            data-testid="sync-log-refresh"
            onClick={() => {
              setAttempt((n) => n + 1);
              conns.reload();
            }}
          >
            Refresh
          </button>
        </div>
      </div>

      <SyncHealth health={health} list={conns.list} now={now} />

      {phase === 'loading' && <Loading label="Loading sync activity…" />}
      {phase === 'error' && <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />}
      {(phase === 'ready' || phase === 'more') && entries.length === 0 && (
        <Empty title="No sync activity yet">
          {status ? `Nothing with status “${label(status)}”.` : 'Changes to contacts, tasks, notes and appointments appear here as they sync.'}
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
                <td data-label="When">
                  <time dateTime={String(e.at)} title={formatDateTime(e.at)}>
                    {relativeTime(e.at, now)}
                  </time>
                </td>
                <td data-label="Change">
                  <span class="strong">{[e.action, e.objectKind].filter((x): x is string => Boolean(x)).map(label).join(' ') || 'Change'}</span>
                  <span class="muted small block">
                    {e.trigger ? `from ${label(e.trigger)}` : ''}
                    {e.objectId ? ` · ${e.objectId}` : ''}
                  </span>
                  {e.error && <span class="small error-text block">{e.error}</span>}
                </td>
                <td data-label="Status">
                  <span class={`badge status-${tone(e.status)}`}>
                    {label(e.status)}
                  </span>
                  {(e.attempts ?? 0) > 1 && <span class="muted small block">{e.attempts} attempts</span>}
                </td>
                <td class="log-actions">
                  {REPLAYABLE.has(e.status) && (
                    <button
                      type="button"
                      class="btn btn-sm"
                      data-testid="sync-log-replay"
                      disabled={replaying.has(String(e.id))}
                      onClick={() => replay(e)}
                      aria-label={`Replay ${[e.action, e.objectKind].filter(Boolean).join(' ')} from ${formatDateTime(e.at)}`}
                    >
                      {replaying.has(String(e.id)) ? 'Replaying…' : 'Replay'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && phase !== 'loading' && phase !== 'error' && (
        <button type="button" class="btn btn-block" disabled={phase === 'more'} onClick={() => load(true)} data-testid="sync-log-load-more">
          {phase === 'more' ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
