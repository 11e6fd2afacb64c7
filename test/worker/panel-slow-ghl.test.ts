import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findCreated } from '../../worker/ghl/create-once.ts';
import { emu } from './helpers.ts';
import { call, expectError, ghlRequests, panelLocations, type PanelLocation } from './panel-helpers.ts';
import { eventually, truthy } from '../support/eventually.ts';

// The worker tests run with GHL_TIMEOUT_MS = 5000 (vitest.config.ts). GHL holds the request
// unanswered (a `hold` fault) until the worker has given up on it, and carries it out only when
// the test releases it: the answer is lost to the worker, the object is made afterwards.

let A: PanelLocation;
type State = { notes: any[]; tasks: any[] };
const ghlState = () => emu<State>(`/_emulator/state/${A.locationId}`);
const slow = (pathPrefix: string, method: string, count = 1) =>
  emu('/_emulator/faults', { locationId: A.locationId, pathPrefix, method, hold: true, count });
/** GHL carries out the held requests now, long after the worker stopped waiting. */
const releaseHeld = async () => {
  const { held } = await emu<{ held: unknown[] }>(`/_emulator/held?locationId=${A.locationId}`);
  expect(held).toHaveLength(1);
  await emu('/_emulator/held/release', { locationId: A.locationId });
};
const keyed = (key: string) => ({ 'idempotency-key': key });

beforeAll(async () => {
  expect(env.GHL_TIMEOUT_MS).toBe('5000');
  [A] = (await panelLocations(1, 4)) as [PanelLocation];
});

afterEach(async () => {
  await emu(`/_emulator/faults?locationId=${A.locationId}`, undefined, 'DELETE');
});

describe('a create whose answer GHL sends too late', () => {
  it('note: a double submit while GHL is slow, then the retry, make exactly one note, and the retry answers it', async () => {
    const contactId = A.contactIds[0]!;
    const body = `Slow note ${crypto.randomUUID()}`;
    await slow(`/contacts/${contactId}/notes`, 'POST');
    const key = crypto.randomUUID();
    const path = `/api/contacts/${contactId}/notes`;
    // Both reach the location object together: one calls GHL, the other waits for it.
    const first = await Promise.all([
      call(A.token, 'POST', path, { body }, keyed(key)),
      call(A.token, 'POST', path, { body }, keyed(key)),
    ]);
    expectError(first[0], 504, 'ghl_timeout');
    // The second either saw the first still unconfirmed (504) or already found its note (201).
    if (first[1].status !== 201) expectError(first[1], 504, 'ghl_timeout');

    await releaseHeld();
    const made = await eventually(async () => (await ghlState()).notes.find((n) => n.body === body), truthy, {
      what: 'the slow note in GHL',
    });
    const retry = await call(A.token, 'POST', path, { body }, keyed(key));
    expect(retry.status, retry.text).toBe(201);
    expect(retry.body.note).toMatchObject({ id: made.id, body, contactId });
    if (first[1].status === 201) expect(first[1].body.note.id).toBe(made.id);
    expect((await ghlState()).notes.filter((n) => n.body === body)).toHaveLength(1);

    // Finished: a further retry is answered from the stored result, without calling GHL.
    const before = await ghlRequests(A.locationId);
    const again = await call(A.token, 'POST', path, { body }, keyed(key));
    expect(again.status, again.text).toBe(201);
    expect(again.body.note.id).toBe(made.id);
    expect((await ghlRequests(A.locationId)) - before).toBe(0);
    // The timeline shows the one note.
    const timeline = await call(A.token, 'GET', `/api/contacts/${contactId}/timeline`);
    expect(timeline.body.items.filter((i: any) => i.kind === 'note' && i.body === body)).toHaveLength(1);
  });

  it('task: the first answer times out, the retry with the same key finds the task instead of making a second', async () => {
    const contactId = A.contactIds[1]!;
    const task = {
      title: `Slow task ${crypto.randomUUID()}`,
      body: 'call back',
      dueDate: '2030-01-02T09:00:00.000Z',
    };
    await slow(`/contacts/${contactId}/tasks`, 'POST');
    const key = crypto.randomUUID();
    const path = `/api/contacts/${contactId}/tasks`;
    expectError(await call(A.token, 'POST', path, task, keyed(key)), 504, 'ghl_timeout');

    await releaseHeld();
    const made = await eventually(
      async () => (await ghlState()).tasks.find((t) => t.title === task.title),
      truthy,
      { what: 'the slow task in GHL' },
    );
    const retry = await call(A.token, 'POST', path, task, keyed(key));
    expect(retry.status, retry.text).toBe(201);
    expect(retry.body.task).toMatchObject({ id: made.id, title: task.title, contactId });
    expect((await ghlState()).tasks.filter((t) => t.title === task.title)).toHaveLength(1);
  });

  it('a create GHL answered with a 5xx is looked for, then made once when it is not there', async () => {
    const contactId = A.contactIds[2]!;
    const body = `Retried note ${crypto.randomUUID()}`;
    await emu('/_emulator/faults', {
      locationId: A.locationId,
      pathPrefix: `/contacts/${contactId}/notes`,
      method: 'POST',
      status: 502,
      count: 1,
    });
    const key = crypto.randomUUID();
    const path = `/api/contacts/${contactId}/notes`;
    expectError(await call(A.token, 'POST', path, { body }, keyed(key)), 503, 'ghl_unavailable');
    const retry = await call(A.token, 'POST', path, { body }, keyed(key));
    expect(retry.status, retry.text).toBe(201);
    expect((await ghlState()).notes.filter((n) => n.body === body)).toHaveLength(1);
    expect((await call(A.token, 'POST', path, { body }, keyed(key))).body.note.id).toBe(retry.body.note.id);
  });

  it('refuses a key sent again with other content, and a malformed key', async () => {
    const contactId = A.contactIds[3]!;
    const key = crypto.randomUUID();
    const path = `/api/contacts/${contactId}/notes`;
    expect((await call(A.token, 'POST', path, { body: 'first content' }, keyed(key))).status).toBe(201);
    expectError(
      await call(A.token, 'POST', path, { body: 'other content' }, keyed(key)),
      422,
      'idempotency_key_reused',
    );
    expectError(
      await call(A.token, 'POST', path, { body: 'x' }, keyed('short')),
      400,
      'invalid_idempotency_key',
    );
    expect(
      (await ghlState()).notes.filter((n) => n.contactId === contactId && n.body === 'other content'),
    ).toHaveLength(0);
  });

  it('two actions with the same content under different keys make two notes', async () => {
    const contactId = A.contactIds[3]!;
    const body = `Twice on purpose ${crypto.randomUUID()}`;
    const path = `/api/contacts/${contactId}/notes`;
    const one = await call(A.token, 'POST', path, { body }, keyed(crypto.randomUUID()));
    const two = await call(A.token, 'POST', path, { body }, keyed(crypto.randomUUID()));
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(one.body.note.id).not.toBe(two.body.note.id);
    expect((await ghlState()).notes.filter((n) => n.body === body)).toHaveLength(2);
  });
});

