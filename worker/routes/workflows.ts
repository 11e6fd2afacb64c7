import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { parseActionInput } from '../automations/catalog/index.ts';
import { forgetEnabledSet } from '../automations/recipes-cache.ts';
import { workflowActionOf, workflowTriggerOf } from '../automations/workflows/modules.ts';
import { dropSubscription, saveSubscription } from '../automations/workflows/subscriptions.ts';
import type { RunOnce } from '../automations/workflow-runs.ts';
import { getConfig } from '../config.ts';
import { listConnections } from '../tenants/connections.ts';
import { utf8 } from '../crypto/encoding.ts';
import { LocationGhlApi } from '../durable/ghl-api.ts';
import { contactStub } from '../durable/stubs.ts';
import { AppError, forbidden, notFound, unauthorized } from '../errors.ts';
import { GhlError } from '../ghl/errors.ts';
import { getInstall } from '../tenants/installs.ts';
import { toAppError } from './api/errors.ts';
import { GhlId, jsonBody, queryOf } from './api/validate.ts';

type WorkflowEnv = { Bindings: Env };

/**
 * GHL's workflow builder calling us (`/workflows/*`): trigger subscriptions, action runs, option
 * lists. GHL signs none of these; each carries the shared secret we set in the module's headers,
 * and names a location that must have the app installed.
 */
export const workflowRoutes = new Hono<WorkflowEnv>();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}

const requireSecret = createMiddleware<WorkflowEnv>(async (c, next) => {
  const secret = c.env.WORKFLOW_SECRET?.trim();
  if (!secret)
    throw new AppError(
      503,
      'not_configured',
      'Workflow modules are not set up on this server: WORKFLOW_SECRET is not set.',
    );
  const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim() ?? '';
  // Compared as digests of equal length, in constant time.
  if (!crypto.subtle.timingSafeEqual(await digest(given), await digest(secret)))
    throw unauthorized('The workflow secret is missing or wrong.', 'bad_workflow_secret');
  await next();
});

async function requireLocation(env: Env, locationId: string): Promise<void> {
  const install = await getInstall(env.DB, locationId);
  if (!install || install.status !== 'active')
    throw forbidden('Contact Sync is not installed on this sub-account.');
}

workflowRoutes.use('*', requireSecret);

const Extras = v.object({
  locationId: GhlId,
  workflowId: v.optional(GhlId),
  contactId: v.optional(v.nullable(v.string())),
  companyId: v.optional(v.string()),
  stepId: v.optional(v.string()),
  // Read only to recognise a call made again (executionStep); any other shape is no id.
  statusId: v.optional(v.unknown()),
  actionId: v.optional(v.unknown()),
});
const Meta = v.object({ key: v.pipe(v.string(), v.maxLength(250)), version: v.optional(v.string()) });

const SubscriptionBody = v.object({
  triggerData: v.object({
    id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be an id')),
    key: v.pipe(v.string(), v.maxLength(250)),
    filters: v.optional(v.pipe(v.array(v.unknown()), v.maxLength(50)), []),
    eventType: v.picklist(['CREATED', 'UPDATED', 'DELETED']),
    targetUrl: v.optional(v.pipe(v.string(), v.url(), v.maxLength(2000))),
  }),
  meta: v.optional(Meta),
  extras: v.object({ locationId: GhlId, workflowId: GhlId, companyId: v.optional(v.string()) }),
});

/** A workflow added, changed or removed our trigger: keep (or drop) where to fire it. */
workflowRoutes.post('/triggers/subscription', jsonBody(SubscriptionBody), async (c) => {
  const { triggerData, extras } = c.req.valid('json');
  const module = workflowTriggerOf(triggerData.key);
  if (!module) throw notFound('Trigger');
  await requireLocation(c.env, extras.locationId);
  if (triggerData.eventType === 'DELETED') {
    await dropSubscription(c.env.DB, extras.locationId, triggerData.id);
  } else {
    const targetUrl = triggerData.targetUrl ?? '';
    // The location's token will be sent there: only GHL's own API host qualifies.
    if (!targetUrl.startsWith(`${getConfig(c.env).apiBase}/`))
      throw new AppError(422, 'invalid_input', 'triggerData.targetUrl must be a HighLevel API address.');
    await saveSubscription(c.env.DB, {
      id: triggerData.id,
      locationId: extras.locationId,
      workflowId: extras.workflowId,
      operation: module.operation,
      targetUrl,
      filters: triggerData.filters,
    });
  }
  forgetEnabledSet(extras.locationId);
  return c.json({ ok: true, id: triggerData.id, eventType: triggerData.eventType });
});

const ActionBody = v.object({
  data: v.optional(v.record(v.string(), v.unknown()), {}),
  extras: Extras,
  meta: v.optional(Meta),
});

const DAY_MS = 24 * 60 * 60 * 1000;
const SAME_BODY_WINDOW_MS = 10 * 60 * 1000;

