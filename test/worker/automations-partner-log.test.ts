/**
 * A recipe's writes at the partner apps honour the location's dry run and show in its sync log,
 * against the partner emulators over HTTP: under dry run nothing reaches the app and the step,
 * the run and the log row say so; otherwise the write is a `done` row naming the recipe, and a
 * partner's refusal a `failed` row with its error, which the panel's replay does not take.
 *
 * The emulators are shared with other files: each test uses its own location and contact, and
 * looks only at what names them.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { contactStub, tenantStub } from '../../worker/durable/stubs.ts';
import { recordSyncLog } from '../../worker/sync-log/write.ts';
import { createConnection } from '../../worker/tenants/connections.ts';
import { automationsIdle, makeDue, runsOf, steps } from './automations-helpers.ts';
import { call, expectError, panelLocations } from './panel-helpers.ts';
import { eventually, ghlAct, ghlState, partner, syncLog, yourAppState } from './sync-helpers.ts';

const DRY_RUN = 'dry run: nothing written';

async function withYourApp(locationId: string, webhookSecret = env.YOURAPP_SECRET) {
  const { connection } = await createConnection(env, {
    locationId,
    kind: 'yourapp',
    name: 'Your app (emulator)',
    credentials: { webhookSecret, apiKey: env.YOURAPP_API_KEY },
    settings: { webhookUrl: `${env.YOURAPP_URL}/webhooks`, apiBase: env.YOURAPP_URL },
  });
  return connection.id;
}

async function withCalcom(locationId: string) {
  const { connection } = await createConnection(env, {
    locationId,
    kind: 'calcom',
    name: 'Cal.com (emulator)',
    credentials: { apiKey: env.CALCOM_API_KEY, webhookSecret: env.CALCOM_WEBHOOK_SECRET },
    settings: { apiBase: env.CALCOM_URL, eventTypeId: 1, timeZone: 'UTC' },
  });
  return connection.id;
}

/** Every event your app received from us about this GHL contact. */
async function yourAppReceivedFor(contactId: string) {
  return (await yourAppState()).received.filter(
    (r) => r.event?.data?.contact?.ghlId === contactId || r.event?.data?.ghlId === contactId,
  );
}

/** Cal.com API calls whose path or body mention `text`. */
async function calcomRequestsMentioning(text: string) {
  const { requests } = await partner<{ requests: unknown[] }>(env.CALCOM_URL, '/_partner/requests');
  return requests.filter((r) => JSON.stringify(r).includes(text));
}

async function recipe(token: string, name: string, step: { action: string; input: object }) {
  const made = await call(token, 'POST', '/api/automations/recipes', {
    name,
    trigger: 'ghl.contact.tag_added',
    steps: [step],
    enabled: true,
  });
  expect(made.status, made.text).toBe(201);
  return made.body.recipe.id as string;
}

