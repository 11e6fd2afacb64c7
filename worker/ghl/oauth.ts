import type { Config } from '../config.ts';
import { appIdOf } from '../config.ts';

/** A token pair as we keep it (sealed) in D1. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** epoch ms */
  expiresAt: number;
  userType: 'Location' | 'Company';
  companyId?: string;
  locationId?: string;
  scope?: string;
  userId?: string;
}

/** The fields of GHL's token answer we use. */
interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  userType?: 'Location' | 'Company';
  locationId?: string;
  companyId?: string;
  userId?: string;
  isBulkInstallation?: boolean;
  approveAllLocations?: boolean;
  installToFutureLocations?: boolean;
}

export class OAuthError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'OAuthError';
    this.status = status;
    this.code = code;
  }
  get invalidGrant() {
    return this.code === 'invalid_grant';
  }
}

const OAUTH_VERSION = '2021-07-28';

function toTokenSet(answer: TokenAnswer, now: number, fallback?: Partial<TokenSet>): TokenSet {
  const userType = answer.userType ?? fallback?.userType ?? (answer.locationId ? 'Location' : 'Company');
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    expiresAt: now + Math.max(60, answer.expires_in ?? 86399) * 1000,
    userType,
    companyId: answer.companyId ?? fallback?.companyId,
    locationId: answer.locationId ?? fallback?.locationId,
    scope: answer.scope ?? fallback?.scope,
    userId: answer.userId ?? fallback?.userId,
  };
}

async function readAnswer(res: Response): Promise<TokenAnswer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: string; error_description?: string; message?: unknown };
    const code =
      typeof b.error === 'string' ? b.error.toLowerCase().replace(/\s+/g, '_') : `http_${res.status}`;
    const message =
      b.error_description ??
      (typeof b.message === 'string' ? b.message : JSON.stringify(b.message ?? text.slice(0, 200)));
    throw new OAuthError(res.status, code, message);
  }
  const answer = body as TokenAnswer | undefined;
  if (!answer || typeof answer.access_token !== 'string') {
    throw new OAuthError(502, 'bad_token_answer', 'GHL token endpoint answered without an access_token');
  }
  return answer;
}

async function tokenRequest(config: Config, form: Record<string, string>): Promise<TokenAnswer> {
  const res = await fetch(`${config.apiBase}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: config.clientId, client_secret: config.clientSecret, ...form }),
  });
  return readAnswer(res);
}

export interface CodeExchange {
  tokens: TokenSet;
  isBulkInstallation: boolean;
  approveAllLocations: boolean;
  installToFutureLocations: boolean;
}

/** authorization_code grant. */
export async function exchangeCode(config: Config, code: string, now = Date.now()): Promise<CodeExchange> {
  const answer = await tokenRequest(config, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: `${config.appBaseUrl}/oauth/callback`,
  });
  return {
    tokens: toTokenSet(answer, now),
    isBulkInstallation: answer.isBulkInstallation === true,
    approveAllLocations: answer.approveAllLocations === true,
    installToFutureLocations: answer.installToFutureLocations === true,
  };
}

/** refresh_token grant; the answer carries a new refresh token (the old one is spent). */
export async function refreshTokens(config: Config, current: TokenSet, now = Date.now()): Promise<TokenSet> {
  if (!current.refreshToken) throw new OAuthError(400, 'invalid_grant', 'no refresh token stored');
  const answer = await tokenRequest(config, {
    grant_type: 'refresh_token',
    refresh_token: current.refreshToken,
    user_type: current.userType,
  });
  return toTokenSet(answer, now, current);
}

/** Mints a location token from an agency (Company) token. */
export async function mintLocationToken(
  config: Config,
  companyToken: TokenSet,
  locationId: string,
  now = Date.now(),
): Promise<TokenSet> {
  if (!companyToken.companyId) throw new OAuthError(400, 'no_company', 'company token has no companyId');
  const res = await fetch(`${config.apiBase}/oauth/locationToken`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${companyToken.accessToken}`,
      version: OAUTH_VERSION,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ companyId: companyToken.companyId, locationId }),
  });
  const answer = await readAnswer(res);
  return toTokenSet(answer, now, { userType: 'Location', companyId: companyToken.companyId, locationId });
}

export interface InstalledLocation {
  id: string;
  name: string;
}

/** Every location of the company where our app is installed (paged). */
export async function listInstalledLocations(
  config: Config,
  companyToken: TokenSet,
): Promise<InstalledLocation[]> {
  const out: InstalledLocation[] = [];
  const limit = 100;
  for (let skip = 0; ; skip += limit) {
    const q = new URLSearchParams({
      companyId: companyToken.companyId ?? '',
      appId: appIdOf(config.clientId),
      isInstalled: 'true',
      skip: String(skip),
      limit: String(limit),
    });
    const res = await fetch(`${config.apiBase}/oauth/installedLocations?${q}`, {
      headers: {
        authorization: `Bearer ${companyToken.accessToken}`,
        version: OAUTH_VERSION,
        accept: 'application/json',
      },
    });
    if (!res.ok) {
      const text = await res.text();
      throw new OAuthError(
        res.status,
        `http_${res.status}`,
        `installedLocations failed: ${text.slice(0, 200)}`,
      );
    }
    const body = (await res.json()) as {
      locations?: { _id: string; name?: string; isInstalled?: boolean }[];
      count?: number;
    };
    const page = body.locations ?? [];
    for (const l of page) if (l.isInstalled !== false) out.push({ id: l._id, name: l.name ?? l._id });
    if (page.length < limit) break;
  }
  return out;
}
