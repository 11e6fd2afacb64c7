import type { Context, Hono } from 'hono';
import type { AppEnv, Emu } from './context.ts';
import { install, type InstallWebhooks } from './installs.ts';
import { renderGhlPage } from './ghl-page.ts';
import { escapeHtml } from './html.ts';
import { DEFAULT_SCOPE } from './state.ts';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;color:#101828}
.card{max-width:480px;margin:48px auto;background:#fff;border-radius:12px;box-shadow:0 8px 24px rgba(16,24,40,.12);padding:24px}
h1{font-size:20px;margin:0 0 4px}p{color:#475467;margin:0 0 16px}
a.opt{display:flex;justify-content:space-between;align-items:center;padding:12px 14px;border:1px solid #d0d5dd;border-radius:8px;margin:8px 0;color:#101828;text-decoration:none}
a.opt:hover{border-color:#155eef;background:#eff4ff}small{color:#667085}.err{color:#b42318}
</style></head><body><div class="card">${body}</div></body></html>`;
}

/** The marketplace's authorize page: pick a sub-account (Location install) or the agency (bulk Company install). */
async function chooseLocation(c: Context<AppEnv>, emu: Emu): Promise<Response> {
  const q = c.req.query();
  const client = emu.state.clients.get(q.client_id ?? '');
  if (!client)
    return c.html(
      page('Error', `<h1 class="err">No integration found with the ID ${escapeHtml(q.client_id ?? '')}</h1>`),
      400,
    );
  if (!q.redirect_uri) return c.html(page('Error', '<h1 class="err">redirect_uri is required</h1>'), 400);
  const companies = [...emu.state.companies.values()];
  const company = emu.state.companies.get(q._companyId ?? '') ?? companies[0];
  if (!company)
    return c.html(page('Error', '<h1 class="err">No agency exists in the emulator yet</h1>'), 400);

  if (q._select) {
    const isCompany = q._select === 'company';
    const locationIds = isCompany
      ? q._locations
        ? q._locations.split(',')
        : emu.state.locationsOf(company.id).map((l) => l.id)
      : [q._select];
    const companyId = isCompany ? company.id : (emu.state.locations.get(q._select)?.companyId ?? '');
    const { code } = await install(emu, {
      client,
      companyId,
      userType: isCompany ? 'Company' : 'Location',
      locationIds,
      webhooks: (q._webhooks ?? 'after') as InstallWebhooks,
      scope: q.scope || DEFAULT_SCOPE,
    });
    const target = new URL(q.redirect_uri);
    target.searchParams.set('code', code);
    if (q.state) target.searchParams.set('state', q.state);
    return c.redirect(target.toString(), 302);
  }

  const link = (select: string) => {
    const url = new URL(c.req.url);
    url.searchParams.set('_select', select);
    url.searchParams.set('_companyId', company.id);
    return escapeHtml(url.pathname + url.search);
  };
  const options = [
    `<a class="opt" href="${link('company')}"><span><b>${escapeHtml(company.name)}</b><br><small>Agency: install to all sub-accounts (bulk)</small></span><span>›</span></a>`,
    ...emu.state
      .locationsOf(company.id)
      .map(
        (l) =>
          `<a class="opt" href="${link(l.id)}"><span>${escapeHtml(l.name)}<br><small>${escapeHtml(`${l.city}, ${l.state}`)} · ${l.id}</small></span><span>›</span></a>`,
      ),
  ];
  return c.html(
    page(
      'Choose an account',
      `<h1>Choose an account</h1><p>Install <b>${escapeHtml(client.appId)}</b> for:</p>${options.join('')}`,
    ),
  );
}

export function registerPages(app: Hono<AppEnv>, emu: Emu): void {
  app.get('/v2/oauth/chooselocation', (c) => chooseLocation(c, emu));
  app.get('/oauth/chooselocation', (c) => chooseLocation(c, emu));
  app.get('/_emulator/ghl', (c) => renderGhlPage(c, emu));
}
