import { createMiddleware } from 'hono/factory';
import { html, raw } from 'hono/html';
import { toBase64, utf8 } from '../crypto/encoding.ts';

/** The pages' only style: a fixed text, so the CSP can allow exactly it by hash. */
const STYLE = `
      body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; background: #f2f4f7; color: #101828; }
      main { max-width: 560px; margin: 12vh auto; background: #fff; border-radius: 12px; padding: 32px; box-shadow: 0 1px 3px rgba(16,24,40,.1); border-top: 4px solid #155eef; }
      main.error { border-top-color: #d92d20; }
      h1 { font-size: 20px; margin: 0 0 12px; }
      p, li { color: #475467; }
      code { background: #f2f4f7; padding: 2px 6px; border-radius: 4px; }
    `;

/** A small, self-contained HTML page for humans (install results, errors). */
export function page(title: string, body: string, tone: 'ok' | 'error' = 'ok') {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Contact Sync</title>
    <style>${raw(STYLE)}</style>
  </head>
  <body><main class="${tone}"><h1>${title}</h1>${raw(body)}</main></body>
</html>`;
}

let policy: Promise<string> | undefined;

/** Nothing loads, runs, submits or frames: the one inline style is allowed by its hash. */
export function pagePolicy(): Promise<string> {
  policy ??= crypto.subtle
    .digest('SHA-256', utf8.encode(STYLE))
    .then((hash) =>
      [
        "default-src 'none'",
        `style-src 'sha256-${toBase64(hash)}'`,
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
  return policy;
}

/**
 * Headers of the pages: a restrictive CSP, and no Referer (the OAuth callback URL carries the
 * code) and no caching of a page made for one install.
 */
export const pageHeaders = createMiddleware(async (c, next) => {
  await next();
  c.res.headers.set('Content-Security-Policy', await pagePolicy());
  c.res.headers.set('Referrer-Policy', 'no-referrer');
  c.res.headers.set('Cache-Control', 'no-store');
});

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
