import type { Context, Hono } from 'hono';
import { act } from './act.ts';
import type { AppEnv, Emu } from './context.ts';
import { badRequest } from './errors.ts';
import { install, issueTokens, revokeTokens, uninstall, type InstallWebhooks } from './installs.ts';
import { seed, type SeedInput } from './seed.ts';
import type { SignMode } from './signing.ts';
import { encryptSso } from './sso.ts';
import { DEFAULT_SCOPE, type Client, type UserType } from './state.ts';
import { appointmentResponseView, contactView, noteView, taskView } from './views.ts';
import { readJson } from './validate.ts';
import { holdRoutes } from '../support/holds.ts';

type Body = Record<string, unknown>;

async function body(c: Context): Promise<Body> {
  const parsed = await readJson(c);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('Body must be a JSON object');
  return parsed as Body;
}

const optionalString = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Test-only routes under /_emulator: no auth, JSON in and out. */
export function registerControl(app: Hono<AppEnv>, emu: Emu): void {
  const { state } = emu;
  const clientOf = (id: unknown): Client => {
    const client = id ? state.clients.get(String(id)) : state.firstClient();
    if (!client) throw badRequest(`Unknown clientId ${String(id)}`);
    return client;
  };

  app.get('/_emulator/keys', (c) => c.json(emu.signer.keys));

  app.post('/_emulator/clients', async (c) => {
    const b = await body(c);
    if (!b.clientId || !b.clientSecret || !b.sharedSecret)
      throw badRequest('clientId, clientSecret and sharedSecret are required');
    const client = state.upsertClient({
      clientId: String(b.clientId),
      clientSecret: String(b.clientSecret),
      sharedSecret: String(b.sharedSecret),
      webhookUrl: optionalString(b.webhookUrl),
    });
    return c.json({
      clientId: client.clientId,
      appId: client.appId,
      versionId: client.versionId,
      webhookUrl: client.webhookUrl ?? null,
    });
  });

  app.get('/_emulator/companies', (c) =>
    c.json({
      companies: [...state.companies.values()].map((company) => ({
        ...company,
        locations: state
          .locationsOf(company.id)
          .map((l) => ({ id: l.id, name: l.name, calendarId: state.calendarOf(l.id)?.id })),
        users: [...state.users.values()].filter((u) => u.companyId === company.id),
      })),
    }),
  );

  app.post('/_emulator/seed', async (c) => c.json(seed(emu, (await body(c)) as SeedInput)));

  app.post('/_emulator/install', async (c) => {
    const b = await body(c);
    const userType = (b.userType ?? 'Location') as UserType;
    if (userType !== 'Location' && userType !== 'Company')
      throw badRequest('userType must be Location or Company');
    const locationIds = Array.isArray(b.locationIds)
      ? b.locationIds.map(String)
      : b.locationId
        ? [String(b.locationId)]
        : [];
    const companyId =
      optionalString(b.companyId) ?? state.locations.get(locationIds[0] ?? '')?.companyId ?? '';
    const result = await install(emu, {
      client: clientOf(b.clientId),
      companyId,
      userType,
      locationIds:
        locationIds.length || userType === 'Location'
          ? locationIds
          : state.locationsOf(companyId).map((l) => l.id),
      webhooks: (b.webhooks ?? 'after') as InstallWebhooks,
      scope: optionalString(b.scope),
      userId: optionalString(b.userId),
    });
    return c.json(result);
  });

  app.post('/_emulator/uninstall', async (c) => {
    const b = await body(c);
    uninstall(emu, clientOf(b.clientId), {
      locationId: optionalString(b.locationId),
      companyId: optionalString(b.companyId),
    });
    return c.json({ ok: true });
  });

  app.post('/_emulator/tokens', async (c) => {
    const b = await body(c);
    const client = clientOf(b.clientId);
    const locationId = optionalString(b.locationId);
    const location = locationId ? state.locations.get(locationId) : undefined;
    const companyId = location?.companyId ?? optionalString(b.companyId);
    if (!companyId || (locationId && !location)) throw badRequest('Unknown locationId or companyId');
    const { access, refresh } = issueTokens(emu, {
      clientId: client.clientId,
      userType: location ? 'Location' : 'Company',
      companyId,
      locationId: location?.id,
      userId:
        (location ? state.defaultUser(location.id) : state.agencyAdmin(companyId))?.id ?? 'emulator-user',
      scope: DEFAULT_SCOPE,
    });
    return c.json({
      access_token: access.token,
      refresh_token: refresh.token,
      expires_in: emu.accessTokenTtlSec,
    });
  });

  const revoke = (what: 'access' | 'refresh') => async (c: Context) => {
    const b = await body(c);
    const filter = {
      clientId: optionalString(b.clientId),
      locationId: optionalString(b.locationId),
      companyId: optionalString(b.companyId),
    };
    if (!filter.locationId && !filter.companyId) throw badRequest('locationId or companyId is required');
    return c.json({ count: revokeTokens(emu, filter, what) });
  };
  app.post('/_emulator/tokens/expire', revoke('access'));
  app.post('/_emulator/tokens/revoke-refresh', revoke('refresh'));

  app.post('/_emulator/rate-limit', async (c) => {
    const b = await body(c);
    const config: { max?: number; intervalMs?: number; daily?: number } = {};
    for (const key of ['max', 'intervalMs', 'daily'] as const)
      if (typeof b[key] === 'number') config[key] = b[key] as number;
    return c.json(emu.limiter.configure(optionalString(b.locationId) ?? optionalString(b.companyId), config));
  });

  app.post('/_emulator/faults', async (c) => {
    const b = await body(c);
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const id = emu.faults.add({
      locationId: optionalString(b.locationId),
      pathPrefix: optionalString(b.pathPrefix),
      method: optionalString(b.method),
      status: num(b.status),
      count: num(b.count),
      probability: num(b.probability),
      delayMs: num(b.delayMs),
      afterWrite: b.afterWrite === true,
      hold: b.hold === true || undefined,
      holdBody: b.holdBody === true || undefined,
    });
    return c.json({ id });
  });
  app.get('/_emulator/faults', (c) => c.json({ faults: emu.faults.list() }));
  app.delete('/_emulator/faults', (c) => {
    const locationId = c.req.query('locationId');
    // Held requests go on: nothing stays in flight once a test is done with its faults.
    emu.faults.holds.release({ locationId });
    return c.json({ cleared: emu.faults.clear(locationId) });
  });
  holdRoutes(app, '/_emulator', emu.faults.holds);

  app.post('/_emulator/webhook-faults', async (c) => {
    const b = await body(c);
    const faults: { duplicate?: number; reorder?: number; drop?: number } = {};
    for (const key of ['duplicate', 'reorder', 'drop'] as const)
      if (typeof b[key] === 'number') faults[key] = b[key] as number;
    return c.json(emu.webhooks.setFaults(clientOf(b.clientId).clientId, faults));
  });

  app.post('/_emulator/webhooks/sign', async (c) => {
    const b = await body(c);
    if (typeof b.body !== 'string') throw badRequest('body must be the exact string to sign');
    return c.json({ body: b.body, headers: emu.signer.headers(b.body, (b.sign ?? 'both') as SignMode) });
  });

  app.post('/_emulator/webhooks/event', async (c) => {
    const { clientId, sign, type, ...fields } = await body(c);
    if (typeof type !== 'string' || !type) throw badRequest('type is required');
    const text = JSON.stringify(emu.webhooks.buildEvent(clientOf(clientId), type, fields));
    return c.json({ body: text, headers: emu.signer.headers(text, (sign ?? 'both') as SignMode) });
  });

  app.get('/_emulator/webhooks', (c) => {
    const { clientId, locationId, type } = c.req.query();
    const deliveries = emu.webhooks.log.filter(
      (d) =>
        (!clientId || d.clientId === clientId) &&
        (!locationId || d.locationId === locationId) &&
        (!type || d.type === type),
    );
    return c.json({ deliveries });
  });

  app.post('/_emulator/webhooks/drain', async (c) => {
    const b = await body(c);
    const idle = await emu.webhooks.drain(typeof b.timeoutMs === 'number' ? b.timeoutMs : 10_000);
    return c.json({ idle, pending: emu.webhooks.pending });
  });

  app.post('/_emulator/act', async (c) => c.json(act(emu, await body(c))));

  app.get('/_emulator/state/:locationId', (c) => {
    const locationId = c.req.param('locationId');
    const mine = <T extends { locationId: string }>(map: Map<string, T>) =>
      [...map.values()].filter((x) => x.locationId === locationId);
    return c.json({
      contacts: mine(state.contacts).map(contactView),
      notes: mine(state.notes).map(noteView),
      tasks: mine(state.tasks).map(taskView),
      appointments: mine(state.appointments).map(appointmentResponseView),
      timezone: state.locations.get(locationId)?.timezone ?? null,
    });
  });

  app.get('/_emulator/stats', (c) => c.json(emu.stats.snapshot(c.req.query('locationId'))));
  app.post('/_emulator/stats/reset', (c) => {
    emu.stats.reset();
    return c.json({ ok: true });
  });

  app.post('/_emulator/sso', async (c) => {
    const { clientId, ...user } = await body(c);
    return c.json({ payload: encryptSso(user, clientOf(clientId).sharedSecret) });
  });
}
