import { Hono } from 'hono';
import { jwtVerify, SignJWT } from 'jose';
import { getConfig } from '../config.ts';
import {
  authorizeUrlFor,
  calcomSignIn,
  exchangeCalcomCode,
  redirectUriOf,
} from '../connectors/calcom-signin.ts';
import { checkSettings } from '../connectors/connection-checks.ts';
import { AppError } from '../errors.ts';
import { getInstall } from '../tenants/installs.ts';
import { createCheckedConnection } from './api/connection-create.ts';
import { escapeHtml, page } from './pages.ts';

/**
 * "Sign in with Cal.com". The panel asks for the authorize URL (`POST /api/connections/calcom/
 * sign-in`); its `state` is a short-lived token we signed, naming the location, the admin and
 * the connection they are making. Cal.com sends the admin back to `/oauth/calcom/callback`,
 * where the code becomes the connection's tokens and the connection is made and checked as a
 * pasted one would be.
 */

const AUDIENCE = 'contact-sync:calcom-sign-in';
const STATE_TTL_SECONDS = 600;
const keyOf = (env: Env) => new TextEncoder().encode(getConfig(env).sessionSigningKey);

interface SignInState {
  locationId: string;
  userId: string;
  name?: string;
  settings?: Record<string, unknown>;
}

/** The Cal.com authorize URL for this admin's new connection. */
export async function calcomSignInUrl(env: Env, s: SignInState): Promise<string> {
  const cfg = calcomSignIn(env);
  if (!cfg)
    throw new AppError(
      409,
      'sign_in_unavailable',
      'Cal.com sign-in is not set up on this server: use an API key.',
    );
  const settings = checkSettings(s.settings);
  const state = await new SignJWT({ loc: s.locationId, name: s.name ?? null, settings })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(s.userId)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${STATE_TTL_SECONDS}s`)
    .sign(keyOf(env));
  return authorizeUrlFor(cfg, redirectUriOf(getConfig(env).appBaseUrl), state);
}

export const calcomSignInRoutes = new Hono<{ Bindings: Env }>();

const failed = (why: string, status: 400 | 409 | 422 | 502 = 400) =>
  [
    page(
      'Cal.com is not connected',
      `<p>${escapeHtml(why)}</p><p>Close this window and try again from Contact Sync's settings.</p>`,
      'error',
    ),
    status,
  ] as const;

calcomSignInRoutes.get('/callback', async (c) => {
  const cfg = calcomSignIn(c.env);
  if (!cfg) return c.html(...failed('Cal.com sign-in is not set up on this server.', 409));
  const error = c.req.query('error');
  if (error) return c.html(...failed(`Cal.com answered: ${error.slice(0, 100)}.`));
  const code = c.req.query('code');
  const rawState = c.req.query('state');
  if (!code || !rawState) return c.html(...failed('Cal.com sent no authorization code.'));
  let state: Record<string, unknown>;
  try {
    state = (
      await jwtVerify(rawState, keyOf(c.env), {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      })
    ).payload as Record<string, unknown>;
  } catch {
    return c.html(...failed('The sign-in expired or did not start here.'));
  }
  const locationId = typeof state.loc === 'string' ? state.loc : '';
  const install = await getInstall(c.env.DB, locationId);
  if (!install || install.status !== 'active')
    return c.html(...failed('Contact Sync is not installed on this sub-account any more.', 409));
  let credentials: Record<string, string>;
  try {
    credentials = await exchangeCalcomCode(cfg, code, redirectUriOf(getConfig(c.env).appBaseUrl));
  } catch (err) {
    return c.html(...failed(err instanceof Error ? err.message : 'Cal.com could not be reached.', 502));
  }
  try {
    const made = await createCheckedConnection(c.env, locationId, {
      kind: 'calcom',
      name: typeof state.name === 'string' && state.name ? state.name : 'Cal.com',
      credentials,
      // The tokens belong to this API base: the form's own apiBase does not apply.
      settings: { ...(state.settings as Record<string, unknown> | undefined), apiBase: cfg.apiBase },
    });
    return c.html(
      page(
        'Cal.com is connected',
        `<p><b>${escapeHtml(made.connection.name)}</b> is connected. ${escapeHtml(made.check.message)}</p><p>You can close this window.</p>`,
      ),
    );
  } catch (err) {
    return c.html(
      ...failed(err instanceof AppError ? err.message : 'The connection could not be saved.', 422),
    );
  }
});
