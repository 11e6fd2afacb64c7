/**
 * The requests of each try of one unit of sync work, as a sync log row keeps them (its `requests`
 * column): the last MAX_TRIES tries, at most MAX_TRIES_BYTES of JSON (UTF-8), oldest dropped first
 * and counted. Bodies are already cut to 2 KB and at most 12 requests are kept per try
 * (lib/request-trace.ts), yet one try can still pass the bound (escaped JSON, non-Latin text,
 * long errors): its oldest requests' bodies are then left out, then its oldest requests. So a row
 * stays small however often its work is retried or replayed. Pure.
 */
import type { TracedRequest } from '../lib/request-trace.ts';
import { clipped, utf8Bytes } from './bounds.ts';

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

/** What a body left out to keep the row within its bound reads instead. */
export const LEFT_OUT = '(left out: a sync log entry keeps at most 64 KB of requests)';
const MAX_ERROR = 1000;

/** The column's new JSON with `next` added, within the bounds. */
export function withTry(stored: string | null, next: SyncTry): string {
  const { tries, dropped } = readTries(stored);
  const kept = [...tries, next];
  let gone = dropped;
  while (kept.length > MAX_TRIES) {
    kept.shift();
    gone++;
  }
  const json = () => JSON.stringify({ tries: kept, dropped: gone });
  let text = json();
  while (utf8Bytes(text) > MAX_TRIES_BYTES && kept.length > 1) {
    kept.shift();
    gone++;
    text = json();
  }
  if (utf8Bytes(text) <= MAX_TRIES_BYTES) return text;
  // One try alone is too big: trim it, oldest requests first, until it fits.
  const only = { ...kept[0]!, requests: kept[0]!.requests.map((r) => ({ ...r })) };
  kept[0] = only;
  for (const r of only.requests) {
    if (r.requestBody) r.requestBody = LEFT_OUT;
    if (r.responseBody) r.responseBody = LEFT_OUT;
    text = json();
    if (utf8Bytes(text) <= MAX_TRIES_BYTES) return text;
  }
  while (only.requests.length > 1) {
    only.requests.shift();
    text = json();
    if (utf8Bytes(text) <= MAX_TRIES_BYTES) return text;
  }
  // Left with one request and its error: both cut to a readable length.
  if (only.error) only.error = clipped(only.error, MAX_ERROR);
  only.requests = only.requests.map((r) => ({
    ...r,
    path: clipped(r.path, MAX_ERROR),
    ...(r.error ? { error: clipped(r.error, MAX_ERROR) } : {}),
  }));
  return json();
}
