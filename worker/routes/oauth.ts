import { Hono } from 'hono';
import { getConfig } from '../config.ts';
import { exchangeCode, OAuthError } from '../ghl/oauth.ts';
import { tenantStub } from '../durable/stubs.ts';
import { calcomSignInRoutes } from './calcom-signin.ts';
import { escapeHtml, page, pageHeaders } from './pages.ts';

export const oauthRoutes = new Hono<{ Bindings: Env }>();
oauthRoutes.use('*', pageHeaders);
oauthRoutes.route('/calcom', calcomSignInRoutes);

/** Sends the agency admin to GHL's location chooser. */
oauthRoutes.get('/install', (c) => {
  const config = getConfig(c.env);
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${config.appBaseUrl}/oauth/callback`,
    scope: config.scopes,
  });
  return c.redirect(`${config.marketplaceBase}/v2/oauth/chooselocation?${q}`, 302);
});

/** GHL sends the admin back here with a code: a Location install or an agency (Company) install. */
oauthRoutes.get('/callback', async (c) => {
  const config = getConfig(c.env);
  const code = c.req.query('code');
  if (!code) {
    const why =
      c.req.query('error_description') ??
      c.req.query('error') ??
      'HighLevel did not send an authorization code.';
    return c.html(
      page(
        'Installation was not completed',
        `<p>${escapeHtml(why)}</p><p>Start again from the HighLevel marketplace.</p>`,
        'error',
      ),
      400,
    );
  }
  let exchange;
  try {
    exchange = await exchangeCode(config, code);
  } catch (err) {
    console.error(
      'code exchange failed',
      err instanceof OAuthError ? `${err.status} ${err.code}` : String(err),
    );
    const expired =
      err instanceof OAuthError && (err.invalidGrant || err.status === 400 || err.status === 401);
    const msg = expired
      ? 'The authorization code was not accepted (it may have expired or been used already).'
      : 'HighLevel could not be reached to finish the installation.';
    return c.html(
      page(
        'Installation was not completed',
        `<p>${msg}</p><p>Start the installation again from the HighLevel marketplace.</p>`,
        'error',
      ),
      expired ? 400 : 502,
    );
  }
  const { tokens } = exchange;
  if (tokens.userType === 'Location' && tokens.locationId) {
    await tenantStub(c.env, tokens.locationId).install(tokens.locationId, tokens, {
      companyId: tokens.companyId,
      installKind: 'location',
    });
    return c.html(
      page(
        'Contact Sync is installed',
        `<p>The sub-account <code>${escapeHtml(tokens.locationId)}</code> is connected. Open <b>Contact Sync</b> from its left menu to start.</p>`,
      ),
    );
  }
  if (!tokens.companyId) {
    return c.html(
      page(
        'Installation was not completed',
        '<p>HighLevel answered with a token that names no agency or sub-account.</p>',
        'error',
      ),
      502,
    );
  }
  const companyKey = `company:${tokens.companyId}`;
  const company = tenantStub(c.env, companyKey);
  await company.install(companyKey, tokens, { companyId: tokens.companyId, installKind: 'agency' });
  let results: { id: string; name: string; ok: boolean }[] = [];
  try {
    results = await company.provisionLocations(companyKey);
  } catch (err) {
    console.error('provisioning after agency install failed', String(err));
  }
  const ok = results.filter((r) => r.ok);
  const failed = results.filter((r) => !r.ok);
  const list = ok.map((r) => `<li>${escapeHtml(r.name)}</li>`).join('');
  const retry = failed.length
    ? `<p>${failed.length} sub-account(s) could not be connected yet; they will be retried when HighLevel confirms their install.</p>`
    : '';
  return c.html(
    page(
      'Contact Sync is installed for your agency',
      `<p>Connected ${ok.length} sub-account(s)${ok.length ? ':' : '.'}</p>${ok.length ? `<ul>${list}</ul>` : ''}${retry}<p>New sub-accounts you add the app to are connected automatically.</p>`,
    ),
  );
});
