import { Hono } from 'hono';
import * as v from 'valibot';
import { isAdmin, type SessionEnv } from '../../auth/session.ts';
import { createConnection, deleteConnection, getConnection, listConnections, updateConnection } from '../../connectors/connections.ts';
import { CONNECTORS } from '../../connectors/registry.ts';
import { backfillRefusal } from '../../sync/backfill.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { locationOf } from './scope.ts';
import { jsonBody, paramsOf } from './validate.ts';

const Params = v.object({ id: v.pipe(v.string(), v.regex(/^conn_[a-f0-9]{32}$/, 'must be a connection id')) });
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
const Backfill = v.strictObject({ dryRun: v.boolean(), history: v.optional(v.boolean()) });

/**
 * `/api/connections`: the location's partner connections (admins change them), their health,
 * and backfills (a dry-run preview with counts, then a run with progress).
 */
export const connectionRoutes = new Hono<SessionEnv>();

const adminOnly = async (c: { var: { session: SessionEnv['Variables']['session'] } }, next: () => Promise<void>) => {
  if (!isAdmin(c.var.session)) throw forbidden('Only sub-account admins can manage connections.');
  await next();
};

connectionRoutes.get('/', async (c) => {
  const { locationId } = c.var.session;
  const [connections, health] = await Promise.all([listConnections(c.env, locationId), locationOf(c).syncHealth(locationId)]);
  const byId = new Map(health.connections.map((h) => [h.connectionId, h]));
  // `generated`: credentials minted at creation when left blank; `defaultFieldMaps`: what location overrides apply over.
  const kinds = Object.values(CONNECTORS).map((k) => ({
    kind: k.kind,
    label: k.label,
    credentials: k.credentials,
    capabilities: k.capabilities,
    generated: Object.keys(k.mintSecrets?.() ?? {}),
    defaultFieldMaps: k.defaultFieldMaps,
  }));
  return c.json({ connections: connections.map((conn) => ({ ...conn, health: byId.get(conn.id) ?? null })), kinds, inboxBacklog: health.inboxBacklog });
});

connectionRoutes.post('/', adminOnly, jsonBody(NewConnection), async (c) => {
  const body = c.req.valid('json');
  const created = await createConnection(c.env, { ...body, locationId: c.var.session.locationId });
  return c.json(created, 201);
});

connectionRoutes.patch('/:id', adminOnly, paramsOf(Params), jsonBody(Patch), async (c) => {
  const updated = await updateConnection(c.env, c.req.valid('param').id, c.var.session.locationId, c.req.valid('json'));
  if (!updated) throw notFound('Connection');
  return c.json({ connection: updated });
});

connectionRoutes.delete('/:id', adminOnly, paramsOf(Params), async (c) => {
  const id = c.req.valid('param').id;
  if (!(await deleteConnection(c.env, id, c.var.session.locationId))) throw notFound('Connection');
  return c.json({ ok: true, id });
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
  if (connection.status !== 'active') throw new AppError(409, 'connection_paused', 'Resume the connection before a backfill.');
  const refusal = backfillRefusal(connection.kind, connection.settings);
  if (refusal) throw new AppError(409, 'connection_incomplete', refusal);
  const { dryRun, history } = c.req.valid('json');
  const result = await locationOf(c).startBackfill(locationId, id, dryRun, { history });
  if (!result.ok) throw new AppError(409, 'backfill_running', 'A backfill for this connection is already running. Cancel it first.');
  return c.json({ backfill: result.progress }, 202);
});

connectionRoutes.delete('/:id/backfill', adminOnly, paramsOf(Params), async (c) => {
  const id = c.req.valid('param').id;
  const { locationId } = c.var.session;
  if (!(await getConnection(c.env, id, locationId))) throw notFound('Connection');
  const cancelled = await locationOf(c).cancelBackfill(locationId, id);
  if (!cancelled) throw new AppError(409, 'backfill_not_running', 'No backfill of this connection is running.');
  return c.json({ backfill: cancelled });
});
