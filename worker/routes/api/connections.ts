import { Hono } from 'hono';
import * as v from 'valibot';
import { isAdmin, type SessionEnv } from '../../auth/session.ts';
import { checkCredentials, checkSettings } from '../../connectors/connection-checks.ts';
import { sendTestEvent, testConnection } from '../../connectors/connection-test.ts';
import { calcomSignIn } from '../../connectors/calcom-signin.ts';
import {
  deleteConnection,
  getConnection,
  listConnections,
  openConnection,
  recordCheck,
  updateConnection,
} from '../../tenants/connections.ts';
import { connectorFor, CONNECTORS } from '../../connectors/registry.ts';
import { getConfig } from '../../config.ts';
import { calcomSignInUrl } from '../calcom-signin.ts';
import {
  createCheckedConnection,
  draftConnection,
  REFUSE_ON_FAILED_CHECK,
  refuseUnknownFields,
  refuseUnlessAccepted,
} from './connection-create.ts';
import { backfillRefusal } from '../../sync/backfill-progress.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { locationOf } from './scope.ts';
import { jsonBody, paramsOf } from './validate.ts';

const Params = v.object({
  id: v.pipe(v.string(), v.regex(/^conn_[a-f0-9]{32}$/, 'must be a connection id')),
});
const NewConnection = v.strictObject({
  kind: v.picklist(Object.keys(CONNECTORS)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(80)),
  credentials: v.optional(v.record(v.string(), v.string())),
  settings: v.optional(v.record(v.string(), v.unknown())),
});
const Patch = v.strictObject({
  name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(80))),
  status: v.optional(v.picklist(['active', 'paused'])),
  credentials: v.optional(v.record(v.string(), v.string())),
  settings: v.optional(v.record(v.string(), v.unknown())),
});
const SignIn = v.strictObject({
  name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(80))),
  settings: v.optional(v.record(v.string(), v.unknown())),
});
const Backfill = v.strictObject({ dryRun: v.boolean(), history: v.optional(v.boolean()) });

/**
 * `/api/connections`: the location's partner connections (admins change them), their health,
 * and backfills (a dry-run preview with counts, then a run with progress).
 */
export const connectionRoutes = new Hono<SessionEnv>();

const inboundUrlOf = (env: Env, id: string) => `${getConfig(env).appBaseUrl}/webhooks/partner/${id}`;

const adminOnly = async (
  c: { var: { session: SessionEnv['Variables']['session'] } },
  next: () => Promise<void>,
) => {
  if (!isAdmin(c.var.session)) throw forbidden('Only sub-account admins can manage connections.');
  await next();
};

connectionRoutes.get('/', async (c) => {
  const { locationId } = c.var.session;
  const [connections, health] = await Promise.all([
    listConnections(c.env, locationId),
    locationOf(c).syncHealth(locationId),
  ]);
  const byId = new Map(health.connections.map((h) => [h.connectionId, h]));
  // `generated`: credentials minted at creation when left blank; `defaultFieldMaps`: what location overrides apply over.
  const kinds = Object.values(CONNECTORS).map((k) => ({
    kind: k.kind,
    label: k.label,
    credentials: k.credentials,
    capabilities: k.capabilities,
    generated: Object.keys(k.mintSecrets?.() ?? {}),
    defaultFieldMaps: k.defaultFieldMaps,
    partnerFields: k.partnerFields ?? null,
    // Where a sign-in exists the form offers it instead of asking for tokens.
    signIn: k.kind === 'calcom' && calcomSignIn(c.env) !== null,
  }));
  return c.json({
    connections: connections.map((conn) => ({ ...conn, health: byId.get(conn.id) ?? null })),
    kinds,
    inboxBacklog: health.inboxBacklog,
  });
});

/**
 * Saving tests the connection with the partner (connection-create.ts): a refusal refuses the
 * save where the test uses only what the admin typed, else marks the connection.
 */
connectionRoutes.post('/', adminOnly, jsonBody(NewConnection), async (c) => {
  return c.json(await createCheckedConnection(c.env, c.var.session.locationId, c.req.valid('json')), 201);
});

/** "Sign in with Cal.com": where Cal.com's authorize page sends the admin (see routes/calcom-signin.ts). */
connectionRoutes.post('/calcom/sign-in', adminOnly, jsonBody(SignIn), async (c) => {
  const { locationId, userId } = c.var.session;
  return c.json({ url: await calcomSignInUrl(c.env, { locationId, userId, ...c.req.valid('json') }) });
});

