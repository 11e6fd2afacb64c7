import { formatDateTime } from '../lib/format.ts';
import { describeEntry, redacted } from '../lib/sync-log-words.ts';
import type { SyncLogEntry } from '../lib/types.ts';
import { Dialog } from './dialog.tsx';
import { SyncLogTries } from './sync-log-tries.tsx';

/** A field's value in a cell: text as it is, anything else as JSON, cut short. */
const shown = (v: unknown) => {
  if (v === null || v === undefined || v === '') return '—';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
};

interface Props {
  entry: SyncLogEntry;
  connectionName?: string;
  replaying: boolean;
  onReplay?: () => void;
  onClose: () => void;
}

/** One sync log row in full: what, whose, where, when, how often tried, why, and Replay. */
export function SyncLogDetail({ entry: e, connectionName, replaying, onReplay, onClose }: Props) {
  const rows: [string, string | null | undefined][] = [
    ['Status', e.status],
    ['When', formatDateTime(e.at)],
    ['Last change', e.updatedAt ? formatDateTime(e.updatedAt) : null],
    ['Contact', e.contactName ? `${e.contactName}${e.contactId ? ` (${e.contactId})` : ''}` : e.contactId],
    ['Object', `${e.objectKind}${e.objectId ? ` ${e.objectId}` : ''}`],
    ['Connection', connectionName ?? e.connectionId],
    ['Started by', e.trigger.replace(/_/g, ' ')],
    ['Engine action', e.action],
    ['Attempts', String(e.attempts)],
    ['Reason', e.error],
  ];
  return (
    <Dialog title={describeEntry(e)} onClose={onClose} testId="sync-log-detail">
      <dl class="detail-list">
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      {!!e.diff?.length && (
        <div class="plan-scroll" tabIndex={0} role="region" aria-label="What changed">
          <table class="plan-table diff-table" data-testid="sync-log-diff">
            <caption class="strong small">What changed</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {e.diff.map((d) => (
                <tr key={d.field}>
                  <th scope="row">{d.field}</th>
                  <td>{shown(d.before)}</td>
                  <td>{shown(d.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <SyncLogTries entry={e} partnerName={connectionName} />
      {e.detail !== undefined && e.detail !== null && (
        <details class="detail-json">
          <summary>Details the engine recorded</summary>
          <pre class="mono small" data-testid="sync-log-detail-json">
            {redacted(e.detail)}
          </pre>
        </details>
      )}
      <div class="form-actions">
        <button type="button" class="btn" onClick={onClose}>
          Close
        </button>
        {onReplay && (
          <button
            type="button"
            class="btn btn-primary"
            disabled={replaying}
            onClick={onReplay}
            data-testid="sync-log-detail-replay"
          >
            {replaying ? 'Replaying…' : 'Replay'}
          </button>
        )}
      </div>
    </Dialog>
  );
}