describe('recipe partner writes under dry run', () => {
  it('a recipe step writes nothing to your app; the step, the run and the sync log say dry run', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const connectionId = await withYourApp(locationId);
    expect((await call(token, 'PUT', '/api/settings', { dryRun: true })).status).toBe(200);
    const title = `Call back ${crypto.randomUUID()}`;
    const recipeId = await recipe(token, 'Task in the app', {
      action: 'partner.task.create',
      input: { title, dueDate: '2031-05-08T12:00:00.000Z' },
    });

    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['qualified'] });
    await automationsIdle(locationId, contactId);
    const [step] = await steps(locationId, contactId);
    expect(step).toMatchObject({ action: 'partner.task.create', state: 'skipped', error: DRY_RUN });
    expect(JSON.parse(step!.result!)).toMatchObject({
      dryRun: true,
      reason: DRY_RUN,
      wouldWrite: { connectionId, write: { kind: 'task', op: 'create', data: { title } } },
    });
    const [run] = await runsOf(token, `recipeId=${recipeId}`);
    expect(run).toMatchObject({ status: 'skipped', detail: { dryRun: true, reason: DRY_RUN } });

    const row = await eventually('the dry-run row in the sync log', async () =>
      (await syncLog(locationId, { contactId })).find((e) => e.trigger === 'automation'),
    );
    expect(row).toMatchObject({
      status: 'skipped',
      error: DRY_RUN,
      objectKind: 'task',
      connectionId,
      action: 'create task in Your app',
      subject: title,
      quiet: false,
    });
    expect(JSON.parse(row.detail!)).toMatchObject({
      recipe: { id: recipeId, name: 'Task in the app' },
      action: 'partner.task.create',
    });
    // Nothing reached the app, and the step is not tried again.
    expect(await yourAppReceivedFor(contactId)).toEqual([]);
    expect((await yourAppState()).objects.task!.filter((t: any) => t.title === title)).toEqual([]);
    expect((await steps(locationId, contactId)).map((s) => s.state)).toEqual(['skipped']);
  });

  it('a Cal.com booking run from the catalog reaches no Cal.com endpoint and answers what it would book', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const connectionId = await withCalcom(locationId);
    expect((await call(token, 'PUT', '/api/settings', { dryRun: true })).status).toBe(200);
    const title = `Intro ${crypto.randomUUID()}`;
    const ran = await call(token, 'POST', '/api/catalog/actions/partner.booking.create/run', {
      contactId,
      input: { title, startTime: '2035-04-02T10:00:00.000Z' },
    });
    expect(ran.status, ran.text).toBe(200);
    expect(ran.body.result).toMatchObject({
      skipped: true,
      dryRun: true,
      reason: DRY_RUN,
      wouldWrite: { connectionId, write: { kind: 'appointment', op: 'create', data: { title } } },
    });
    expect(await calcomRequestsMentioning(title)).toEqual([]);
    const [row] = (await syncLog(locationId, { contactId })).filter((e) => e.trigger === 'automation');
    expect(row).toMatchObject({
      status: 'skipped',
      error: DRY_RUN,
      action: 'create appointment in Cal.com',
      subject: title,
    });
    expect(JSON.parse(row!.detail!).recipe).toEqual({ id: 'manual', name: null });
  });
});

