import { env, runInDurableObject } from 'cloudflare:test';
import { contactStub, tenantStub } from '../../worker/durable/stubs.ts';
import { emu } from './helpers.ts';
import { call } from './panel-helpers.ts';
import { deliverGhlBody, eventually, ghlState } from './sync-helpers.ts';

/** Every webhook GHL has sent about the location so far. */
export async function ghlDeliveries(locationId: string) {
  await emu('/_emulator/webhooks/drain', { timeoutMs: 5000 });
  return (
    await emu<{ deliveries: { body: string; type: string }[] }>(
      `/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`,
    )
  ).deliveries;
}

/** Hands the worker the webhooks GHL sent after the first `from` (our own writes coming back). */
export async function forwardFrom(locationId: string, from: number): Promise<number> {
  const all = await ghlDeliveries(locationId);
  for (const d of all.slice(from)) await deliverGhlBody(d.body);
  return all.length;
}

type StepRow = {
  id: number;
  recipe_id: string;
  step: number;
  state: string;
  action: string;
  due_at: number;
  result: string | null;
  error: string | null;
  test: number;
};

/** The contact object's recipe steps (read straight from its SQLite). */
export function steps(locationId: string, contactId: string): Promise<StepRow[]> {
  return runInDurableObject(contactStub(env, locationId, contactId), (_, state) =>
    state.storage.sql
      .exec<StepRow>(
        'SELECT id, recipe_id, step, state, action, due_at, result, error, test FROM auto_steps ORDER BY id',
      )
      .toArray(),
  );
}

/** Moves the contact's waiting steps' clock forward: they are due now (the test's time travel). */
export function makeDue(locationId: string, contactId: string): Promise<number> {
  return runInDurableObject(contactStub(env, locationId, contactId), async (_, state) => {
    state.storage.sql.exec("UPDATE auto_steps SET due_at = 0 WHERE state = 'waiting'");
    const n = state.storage.sql.exec<{ n: number }>('SELECT changes() AS n').one().n;
    await state.storage.setAlarm(Date.now());
    return n;
  });
}

/** Waits until the inbox is empty and no recipe step of the contact is due or running. */
export async function automationsIdle(locationId: string, contactId: string) {
  await eventually('automations to go idle', async () => {
    if ((await tenantStub(env, locationId).storedEvents(locationId)).length) return false;
    const rows = await steps(locationId, contactId);
    return !rows.some((r) => r.state === 'running' || (r.state === 'waiting' && r.due_at <= Date.now()));
  });
}

/** Tasks GHL holds for a contact. */
export async function tasksOf(locationId: string, contactId: string) {
  return (await ghlState(locationId)).tasks.filter((t) => t.contactId === contactId);
}

export async function enableTemplate(token: string, id: string) {
  const answer = await call(token, 'POST', `/api/automations/templates/${id}/enable`);
  if (answer.status !== 201 && answer.status !== 200)
    throw new Error(`enable ${id}: ${answer.status} ${answer.text}`);
  return answer.body.recipe as { id: string };
}

export async function runsOf(token: string, query: string) {
  const answer = await call(token, 'GET', `/api/automations/runs?${query}`);
  if (answer.status !== 200) throw new Error(`runs: ${answer.status} ${answer.text}`);
  return answer.body.runs as {
    recipeId: string;
    contactId: string;
    step: number;
    action: string;
    status: string;
    detail: any;
    test: boolean;
  }[];
}
