import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText } from '../api.ts';
import { backfillRows, progressPercent } from '../lib/connection-admin.ts';
import type { ActionCounts, Backfill } from '../lib/connections.ts';
import { relativeTime } from '../lib/format.ts';
import { cancelBackfill, getBackfill, startBackfill } from '../settings-api.ts';

const ACTIONS: { key: keyof ActionCounts; label: string }[] = [
  { key: 'create', label: 'Create' },
  { key: 'update', label: 'Update' },
  { key: 'unchanged', label: 'Unchanged' },
  { key: 'skipped', label: 'Skipped' },
  { key: 'delete', label: 'Delete' },
];
const ENDED: Record<Backfill['state'], string> = {
  running: 'running',
  done: 'finished',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** What the backfill does, per direction and kind (a preview and its run count the same way). */
function PlanTable({ bf, partnerLabel }: { bf: Backfill; partnerLabel: string }) {
  const rows = backfillRows(bf, partnerLabel);
  if (!rows.length) return <p class="small muted">Nothing to sync so far.</p>;
  const cols = ACTIONS.filter((a) => a.key !== 'delete' || rows.some((r) => r.counts.delete));
  return (
    // Scrolls sideways on a phone instead of widening the panel; focusable so keys scroll it too.
    <div class="plan-scroll" tabIndex={0} role="region" aria-label="Backfill counts">
      <table class="plan-table" data-testid="backfill-counts">
        <caption class="sr-only">
          {bf.dryRun ? 'What the backfill would do' : 'What the backfill did'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Objects</th>
            {cols.map((c) => (
              <th key={c.key} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-row={r.key}>
              <th scope="row">{r.label}</th>
              {cols.map((c) => (
                <td key={c.key} data-count={c.key}>
                  {r.counts[c.key] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Props {
  connectionId: string;
  /** The partner's name, for "Appointments to Cal.com". */
  partnerLabel: string;
  canEdit: boolean;
  /** Backfills need an active connection. */
  active: boolean;
  now: number;
}

/**
 * Backfill of one connection: "Preview" runs a dry run and shows what would happen; "Run backfill"
 * (after a finished preview) writes, with progress polled every second while it runs.
 */
export function BackfillPanel({ connectionId, partnerLabel, canEdit, active, now }: Props) {
  const [bf, setBf] = useState<Backfill | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const [history, setHistory] = useState(false);
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
      setBf(await startBackfill(connectionId, dryRun, history));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'backfill_running')
        setBf(await getBackfill(connectionId).catch(() => bf));
      else setError(errorText(err));
    } finally {
      setBusy(false);
      setTick((n) => n + 1);
    }
  };

  const stop = async () => {
    setBusy(true);
    try {
      setBf(await cancelBackfill(connectionId));
    } catch (err) {
      setError(errorText(err));
      setBf(await getBackfill(connectionId).catch(() => bf));
    } finally {
      setBusy(false);
    }
  };

  const pct = bf ? progressPercent(bf) : null;
  const what = bf?.dryRun ? 'Preview' : 'Backfill';
  // The run does what the preview counted: only after a finished preview with the same options.
  const canRun = bf?.dryRun === true && bf.state === 'done' && (bf.history ?? false) === history;
  const coarse = pct === null ? '' : `${Math.floor(pct / 10) * 10}%`;

  return (
    <div class="backfill" data-testid="backfill">
      <div class="backfill-head">
        <p class="strong">Backfill</p>
        {canEdit && (
          <div class="form-actions">
            <button
              type="button"
              class="btn btn-sm"
              disabled={busy || running || !active}
              onClick={() => start(true)}
              data-testid="backfill-preview"
            >
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
            {running && (
              <button
                type="button"
                class="btn btn-sm btn-ghost danger"
                disabled={busy}
                onClick={stop}
                data-testid="backfill-cancel"
              >
                Cancel
              </button>
            )}
          </div>
        )}
      </div>
      {canEdit && (
        <label class="inline-check small">
          <input
            type="checkbox"
            checked={history}
            disabled={running}
            onChange={(e) => setHistory(e.currentTarget.checked)}
            data-testid="backfill-history"
          />
          Include past appointments (history)
        </label>
      )}
      {canEdit && (
        <p id={`bf-hint-${connectionId}`} class="hint">
          {active
            ? 'Brings existing contacts in step. Preview first: it counts what would change and writes nothing.'
            : 'Resume the connection to backfill it.'}
        </p>
      )}
      {/* Announced: phase changes, progress in steps of 10 %, and the end. */}
      <p class="sr-only" aria-live="polite">
        {bf && (running ? `${what} running ${coarse}` : `${what} ${ENDED[bf.state]}`)}
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
                : ` ${ENDED[bf.state]} after ${bf.processed} contacts`}
          </p>
          <PlanTable bf={bf} partnerLabel={partnerLabel} />
          {Object.entries(bf.reasons ?? {}).map(([reason, n]) => (
            <p key={reason} class="small muted" data-testid="backfill-reason">
              {n} skipped: {reason}
            </p>
          ))}
          {(bf.notes ?? []).map((note) => (
            <p key={note} class="small notice" data-testid="backfill-note">
              {note}
            </p>
          ))}
          {bf.state === 'failed' && (
            <p class="small error-text" data-testid="backfill-error">
              Failed: {bf.error ?? 'the backfill stopped.'}
            </p>
          )}
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
