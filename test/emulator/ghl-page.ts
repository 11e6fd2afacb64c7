import type { Context } from 'hono';
import type { AppEnv, Emu } from './context.ts';
import { escapeHtml } from './html.ts';
import { encryptSso } from './sso.ts';
import type { Location, User } from './state.ts';
import { renderGhlAgencyPage } from './ghl-agency-page.ts';

const MENU = [
  'Launchpad',
  'Dashboard',
  'Conversations',
  'Calendars',
  'Contacts',
  'Opportunities',
  'Payments',
  'Marketing',
  'Automation',
  'Sites',
  'Memberships',
  'Reputation',
  'Reporting',
  'App Marketplace',
] as const;

// Letter badges instead of emoji: headless browsers and CI machines often lack an emoji font.
export const icon = (label: string) => `<span class="ico" aria-hidden="true">${label[0]}</span>`;

/** JSON inside a <script> without letting the data close the tag. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function usersFor(emu: Emu, location: Location): User[] {
  return [...emu.state.users.values()].filter(
    (u) => u.companyId === location.companyId && (u.type === 'agency' || u.locationIds.includes(location.id)),
  );
}

export const STYLE = `
*{box-sizing:border-box}html,body{height:100%;margin:0}
body{font-family:Inter,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;color:#101828;display:flex}
nav{width:232px;flex:none;background:#0f172a;color:#cbd5e1;display:flex;flex-direction:column;height:100%;overflow-y:auto}
.loc{margin:12px;padding:10px 12px;border-radius:8px;background:#1e293b;color:#f8fafc}
.loc b{display:block;font-size:14px}.loc small{color:#94a3b8;font-size:12px}
.loc select{margin-top:6px;width:100%;background:#0f172a;color:#e2e8f0;border:1px solid #334155;border-radius:6px;padding:4px}
nav a{display:flex;gap:10px;align-items:center;padding:8px 18px;color:#cbd5e1;text-decoration:none;font-size:14px}
nav a:hover{background:#1e293b}nav a.active{background:#155eef;color:#fff;border-radius:6px;margin:2px 10px;padding:8px}
nav .sep{border-top:1px solid #1e293b;margin:8px 0}nav .grow{flex:1}
.ico{width:20px;height:20px;border-radius:5px;background:#1e293b;color:#94a3b8;display:grid;place-items:center;font-size:11px;font-weight:700;flex:none}
nav a.active .ico{background:rgba(255,255,255,.2);color:#fff}.locname{display:none;font-size:14px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
main{flex:1;display:flex;flex-direction:column;min-width:0;height:100%}
header{height:56px;flex:none;background:#fff;border-bottom:1px solid #e4e7ec;display:flex;align-items:center;gap:12px;padding:0 16px}
header .search{flex:1;max-width:420px;background:#f2f4f7;border:1px solid #e4e7ec;border-radius:8px;padding:8px 12px;color:#667085;font-size:14px;white-space:nowrap;overflow:hidden}
header .who{margin-left:auto;display:flex;gap:8px;align-items:center;font-size:13px;color:#344054}
header select{border:1px solid #d0d5dd;border-radius:6px;padding:4px;background:#fff;max-width:150px}
.avatar{width:32px;height:32px;border-radius:50%;background:#155eef;color:#fff;display:grid;place-items:center;font-weight:600;font-size:13px;flex:none}
#menu{display:none;border:0;background:none;font-size:22px;cursor:pointer;padding:4px}
iframe{flex:1;border:0;width:100%;background:#fff}
.banner{padding:16px;color:#b42318}
@media (max-width:720px){
  nav{position:fixed;z-index:10;left:0;top:0;transform:translateX(-100%);transition:transform .2s}
  body.nav-open nav{transform:none;box-shadow:0 0 0 100vmax rgba(15,23,42,.5)}
  #menu{display:block}header .search{display:none}header .who .name{display:none}.locname{display:block;min-width:0}
  header{gap:8px;padding:0 8px}header select{max-width:96px}
}`;

/** The parent side of GHL's REQUEST_USER_DATA handshake, answering our iframe with `payload`. */
export function handshakeScript(appUrl: string, payload: string | null): string {
  return `<script>
(() => {
  const iframe = document.getElementById('app');
  const appOrigin = new URL(${scriptJson(appUrl)}).origin;
  const payload = ${scriptJson(payload)};
  document.querySelector('nav').addEventListener('click', (e) => { if (e.target.closest('a')) document.body.classList.remove('nav-open'); });
  window.addEventListener('message', (event) => {
    if (event.source !== iframe.contentWindow) return;
    if (!event.data || event.data.message !== 'REQUEST_USER_DATA' || !payload) return;
    iframe.contentWindow.postMessage({ message: 'REQUEST_USER_DATA_RESPONSE', payload }, appOrigin);
  });
})();
</script>`;
}

