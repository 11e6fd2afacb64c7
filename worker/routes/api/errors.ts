import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, reconnectNeeded } from '../../errors.ts';
import { GhlError, type GhlFailure } from '../../ghl/errors.ts';

/** GHL's burst window is 10 s; a panel retry after that usually gets through. */
const RETRY_AFTER_SECONDS = 10;

function what(path: string): string {
  if (/\/appointments\/[^/]+/.test(path)) return 'Appointment';
  if (/\/calendars(\/|$)/.test(path)) return 'Calendar';
  if (/\/notes(\/|$)/.test(path)) return 'Note';
  if (/\/tasks(\/|$)/.test(path)) return 'Task';
  if (/\/contacts(\/|$)/.test(path)) return 'Contact';
  return 'Resource';
}

/** GHL's own message, when it helps the user fix their input (validation answers). */
function publicMessage(message: string): string {
  return message.replace(/\s+/g, ' ').slice(0, 300);
}

/**
 * Maps a GHL failure to our answer. A missing id and an id of another location both become 404
 * (GHL says 400 "Contact not found", 403 "no access to this location", 401 "user does not exist").
 */
export function fromGhl(failure: Pick<GhlFailure, 'kind' | 'message' | 'status'>, c: Context): AppError {
  switch (failure.kind) {
    case 'not_found':
    case 'wrong_location':
      return new AppError(404, 'not_found', `${what(c.req.path)} not found`, failure.message);
    case 'reconnect_needed':
      return reconnectNeeded();
    case 'rate_limited':
      c.header('retry-after', String(RETRY_AFTER_SECONDS));
      return new AppError(
        429,
        'rate_limited',
        `HighLevel is limiting requests for this sub-account; try again in ${RETRY_AFTER_SECONDS} seconds.`,
        failure.message,
      );
    case 'timeout':
      return new AppError(
        504,
        'ghl_timeout',
        'HighLevel is taking too long to answer; please try again in a moment.',
        failure.message,
      );
    case 'unavailable':
    case 'invalid_token':
      return new AppError(
        503,
        'ghl_unavailable',
        'HighLevel did not answer properly; please try again shortly.',
        failure.message,
      );
    case 'validation':
      return new AppError(
        422,
        'ghl_validation',
        `HighLevel refused the change: ${publicMessage(failure.message)}`,
      );
    default:
      return new AppError(
        422,
        'ghl_rejected',
        `HighLevel refused the request: ${publicMessage(failure.message)}`,
      );
  }
}

/** Turns anything an /api route throws into an AppError for the app-wide error handler. */
export function toAppError(err: Error, c: Context): Error {
  if (err instanceof AppError) return err;
  // GhlError prefixes GHL's own message with status and kind; the user gets GHL's words only.
  if (err instanceof GhlError)
    return fromGhl(
      { kind: err.kind, status: err.status, message: err.message.replace(/^GHL \d+ \w+: /, '') },
      c,
    );
  if (err instanceof HTTPException) {
    if (err.status === 413) return new AppError(413, 'payload_too_large', 'The request body is too large.');
    if (err.status === 400 && /json/i.test(err.message))
      return new AppError(400, 'malformed_json', 'The body is not valid JSON.');
    return new AppError(
      err.status === 500 ? 500 : 400,
      'bad_request',
      err.message || 'The request is not valid.',
    );
  }
  return err;
}

/** Throws the 404 we answer for anything outside the session's location; the reason is logged only. */
export function outsideLocation(kind: string, detail: string): never {
  console.warn('outside the session location:', detail);
  throw new AppError(404, 'not_found', `${kind} not found`, detail);
}
