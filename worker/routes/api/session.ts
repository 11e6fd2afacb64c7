import { Hono } from 'hono';
import * as v from 'valibot';
import { issueSession } from '../../auth/session.ts';
import { openSsoPayload } from '../../auth/sso.ts';
import { getConfig } from '../../config.ts';
import { getInstall } from '../../tenants/installs.ts';
import { jsonBody } from './validate.ts';

const SessionBody = v.object({
  payload: v.pipe(v.string(), v.minLength(1, 'is required'), v.maxLength(8192)),
});

/** `POST /api/session`: trades GHL's encrypted SSO payload for a short-lived session token. */
export const sessionRoutes = new Hono<{ Bindings: Env }>();

sessionRoutes.post('/', jsonBody(SessionBody), async (c) => {
  const config = getConfig(c.env);
  const user = await openSsoPayload(c.req.valid('json').payload, config.sharedSecret);
  const [{ token, expiresAt }, install] = await Promise.all([
    issueSession(config, user),
    // An agency session's install is the agency's own (bulk) install, when it made one.
    getInstall(c.env.DB, user.context === 'agency' ? user.companyId : user.locationId),
  ]);
  return c.json({
    token,
    expiresAt,
    user: { id: user.userId, name: user.userName, email: user.email, role: user.role },
    locationId: user.locationId,
    companyId: user.companyId,
    context: user.context,
    // The session works even when the install is gone, so the panel can show how to reconnect.
    installStatus: install?.status ?? 'missing',
  });
});
