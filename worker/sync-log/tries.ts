/**
 * The requests of each try of one unit of sync work, as a sync log row keeps them (its `requests`
 * column): the last MAX_TRIES tries, at most MAX_TRIES_BYTES of JSON, oldest dropped first and
 * counted. Bodies are already cut to 2 KB and at most 12 requests are kept per try
 * (lib/request-trace.ts), so a row stays small however often its work is retried or replayed. Pure.
 */
import type { TracedRequest } from '../lib/request-trace.ts';

export interface SyncTry {
  /** The work's attempt number (a replay counts again from 1). */
  attempt: number;
  at: string;
  /** How the try ended: done, retrying, failed, skipped… */
  status: string;
  error?: string;
  requests: TracedRequest[];
}

export interface SyncTries {
  /** Oldest first. */
  tries: SyncTry[];
  /** Earlier tries no longer kept. */
  dropped: number;
}

export const MAX_TRIES = 5;
export const MAX_TRIES_BYTES = 64 * 1024;

/** What a row's `requests` column holds; rows written before tries were kept hold one try's list. */
export function readTries(stored: string | null): SyncTries {
  if (!stored) return { tries: [], dropped: 0 };
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return { tries: [], dropped: 0 };
  }
  if (Array.isArray(value))
    return value.length
      ? { tries: [{ attempt: 0, at: '', status: '', requests: value as TracedRequest[] }], dropped: 0 }
      : { tries: [], dropped: 0 };
  const { tries, dropped } = (value ?? {}) as Partial<SyncTries>;
  return { tries: Array.isArray(tries) ? tries : [], dropped: typeof dropped === 'number' ? dropped : 0 };
}

/** The column's new JSON with `next` added, within the bounds. */
export function withTry(stored: string | null, next: SyncTry): string {
  const { tries, dropped } = readTries(stored);
  const kept = [...tries, next];
  let gone = dropped;
  while (kept.length > MAX_TRIES) {
    kept.shift();
    gone++;
  }
  let text = JSON.stringify({ tries: kept, dropped: gone });
  while (text.length > MAX_TRIES_BYTES && kept.length > 1) {
    kept.shift();
    gone++;
    text = JSON.stringify({ tries: kept, dropped: gone });
  }
  return text;
}
