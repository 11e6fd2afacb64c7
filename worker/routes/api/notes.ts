import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { createKeyOf } from './idempotency.ts';
import { contactInLocation, ghlOf, underContact, writeThrough } from './scope.ts';
import { ContactParams, jsonBody, notEmpty, NoteParams, paramsOf } from './validate.ts';

const Body = v.pipe(v.string(), v.maxLength(50_000));
const Title = v.optional(v.nullable(v.pipe(v.string(), v.maxLength(255))));
const Color = v.optional(v.pipe(v.string(), v.regex(/^#[0-9A-Fa-f]{6}$/, 'must be a colour like #FFAA00')));

/** GHL note fields (`{ body, title?, pinned? }`, plus GHL's `color`). */
const NoteCreate = v.object({
  body: v.pipe(
    Body,
    v.check((s) => s.trim() !== '', 'must not be empty'),
  ),
  title: Title,
  pinned: v.optional(v.boolean()),
  color: Color,
});
const NoteUpdate = v.pipe(
  v.object({
    body: v.optional(
      v.pipe(
        Body,
        v.check((s) => s.trim() !== '', 'must not be empty'),
      ),
    ),
    title: Title,
    pinned: v.optional(v.boolean()),
    color: Color,
  }),
  v.check(notEmpty, 'send at least one field to change'),
);

const clean = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== null)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };

/** `/api/contacts/:contactId/notes[/:noteId]`: create, edit, delete; each write goes through to the timeline cache. */
export const noteRoutes = new Hono<SessionEnv>();

noteRoutes.post('/:contactId/notes', paramsOf(ContactParams), jsonBody(NoteCreate), async (c) => {
  const { contactId } = c.req.valid('param');
  await contactInLocation(c, contactId);
  const input = clean(c.req.valid('json'));
  const key = await createKeyOf(c, input);
  const note = underContact(
    'Note',
    await ghlOf(c).createNote(contactId, { ...input, userId: c.var.session.userId }, key),
    contactId,
  );
  await writeThrough(c, contactId, { op: 'upsert', kind: 'note', item: { ...note, contactId } });
  return c.json({ note }, 201);
});

noteRoutes.put('/:contactId/notes/:noteId', paramsOf(NoteParams), jsonBody(NoteUpdate), async (c) => {
  const { contactId, noteId } = c.req.valid('param');
  await contactInLocation(c, contactId);
  const input = c.req.valid('json');
  const note = underContact(
    'Note',
    await ghlOf(c).updateNote(contactId, noteId, {
      ...clean(input),
      ...(input.title === null ? { title: '' } : {}),
    }),
    contactId,
  );
  await writeThrough(c, contactId, { op: 'upsert', kind: 'note', item: { ...note, contactId } });
  return c.json({ note });
});

noteRoutes.delete('/:contactId/notes/:noteId', paramsOf(NoteParams), async (c) => {
  const { contactId, noteId } = c.req.valid('param');
  await contactInLocation(c, contactId);
  await ghlOf(c).deleteNote(contactId, noteId);
  await writeThrough(c, contactId, { op: 'delete', kind: 'note', id: noteId });
  return c.json({ ok: true, id: noteId });
});
