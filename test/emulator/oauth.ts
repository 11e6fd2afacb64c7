import type { Hono } from 'hono';
import { CONTACTS_VERSION, guard } from './auth.ts';
import type { AppEnv, Emu } from './context.ts';
import { badRequest, invalidClient, invalidGrant, noLocationAccess, unprocessable } from './errors.ts';
import { issueTokens } from './installs.ts';
import type { AccessToken, Grant, RefreshToken } from './state.ts';
import { readForm } from './validate.ts';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

function tokenResponse(emu: Emu, access: AccessToken, refresh: RefreshToken, extra: Record<string, unknown>) {
  const base: Record<string, unknown> = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: emu.accessTokenTtlSec,
    refresh_token: refresh.token,
    scope: access.scope,
    userType: access.userType,
    companyId: access.companyId,
  };
  if (access.locationId) base.locationId = access.locationId;
  return { ...base, userId: access.userId, ...extra };
}

function companyFlags(emu: Emu, grant: Grant): Record<string, unknown> {
  if (grant.userType !== 'Company') return { isBulkInstallation: false };
  const install = emu.state.companyInstalls.get(`${grant.clientId}|${grant.companyId}`);
  return {
    isBulkInstallation: true,
    approveAllLocations: install?.approveAllLocations ?? false,
    installToFutureLocations: install?.installToFutureLocations ?? false,
  };
}

export function registerOauth(app: Hono<AppEnv>, emu: Emu): void {
  const { state, stats } = emu;

  app.post('/oauth/token', async (c) => {
    const form = await readForm(c);
    const missing = ['client_id', 'client_secret']
      .filter((k) => !form[k])
      .map((k) => `${k} should not be empty`);
    if (!form.grant_type || !GRANT_TYPES.includes(form.grant_type)) {
      missing.push(
        'grant_type must be a valid enum value',
        ...(form.grant_type ? [] : ['grant_type should not be empty']),
      );
    }
    if (missing.length) throw unprocessable(missing);
    const client = state.clients.get(form.client_id!);
    if (!client || client.clientSecret !== form.client_secret) throw invalidClient();

    if (form.grant_type === 'authorization_code') {
      const code = state.codes.get(form.code ?? '');
      if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== client.clientId) {
        stats.oauth('invalidGrant');
        throw invalidGrant('Invalid authorization code');
      }
      code.used = true;
      const { access, refresh } = issueTokens(emu, code);
      stats.oauth('authorizationCode', code.locationId);
      setTimeout(() => code.onRedeem?.(), 0);
      return c.json(tokenResponse(emu, access, refresh, companyFlags(emu, code)));
    }

    if (form.grant_type === 'refresh_token') {
      const old = state.refreshTokens.get(form.refresh_token ?? '');
      if (!old || old.status !== 'active' || old.clientId !== client.clientId) {
        stats.oauth('invalidGrant', old?.locationId);
        throw invalidGrant(
          old?.status === 'used' ? 'Refresh token has already been used' : 'Invalid refresh token',
        );
      }
      old.status = 'used';
      const { access, refresh } = issueTokens(emu, old);
      stats.oauth('refresh', old.locationId);
      return c.json(tokenResponse(emu, access, refresh, companyFlags(emu, old)));
    }

    throw badRequest('client_credentials is not supported for marketplace apps', { error: 'Bad Request' });
  });

  app.post('/oauth/locationToken', guard(emu, 'agency', CONTACTS_VERSION), async (c) => {
    const auth = c.get('auth');
    const form = await readForm(c);
    const missing = ['companyId', 'locationId']
      .filter((k) => !form[k])
      .map((k) => `${k} should not be empty`);
    if (missing.length) throw unprocessable(missing);
    if (form.companyId !== auth.companyId) throw noLocationAccess();
    const location = state.locations.get(form.locationId!);
    if (!location || location.companyId !== auth.companyId) throw badRequest('Location not found');
    if (!state.isInstalled(auth.clientId, location.id))
      throw badRequest('The app is not installed on this location');
    const client = state.clients.get(auth.clientId)!;
    const { access, refresh } = issueTokens(emu, {
      clientId: auth.clientId,
      userType: 'Location',
      companyId: auth.companyId,
      locationId: location.id,
      userId: auth.userId,
      scope: auth.scope,
    });
    stats.oauth('locationToken', location.id);
    return c.json({
      ...tokenResponse(emu, access, refresh, {}),
      appId: client.appId,
      versionId: client.versionId,
    });
  });

  app.get('/oauth/installedLocations', guard(emu, 'agency', CONTACTS_VERSION), (c) => {
    const auth = c.get('auth');
    const q = c.req.query();
    const missing = ['companyId', 'appId'].filter((k) => !q[k]).map((k) => `${k} should not be empty`);
    if (missing.length) throw unprocessable(missing);
    if (q.companyId !== auth.companyId) throw noLocationAccess();
    const client = state.clients.get(auth.clientId)!;
    if (q.appId !== client.appId) throw badRequest('App not found');
    const skip = Number(q.skip ?? '0') || 0;
    const limit = Number(q.limit ?? '20') || 20;
    let rows = state.locationsOf(auth.companyId).map((location) => {
      const installed = state.installs.get(`${client.clientId}|${location.id}`);
      return {
        _id: location.id,
        name: location.name,
        address: [location.address, location.city, location.state].filter(Boolean).join(', '),
        isInstalled: Boolean(installed),
        ...(installed ? { versionId: client.versionId, installedAt: installed.installedAt } : {}),
      };
    });
    if (q.isInstalled !== undefined) rows = rows.filter((r) => r.isInstalled === (q.isInstalled === 'true'));
    if (q.locationId) rows = rows.filter((r) => r._id === q.locationId);
    if (q.query) rows = rows.filter((r) => r.name.toLowerCase().includes(q.query!.toLowerCase()));
    const companyInstall = state.companyInstalls.get(`${client.clientId}|${auth.companyId}`);
    return c.json({
      locations: rows.slice(skip, skip + limit),
      count: rows.length,
      installToFutureLocations: companyInstall?.installToFutureLocations ?? false,
    });
  });
}
