import { Hono } from 'hono';
import { AppError, DomainError, errorBody, fromDomain } from './errors.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { ghlWebhookRoutes } from './routes/webhooks-ghl.ts';
import { apiRoutes } from './routes/api/index.ts';
import { partnerWebhookRoutes } from './routes/webhooks-partner.ts';
import { panelRoutes } from './routes/panel.ts';
import { benchRoutes } from './routes/bench.ts';
import { requestPressure } from './lib/request-pressure.ts';
import { workflowRoutes } from './routes/workflows.ts';

export const BUILD = { name: 'contact-sync', version: '0.1.0' };

/** The worker's HTTP surface (docs/CONTRACT.md §4). */
export const app = new Hono<{ Bindings: Env }>();

// Background work in this isolate gives way while requests pour in (lib/request-pressure.ts), and
// no answer may be sniffed into another type (a JSON error rendered as HTML): all carry nosniff.
app.use('*', async (c, next) => {
  requestPressure.enter(Date.now());
  try {
    await next();
  } finally {
    requestPressure.leave();
  }
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
});

app.get('/healthz', (c) => c.json({ ok: true, build: BUILD }));
app.route('/oauth', oauthRoutes);
app.route('/webhooks/ghl', ghlWebhookRoutes);
app.route('/api', apiRoutes);
app.route('/webhooks/partner', partnerWebhookRoutes);
app.route('/app', panelRoutes);
app.route('/_bench', benchRoutes);
app.route('/workflows', workflowRoutes);

app.notFound((c) => c.json(errorBody('not_found', 'No such route.'), 404));

app.onError((thrown, c) => {
  const err = thrown instanceof DomainError ? fromDomain(thrown) : thrown;
  if (err instanceof AppError) {
    if (err.status >= 500) console.error(err.code, err.message, err.detail ?? '');
    if (err.status === 401 || err.status === 403) c.header('cache-control', 'no-store');
    return c.json(errorBody(err.code, err.message), err.status);
  }
  console.error('unhandled error', err);
  return c.json(errorBody('internal', 'Something went wrong on our side. Please try again.'), 500);
});
