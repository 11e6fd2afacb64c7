import { Hono } from 'hono';
import { frameHostsFor } from '../tenants/frame-domains.ts';
import {
  FRAME_ANCESTORS,
  isLocalBase,
  LOCAL_FRAME_ANCESTORS,
  PANEL_SECURITY_HEADERS,
  panelSecurityHeaders,
} from './panel-headers.ts';

export { FRAME_ANCESTORS, isLocalBase, LOCAL_FRAME_ANCESTORS, PANEL_SECURITY_HEADERS, panelSecurityHeaders };

const RESOURCE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * frame-ancestors of a panel document. The document loads before the panel knows its location
 * (SSO comes later), so: when the menu link put `?locationId=` (or `companyId`) in the URL, the
 * white-label hosts of that location's agency; otherwise those of every agency. The hint can only
 * narrow the list to one installed agency's hosts, never add a host nobody stored.
 */
export async function frameAncestorsFor(env: PanelBindings, url: URL): Promise<string[]> {
  const out = [...FRAME_ANCESTORS];
  if (isLocalBase(env.APP_BASE_URL)) out.push(...LOCAL_FRAME_ANCESTORS);
  const hint = url.searchParams.get('locationId') ?? url.searchParams.get('companyId');
  try {
    const hosts = await frameHostsFor(env.DB, hint && RESOURCE_ID.test(hint) ? hint : null);
    out.push(...hosts.map((h) => `https://${h}`));
  } catch (err) {
    // Fails closed: GHL's own domains still frame the panel; white-label hosts wait for D1.
    console.error('white-label frame hosts unavailable', String(err));
  }
  return out;
}

type PanelBindings = {
  ASSETS: { fetch(input: Request | URL | string): Promise<Response> };
  DB: D1Database;
  APP_BASE_URL?: string;
};

/** Serves the Preact panel: `/app` and every client-side path under it answer `/app/index.html`. */
export const panelRoutes = new Hono<{ Bindings: PanelBindings }>();

panelRoutes.get('*', async (c) => {
  const url = new URL(c.req.url);
  const last = url.pathname.split('/').pop() ?? '';
  // A missing file (a stale hashed chunk) must fail loudly, not come back as HTML.
  if (last.includes('.') && last !== 'index.html')
    return withHeaders(new Response('Not found', { status: 404 }), PANEL_SECURITY_HEADERS);

  const headers = panelSecurityHeaders(await frameAncestorsFor(c.env, url));
  // The assets layer canonicalises `/app/index.html` to `/app/` (html_handling), so ask for that first.
  let res = await c.env.ASSETS.fetch(new URL('/app/', c.req.url));
  if (res.status >= 300 && res.status < 400)
    res = await c.env.ASSETS.fetch(new URL('/app/index.html', c.req.url));
  if (!res.ok)
    return withHeaders(
      new Response('The panel is not built yet: run `npm run build`.', { status: 503 }),
      headers,
    );

  const out = withHeaders(new Response(res.body, { status: 200, headers: res.headers }), headers);
  out.headers.set('Content-Type', 'text/html; charset=utf-8');
  out.headers.set('Cache-Control', 'no-cache');
  return out;
});

function withHeaders(res: Response, headers: Readonly<Record<string, string>>): Response {
  for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  return res;
}
