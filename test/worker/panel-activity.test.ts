import { beforeAll, describe, expect, it } from 'vitest';
import { emu } from './helpers.ts';
import {
  act,
  call,
  expectError,
  expectNoLeak,
  ghlRequests,
  panelLocations,
  type PanelLocation,
} from './panel-helpers.ts';

let A: PanelLocation;
let B: PanelLocation;
let bNoteId: string;
let bTaskId: string;
const DAY = 86_400_000;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();

type State = { contacts: any[]; notes: any[]; tasks: any[] };
const ghlState = (loc: PanelLocation) => emu<State>(`/_emulator/state/${loc.locationId}`);

/** The warm timeline, asserting it cost no GHL call: panel writes must be visible from the cache. */
async function warmTimeline(loc: PanelLocation, contactId: string) {
  const before = await ghlRequests(loc.locationId);
  const res = await call(loc.token, 'GET', `/api/contacts/${contactId}/timeline`);
  expect(res.status, res.text).toBe(200);
  expect((await ghlRequests(loc.locationId)) - before).toBe(0);
  expect(res.body.freshness.source).toBe('cache');
  return res.body.items as any[];
}

beforeAll(async () => {
  [A, B] = (await panelLocations(2, 3)) as [PanelLocation, PanelLocation];
  bNoteId = (await act(B.locationId, 'note.create', { contactId: B.contactIds[0], body: 'B private note' }))
    .note.id;
  bTaskId = (
    await act(B.locationId, 'task.create', {
      contactId: B.contactIds[0],
      title: 'B private task',
      dueDate: iso(1),
    })
  ).task.id;
  await call(A.token, 'GET', '/api/contacts?limit=50');
  // Warm the caches the write-through tests look at.
  for (const id of A.contactIds)
    expect((await call(A.token, 'GET', `/api/contacts/${id}/timeline`)).status).toBe(200);
});

describe('notes', () => {
  const c = () => A.contactIds[0]!;
  let noteId: string;

  it('POST creates a note (201, GHL fields) and the warm timeline shows it', async () => {
    const res = await call(A.token, 'POST', `/api/contacts/${c()}/notes`, {
      body: 'Met at the fair',
      title: 'Fair',
      pinned: true,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.note).toMatchObject({
      body: 'Met at the fair',
      title: 'Fair',
      pinned: true,
      contactId: c(),
      userId: A.adminId,
    });
    noteId = res.body.note.id;
    expect((await ghlState(A)).notes.find((n) => n.id === noteId)).toBeTruthy();
    const items = await warmTimeline(A, c());
    expect(items.find((i) => i.id === noteId)).toMatchObject({
      kind: 'note',
      body: 'Met at the fair',
      title: 'Fair',
      status: 'pinned',
    });
  });

  it('PUT edits it and the warm timeline follows', async () => {
    const res = await call(A.token, 'PUT', `/api/contacts/${c()}/notes/${noteId}`, {
      body: 'Met at the spring fair',
      pinned: false,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.note).toMatchObject({ id: noteId, body: 'Met at the spring fair', pinned: false });
    expect((await warmTimeline(A, c())).find((i) => i.id === noteId).body).toBe('Met at the spring fair');
  });

  it('DELETE removes it and the warm timeline drops it', async () => {
    const res = await call(A.token, 'DELETE', `/api/contacts/${c()}/notes/${noteId}`);
    expect(res.status, res.text).toBe(200);
    expect((await ghlState(A)).notes.some((n) => n.id === noteId)).toBe(false);
    expect((await warmTimeline(A, c())).some((i) => i.id === noteId)).toBe(false);
  });

  it('validates bodies (422) and ids (400)', async () => {
    expectError(await call(A.token, 'POST', `/api/contacts/${c()}/notes`, {}), 422, 'invalid_input');
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/notes`, { body: '   ' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/notes`, { body: 'x', pinned: 'yes' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/notes`, { body: 'x', color: 'red' }),
      422,
      'invalid_input',
    );
    expectError(await call(A.token, 'PUT', `/api/contacts/${c()}/notes/abc`, {}), 422, 'invalid_input');
    expectError(
      await call(A.token, 'PUT', `/api/contacts/${c()}/notes/${encodeURIComponent('a b')}`, { body: 'x' }),
      400,
      'invalid_id',
    );
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/notes`, '{"body": "x",}'),
      400,
      'malformed_json',
    );
  });

  it('answers 404 and changes nothing for a note or contact of another location', async () => {
    const bc = B.contactIds[0]!;
    const cases = [
      await call(A.token, 'POST', `/api/contacts/${bc}/notes`, { body: 'intrusion' }),
      await call(A.token, 'PUT', `/api/contacts/${bc}/notes/${bNoteId}`, { body: 'intrusion' }),
      await call(A.token, 'DELETE', `/api/contacts/${bc}/notes/${bNoteId}`),
      // B's note under A's own contact: the note is not under that contact.
      await call(A.token, 'PUT', `/api/contacts/${c()}/notes/${bNoteId}`, { body: 'intrusion' }),
      await call(A.token, 'DELETE', `/api/contacts/${c()}/notes/${bNoteId}`),
    ];
    for (const res of cases) {
      expectError(res, 404, 'not_found');
      expectNoLeak(res, ['B private note']);
    }
    const notes = (await ghlState(B)).notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ id: bNoteId, body: 'B private note' });
  });

  it('answers 404 for a note of another contact of the same location', async () => {
    const other = (
      await act(A.locationId, 'note.create', { contactId: A.contactIds[1], body: 'Other contact' })
    ).note.id;
    expectError(
      await call(A.token, 'PUT', `/api/contacts/${c()}/notes/${other}`, { body: 'moved?' }),
      404,
      'not_found',
    );
  });
});

