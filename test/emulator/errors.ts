import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Thrown by handlers; answered by the app's onError with exactly `body` and `status`. */
export class GhlError extends Error {
  readonly status: ContentfulStatusCode;
  readonly body: Record<string, unknown>;
  constructor(status: ContentfulStatusCode, body: Record<string, unknown>) {
    super(typeof body.message === 'string' ? body.message : `GHL error ${status}`);
    this.status = status;
    this.body = body;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

export const invalidJwt = () => new GhlError(401, { statusCode: 401, message: 'Invalid JWT' });

export const noLocationAccess = () =>
  new GhlError(403, { statusCode: 403, message: 'The token does not have access to this location.' });

// Real wording GHL uses when a token's auth class may not call a route (e.g. a location token on an agency route).
export const wrongAuthClass = () =>
  new GhlError(401, {
    statusCode: 401,
    message:
      'This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.',
    error: 'Unauthorized',
  });

// A token whose install did not grant the route's scope (an app that asked for fewer scopes).
export const scopeNotGranted = () =>
  new GhlError(401, {
    statusCode: 401,
    message: 'The token is not authorized for this scope.',
    error: 'Unauthorized',
  });

export const badRequest = (message: string, extra: Record<string, unknown> = {}) =>
  new GhlError(400, { statusCode: 400, message, ...extra });

export const notFound = (message: string) => new GhlError(404, { statusCode: 404, message });

export const unprocessable = (messages: string[]) =>
  new GhlError(422, { statusCode: 422, message: messages, error: 'Unprocessable Entity' });

export const tooManyRequests = () => new GhlError(429, { statusCode: 429, message: 'Too Many Requests' });

/** The body of an injected fault with this status. */
export function faultBody(status: number): Record<string, unknown> {
  if (status === 401) return { statusCode: 401, message: 'Invalid JWT' };
  if (status === 429) return { statusCode: 429, message: 'Too Many Requests' };
  return { statusCode: status, message: statusText(status) };
}

/** OAuth token endpoint errors use the OAuth shape, not GHL's `{statusCode, message}`. */
export const invalidGrant = (description: string) =>
  new GhlError(400, { error: 'invalid_grant', error_description: description });

export const invalidClient = () =>
  new GhlError(401, {
    error: 'invalid_client',
    error_description: 'Client authentication failed: wrong client_id or client_secret',
  });
