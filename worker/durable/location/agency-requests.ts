/**
 * Agency object only: answers of the console's bulk requests by their `Idempotency-Key`, so a
 * retried request gets the first answer and the same key with another body is refused. Kept a
 * day, like GHL's own retry span and then some.
 */
export const REQUEST_KEY_TTL_MS = 24 * 60 * 60_000;

/** `answer` is the stored answer's JSON text. */
export type StoredAnswer = { state: 'none' } | { state: 'same'; answer: string } | { state: 'different' };

export class AgencyRequests {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  find(key: string, fingerprint: string, now = Date.now()): StoredAnswer {
    this.sql.exec('DELETE FROM agency_requests WHERE at < ?', now - REQUEST_KEY_TTL_MS);
    const row = this.sql
      .exec<{ fingerprint: string; answer: string }>(
        'SELECT fingerprint, answer FROM agency_requests WHERE key = ?',
        key,
      )
      .toArray()[0];
    if (!row) return { state: 'none' };
    if (row.fingerprint !== fingerprint) return { state: 'different' };
    return { state: 'same', answer: row.answer };
  }

  /** Keeps the first answer given under a key; a later one (a concurrent retry) is dropped. */
  remember(key: string, fingerprint: string, answer: string, now = Date.now()): void {
    this.sql.exec(
      'INSERT OR IGNORE INTO agency_requests (key, fingerprint, answer, at) VALUES (?, ?, ?, ?)',
      key,
      fingerprint,
      answer,
      now,
    );
  }
}
