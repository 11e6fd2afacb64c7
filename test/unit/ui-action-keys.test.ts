import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, configureApi, createNote, createTask, setToken } from '../../ui/api.ts';
import { ActionKeys } from '../../ui/lib/action-keys.ts';

let counter = 0;
const keys = () => new ActionKeys(() => `key-${++counter}`);

describe('ActionKeys', () => {
  it('keeps the key while the same content is sent again, and ignores key order', () => {
    const k = keys();
    const first = k.keyFor({ body: 'hello', title: 'x' });
    expect(k.keyFor({ title: 'x', body: 'hello' })).toBe(first);
  });

  it('starts a new action for other content, and after the create succeeded', () => {
    const k = keys();
    const a = k.keyFor({ body: 'a' });
    const b = k.keyFor({ body: 'b' });
    expect(b).not.toBe(a);
    k.done(b);
    expect(k.keyFor({ body: 'b' })).not.toBe(b);
  });

  it('run: a failed create keeps its key for the retry; a successful one releases it', async () => {
    const k = keys();
    const seen: string[] = [];
    await expect(
      k.run({ body: 'n' }, async (key) => {
        seen.push(key);
        throw new Error('timeout');
      }),
    ).rejects.toThrow('timeout');
    await k.run({ body: 'n' }, async (key) => seen.push(key));
    await k.run({ body: 'n' }, async (key) => seen.push(key));
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).not.toBe(seen[0]);
  });
});

describe('creates send the key', () => {
  const sent: { url: string; key: string | null; auth: string | null }[] = [];
  const answer = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  function serve(...answers: Response[]) {
    sent.length = 0;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const headers = new Headers(init.headers);
      sent.push({ url, key: headers.get('idempotency-key'), auth: headers.get('authorization') });
      return answers.shift() ?? answer(500, {});
    });
  }

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a note retried after a timeout goes out under the same Idempotency-Key', async () => {
    setToken('t1');
    const k = keys();
    const note = { body: 'Called, left a message' };
    serve(
      answer(504, { error: { code: 'ghl_timeout', message: 'HighLevel is taking too long to answer' } }),
      answer(201, { note: { id: 'n1', body: note.body } }),
    );
    const first = k.run(['c1', note], (key) => createNote('c1', note, key));
    await expect(first).rejects.toMatchObject({ status: 504, code: 'ghl_timeout' });
    await expect(first).rejects.toBeInstanceOf(ApiError);
    expect(await k.run(['c1', note], (key) => createNote('c1', note, key))).toMatchObject({ id: 'n1' });
    expect(sent.map((s) => s.url)).toEqual(['/api/contacts/c1/notes', '/api/contacts/c1/notes']);
    expect(sent[0]!.key).toMatch(/^key-\d+$/);
    expect(sent[1]!.key).toBe(sent[0]!.key);
  });

  it('a task resent after a session refresh keeps its key', async () => {
    setToken('old');
    configureApi({ reauth: async () => (setToken('new'), 'new'), onReconnect: () => {} });
    serve(
      answer(401, { error: { code: 'session_expired', message: 'expired' } }),
      answer(201, { task: { id: 't1' } }),
    );
    await createTask(
      'c2',
      { title: 'Call', body: '', dueDate: '2030-01-01T09:00:00.000Z', completed: false },
      'action-key-1',
    );
    expect(sent.map((s) => [s.key, s.auth])).toEqual([
      ['action-key-1', 'Bearer old'],
      ['action-key-1', 'Bearer new'],
    ]);
  });
});
