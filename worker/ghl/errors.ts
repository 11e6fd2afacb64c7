/**
 * GHL answers errors unevenly (docs/CONTRACT.md §5): a missing id is often 400 "Contact not found", an id
 * of another location 403, a missing user 401 "The user does not exist.". Only 401 "Invalid JWT"
 * (and its variants about the token) means the token is dead.
 */
export type GhlErrorKind =
  | 'invalid_token'
  | 'not_found'
  | 'wrong_location'
  | 'validation'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'reconnect_needed'
  | 'bad_request';

export interface GhlFailure {
  kind: GhlErrorKind;
  status: number;
  message: string;
}

export class GhlError extends Error {
  readonly kind: GhlErrorKind;
  readonly status: number;
  constructor(failure: GhlFailure) {
    super(`GHL ${failure.status} ${failure.kind}: ${failure.message}`);
    this.name = 'GhlError';
    this.kind = failure.kind;
    this.status = failure.status;
  }
}

function messageOf(body: unknown): string {
  if (body && typeof body === 'object') {
    const m = (body as { message?: unknown; error_description?: unknown; error?: unknown }).message;
    if (typeof m === 'string') return m;
    if (Array.isArray(m)) return m.map(String).join('; ');
    const d = (body as { error_description?: unknown }).error_description;
    if (typeof d === 'string') return d;
    const e = (body as { error?: unknown }).error;
    if (typeof e === 'string') return e;
  }
  return typeof body === 'string' ? body.slice(0, 200) : 'no message';
}

/** Is this 401 about the token itself (refresh and retry), rather than a missing user? */
export function isDeadTokenMessage(message: string): boolean {
  return (
    /invalid jwt|jwt expired|token (is )?(invalid|expired)|access token|invalid token|unauthori[sz]ed$/i.test(
      message,
    ) && !/user does not exist/i.test(message)
  );
}

/** Classifies a non-2xx GHL answer. */
export function classifyGhlError(status: number, body: unknown): GhlFailure {
  const message = messageOf(body);
  if (status === 401) {
    return isDeadTokenMessage(message)
      ? { kind: 'invalid_token', status, message }
      : { kind: 'not_found', status, message };
  }
  if (status === 403) return { kind: 'wrong_location', status, message };
  if (status === 404) return { kind: 'not_found', status, message };
  if (status === 400 && /not found|does not exist|invalid .*id/i.test(message))
    return { kind: 'not_found', status, message };
  if (status === 422) return { kind: 'validation', status, message };
  if (status === 429) return { kind: 'rate_limited', status, message };
  if (status >= 500) return { kind: 'unavailable', status, message };
  return { kind: 'bad_request', status, message };
}
