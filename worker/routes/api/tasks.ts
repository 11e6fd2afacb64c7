import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { createKeyOf } from './idempotency.ts';
import { contactInLocation, ghlOf, reportTaskEdit, underContact, writeThrough } from './scope.ts';
import { assertAssignable } from './users.ts';
import { ContactParams, GhlId, jsonBody, notEmpty, paramsOf, TaskParams } from './validate.ts';

const IsoDate = v.pipe(
  v.string(),
  v.maxLength(40),
  v.check(
    (s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 date',
  ),
);
const Title = v.pipe(
  v.string(),
  v.maxLength(255),
  v.check((s) => s.trim() !== '', 'must not be empty'),
);
const TaskBody = v.optional(v.nullable(v.pipe(v.string(), v.maxLength(50_000))));
const AssignedTo = v.optional(v.nullable(GhlId));

/** GHL task fields `{ title, body, dueDate, completed, assignedTo }`. */
const TaskCreate = v.object({
  title: Title,
  body: TaskBody,
  dueDate: IsoDate,
  completed: v.optional(v.boolean(), false),
  assignedTo: AssignedTo,
});
const TaskUpdate = v.pipe(
  v.object({
    title: v.optional(Title),
    body: TaskBody,
    dueDate: v.optional(IsoDate),
    completed: v.optional(v.boolean()),
    assignedTo: AssignedTo,
  }),
  v.check(notEmpty, 'send at least one field to change'),
);
const Completion = v.object({ completed: v.boolean() });

const clean = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== null)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };

/** `/api/contacts/:contactId/tasks[/:taskId][/completed]`; each write goes through to the timeline cache. */
export const taskRoutes = new Hono<SessionEnv>();

taskRoutes.post('/:contactId/tasks', paramsOf(ContactParams), jsonBody(TaskCreate), async (c) => {
  const { contactId } = c.req.valid('param');
  await contactInLocation(c, contactId);
  const { body, assignedTo, ...rest } = c.req.valid('json');
  if (assignedTo) await assertAssignable(c, assignedTo);
  const input = { ...rest, ...clean({ body, assignedTo }) };
  const task = underContact(
    'Task',
    await ghlOf(c).createTask(contactId, input, await createKeyOf(c, input)),
    contactId,
  );
  await writeThrough(c, contactId, {
    op: 'upsert',
    kind: 'task',
    item: { ...task, contactId },
    createdBy: c.var.session.userId,
  });
  return c.json({ task }, 201);
});

taskRoutes.put('/:contactId/tasks/:taskId', paramsOf(TaskParams), jsonBody(TaskUpdate), async (c) => {
  const { contactId, taskId } = c.req.valid('param');
  await contactInLocation(c, contactId);
  const input = c.req.valid('json');
  if (input.assignedTo) await assertAssignable(c, input.assignedTo);
  // null clears a text field; GHL clears on an empty string.
  const patch = {
    ...clean(input),
    ...(input.body === null ? { body: '' } : {}),
    ...(input.assignedTo === null ? { assignedTo: '' } : {}),
  };
  const task = underContact('Task', await ghlOf(c).updateTask(contactId, taskId, patch), contactId);
  await writeThrough(c, contactId, { op: 'upsert', kind: 'task', item: { ...task, contactId } });
  await reportTaskEdit(c, contactId, task);
  return c.json({ task });
});

taskRoutes.put(
  '/:contactId/tasks/:taskId/completed',
  paramsOf(TaskParams),
  jsonBody(Completion),
  async (c) => {
    const { contactId, taskId } = c.req.valid('param');
    await contactInLocation(c, contactId);
    const { completed } = c.req.valid('json');
    const task = underContact('Task', await ghlOf(c).completeTask(contactId, taskId, completed), contactId);
    await writeThrough(c, contactId, { op: 'upsert', kind: 'task', item: { ...task, contactId } });
    // GHL reports a completion itself (TaskComplete), not a reopening.
    if (!completed) await reportTaskEdit(c, contactId, task);
    return c.json({ task });
  },
);

taskRoutes.delete('/:contactId/tasks/:taskId', paramsOf(TaskParams), async (c) => {
  const { contactId, taskId } = c.req.valid('param');
  await contactInLocation(c, contactId);
  await ghlOf(c).deleteTask(contactId, taskId);
  await writeThrough(c, contactId, { op: 'delete', kind: 'task', id: taskId });
  return c.json({ ok: true, id: taskId });
});
