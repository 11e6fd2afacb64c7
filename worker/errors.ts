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
  new AppError(
    409,
    'reconnect_needed',
    'This sub-account needs to reconnect Contact Sync: reinstall the app from the HighLevel marketplace.',
  );

/**
 * What storage and checks below the routes report, with no HTTP in it: the input is invalid,
 * the thing is missing, it clashes with what is stored, or what is stored cannot be read.
 * `code` and `message` are public; the routes map the kind to a status (`fromDomain`).
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'corrupt';

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: string;
  readonly detail?: unknown;

  constructor(kind: DomainErrorKind, code: string, message: string, detail?: unknown) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.detail = detail;
  }
}

export const invalid = (message: string, code = 'invalid') => new DomainError('invalid', code, message);

const STATUS_OF: Record<DomainErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  corrupt: 500,
};

/** The HTTP answer for a domain error (app.ts's error handler). */
export function fromDomain(err: DomainError): AppError {
  return new AppError(STATUS_OF[err.kind], err.code, err.message, err.detail);
}

/** Builds the public JSON body for an error. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
