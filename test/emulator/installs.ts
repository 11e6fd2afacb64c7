import type { Emu } from './context.ts';
import { badRequest } from './errors.ts';
import { jwtLike, newId } from './ids.ts';
import {
  DEFAULT_SCOPE,
  type AccessToken,
  type Client,
  type Grant,
  type RefreshToken,
  type UserType,
} from './state.ts';

export type InstallWebhooks = 'before' | 'after' | 'none';

export interface InstallRequest {
  client: Client;
  companyId: string;
  userType: UserType;
  locationIds: string[];
  webhooks?: InstallWebhooks;
  scope?: string;
  userId?: string;
}

const CODE_TTL_MS = 10 * 60_000;

export function issueTokens(emu: Emu, source: Grant): { access: AccessToken; refresh: RefreshToken } {
  const grant: Grant = {
    clientId: source.clientId,
    userType: source.userType,
    companyId: source.companyId,
    locationId: source.locationId,
    userId: source.userId,
    scope: source.scope,
  };
  const claims = {
    authClass: grant.userType,
    authClassId: grant.locationId ?? grant.companyId,
    source: 'INTEGRATION',
    sourceId: grant.clientId,
  };
  const access: AccessToken = {
    ...grant,
    token: jwtLike(claims),
    expiresAt: Date.now() + emu.accessTokenTtlSec * 1000,
    revoked: false,
  };
  const refresh: RefreshToken = { ...grant, token: jwtLike({ ...claims, refresh: true }), status: 'active' };
  emu.state.accessTokens.set(access.token, access);
  emu.state.refreshTokens.set(refresh.token, refresh);
  return { access, refresh };
}

function installPayload(
  emu: Emu,
  client: Client,
  companyId: string,
  locationId: string | undefined,
  userId: string,
) {
  const company = emu.state.companies.get(companyId);
  return {
    appId: client.appId,
    installType: locationId ? 'Location' : 'Company',
    ...(locationId ? { locationId } : {}),
    companyId,
    userId,
    companyName: company?.name,
    isWhitelabelCompany: false,
    whitelabelDetails: {},
  };
}

/**
 * Marks the app installed and hands out an authorization code. A Company install always gets a
 * company token (bulk install is the default, issue #294) and one INSTALL per location.
 */
export async function install(emu: Emu, req: InstallRequest): Promise<{ code: string }> {
  const { state } = emu;
  const company = state.companies.get(req.companyId);
  if (!company) throw badRequest('Company not found');
  if (req.userType === 'Location' && req.locationIds.length !== 1)
    throw badRequest('A Location install names exactly one location');
  for (const id of req.locationIds) {
    if (state.locations.get(id)?.companyId !== company.id)
      throw badRequest(`Location ${id} is not in company ${company.id}`);
  }
  const installedAt = new Date().toISOString();
  for (const locationId of req.locationIds) {
    state.installs.set(`${req.client.clientId}|${locationId}`, {
      clientId: req.client.clientId,
      companyId: company.id,
      locationId,
      installedAt,
    });
  }
  const allLocations = state.locationsOf(company.id);
  const approveAllLocations =
    req.userType === 'Company' && allLocations.every((l) => req.locationIds.includes(l.id));
  if (req.userType === 'Company') {
    state.companyInstalls.set(`${req.client.clientId}|${company.id}`, {
      clientId: req.client.clientId,
      companyId: company.id,
      approveAllLocations,
      installToFutureLocations: approveAllLocations,
      installedAt,
    });
  }
  const userId =
    req.userId ??
    (req.userType === 'Location'
      ? state.defaultUser(req.locationIds[0]!)?.id
      : state.agencyAdmin(company.id)?.id) ??
    newId();
  const code = jwtLike({ code: true, clientId: req.client.clientId });
  const send = () => {
    const deliveries: Promise<void>[] = [];
    if (req.userType === 'Company')
      deliveries.push(
        emu.webhooks.emitToApp(
          req.client,
          'INSTALL',
          installPayload(emu, req.client, company.id, undefined, userId),
        ),
      );
    for (const locationId of req.locationIds) {
      deliveries.push(
        emu.webhooks.emitToApp(
          req.client,
          'INSTALL',
          installPayload(emu, req.client, company.id, locationId, userId),
        ),
      );
    }
    return Promise.all(deliveries);
  };
  const mode = req.webhooks ?? 'after';
  state.codes.set(code, {
    code,
    clientId: req.client.clientId,
    userType: req.userType,
    companyId: company.id,
    locationId: req.userType === 'Location' ? req.locationIds[0] : undefined,
    userId,
    scope: req.scope ?? DEFAULT_SCOPE,
    used: false,
    expiresAt: Date.now() + CODE_TTL_MS,
    isBulkInstallation: req.userType === 'Company',
    approveAllLocations,
    onRedeem: mode === 'after' ? () => void send() : undefined,
  });
  if (mode === 'before') await send();
  return { code };
}

/** Revokes every token the app holds for the resource; they answer 401 / invalid_grant from now on. */
export function revokeTokens(
  emu: Emu,
  filter: { clientId?: string; locationId?: string; companyId?: string },
  what: 'access' | 'refresh' | 'both',
): number {
  const matches = (g: Grant) =>
    (!filter.clientId || g.clientId === filter.clientId) &&
    (filter.locationId
      ? g.locationId === filter.locationId
      : g.userType === 'Company' && g.companyId === filter.companyId);
  let count = 0;
  if (what !== 'refresh') {
    for (const t of emu.state.accessTokens.values())
      if (!t.revoked && matches(t)) {
        t.revoked = true;
        count++;
      }
  }
  if (what !== 'access') {
    for (const t of emu.state.refreshTokens.values())
      if (t.status === 'active' && matches(t)) {
        t.status = 'revoked';
        count++;
      }
  }
  return count;
}

export function uninstall(
  emu: Emu,
  client: Client,
  target: { locationId?: string; companyId?: string },
): void {
  const { state } = emu;
  if (target.locationId) {
    const installed = state.installs.get(`${client.clientId}|${target.locationId}`);
    if (!installed) throw badRequest('The app is not installed on this location');
    void emu.webhooks.emitToApp(client, 'UNINSTALL', { appId: client.appId, locationId: target.locationId });
    state.installs.delete(`${client.clientId}|${target.locationId}`);
    revokeTokens(emu, { clientId: client.clientId, locationId: target.locationId }, 'both');
    return;
  }
  const companyId = target.companyId;
  if (!companyId) throw badRequest('locationId or companyId is required');
  void emu.webhooks.emitToApp(client, 'UNINSTALL', { appId: client.appId, companyId });
  state.companyInstalls.delete(`${client.clientId}|${companyId}`);
  for (const location of state.locationsOf(companyId)) {
    state.installs.delete(`${client.clientId}|${location.id}`);
    revokeTokens(emu, { clientId: client.clientId, locationId: location.id }, 'both');
  }
  revokeTokens(emu, { clientId: client.clientId, companyId }, 'both');
}
