import { PartnerApiError } from './http.ts';
import { connectorFor } from './registry.ts';
import type { ConnectorConnection } from './types.ts';

/** What a connection test or test event found, in words for the admin. */
export interface CheckOutcome {
  state: 'ok' | 'failed' | 'unchecked';
  message: string;
  /** PartnerApiError code when it failed. */
  code?: string;
  checkedAt: string;
}

const outcome = (state: CheckOutcome['state'], message: string, code?: string): CheckOutcome => ({
  state,
  message,
  ...(code ? { code } : {}),
  checkedAt: new Date().toISOString(),
});

async function attempt(work: () => Promise<string>): Promise<CheckOutcome> {
  try {
    return outcome('ok', await work());
  } catch (err) {
    if (err instanceof PartnerApiError) return outcome('failed', err.message, err.code);
    return outcome(
      'failed',
      `The check failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500),
      'error',
    );
  }
}

/** Asks the partner whether the connection works (credentials, URLs, its webhook). */
export function testConnection(conn: ConnectorConnection, inboundUrl: string): Promise<CheckOutcome> {
  const connector = connectorFor(conn.kind);
  if (!connector?.testConnection) {
    return Promise.resolve(
      outcome(
        'unchecked',
        `${connector?.label ?? conn.kind} has no API to check; its first webhook shows the connection works.`,
      ),
    );
  }
  return attempt(() => connector.testConnection!(conn, inboundUrl));
}

/** Sends the partner one event marked as a test. */
export function sendTestEvent(conn: ConnectorConnection): Promise<CheckOutcome> {
  const connector = connectorFor(conn.kind);
  if (!connector?.sendTestEvent) {
    return Promise.resolve(
      outcome(
        'unchecked',
        `${connector?.label ?? conn.kind} takes no events from Contact Sync; Test connection checks it instead.`,
      ),
    );
  }
  return attempt(() => connector.sendTestEvent!(conn));
}