/** GET /_emulator/ghl: plays GHL around our iframe, including the REQUEST_USER_DATA handshake. */
export function renderGhlPage(c: Context<AppEnv>, emu: Emu): Response {
  const q = c.req.query();
  if (q.view === 'agency') return renderGhlAgencyPage(c, emu);
  const { state } = emu;
  const location = state.locations.get(q.locationId ?? '') ?? state.locations.values().next().value;
  if (!location) return c.html(`<!doctype html><p>No location yet: seed the emulator first.</p>`, 404);
  const users = usersFor(emu, location);
  const user = users.find((u) => u.id === q.userId) ?? state.defaultUser(location.id) ?? users[0];
  const role = q.role === 'user' || q.role === 'admin' ? q.role : (user?.role ?? 'admin');
  const client = state.firstClient();
  const appUrl = `${(q.appBaseUrl || emu.appBaseUrl).replace(/\/$/, '')}/app`;
  const payload =
    client && user
      ? encryptSso(
          {
            userId: user.id,
            companyId: location.companyId,
            role,
            type: 'location',
            activeLocation: location.id,
            userName: `${user.firstName} ${user.lastName}`,
            email: user.email,
          },
          // `?sso=foreign` plays an app whose Shared Secret in GHL is not the worker's (a setup slip).
          q.sso === 'foreign' ? `${client.sharedSecret}-not-ours` : client.sharedSecret,
        )
      : null;
  const here = (params: Record<string, string>) => {
    const url = new URL(c.req.url);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return escapeHtml(url.pathname + url.search);
  };
  const locationOptions = state
    .locationsOf(location.companyId)
    .map(
      (l) =>
        `<option value="${here({ locationId: l.id })}"${l.id === location.id ? ' selected' : ''}>${escapeHtml(l.name)}</option>`,
    )
    .join('');
  const userOptions = users
    .map(
      (u) =>
        `<option value="${here({ locationId: location.id, userId: u.id })}"${u.id === user?.id ? ' selected' : ''}>${escapeHtml(`${u.firstName} ${u.lastName}`)}</option>`,
    )
    .join('');
  const roleOptions = ['admin', 'user']
    .map((r) => `<option value="${here({ role: r })}"${r === role ? ' selected' : ''}>${r}</option>`)
    .join('');
  const initials = user ? `${user.firstName[0] ?? ''}${user.lastName[0] ?? ''}` : '?';
  const menu = MENU.map((label) => `<a href="#" aria-disabled="true">${icon(label)}${label}</a>`).join('');
  return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(location.name)} · Contact Sync</title>
<style>${STYLE}</style></head><body>
<nav aria-label="Main">
  <div class="loc"><b>${escapeHtml(location.name)}</b><small>${escapeHtml(`${location.city}, ${location.state}`)}</small>
  <select aria-label="Switch sub-account" onchange="location.href=this.value">${locationOptions}</select></div>
  ${menu}<div class="sep"></div>
  <a class="active" href="#" aria-current="page">${icon('Sync')}Contact Sync</a>
  <div class="grow"></div><a href="${here({ view: 'agency' })}">${icon('Agency')}Agency view</a>
  <a href="#" aria-disabled="true">${icon('Settings')}Settings</a>
</nav>
<main>
  <header><button id="menu" aria-label="Open menu" onclick="document.body.classList.toggle('nav-open')">☰</button>
    <b class="locname">${escapeHtml(location.name)}</b><div class="search">Search (Ctrl + K)</div>
    <div class="who"><select aria-label="User" onchange="location.href=this.value">${userOptions}</select>
    <select aria-label="Role" onchange="location.href=this.value">${roleOptions}</select>
    <span class="name">${escapeHtml(user ? `${user.firstName} ${user.lastName}` : '')}</span><div class="avatar">${escapeHtml(initials)}</div></div>
  </header>
  ${payload ? '' : '<div class="banner">No marketplace app is registered, so there is no Shared Secret: the app will get no user data.</div>'}
  <iframe id="app" title="Contact Sync" src="${escapeHtml(appUrl)}" allow="clipboard-write"></iframe>
</main>
${handshakeScript(appUrl, payload)}</body></html>`);
}
