import { createMiddleware } from 'hono/factory';
import type { SessionEnv } from '../../auth/session.ts';
import { AppError, reconnectNeeded } from '../../errors.ts';
import { checkJsonDepth } from '../../lib/body.ts';
import { getInstall } from '../../tenants/installs.ts';

/** Panel bodies are small JSON objects; anything near this size is not from the panel. */
export const MAX_API_BODY_BYTES = 64 * 1024;

/** Every /api answer carries per-user data or tokens: never cache it anywhere. */
export const noStore = createMiddleware(async (c, next) => {
  await next();
  c.res.headers.set('cache-control', 'no-store');
});

/**
 * A body that is not declared as JSON would reach the validators as `{}` and fail with a
 * misleading "field missing"; say what is wrong instead.
 */
export const requireJsonBody = createMiddleware(async (c, next) => {
  const method = c.req.method;
  const hasBody = c.req.raw.body !== null && c.req.header('content-length') !== '0';
  if ((method === 'POST' || method === 'PUT' || method === 'DELETE') && hasBody) {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!/^application\/([\w.-]+\+)?json$/.test(type)) {
      throw new AppError(
        415,
        'unsupported_media_type',
        'Send the body as JSON with Content-Type: application/json.',
      );
    }
  }
  await next();
});

/**
 * Data routes need a live install: when it is gone or its tokens are dead the panel shows the
 * reconnect screen (409 reconnect_needed) instead of failing call by call.
 */
export const requireInstall = createMiddleware<SessionEnv>(async (c, next) => {
  const install = await getInstall(c.env.DB, c.var.session.locationId);
  if (!install || install.status !== 'active') throw reconnectNeeded();
  await next();
});

/**
 * A body nested thousands deep parses, then overflows the stack on its way into a Durable Object
 * or GHL call (a 500); refuse it first. The text is cached, so the validators do not read it again.
 */
export const boundedJsonDepth = createMiddleware(async (c, next) => {
  if (c.req.raw.body !== null && c.req.method !== 'GET')
    checkJsonDepth(new TextEncoder().encode(await c.req.text()));
  await next();
});
