import type { Context } from 'hono';
import type { AppEnv, Emu } from './context.ts';
import { handshakeScript, icon, STYLE } from './ghl-page.ts';
import { escapeHtml } from './html.ts';
import { encryptSso } from './sso.ts';

const AGENCY_MENU = [
  'Sub-Accounts',
  'Account Snapshots',
  'Reselling',
  'Marketplace',
  'Affiliate Portal',
  'Template Library',
  'Partners',
  'University',
  'App Marketplace',
] as const;

/**
 * GET /_emulator/ghl?view=agency: GHL's agency view with our app in its left nav. Its SSO payload
 * is the agency context: `type: "agency"`, the agency user, and no `activeLocation`.
 */
export function renderGhlAgencyPage(c: Context<AppEnv>, emu: Emu): Response {
  const q = c.req.query();
  const { state } = emu;
  const company = state.companies.get(q.companyId ?? '') ?? state.companies.values().next().value;
  if (!company) return c.html(`<!doctype html><p>No agency yet: seed the emulator first.</p>`, 404);
  const users = [...state.users.values()].filter((u) => u.companyId === company.id && u.type === 'agency');
  const user = users.find((u) => u.id === q.userId) ?? state.agencyAdmin(company.id) ?? users[0];
  const role = q.role === 'user' || q.role === 'admin' ? q.role : (user?.role ?? 'admin');
  const client = state.firstClient();
  const appUrl = `${(q.appBaseUrl || emu.appBaseUrl).replace(/\/$/, '')}/app`;
  const payload =
    client && user
      ? encryptSso(
          {
            userId: user.id,
            companyId: company.id,
            role,
            type: 'agency',
            userName: `${user.firstName} ${user.lastName}`,
            email: user.email,
          },
          client.sharedSecret,
        )
      : null;
  const here = (params: Record<string, string>, drop: string[] = []) => {
    const url = new URL(c.req.url);
    for (const k of drop) url.searchParams.delete(k);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return escapeHtml(url.pathname + url.search);
  };
  const subAccounts = state
    .locationsOf(company.id)
    .map(
      (l) =>
        `<option value="${here({ locationId: l.id }, ['view', 'userId', 'role'])}">${escapeHtml(l.name)}</option>`,
    )
    .join('');
  const roleOptions = ['admin', 'user']
    .map((r) => `<option value="${here({ role: r })}"${r === role ? ' selected' : ''}>${r}</option>`)
    .join('');
  const initials = user ? `${user.firstName[0] ?? ''}${user.lastName[0] ?? ''}` : '?';
  const menu = AGENCY_MENU.map((label) => `<a href="#" aria-disabled="true">${icon(label)}${label}</a>`).join(
    '',
  );
  return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(company.name)} (agency) · Contact Sync</title>
<style>${STYLE}</style></head><body>
<nav aria-label="Main">
  <div class="loc"><b>${escapeHtml(company.name)}</b><small>Agency view</small>
  <select aria-label="Switch to a sub-account" onchange="if(this.value)location.href=this.value"><option value="">Switch to a sub-account…</option>${subAccounts}</select></div>
  ${menu}<div class="sep"></div>
  <a class="active" href="#" aria-current="page">${icon('Sync')}Contact Sync</a>
  <div class="grow"></div><a href="#" aria-disabled="true">${icon('Settings')}Settings</a>
</nav>
<main>
  <header><button id="menu" aria-label="Open menu" onclick="document.body.classList.toggle('nav-open')">☰</button>
    <b class="locname">${escapeHtml(company.name)}</b><div class="search">Search (Ctrl + K)</div>
    <div class="who"><select aria-label="Role" onchange="location.href=this.value">${roleOptions}</select>
    <span class="name">${escapeHtml(user ? `${user.firstName} ${user.lastName}` : '')}</span><div class="avatar">${escapeHtml(initials)}</div></div>
  </header>
  ${payload ? '' : '<div class="banner">No marketplace app or agency user is registered: the app will get no user data.</div>'}
  <iframe id="app" title="Contact Sync" src="${escapeHtml(appUrl)}" allow="clipboard-write"></iframe>
</main>
${handshakeScript(appUrl, payload)}</body></html>`);
}
