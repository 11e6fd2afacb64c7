import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText } from '../api.ts';
import { progressPercent } from '../lib/connection-admin.ts';
import type { Backfill, BackfillCounts } from '../lib/connections.ts';
import { relativeTime } from '../lib/format.ts';
import { getBackfill, startBackfill } from '../settings-api.ts';

const COUNTS: (keyof BackfillCounts)[] = ['creates', 'updates', 'matches', 'conflicts', 'skipped'];

interface Props {
  connectionId: string;
  canEdit: boolean;
  /** Backfills need an active connection. */
  active: boolean;
  now: number;
}

/**
 * Backfill of one connection: "Preview" runs a dry run and shows what would happen; "Run backfill"
 * (after a finished preview) writes, with progress polled every second while it runs.
 */
export function BackfillPanel({ connectionId, canEdit, active, now }: Props) {
  const [bf, setBf] = useState<Backfill | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const running = bf?.state === 'running';

  useEffect(() => {
    if (tick && !running) return;
    const t = setTimeout(
      () =>
        getBackfill(connectionId).then(
          (b) => {
            setBf(b);
            setError('');
            setTick((n) => n + 1);
          },
          (err) => {
            setError(errorText(err));
            // A blip does not end the watch: try again a little later.
            setTimeout(() => setTick((n) => n + 1), 3000);
          },
        ),
      tick ? 1000 : 0,
    );
    return () => clearTimeout(t);
  }, [connectionId, tick, running]);

  const start = async (dryRun: boolean) => {
    setBusy(true);
    setError('');
    try {
      setBf(await startBackfill(connectionId, dryRun));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'backfill_running') setBf(await getBackfill(connectionId).catch(() => bf));
      else setError(errorText(err));
    } finally {
      setBusy(false);
      setTick((n) => n + 1);
    }
  };

  const pct = bf ? progressPercent(bf) : null;
  const what = bf?.dryRun ? 'Preview' : 'Backfill';
  const canRun = bf?.dryRun === true && bf.state === 'done';
  const coarse = pct === null ? '' : `${Math.floor(pct / 10) * 10}%`;

  return (
    <div class="backfill" data-testid="backfill">
      <div class="backfill-head">
        <p class="strong">Backfill</p>
        {canEdit && (
          <div class="form-actions">
            <button type="button" class="btn btn-sm" disabled={busy || running || !active} onClick={() => start(true)} data-testid="backfill-preview">
              Preview
            </button>
            <button
              type="button"
              class="btn btn-sm btn-primary"
              disabled={busy || running || !active || !canRun}
              onClick={() => start(false)}
              data-testid="backfill-run"
              aria-describedby={`bf-hint-${connectionId}`}
            >
              Run backfill
            </button>
          </div>
        )}
      </div>
      {canEdit && (
        <p id={`bf-hint-${connectionId}`} class="hint">
          {active ? 'Brings existing contacts in step. Preview first: it counts what would change and writes nothing.' : 'Resume the connection to backfill it.'}
        </p>
      )}
      {/* Announced: phase changes, progress in steps of 10 %, and the end. */}
      <p class="sr-only" aria-live="polite">
        {bf && (running ? `${what} running ${coarse}` : bf.state === 'done' ? `${what} finished` : `${what} failed`)}
      </p>
      {running && (
        <div class="backfill-progress" data-testid="backfill-progress">
          <progress class="progress" max={100} value={pct ?? undefined} aria-label={`${what} progress`} />
          <p class="small muted">
            {bf.phase !== 'ghl'
              ? `Reading partner changes: ${bf.partnerChanges} so far`
              : bf.total === null
                ? 'Starting…'
                : `${bf.processed} of ${bf.total} HighLevel contacts (${pct ?? 0}%)`}
          </p>
          {bf.error && <p class="small error-text">Retrying: {bf.error}</p>}
        </div>
      )}
      {bf && (
        <div class="backfill-result">
          <p class="small">
            <span class="strong">{bf.dryRun ? 'Preview (nothing written)' : 'Backfill'}</span>
            {running
              ? ' so far'
              : bf.state === 'done'
                ? ` finished ${relativeTime(bf.finishedAt, now)}: ${bf.processed} contacts, ${bf.partnerChanges} partner changes`
                : ' stopped'}
          </p>
          <dl class="counts" data-testid="backfill-counts">
            {COUNTS.map((k) => (
              <div key={k} data-count={k}>
                <dt>{k}</dt>
                <dd>{bf.counts[k]}</dd>
              </div>
            ))}
          </dl>
          {bf.state === 'failed' && <p class="small error-text">{bf.error ?? 'The backfill stopped.'}</p>}
        </div>
      )}
      {error && (
        <p class="small error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
