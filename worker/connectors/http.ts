/**
 * Outbound HTTP for connectors: one error type that says whether a retry can help, a fetch with
 * a timeout, and the rule for which partner URLs a connection may point at.
 */
import { recordRequest, safeBody, tracing } from '../lib/request-trace.ts';
import { buffered, timedFetch } from '../lib/timed-fetch.ts';

/**
 * Why a partner call failed; the first four are worth retrying (see sync/policy.ts).
 * `reconnect_needed`: the partner refused to renew the connection's OAuth tokens for good.
 */
export type PartnerErrorCode =
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'network'
  | 'auth_failed'
  | 'reconnect_needed'
  | 'not_found'
  | 'rejected'
  | 'not_configured'
  | 'unsupported';

const RETRYABLE: ReadonlySet<PartnerErrorCode> = new Set([
  'rate_limited',
  'unavailable',
  'timeout',
  'network',
]);

/** A partner refused or could not be reached. `message` is safe to show in the sync log. */
export class PartnerApiError extends Error {
  readonly code: PartnerErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(code: PartnerErrorCode, message: string, status?: number, retryAfterMs?: number) {
    super(message);
    this.name = 'PartnerApiError';
    this.code = code;
    this.status = status;
    this.retryable = RETRYABLE.has(code);
    this.retryAfterMs = retryAfterMs;
  }
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * fetch with a timeout; network failures and timeouts become retryable PartnerApiErrors. Traced for
 * the sync log. The answer's body is read before returning, within the same timeout (callers read
 * it afterwards from memory), so no timer outlives the call.
 */
export async function partnerFetch(
  url: string,
  init: RequestInit,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Response> {
  const started = Date.now();
  const at = new URL(url);
  const trace = tracing()
    ? {
        side: 'partner' as const,
        method: init.method ?? 'GET',
        path: `${at.pathname}${at.search}`,
        requestBody: safeBody(init.body),
      }
    : null;
  try {
    const res = await timedFetch(url, { ...init, redirect: 'manual' }, timeoutMs, buffered);
    if (trace)
      recordRequest({
        ...trace,
        status: res.status,
        ms: Date.now() - started,
        responseBody: safeBody(
          await res
            .clone()
            .text()
            .catch(() => ''),
        ),
      });
    return res;
  } catch (err) {
    if (trace)
      recordRequest({
        ...trace,
        status: null,
        ms: Date.now() - started,
        error: String((err as Error)?.message ?? err).slice(0, 200),
      });
    const name = (err as { name?: string } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new PartnerApiError('timeout', `The partner did not answer within ${timeoutMs} ms.`);
    }
    throw new PartnerApiError('network', 'The partner could not be reached.');
  }
}

/** Milliseconds from `Retry-After` (seconds or HTTP date) or `X-RateLimit-Reset` (seconds). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after') ?? headers.get('x-ratelimit-reset');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The PartnerApiError for a non-2xx answer. `what` names the call for the sync log. */
export function errorForStatus(res: Response, what: string, detail?: string): PartnerApiError {
  const s = res.status;
  const suffix = detail ? `: ${detail.slice(0, 200)}` : '';
  if (s === 429)
    return new PartnerApiError(
      'rate_limited',
      `${what} was rate limited by the partner.`,
      s,
      retryAfterMs(res.headers),
    );
  if (s === 408 || s >= 500)
    return new PartnerApiError(
      'unavailable',
      `${what} failed at the partner (${s})${suffix}.`,
      s,
      retryAfterMs(res.headers),
    );
  if (s === 401 || s === 403)
    return new PartnerApiError(
      'auth_failed',
      `${what} was refused: the partner credentials are invalid or lack access (${s})${suffix}.`,
      s,
    );
  if (s === 404 || s === 410)
    return new PartnerApiError(
      'not_found',
      `${what}: the partner object or endpoint does not exist (${s}).`,
      s,
    );
  if (s >= 300 && s < 400)
    return new PartnerApiError(
      'rejected',
      `${what}: the partner answered with a redirect (${s}); redirects are not followed.`,
      s,
    );
  return new PartnerApiError('rejected', `${what} was rejected by the partner (${s})${suffix}.`, s);
}

/** Reads a JSON body or throws a PartnerApiError saying the partner answered garbage. */
export async function readJson(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new PartnerApiError(
      'unavailable',
      `${what}: the partner answered with something that is not JSON.`,
      res.status,
    );
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A partner URL a connection may use: https anywhere, http only on loopback (local emulators).
 * Returns the URL without a trailing slash, or null.
 */
export function checkPartnerUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return null;
  return url.toString().replace(/\/+$/, '');
}
