import { Hono } from 'hono';
import * as v from 'valibot';
import { isAdmin, type SessionEnv } from '../../auth/session.ts';
import { forbidden } from '../../errors.ts';
import {
  agencyFrameHosts,
  frameHost,
  MAX_AGENCY_HOSTS,
  setAgencyFrameHosts,
} from '../../tenants/frame-domains.ts';
import { jsonBody } from './validate.ts';

const Host = v.pipe(
  v.string(),
  v.maxLength(300),
  v.check(
    (s) => frameHost(s) !== null,
    'must be a host name such as app.youragency.com (no wildcard, port or path)',
  ),
  v.transform((s) => frameHost(s)!),
);
const FrameDomains = v.object({ domains: v.pipe(v.array(Host), v.maxLength(MAX_AGENCY_HOSTS)) });

/**
 * `/api/agency/frame-domains`: the hosts of the session's agency that may frame the panel
 * besides GHL's own, for agencies whose white-label domain the install did not name (or that
 * use more than one). Everyone sees them; only admins change them.
 */
export const agencyRoutes = new Hono<SessionEnv>();

const view = async (c: { env: Env; var: { session: { companyId: string } } }) => {
  const { installHost, hosts } = await agencyFrameHosts(c.env.DB, c.var.session.companyId);
  return { installDomain: installHost, domains: hosts };
};

agencyRoutes.get('/frame-domains', async (c) => c.json(await view(c)));

agencyRoutes.put(
  '/frame-domains',
  async (c, next) => {
    if (!isAdmin(c.var.session))
      throw forbidden('Only admins can change the domains that may show Contact Sync.');
    if (!c.var.session.companyId) throw forbidden('This session names no agency.');
    await next();
  },
  jsonBody(FrameDomains),
  async (c) => {
    await setAgencyFrameHosts(c.env.DB, c.var.session.companyId, c.req.valid('json').domains);
    return c.json(await view(c));
  },
);