describe('recipe partner writes in the sync log', () => {
  it('a note a recipe adds in your app is a done row naming the recipe, the app and the note', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const connectionId = await withYourApp(locationId);
    const body = `Qualified lead ${crypto.randomUUID()}`;
    const recipeId = await recipe(token, 'Tell the app', { action: 'partner.note.create', input: { body } });

    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['qualified'] });
    const note = await eventually('the note in the app', async () =>
      (await yourAppState()).objects.note!.find((n: any) => n.body === body),
    );
    await automationsIdle(locationId, contactId);
    const rows = (await syncLog(locationId, { contactId })).filter((e) => e.trigger === 'automation');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'done',
      error: null,
      objectKind: 'note',
      objectId: note.id,
      connectionId,
      action: 'create note in Your app',
      subject: body,
      attempts: 1,
    });
    expect(rows[0]!.contactName).toBeTruthy();
    expect(JSON.parse(rows[0]!.detail!)).toMatchObject({
      recipe: { id: recipeId, name: 'Tell the app' },
      action: 'partner.note.create',
      step: 0,
    });
    // The row keeps the call made to the app.
    const { tries } = JSON.parse(rows[0]!.requests!) as {
      tries: { status: string; requests: { side: string; method: string }[] }[];
    };
    expect(tries.map((t) => t.status)).toEqual(['done']);
    expect(tries[0]!.requests).toContainEqual(expect.objectContaining({ side: 'partner', method: 'POST' }));
    // Written to the app, not through GHL.
    expect((await ghlState(locationId)).notes.filter((n) => n.contactId === contactId)).toEqual([]);
  });

  it("a partner's refusal is a failed row with its error; the panel's replay refuses it", async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const connectionId = await withCalcom(locationId);
    const missing = `nobooking${crypto.randomUUID().replace(/-/g, '')}`;
    const moved = await call(token, 'POST', '/api/catalog/actions/partner.booking.reschedule/run', {
      contactId,
      input: { bookingId: missing, startTime: '2035-04-03T10:00:00.000Z' },
    });
    expectError(moved, 502, 'action_failed');
    // Cal.com was asked, and said no.
    expect((await calcomRequestsMentioning(missing)).length).toBeGreaterThan(0);
    const [row] = (await syncLog(locationId, { contactId })).filter((e) => e.trigger === 'automation');
    expect(row).toMatchObject({
      status: 'failed',
      objectKind: 'appointment',
      objectId: missing,
      connectionId,
      action: 'update appointment in Cal.com',
    });
    expect(row!.error).toBeTruthy();
    expect(moved.body.error.message).toContain(row!.error);
    expect(JSON.parse(row!.detail!)).toMatchObject({
      recipe: { id: 'manual' },
      action: 'partner.booking.reschedule',
    });
    expectError(await call(token, 'POST', `/api/sync-log/${row!.id}/replay`), 409, 'not_replayable');
  });

  it('a step whose write the app refuses keeps one row: retrying with the error, then failed on its last try', async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    // Signed with a secret the app does not know: it answers 401 to this connection alone.
    const wrongSecret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    await withYourApp(locationId, wrongSecret);
    const body = `Refused ${crypto.randomUUID()}`;
    await recipe(token, 'Tell the app, refused', { action: 'partner.note.create', input: { body } });
    await ghlAct(locationId, { action: 'tags.add', contactId, tags: ['qualified'] });
    const waiting = await eventually('the step waiting for its retry', async () =>
      (await steps(locationId, contactId)).find((r) => r.state === 'waiting' && r.error),
    );
    const [first] = (await syncLog(locationId, { contactId })).filter((e) => e.trigger === 'automation');
    expect(first).toMatchObject({ status: 'retrying', objectKind: 'note', attempts: 1 });
    expect(first!.error).toContain('401');

    // Its last try (the step's retries made due at once) fails for good: the same row says so.
    await runInDurableObject(contactStub(env, locationId, contactId), (_, state) => {
      state.storage.sql.exec('UPDATE auto_steps SET attempts = 4 WHERE id = ?', waiting.id);
    });
    expect(await makeDue(locationId, contactId)).toBe(1);
    await eventually('the step failed', async () =>
      (await steps(locationId, contactId)).find((r) => r.id === waiting.id && r.state === 'failed'),
    );
    const rows = (await syncLog(locationId, { contactId })).filter((e) => e.trigger === 'automation');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first!.id, status: 'failed', objectKind: 'note', attempts: 5 });
    expect(rows[0]!.error).toContain('401');
    const { tries } = JSON.parse(rows[0]!.requests!) as { tries: { status: string }[] };
    expect(tries.map((t) => t.status)).toEqual(['retrying', 'failed']);
    expect((await yourAppState()).objects.note!.filter((n: any) => n.body === body)).toEqual([]);
  });

  it("the panel is told which rows Replay takes: failed sync work, not a recipe's write", async () => {
    const [loc] = await panelLocations(1, 1);
    const { locationId, token } = loc!;
    const contactId = loc!.contactIds[0]!;
    const base = { action: 'create note in Your app', objectKind: 'note', contactId, connectionId: 'c1' };
    const ids = await runInDurableObject(tenantStub(env, locationId), async (_, state) => {
      const sql = state.storage.sql;
      return {
        engine: recordSyncLog(sql, {
          ...base,
          workKey: `${locationId}:${contactId}#1`,
          trigger: 'ghl_webhook',
          status: 'failed',
        }),
        recipe: recordSyncLog(sql, {
          ...base,
          workKey: `automation:auto:${contactId}:1:1:note:c1`,
          trigger: 'automation',
          status: 'failed',
        }),
        done: recordSyncLog(sql, {
          ...base,
          workKey: `${locationId}:${contactId}#2`,
          trigger: 'ghl_webhook',
          status: 'done',
        }),
      };
    });
    const res = await call(token, 'GET', `/api/sync-log?contactId=${contactId}`);
    expect(res.status, res.text).toBe(200);
    const replayable = (id: number) => res.body.entries.find((e: any) => e.id === id)?.replayable;
    expect([replayable(ids.engine), replayable(ids.recipe), replayable(ids.done)]).toEqual([
      true,
      false,
      false,
    ]);
    expectError(await call(token, 'POST', `/api/sync-log/${ids.recipe}/replay`), 409, 'not_replayable');
  });
});
