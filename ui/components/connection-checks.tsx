import { useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import type { CheckOutcome } from '../lib/connections.ts';
import { sendTestEvent, testConnection } from '../settings-api.ts';

const LABEL: Record<CheckOutcome['state'], string> = {
  ok: 'Passed',
  failed: 'Failed',
  unchecked: 'Not checkable',
};

/** A check's answer: passed, failed with the partner's words, or nothing to check. */
export function CheckResult({ check, testId }: { check: CheckOutcome; testId?: string }) {
  return (
    <p class={`small check-result check-${check.state}`} data-testid={testId} data-state={check.state}>
      <span class="strong">{LABEL[check.state]}:</span> {check.message}
    </p>
  );
}

/**
 * "Test connection" asks the partner whether the credentials, URLs and its webhook work;
 * "Send test event" sends it one event marked as a test. The way back: the partner sends one,
 * and the health line shows when it arrived.
 */
export function ConnectionChecks({
  connectionId,
  partnerLabel,
  onChecked,
}: {
  connectionId: string;
  partnerLabel: string;
  onChecked: () => void;
}) {
  const [busy, setBusy] = useState<'' | 'test' | 'event'>('');
  const [result, setResult] = useState<CheckOutcome | null>(null);
  const [error, setError] = useState('');

  const run = async (which: 'test' | 'event') => {
    setBusy(which);
    setError('');
    try {
      setResult(await (which === 'test' ? testConnection(connectionId) : sendTestEvent(connectionId)));
      onChecked();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy('');
    }
  };

  return (
    <div class="conn-checks">
      <div class="form-actions">
        <button
          type="button"
          class="btn btn-sm"
          disabled={busy !== ''}
          onClick={() => run('test')}
          data-testid="connection-test"
        >
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button
          type="button"
          class="btn btn-sm"
          disabled={busy !== ''}
          onClick={() => run('event')}
          data-testid="connection-test-event"
        >
          {busy === 'event' ? 'Sending…' : 'Send test event'}
        </button>
      </div>
      <div aria-live="polite">
        {result && <CheckResult check={result} testId="connection-check" />}
        {error && <p class="small error-text">{error}</p>}
      </div>
      <p class="hint">
        To test the way back, send a test event from {partnerLabel}: the last event time above shows it
        arrived.
      </p>
    </div>
  );
}
