/**
 * The loop guard (a recipe's own writes do not start it again; the per-contact daily cap ends
 * any ping-pong between recipes), location isolation, and the zero-cost path.
 */
import { describe, expect, it } from 'vitest';
import {
  automationsIdle,
  enableTemplate,
  forwardFrom,
  ghlDeliveries,
  runsOf,
  steps,
  tasksOf,
} from './automations-helpers.ts';
import { call, ghlRequests, panelLocations } from './panel-helpers.ts';
import { eventually, ghlAct, ghlState } from './sync-helpers.ts';

const recipe = (trigger: string, action: string, input: Record<string, unknown>) => ({
  name: `${trigger} → ${action}`,
  trigger,
  steps: [{ action, input }],
  enabled: true,
});

describe('loop guard', () => {
  it('a recipe whose action triggers itself stops at the guard', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    const made = await call(
      loc!.token,
      'POST',
      '/api/automations/recipes',
      recipe('ghl.task.created', 'ghl.task.create', { title: 'Echo of {{task.title}}' }),
    );
    expect(made.status, made.text).toBe(201);
    await ghlAct(loc!.locationId, { action: 'task.create', contactId, data: { title: 'Original' } });
    await eventually('echo task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Echo of Original'),
    );
    // GHL's TaskCreate about our own task comes back: it is the recipe's own write.
    await forwardFrom(loc!.locationId, 0);
    await automationsIdle(loc!.locationId, contactId);
    expect((await tasksOf(loc!.locationId, contactId)).map((t) => t.title).sort()).toEqual([
      'Echo of Original',
      'Original',
    ]);
    const runs = await runsOf(loc!.token, `recipeId=${made.body.recipe.id}`);
    expect(runs.map((r) => [r.status, r.detail.reason ?? null])).toEqual([
      ['skipped', 'loop_guard'],
      ['done', null],
    ]);
  });

  it("two recipes feeding each other stop at the contact's daily cap", async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    expect((await call(loc!.token, 'PUT', '/api/automations/settings', { dailyCap: 3 })).status).toBe(200);
    await call(
      loc!.token,
      'POST',
      '/api/automations/recipes',
      recipe('ghl.note.created', 'ghl.task.create', { title: 'Task for a note' }),
    );
    await call(
      loc!.token,
      'POST',
      '/api/automations/recipes',
      recipe('ghl.task.created', 'ghl.note.create', { body: 'Note for {{task.title}}' }),
    );
    await ghlAct(loc!.locationId, { action: 'note.create', contactId, data: { body: 'Kick-off' } });
    let forwarded = 0;
    for (let round = 0; round < 10; round++) {
      await automationsIdle(loc!.locationId, contactId);
      const total = (await ghlDeliveries(loc!.locationId)).length;
      if (total === forwarded) break;
      forwarded = await forwardFrom(loc!.locationId, forwarded);
    }
    await automationsIdle(loc!.locationId, contactId);
    const done = (await steps(loc!.locationId, contactId)).filter((s) => s.state === 'done');
    expect(done).toHaveLength(3);
    const runs = await runsOf(loc!.token, `contactId=${contactId}`);
    expect(runs.some((r) => r.status === 'skipped' && /daily cap of 3/.test(r.detail.reason))).toBe(true);
  });
});

describe('isolation and cost', () => {
  it('a recipe on one location never touches another', async () => {
    const [a, b] = await panelLocations(2, 1);
    const recipeA = await enableTemplate(a!.token, 'welcome-task');
    const { result } = await ghlAct(b!.locationId, {
      action: 'contact.create',
      data: { firstName: 'Bea', email: 'bea@example.com' },
    });
    await automationsIdle(b!.locationId, result.contact.id);
    expect((await ghlState(b!.locationId)).tasks).toEqual([]);
    expect(await runsOf(b!.token, '')).toEqual([]);
    expect((await call(b!.token, 'GET', `/api/automations/recipes/${recipeA.id}`)).status).toBe(404);
    expect(
      (await call(b!.token, 'PUT', `/api/automations/recipes/${recipeA.id}`, { enabled: false })).status,
    ).toBe(404);
    expect((await call(b!.token, 'GET', '/api/automations')).body.recipes).toEqual([]);
  });

  it('an event no recipe listens to costs no GHL call', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    await enableTemplate(loc!.token, 'no-show');
    const before = await ghlRequests(loc!.locationId);
    const seen = (await ghlDeliveries(loc!.locationId)).length;
    await ghlAct(
      loc!.locationId,
      { action: 'contact.update', contactId, data: { companyName: 'Quiet Co' } },
      { deliver: false },
    );
    await forwardFrom(loc!.locationId, seen);
    await automationsIdle(loc!.locationId, contactId);
    expect(await steps(loc!.locationId, contactId)).toEqual([]);
    expect(await ghlRequests(loc!.locationId)).toBe(before);
  });
});
