import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one error type routes throw. `code` and `message` are public; `detail` is logged only.
 */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly detail?: unknown;

  constructor(status: ContentfulStatusCode, code: string, message: string, detail?: unknown) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export const badRequest = (message: string, code = 'bad_request') => new AppError(400, code, message);
export const unauthorized = (message: string, code = 'unauthorized') => new AppError(401, code, message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`);
export const reconnectNeeded = () =>
  new AppError(409, 'reconnect_needed', 'This sub-account needs to reconnect Contact Sync: reinstall the app from the HighLevel marketplace.');

/** Builds the public JSON body for an error. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
