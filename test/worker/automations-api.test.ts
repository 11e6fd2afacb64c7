/** `/api/catalog` and `/api/automations`: session-scoped, admin-guarded, validated against the catalog. */
import { describe, expect, it } from 'vitest';
import { automationsIdle, runsOf, tasksOf } from './automations-helpers.ts';
import { call, expectError, panelLocations, sessionToken } from './panel-helpers.ts';
import { eventually, ghlState } from './sync-helpers.ts';

describe('/api/catalog', () => {
  it('lists every trigger and action with description and scope, only with a session', async () => {
    const [loc] = await panelLocations(1, 1);
    expectError(await call(null, 'GET', '/api/catalog'), 401, 'session_missing');
    const answer = await call(loc!.token, 'GET', '/api/catalog');
    expect(answer.status).toBe(200);
    const { triggers, actions } = answer.body;
    expect(triggers.map((t: any) => t.key)).toContain('ghl.appointment.no_show');
    expect(actions.map((a: any) => a.key)).toEqual(
      expect.arrayContaining([
        'ghl.task.create',
        'ghl.note.create',
        'ghl.tags.add',
        'ghl.contacts.by_business',
      ]),
    );
    for (const op of [...triggers, ...actions]) {
      expect(op.description.length, op.key).toBeGreaterThan(10);
      expect('scope' in op).toBe(true);
      expect(op.sample).toBeTruthy();
    }
  });

  it("runs an action on a contact of the session's location, and refuses one of another", async () => {
    const [a, b] = await panelLocations(2, 1);
    const contactId = a!.contactIds[0]!;
    const ran = await call(a!.token, 'POST', '/api/catalog/actions/ghl.note.create/run', {
      contactId,
      input: { body: 'Hand-run note' },
    });
    expect(ran.status, ran.text).toBe(200);
    const notes = (await ghlState(a!.locationId)).notes.filter((n) => n.contactId === contactId);
    expect(notes.map((n) => n.body)).toEqual(['Hand-run note']);
    expect(notes[0]!.id).toBe(ran.body.result.noteId);
    expectError(
      await call(b!.token, 'POST', '/api/catalog/actions/ghl.note.create/run', {
        contactId,
        input: { body: 'x' },
      }),
      404,
      'not_found',
    );
    expectError(
      await call(a!.token, 'POST', '/api/catalog/actions/ghl.note.create/run', { contactId, input: {} }),
      422,
      'invalid_input',
    );
    expectError(
      await call(a!.token, 'POST', '/api/catalog/actions/ghl.nothing/run', { contactId }),
      404,
      'not_found',
    );
    expect((await runsOf(a!.token, 'recipeId=manual')).map((r) => [r.action, r.status, r.test])).toEqual([
      ['ghl.note.create', 'done', true],
    ]);
  });

  it('a test event runs the enabled recipes on that trigger, marked as a test', async () => {
    const [loc] = await panelLocations(1, 1);
    const contactId = loc!.contactIds[0]!;
    const made = await call(loc!.token, 'POST', '/api/automations/recipes', {
      name: 'Tagged',
      trigger: 'ghl.contact.tag_added',
      steps: [{ action: 'ghl.task.create', input: { title: 'Tag test {{tag}}' } }],
      enabled: true,
    });
    expect(made.status, made.text).toBe(201);
    const sent = await call(loc!.token, 'POST', '/api/catalog/triggers/ghl.contact.tag_added/test', {
      contactId,
    });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toMatchObject({ test: true, scheduled: 1 });
    await eventually('test task', async () =>
      (await tasksOf(loc!.locationId, contactId)).find((t) => t.title === 'Tag test qualified'),
    );
    await automationsIdle(loc!.locationId, contactId);
    expect((await runsOf(loc!.token, `recipeId=${made.body.recipe.id}`)).map((r) => r.test)).toEqual([true]);
  });
});

describe('/api/automations', () => {
  it('only admins change recipes; everyone in the location reads them', async () => {
    const [loc] = await panelLocations(1, 1);
    const user = await sessionToken({
      userId: loc!.userId,
      companyId: loc!.companyId,
      activeLocation: loc!.locationId,
      role: 'user',
    });
    expectError(await call(user, 'POST', '/api/automations/templates/welcome-task/enable'), 403, 'forbidden');
    expectError(await call(user, 'POST', '/api/automations/recipes', {}), 403, 'forbidden');
    const enabled = await call(loc!.token, 'POST', '/api/automations/templates/welcome-task/enable');
    expect(enabled.status).toBe(201);
    // A second click enables the same recipe again instead of making a twin.
    expect((await call(loc!.token, 'POST', '/api/automations/templates/welcome-task/enable')).status).toBe(
      200,
    );
    const list = await call(user, 'GET', '/api/automations');
    expect(list.body.canEdit).toBe(false);
    expect(list.body.recipes.map((r: any) => r.template)).toEqual(['welcome-task']);
    expect(list.body.templates.find((t: any) => t.id === 'welcome-task').recipeId).toBe(
      enabled.body.recipe.id,
    );
    expect(list.body.templates.length).toBeGreaterThanOrEqual(8);
    expectError(
      await call(user, 'PUT', `/api/automations/recipes/${enabled.body.recipe.id}`, { enabled: false }),
      403,
      'forbidden',
    );
    expectError(
      await call(user, 'DELETE', `/api/automations/recipes/${enabled.body.recipe.id}`),
      403,
      'forbidden',
    );
  });

  it('validates recipes against the catalog and edits them', async () => {
    const [loc] = await panelLocations(1, 1);
    const base = {
      name: 'R',
      trigger: 'ghl.contact.created',
      steps: [{ action: 'ghl.task.create', input: { title: 'T' } }],
    };
    expectError(
      await call(loc!.token, 'POST', '/api/automations/recipes', { ...base, trigger: 'ghl.nope' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(loc!.token, 'POST', '/api/automations/recipes', {
        ...base,
        steps: [{ action: 'ghl.task.create', input: { body: 'no title' } }],
      }),
      422,
      'invalid_input',
    );
    expectError(
      await call(loc!.token, 'POST', '/api/automations/recipes', {
        ...base,
        steps: [{ action: 'ghl.task.create', input: { title: 'T' }, delay: { type: 'after', minutes: -5 } }],
      }),
      422,
      'invalid_input',
    );
    expectError(await call(loc!.token, 'POST', '/api/automations/templates/nope/enable'), 404, 'not_found');
    expectError(await call(loc!.token, 'GET', '/api/automations/recipes/bad-id'), 400, 'invalid_id');
    const made = await call(loc!.token, 'POST', '/api/automations/recipes', base);
    expect(made.body.recipe.enabled).toBe(false);
    const id = made.body.recipe.id;
    const edited = await call(loc!.token, 'PUT', `/api/automations/recipes/${id}`, {
      definition: { ...base, name: 'Renamed', conditions: [{ type: 'tag', op: 'has', tag: 'vip' }] },
      enabled: true,
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body.recipe).toMatchObject({
      name: 'Renamed',
      enabled: true,
      conditions: [{ type: 'tag', op: 'has', tag: 'vip' }],
    });
    expectError(await call(loc!.token, 'PUT', `/api/automations/recipes/${id}`, {}), 422, 'invalid_input');
    expect((await call(loc!.token, 'DELETE', `/api/automations/recipes/${id}`)).status).toBe(200);
    expectError(await call(loc!.token, 'GET', `/api/automations/recipes/${id}`), 404, 'not_found');
  });
});
