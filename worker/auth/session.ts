import { createMiddleware } from 'hono/factory';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { getConfig, type Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { utf8 } from '../crypto/encoding.ts';
import type { SsoUser } from './sso.ts';

/**
 * GHL's SSO payload carries no expiry, so the session lifetime is ours: short,
 * because the role inside it gates settings, and the panel can fetch a fresh payload at any time.
 */
export const SESSION_TTL_SECONDS = 30 * 60;
const ISSUER = 'contact-sync';
const AUDIENCE = 'contact-sync-panel';

/** Who is calling, fixed at session creation from the decrypted SSO payload. */
export interface Session {
  userId: string;
  name: string;
  email: string;
  role: string;
  /** Empty in an agency session. */
  locationId: string;
  companyId: string;
  /** A sub-account's panel, or the agency console (docs/CONTRACT.md §4). */
  context: 'location' | 'agency';
}

/** Hono env of every authenticated `/api` route. */
export type SessionEnv = { Bindings: Env; Variables: { session: Session } };

/** Only GHL admins change settings (docs/CONTRACT.md §1). */
export const isAdmin = (session: Session) => session.role === 'admin';

const keyOf = (config: Config) => utf8.encode(config.sessionSigningKey);

/** Signs a session token (HS256) bound to the user, role, location and company. */
export async function issueSession(
  config: Config,
  user: SsoUser,
  now = Date.now(),
): Promise<{ token: string; expiresAt: string }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + SESSION_TTL_SECONDS;
  const token = await new SignJWT({
    ctx: user.context,
    loc: user.locationId,
    cid: user.companyId,
    role: user.role,
    name: user.userName,
    email: user.email,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(keyOf(config));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** Verifies a session token; a missing, expired or forged one is a 401. */
export async function verifySession(config: Config, token: string): Promise<Session> {
  try {
    const { payload } = await jwtVerify(token, keyOf(config), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'sub'],
    });
    const session: Session = {
      userId: str(payload.sub),
      name: str(payload.name),
      email: str(payload.email),
      role: str(payload.role),
      locationId: str(payload.loc),
      companyId: str(payload.cid),
      context: payload.ctx === 'agency' ? 'agency' : 'location',
    };
    if (!session.userId || !session.role) throw new Error('session claims incomplete');
    // An agency session names its agency and no location, and exists only for admins.
    const complete =
      session.context === 'agency'
        ? Boolean(session.companyId) && !session.locationId && isAdmin(session)
        : Boolean(session.locationId);
    if (!complete) throw new Error('session claims incomplete');
    return session;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      throw new AppError(
        401,
        'session_expired',
        'Your session has expired. Reload Contact Sync to sign in again.',
      );
    }
    throw new AppError(
      401,
      'session_invalid',
      'The session token is not valid. Reload Contact Sync to sign in again.',
      String(err),
    );
  }
}

/** Requires `Authorization: Bearer <session token>` and puts the session on `c.var.session`. */
export const requireSession = createMiddleware<SessionEnv>(async (c, next) => {
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (!match)
    throw new AppError(
      401,
      'session_missing',
      'Sign in first: send the session token as Authorization: Bearer.',
    );
  c.set('session', await verifySession(getConfig(c.env), match[1]!));
  await next();
});

/** Sub-account routes: an agency session names no location, so it is refused here. */
export const requireLocationSession = createMiddleware<SessionEnv>(async (c, next) => {
  if (c.var.session.context !== 'location')
    throw new AppError(
      403,
      'location_session_required',
      'This works inside a sub-account: open Contact Sync from the left menu of a sub-account.',
    );
  await next();
});

/** Agency console routes: only an agency admin's session opened from the agency view. */
export const requireAgencySession = createMiddleware<SessionEnv>(async (c, next) => {
  const session = c.var.session;
  if (session.context !== 'agency' || !session.companyId || !isAdmin(session))
    throw new AppError(
      403,
      'agency_session_required',
      'The agency console is for agency admins: open Contact Sync from the agency view of HighLevel.',
    );
  await next();
});