/**
 * What recognises one execution of one workflow step when GHL calls the action again. GHL's
 * action type (the marketplace CLI's, not its docs' sample) lists `stepId`, the step in the
 * workflow, and `statusId`, which its resume calls carry to name one paused run: together one
 * contact's run of one step, kept a day. GHL documents no retries and no execution id, so a body
 * without `statusId` falls back to the body itself (the same action, data and extras) for a short
 * window: a retry repeats the body, and the same workflow run for the same contact with the same
 * inputs within minutes is taken for one.
 */
async function executionStep(
  actionKey: string,
  data: Record<string, unknown>,
  extras: v.InferOutput<typeof Extras>,
): Promise<RunOnce> {
  const step = idOf(extras.stepId) ?? idOf(extras.actionId);
  const run = idOf(extras.statusId);
  if (run && step)
    return {
      key: `wf:${await hex(JSON.stringify([actionKey, extras.locationId, extras.workflowId ?? '', step, run]))}`,
      ttlMs: DAY_MS,
    };
  return {
    key: `wfbody:${await hex(JSON.stringify([actionKey, data, extras]))}`,
    ttlMs: SAME_BODY_WINDOW_MS,
  };
}

const idOf = (value: unknown): string | undefined =>
  (typeof value === 'string' && value.length > 0 && value.length <= 200) || typeof value === 'number'
    ? String(value)
    : undefined;

async function hex(text: string): Promise<string> {
  return [...(await digest(text))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A workflow step runs our action on its contact; the answer's fields become its custom variables. */
workflowRoutes.post('/actions/:key', jsonBody(ActionBody), async (c) => {
  const module = workflowActionOf(c.req.param('key'));
  if (!module) throw notFound('Action');
  const { data, extras } = c.req.valid('json');
  await requireLocation(c.env, extras.locationId);
  const contactId = extras.contactId;
  if (!contactId || !/^[A-Za-z0-9_-]{1,64}$/.test(contactId))
    throw new AppError(
      422,
      'contact_required',
      "This action needs the workflow's contact (extras.contactId).",
    );
  // GHL sends every value as the user typed it: numerical inputs may come as strings.
  const input = Object.fromEntries(
    module.inputs
      .map((i) => [
        i.field,
        i.fieldType === 'numerical' && typeof data[i.field] === 'string' && data[i.field] !== ''
          ? Number(data[i.field])
          : data[i.field],
      ])
      .filter(([, x]) => x !== undefined && x !== ''),
  );
  const parsed = parseActionInput(module.operation, input);
  if (!parsed.ok)
    throw new AppError(422, 'invalid_input', `The action's input is not valid: ${parsed.message}`);
  try {
    const contact = await new LocationGhlApi(c.env, extras.locationId, 'interactive').getContact(contactId);
    if (contact.locationId !== extras.locationId) throw notFound('Contact');
  } catch (err) {
    if (err instanceof GhlError && (err.kind === 'not_found' || err.kind === 'wrong_location'))
      throw notFound('Contact');
    throw err;
  }
  const once = await executionStep(module.key, data, extras);
  const origin = {
    by: 'workflow' as const,
    key: `workflow:${extras.workflowId ?? ''}:${extras.stepId ?? once.key}`,
  };
  const outcome = await contactStub(c.env, extras.locationId, contactId).runAutomationAction(
    `${extras.locationId}:${contactId}`,
    module.operation,
    parsed.value,
    origin,
    once,
  );
  if (!outcome.ok) throw new AppError(502, 'action_failed', `The action did not complete: ${outcome.error}`);
  return c.json(outcome.result);
});

/** Options for a select input or filter (GET, as GHL's fetchOptions calls it). */
workflowRoutes.get('/options/connections', queryOf(v.object({ locationId: GhlId })), async (c) => {
  const { locationId } = c.req.valid('query');
  await requireLocation(c.env, locationId);
  const connections = await listConnections(c.env, locationId);
  return c.json({ options: connections.map((x) => ({ label: x.name, value: x.id })) });
});

/** The dynamic filters of a trigger: which connected app it listens to (POST, as GHL calls it). */
workflowRoutes.post('/triggers/:key/filters', jsonBody(v.object({ extras: Extras })), async (c) => {
  const module = workflowTriggerOf(c.req.param('key'));
  if (!module) throw notFound('Trigger');
  const { extras } = c.req.valid('json');
  await requireLocation(c.env, extras.locationId);
  const connections = await listConnections(c.env, extras.locationId);
  return c.json({
    filters: module.filters.map((f) => ({
      ...f,
      options: connections.map((x) => ({ label: x.name, value: x.id })),
    })),
  });
});

// Validator and JSON failures become our one error shape, as under /api.
workflowRoutes.onError((err, c) => {
  throw toAppError(err, c);
});
