import type { Context, Hono } from 'hono';
import { bearer, liveToken } from './auth.ts';
import type { AppEnv, Emu } from './context.ts';
import { badRequest } from './errors.ts';
import { newId } from './ids.ts';

/**
 * GHL's workflow builder, as far as a marketplace app sees it: workflows that use the app's
 * triggers (the subscription callbacks it sends on save, and the execute endpoint the app fires),
 * and workflow steps that run the app's actions (the request it sends, custom variables and the
 * branch read from the answer). Contract: HighLevel's docs for marketplace workflow triggers and actions.
 */

interface WorkflowTrigger {
  id: string;
  locationId: string;
  companyId: string;
  workflowId: string;
  key: string;
  filters: { field: string; operator: '=='; value: unknown }[];
  active: boolean;
}

interface Execution {
  triggerId: string;
  workflowId: string;
  locationId: string;
  key: string;
  payload: Record<string, unknown>;
  /** Whether the workflow's filters let it start. */
  started: boolean;
  at: string;
}

const stores = new WeakMap<Emu, { triggers: Map<string, WorkflowTrigger>; executions: Execution[] }>();
const storeOf = (emu: Emu) => {
  let s = stores.get(emu);
  if (!s) stores.set(emu, (s = { triggers: new Map(), executions: [] }));
  return s;
};

/** Reads `a.b.c` from a JSON value. */
export function atPath(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined),
      value,
    );
}

/** The custom variables (and branch) a workflow step takes from an action's answer. */
export function customVariables(
  answer: Record<string, unknown>,
  customVars: { name: string; reference: string }[],
) {
  const variables = Object.fromEntries(
    customVars.map((v) => [v.reference, atPath(answer, v.reference) ?? null]),
  );
  return { variables, branchId: typeof answer.branchId === 'string' ? answer.branchId : null };
}

/**
 * The body GHL POSTs to an action's execution URL (§1.3), with the extras GHL's action type lists:
 * `stepId` names the step in the workflow, `statusId` the contact's run of it (new per run unless
 * given: a retry of one run repeats both). `statusId: null` leaves it out, as the docs' sample does.
 */
export function actionRequest(input: {
  key: string;
  locationId: string;
  companyId?: string;
  contactId: string;
  workflowId: string;
  data: Record<string, unknown>;
  stepId?: string;
  statusId?: string | null;
}) {
  return {
    data: input.data,
    extras: {
      locationId: input.locationId,
      companyId: input.companyId,
      contactId: input.contactId,
      workflowId: input.workflowId,
      stepId: input.stepId ?? newId(),
      stepIndex: 0,
      ...(input.statusId === null ? {} : { statusId: input.statusId ?? newId() }),
    },
    meta: { key: input.key, version: '1.0' },
  };
}

async function json(c: Context): Promise<Record<string, unknown>> {
  try {
    return (await c.req.json()) as Record<string, unknown>;
  } catch {
    throw badRequest('body must be JSON');
  }
}

function subscriptionBody(t: WorkflowTrigger, eventType: 'CREATED' | 'UPDATED' | 'DELETED', origin: string) {
  return {
    triggerData: {
      id: t.id,
      key: t.key,
      filters: t.filters.map((f) => ({ ...f, id: f.field, title: f.field, type: 'select' })),
      eventType,
      targetUrl: `${origin}/workflows-marketplace/triggers/execute/${t.locationId}/${t.id}`,
    },
    meta: { key: t.key, version: '1.0' },
    extras: { locationId: t.locationId, workflowId: t.workflowId, companyId: t.companyId },
  };
}

export function registerWorkflows(app: Hono<AppEnv>, emu: Emu): void {
  const store = storeOf(emu);

  /** A workflow using the app's trigger `key` is saved: answers the subscription callback GHL sends the app. */
  app.post('/_emulator/workflows/triggers', async (c) => {
    const b = await json(c);
    const location = emu.state.locations.get(String(b.locationId ?? ''));
    if (!location) throw badRequest('Unknown locationId');
    if (typeof b.key !== 'string' || !b.key) throw badRequest('key is required');
    const existing = typeof b.id === 'string' ? store.triggers.get(b.id) : undefined;
    const trigger: WorkflowTrigger = {
      id: existing?.id ?? newId(),
      locationId: location.id,
      companyId: location.companyId,
      workflowId: String(b.workflowId ?? existing?.workflowId ?? newId()),
      key: b.key,
      filters: Array.isArray(b.filters)
        ? (b.filters as WorkflowTrigger['filters'])
        : (existing?.filters ?? []),
      active: true,
    };
    store.triggers.set(trigger.id, trigger);
    return c.json({
      trigger,
      subscription: subscriptionBody(trigger, existing ? 'UPDATED' : 'CREATED', new URL(c.req.url).origin),
    });
  });

  /** The trigger is removed from its workflow: it goes inactive; answers the DELETED callback. */
  app.post('/_emulator/workflows/triggers/:id/delete', (c) => {
    const trigger = store.triggers.get(c.req.param('id'));
    if (!trigger) throw badRequest('Unknown trigger');
    trigger.active = false;
    return c.json({ subscription: subscriptionBody(trigger, 'DELETED', new URL(c.req.url).origin) });
  });

  app.get('/_emulator/workflows/executions', (c) => {
    const locationId = c.req.query('locationId');
    return c.json({ executions: store.executions.filter((e) => !locationId || e.locationId === locationId) });
  });

  /** The body of a workflow step running the app's action, and (given the app's answer) its variables. */
  app.post('/_emulator/workflows/actions/request', async (c) => {
    const b = await json(c);
    return c.json(actionRequest(b as Parameters<typeof actionRequest>[0]));
  });
  app.post('/_emulator/workflows/actions/variables', async (c) => {
    const b = await json(c);
    return c.json(
      customVariables(
        (b.answer ?? {}) as Record<string, unknown>,
        (b.customVars ?? []) as { name: string; reference: string }[],
      ),
    );
  });

  /** The app fires its trigger: a live token of that location, an active trigger; the filters decide. */
  app.post('/workflows-marketplace/triggers/execute/:locationId/:triggerId', async (c) => {
    const auth = liveToken(emu, bearer(c));
    if (!auth || auth.userType !== 'Location' || auth.locationId !== c.req.param('locationId'))
      return c.json({ statusCode: 401, message: 'Unauthorized' }, 401);
    const trigger = store.triggers.get(c.req.param('triggerId'));
    if (!trigger || trigger.locationId !== auth.locationId)
      return c.json({ statusCode: 404, message: 'Trigger not found' }, 404);
    if (!trigger.active)
      return c.json({ statusCode: 400, message: `trigger with id: ${trigger.id} inactive` }, 400);
    const payload = await json(c);
    const started = trigger.filters.every((f) => String(atPath(payload, f.field)) === String(f.value));
    store.executions.push({
      triggerId: trigger.id,
      workflowId: trigger.workflowId,
      locationId: trigger.locationId,
      key: trigger.key,
      payload,
      started,
      at: new Date().toISOString(),
    });
    return c.json({ success: true, started });
  });
}
