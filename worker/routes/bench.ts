import { Hono } from 'hono';
import { getConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { benchProbesOn } from '../lib/bench-probes.ts';
import { readLimited } from '../lib/body.ts';
import { verifyGhlSignature } from '../webhooks/verify.ts';
import { MAX_WEBHOOK_BYTES } from './webhooks-ghl.ts';

/**
 * `npm run bench` floor routes, absent (404 like any unknown path) unless `BENCH_PROBES` is "1".
 * `POST /_bench/verify` does the least a webhook route can: read the body and check GHL's
 * signature over it, with the same key and code as `POST /webhooks/ghl`, and store nothing.
 */
export const benchRoutes = new Hono<{ Bindings: Env }>();

benchRoutes.use('*', async (c, next) => {
  if (!benchProbesOn(c.env)) throw new AppError(404, 'not_found', 'No such route.');
  await next();
});

benchRoutes.post('/verify', async (c) => {
  const raw = await readLimited(c.req.raw, MAX_WEBHOOK_BYTES);
  const verdict = await verifyGhlSignature(raw, c.req.raw.headers, getConfig(c.env));
  if (!verdict.ok)
    throw new AppError(401, 'invalid_signature', 'The webhook signature is missing or does not match.');
  return c.json({ ok: true });
});