describe('a read GHL answers too slowly', () => {
  it('answers 504 ghl_timeout after one wait, not after retrying for a minute', async () => {
    const contactId = A.contactIds[0]!;
    // Every try is slow: the person gets the timeout after the first, not after GHL was tried three times.
    await slow(`/contacts/${contactId}`, 'GET', 3);
    const res = await call(A.token, 'GET', `/api/contacts/${contactId}`);
    expectError(res, 504, 'ghl_timeout');
    expect(res.body.error.message).toMatch(/too long/);
  });
});

describe('findCreated (what a lost create made)', () => {
  const SENT = Date.parse('2030-01-01T10:00:00Z');
  const lookup = {
    list: { method: 'GET' as const, path: '/x', version: 'v' },
    collection: 'tasks',
    wrap: 'task',
    match: { title: 'Call', dueDate: '2030-01-02T09:00:00Z', completed: false },
  };
  const task = (over: Record<string, unknown>) => ({
    id: 't',
    title: 'Call',
    dueDate: '2030-01-02T09:00:00.000Z',
    completed: false,
    dateAdded: '2030-01-01T10:00:01Z',
    ...over,
  });

  it('takes the earliest unclaimed object showing the sent fields, added since it was sent (less clock skew)', () => {
    const listed = {
      tasks: [
        task({ id: 'old', dateAdded: '2030-01-01T09:00:00Z' }),
        task({ id: 'other-title', title: 'Email' }),
        task({ id: 'claimed', dateAdded: '2030-01-01T10:00:00.500Z' }),
        task({ id: 'later', dateAdded: '2030-01-01T10:00:05Z' }),
        task({ id: 'mine', dateAdded: '2030-01-01T10:00:01Z' }),
      ],
    };
    expect(findCreated(listed, lookup, SENT, (id) => id === 'claimed')?.id).toBe('mine');
    expect(findCreated(listed, lookup, SENT, (id) => id === 'claimed' || id === 'mine')?.id).toBe('later');
  });

  it('compares dates as instants and finds nothing in an unexpected answer', () => {
    expect(
      findCreated({ tasks: [task({ dueDate: '2030-01-02T09:00:00+00:00' })] }, lookup, SENT, () => false)?.id,
    ).toBe('t');
    expect(
      findCreated({ tasks: [task({ dueDate: '2030-01-02T10:00:00Z' })] }, lookup, SENT, () => false),
    ).toBeNull();
    expect(findCreated({ notes: [task({})] }, lookup, SENT, () => false)).toBeNull();
    expect(findCreated(null, lookup, SENT, () => false)).toBeNull();
  });
});
