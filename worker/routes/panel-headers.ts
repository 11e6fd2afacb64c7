/** The panel's security headers (no worker types: the Vite build imports this to write `_headers`). */

/** GHL's own app domains: always allowed to frame the panel. */
export const FRAME_ANCESTORS: readonly string[] = [
  "'self'",
  'https://*.gohighlevel.com',
  'https://*.leadconnectorhq.com',
  'https://*.msgsndr.com',
];

/** Loopback parents (`npm start`'s GHL page, the browser tests): only when the worker itself runs on loopback. */
export const LOCAL_FRAME_ANCESTORS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

/** The panel's security headers, with `frameAncestors` as the CSP's frame-ancestors sources. */
export function panelSecurityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  return {
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
      `frame-ancestors ${frameAncestors.join(' ')}`,
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
  };
}

/**
 * Security headers of panel responses the worker does not shape per request. Also written to
 * `dist/ui/_headers` by the Vite build for `/app/assets/*`, which the assets layer serves without
 * running the worker; every panel document goes through the worker (`run_worker_first`).
 */
export const PANEL_SECURITY_HEADERS: Readonly<Record<string, string>> = panelSecurityHeaders(FRAME_ANCESTORS);

/** Whether APP_BASE_URL is a loopback address: a local run, never a deployment. */
export function isLocalBase(appBaseUrl: string | undefined): boolean {
  try {
    const host = new URL(appBaseUrl ?? '').hostname;
    return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}
