import { html, raw } from 'hono/html';

/** A small, self-contained HTML page for humans (install results, errors). */
export function page(title: string, body: string, tone: 'ok' | 'error' = 'ok') {
  const accent = tone === 'ok' ? '#155eef' : '#d92d20';
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Contact Sync</title>
    <style>
      body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; background: #f2f4f7; color: #101828; }
      main { max-width: 560px; margin: 12vh auto; background: #fff; border-radius: 12px; padding: 32px; box-shadow: 0 1px 3px rgba(16,24,40,.1); border-top: 4px solid ${accent}; }
      h1 { font-size: 20px; margin: 0 0 12px; }
      p, li { color: #475467; }
      code { background: #f2f4f7; padding: 2px 6px; border-radius: 4px; }
    </style>
  </head>
  <body><main><h1>${title}</h1>${raw(body)}</main></body>
</html>`;
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
