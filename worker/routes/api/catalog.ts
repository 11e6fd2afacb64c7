import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { actionOf, catalogView, parseActionInput, triggerOf } from '../../automations/catalog/index.ts';
import { contactStub } from '../../durable/stubs.ts';
import { AppError, notFound } from '../../errors.ts';
import { adminOnly } from './automations.ts';
import { contactInLocation } from './scope.ts';
import { GhlId, jsonBody, paramsOf } from './validate.ts';

const OpKey = v.object({
  key: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_.]{2,80}$/, 'must be a catalog key')),
});
const RunAction = v.object({ contactId: GhlId, input: v.optional(v.record(v.string(), v.unknown()), {}) });
const TestTrigger = v.object({ contactId: GhlId });

/** `/api/catalog`: every trigger and action with its description and scope; run one on a contact. */
export const catalogRoutes = new Hono<SessionEnv>();

catalogRoutes.get('/', (c) => c.json(catalogView()));

/** Runs an action on a contact of the session's location, now. */
catalogRoutes.post('/actions/:key/run', adminOnly, paramsOf(OpKey), jsonBody(RunAction), async (c) => {
  const { key } = c.req.valid('param');
  if (!actionOf(key)) throw notFound('Action');
  const { contactId, input } = c.req.valid('json');
  const parsed = parseActionInput(key, input);
  if (!parsed.ok)
    throw new AppError(422, 'invalid_input', `The action's input is not valid: ${parsed.message}`);
  await contactInLocation(c, contactId);
  const { locationId } = c.var.session;
  const outcome = await contactStub(c.env, locationId, contactId).runAutomationAction(
    `${locationId}:${contactId}`,
    key,
    input,
  );
  if (!outcome.ok) throw new AppError(502, 'action_failed', `The action did not complete: ${outcome.error}`);
  return c.json({ result: outcome.result });
});

/** Fires a trigger with its sample payload for a contact, marked as a test: enabled recipes on it run. */
catalogRoutes.post('/triggers/:key/test', adminOnly, paramsOf(OpKey), jsonBody(TestTrigger), async (c) => {
  const trigger = triggerOf(c.req.valid('param').key);
  if (!trigger) throw notFound('Trigger');
  const { contactId } = c.req.valid('json');
  await contactInLocation(c, contactId);
  const { locationId } = c.var.session;
  const { scheduled } = await contactStub(c.env, locationId, contactId).automationTestEvent(
    `${locationId}:${contactId}`,
    trigger.key,
    trigger.sample,
  );
  return c.json({ test: true, trigger: trigger.key, scheduled });
});