connectionRoutes.patch('/:id', adminOnly, paramsOf(Params), jsonBody(Patch), async (c) => {
  const id = c.req.valid('param').id;
  const { locationId } = c.var.session;
  const patch = c.req.valid('json');
  const stored = await openConnection(c.env, id);
  if (!stored || stored.locationId !== locationId) throw notFound('Connection');
  const connector = connectorFor(stored.kind)!;
  refuseUnknownFields(connector, patch.settings);
  // The id of a webhook we registered is ours to keep, whatever settings the form sends.
  const settings =
    patch.settings === undefined
      ? undefined
      : {
          ...patch.settings,
          ...(stored.settings.webhookId === undefined ? {} : { webhookId: stored.settings.webhookId }),
        };
  const changesAccess = patch.credentials !== undefined || settings !== undefined;
  if (changesAccess && REFUSE_ON_FAILED_CHECK.has(connector.kind)) {
    const credentials = {
      ...stored.credentials,
      ...checkCredentials(connector, patch.credentials ?? {}, true),
    };
    for (const [k, val] of Object.entries(credentials)) if (val === '') delete credentials[k];
    await refuseUnlessAccepted(
      draftConnection(
        locationId,
        connector.kind,
        settings === undefined ? stored.settings : checkSettings(settings),
        credentials,
        id,
      ),
      inboundUrlOf(c.env, id),
    );
  }
  const updated = await updateConnection(c.env, id, locationId, {
    ...patch,
    ...(settings === undefined ? {} : { settings }),
  });
  if (!updated) throw notFound('Connection');
  if (!changesAccess) return c.json({ connection: updated });
  const check = await testConnection((await openConnection(c.env, id))!, updated.inboundUrl);
  await recordCheck(c.env, id, locationId, check.state === 'failed' ? check.message : null);
  return c.json({ connection: (await getConnection(c.env, id, locationId))!, check });
});

connectionRoutes.delete('/:id', adminOnly, paramsOf(Params), async (c) => {
  const id = c.req.valid('param').id;
  const { locationId } = c.var.session;
  // Credentials that cannot be unsealed must not keep a connection from being deleted.
  const stored = await openConnection(c.env, id).catch(() => null);
  // The partner's webhook we made goes too; a partner that cannot be reached does not keep the connection alive.
  const unregister =
    stored?.locationId === locationId ? connectorFor(stored.kind)?.unregisterWebhook : undefined;
  const webhook = unregister
    ? await unregister(stored!).then(
        () => 'removed',
        (err: unknown) => `left in place: ${err instanceof Error ? err.message : String(err)}`,
      )
    : null;
  if (!(await deleteConnection(c.env, id, locationId))) throw notFound('Connection');
  return c.json({ ok: true, id, ...(webhook ? { webhook } : {}) });
});

/** Test connection: asks the partner whether the credentials, URLs and its webhook work. */
connectionRoutes.post('/:id/test', adminOnly, paramsOf(Params), async (c) => {
  const id = c.req.valid('param').id;
  const { locationId } = c.var.session;
  const stored = await openConnection(c.env, id);
  if (!stored || stored.locationId !== locationId) throw notFound('Connection');
  const check = await testConnection(stored, inboundUrlOf(c.env, id));
  await recordCheck(c.env, id, locationId, check.state === 'failed' ? check.message : null);
  return c.json({ check });
});

/** Send test event: one event marked as a test, to the partner; the other way, the partner sends one (health shows it). */
connectionRoutes.post('/:id/test-event', adminOnly, paramsOf(Params), async (c) => {
  const id = c.req.valid('param').id;
  const stored = await openConnection(c.env, id);
  if (!stored || stored.locationId !== c.var.session.locationId) throw notFound('Connection');
  return c.json({ check: await sendTestEvent(stored) });
});

connectionRoutes.get('/:id/backfill', paramsOf(Params), async (c) => {
  const id = c.req.valid('param').id;
  const { locationId } = c.var.session;
  if (!(await getConnection(c.env, id, locationId))) throw notFound('Connection');
  return c.json({ backfill: await locationOf(c).backfillProgress(locationId, id) });
});

connectionRoutes.post('/:id/backfill', adminOnly, paramsOf(Params), jsonBody(Backfill), async (c) => {
  const id = c.req.valid('param').id;
  const { locationId } = c.var.session;
  const connection = await getConnection(c.env, id, locationId);
  if (!connection) throw notFound('Connection');
  if (connection.status !== 'active')
    throw new AppError(409, 'connection_paused', 'Resume the connection before a backfill.');
  const refusal = backfillRefusal(connection.kind, connection.settings);
  if (refusal) throw new AppError(409, 'connection_incomplete', refusal);
  const { dryRun, history } = c.req.valid('json');
  const result = await locationOf(c).startBackfill(locationId, id, dryRun, { history });
  if (!result.ok)
    throw new AppError(
      409,
      'backfill_running',
      'A backfill for this connection is already running. Cancel it first.',
    );
  return c.json({ backfill: result.progress }, 202);
});

connectionRoutes.delete('/:id/backfill', adminOnly, paramsOf(Params), async (c) => {
  const id = c.req.valid('param').id;
  const { locationId } = c.var.session;
  if (!(await getConnection(c.env, id, locationId))) throw notFound('Connection');
  const cancelled = await locationOf(c).cancelBackfill(locationId, id);
  if (!cancelled)
    throw new AppError(409, 'backfill_not_running', 'No backfill of this connection is running.');
  return c.json({ backfill: cancelled });
});
