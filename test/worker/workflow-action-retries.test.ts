/**
 * GHL may call a workflow action again for the same step of the same run (its retries). The
 * action runs once: a call made again answers what the first one did.
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { emu } from './helpers.ts';
import { panelLocations, type PanelLocation } from './panel-helpers.ts';

let A: PanelLocation;

beforeAll(async () => {
  [A] = (await panelLocations(1, 2)) as [PanelLocation];
});

async function toWorker(path: string, body: unknown) {
  const res = await SELF.fetch(`http://app.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${env.WORKFLOW_SECRET}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** The body GHL posts when a workflow step runs "Add a task" for the contact. */
const addTask = (
  title: string,
  extras: { stepId?: string; statusId?: string | null } = {},
  contactId = A.contactIds[0],
) =>
  emu('/_emulator/workflows/actions/request', {
    key: 'add_partner_task',
    locationId: A.locationId,
    contactId,
    workflowId: 'wf-retries',
    data: { title, dueDate: '2030-03-01T09:00:00.000Z' },
    ...extras,
  });
const tasksTitled = async (title: string) =>
  (await emu<{ tasks: { id: string; title: string }[] }>(`/_emulator/state/${A.locationId}`)).tasks.filter(
    (t) => t.title === title,
  );
const run = (request: unknown) => toWorker('/workflows/actions/add_partner_task', request);

describe('a workflow step GHL calls again', () => {
  it('the same run of the step, called twice, makes one task and answers it both times', async () => {
    const title = `Retried step ${crypto.randomUUID()}`;
    const request = await addTask(title);
    expect(request.extras).toMatchObject({ stepId: expect.any(String), statusId: expect.any(String) });
    const first = await run(request);
    expect(first.status, first.text).toBe(200);
    const again = await run(request);
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual(first.body);
    const tasks = await tasksTitled(title);
    expect(tasks).toHaveLength(1);
    expect(first.body.taskId).toBe(tasks[0]!.id);
  });

  it('two calls of the same run at once make one task; both answer it', async () => {
    const title = `Doubled step ${crypto.randomUUID()}`;
    const request = await addTask(title);
    const [one, two] = await Promise.all([run(request), run(request)]);
    expect(one.status, one.text).toBe(200);
    expect(two.status, two.text).toBe(200);
    expect(two.body).toEqual(one.body);
    expect(await tasksTitled(title)).toHaveLength(1);
  });

  it('another run of the same step (a new statusId) runs the action again', async () => {
    const title = `Step run twice ${crypto.randomUUID()}`;
    const first = await addTask(title);
    const second = await addTask(title, { stepId: first.extras.stepId });
    expect(second.extras.statusId).not.toBe(first.extras.statusId);
    const answers = [await run(first), await run(second)];
    for (const a of answers) expect(a.status, a.text).toBe(200);
    expect(answers[1]!.body.taskId).not.toBe(answers[0]!.body.taskId);
    expect(await tasksTitled(title)).toHaveLength(2);
  });

  it('a body without statusId (as in the docs sample) is recognised by its content', async () => {
    const title = `No status id ${crypto.randomUUID()}`;
    const request = await addTask(title, { statusId: null });
    expect(request.extras.statusId).toBeUndefined();
    const first = await run(request);
    const again = await run(request);
    expect(first.status, first.text).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await tasksTitled(title)).toHaveLength(1);
  });

  it('a call GHL repeats after our failure runs again, and finds the task its lost answer made', async () => {
    const contactId = A.contactIds[1]!;
    const title = `Lost answer ${crypto.randomUUID()}`;
    const request = await addTask(title, {}, contactId);
    // GHL makes the task but answers 502: the first call fails, the task exists.
    await emu('/_emulator/faults', {
      locationId: A.locationId,
      pathPrefix: `/contacts/${contactId}/tasks`,
      method: 'POST',
      status: 502,
      afterWrite: true,
      count: 1,
    });
    const failed = await run(request);
    expect(failed.status, failed.text).toBe(502);
    expect(failed.body.error.code).toBe('action_failed');
    const made = await tasksTitled(title);
    expect(made).toHaveLength(1);
    const retry = await run(request);
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body.taskId).toBe(made[0]!.id);
    expect(await tasksTitled(title)).toHaveLength(1);
  });
});