describe('tasks', () => {
  const c = () => A.contactIds[1]!;
  let taskId: string;

  it('POST creates a task (201) and the warm timeline shows it', async () => {
    const res = await call(A.token, 'POST', `/api/contacts/${c()}/tasks`, {
      title: 'Follow up',
      body: 'Ask about budget',
      dueDate: iso(2),
      completed: false,
      assignedTo: A.userId,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.task).toMatchObject({
      title: 'Follow up',
      body: 'Ask about budget',
      completed: false,
      contactId: c(),
      assignedTo: A.userId,
    });
    taskId = res.body.task.id;
    expect((await warmTimeline(A, c())).find((i) => i.id === taskId)).toMatchObject({
      kind: 'task',
      status: 'pending',
      body: 'Ask about budget',
    });
  });

  it('PUT updates it, PUT …/completed completes it, and the warm timeline follows', async () => {
    const upd = await call(A.token, 'PUT', `/api/contacts/${c()}/tasks/${taskId}`, {
      title: 'Follow up soon',
      dueDate: iso(1),
    });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.body.task).toMatchObject({ id: taskId, title: 'Follow up soon' });
    expect((await warmTimeline(A, c())).find((i) => i.id === taskId).title).toBe('Follow up soon');
    const done = await call(A.token, 'PUT', `/api/contacts/${c()}/tasks/${taskId}/completed`, {
      completed: true,
    });
    expect(done.status, done.text).toBe(200);
    expect(done.body.task.completed).toBe(true);
    expect((await ghlState(A)).tasks.find((t) => t.id === taskId).completed).toBe(true);
    expect((await warmTimeline(A, c())).find((i) => i.id === taskId).status).toBe('completed');
  });

  it('DELETE removes it and the warm timeline drops it', async () => {
    expect((await call(A.token, 'DELETE', `/api/contacts/${c()}/tasks/${taskId}`)).status).toBe(200);
    expect((await ghlState(A)).tasks.some((t) => t.id === taskId)).toBe(false);
    expect((await warmTimeline(A, c())).some((i) => i.id === taskId)).toBe(false);
  });

  it('validates bodies (422)', async () => {
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/tasks`, { title: 'No due date' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/tasks`, { title: 'x', dueDate: 'tomorrow' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/tasks`, { title: '', dueDate: iso(1) }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'PUT', `/api/contacts/${c()}/tasks/abc/completed`, { completed: 'yes' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'PUT', `/api/contacts/${c()}/tasks/abc/completed`, {}),
      422,
      'invalid_input',
    );
    expectError(await call(A.token, 'PUT', `/api/contacts/${c()}/tasks/abc`, {}), 422, 'invalid_input');
  });

  it('answers 404 and changes nothing for a task or contact of another location', async () => {
    const bc = B.contactIds[0]!;
    const cases = [
      await call(A.token, 'POST', `/api/contacts/${bc}/tasks`, { title: 'intrusion', dueDate: iso(1) }),
      await call(A.token, 'PUT', `/api/contacts/${bc}/tasks/${bTaskId}`, { title: 'intrusion' }),
      await call(A.token, 'PUT', `/api/contacts/${bc}/tasks/${bTaskId}/completed`, { completed: true }),
      await call(A.token, 'DELETE', `/api/contacts/${bc}/tasks/${bTaskId}`),
      await call(A.token, 'PUT', `/api/contacts/${c()}/tasks/${bTaskId}`, { title: 'intrusion' }),
      await call(A.token, 'PUT', `/api/contacts/${c()}/tasks/${bTaskId}/completed`, { completed: true }),
      await call(A.token, 'DELETE', `/api/contacts/${c()}/tasks/${bTaskId}`),
    ];
    for (const res of cases) {
      expectError(res, 404, 'not_found');
      expectNoLeak(res, ['B private task']);
    }
    const tasks = (await ghlState(B)).tasks;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ id: bTaskId, title: 'B private task', completed: false });
  });
});

describe('tags', () => {
  const c = () => A.contactIds[2]!;

  it('POST adds and DELETE removes tags, answering the contact’s tags', async () => {
    const add = await call(A.token, 'POST', `/api/contacts/${c()}/tags`, { tags: ['VIP', 'newsletter'] });
    expect(add.status, add.text).toBe(201);
    expect(add.body.tags).toEqual(expect.arrayContaining(['vip', 'newsletter']));
    const del = await call(A.token, 'DELETE', `/api/contacts/${c()}/tags`, { tags: ['newsletter'] });
    expect(del.status, del.text).toBe(200);
    expect(del.body.tags).toContain('vip');
    expect(del.body.tags).not.toContain('newsletter');
    expect((await ghlState(A)).contacts.find((x) => x.id === c()).tags).toEqual(del.body.tags);
    // The timeline's contact (from the index) has the new tags without a GHL call.
    const before = await ghlRequests(A.locationId);
    const t = await call(A.token, 'GET', `/api/contacts/${c()}/timeline`);
    expect(t.body.contact.tags).toEqual(del.body.tags);
    expect((await ghlRequests(A.locationId)) - before).toBe(0);
  });

  it('validates the body (422)', async () => {
    expectError(await call(A.token, 'POST', `/api/contacts/${c()}/tags`, { tags: [] }), 422, 'invalid_input');
    expectError(
      await call(A.token, 'POST', `/api/contacts/${c()}/tags`, { tags: 'vip' }),
      422,
      'invalid_input',
    );
    expectError(
      await call(A.token, 'DELETE', `/api/contacts/${c()}/tags`, { tags: [''] }),
      422,
      'invalid_input',
    );
  });

  it('answers 404 and changes nothing for a contact of another location', async () => {
    const bc = B.contactIds[1]!;
    const before = (await ghlState(B)).contacts.find((x) => x.id === bc).tags;
    expectError(
      await call(A.token, 'POST', `/api/contacts/${bc}/tags`, { tags: ['pwned'] }),
      404,
      'not_found',
    );
    expectError(
      await call(A.token, 'DELETE', `/api/contacts/${bc}/tags`, { tags: before.length ? before : ['x'] }),
      404,
      'not_found',
    );
    expect((await ghlState(B)).contacts.find((x) => x.id === bc).tags).toEqual(before);
  });
});
