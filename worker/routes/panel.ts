import { Hono } from 'hono';

/** Hosts allowed to frame the panel: GHL's app domains, plus loopback for `npm start` and tests. */
export const FRAME_ANCESTORS = [
  "'self'",
  'https://*.gohighlevel.com',
  'https://*.leadconnectorhq.com',
  'https://*.msgsndr.com',
  'http://localhost:*',
  'http://127.0.0.1:*',
];

/**
 * Security headers of every panel response. Also written to `dist/ui/_headers` by the Vite build,
 * because `/app/` and `/app/assets/*` are served by the assets layer without running the worker.
 */
export const PANEL_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${FRAME_ANCESTORS.join(' ')}`,
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

type PanelBindings = { ASSETS: { fetch(input: Request | URL | string): Promise<Response> } };

/** Serves the Preact panel: `/app` and every client-side path under it answer `/app/index.html`. */
export const panelRoutes = new Hono<{ Bindings: PanelBindings }>();

panelRoutes.get('*', async (c) => {
  const last = new URL(c.req.url).pathname.split('/').pop() ?? '';
  // A missing file (a stale hashed chunk) must fail loudly, not come back as HTML.
  if (last.includes('.') && last !== 'index.html') return withHeaders(new Response('Not found', { status: 404 }));

  // The assets layer canonicalises `/app/index.html` to `/app/` (html_handling), so ask for that first.
  let res = await c.env.ASSETS.fetch(new URL('/app/', c.req.url));
  if (res.status >= 300 && res.status < 400) res = await c.env.ASSETS.fetch(new URL('/app/index.html', c.req.url));
  if (!res.ok) return withHeaders(new Response('The panel is not built yet: run `npm run build`.', { status: 503 }));

  const out = withHeaders(new Response(res.body, { status: 200, headers: res.headers }));
  out.headers.set('Content-Type', 'text/html; charset=utf-8');
  out.headers.set('Cache-Control', 'no-cache');
  return out;
});

function withHeaders(res: Response): Response {
  for (const [name, value] of Object.entries(PANEL_SECURITY_HEADERS)) res.headers.set(name, value);
  return res;
}
