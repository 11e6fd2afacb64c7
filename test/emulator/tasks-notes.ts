import type { Hono } from 'hono';
import { createNote, createTask, deleteNote, deleteTask, updateNote, updateTask } from './activity-ops.ts';
import { assertLocation, contactFor, CONTACTS_VERSION, guard, noteFor, taskFor } from './auth.ts';
import type { AppEnv, Emu } from './context.ts';
import { contactAppointmentView, noteView, taskView } from './views.ts';
import { readJson, validate, type Rules } from './validate.ts';

const TASK_RULES: Rules = {
  title: { type: 'string' },
  body: { type: 'string', nullable: true },
  dueDate: { type: 'isoDate' },
  completed: { type: 'boolean' },
  assignedTo: { type: 'string', nullable: true },
};
const CREATE_TASK_RULES: Rules = {
  ...TASK_RULES,
  title: { type: 'string', required: true },
  dueDate: { type: 'isoDate', required: true },
  completed: { type: 'boolean', required: true },
};
const NOTE_RULES: Rules = {
  body: { type: 'string' },
  userId: { type: 'string' },
  title: { type: 'string', nullable: true },
  color: { type: 'string', nullable: true },
  pinned: { type: 'boolean' },
};

export function registerTasksNotes(app: Hono<AppEnv>, emu: Emu): void {
  const { state } = emu;
  const auth = guard(emu, 'location', CONTACTS_VERSION);
  const byDate = <T extends { dateAdded: string }>(a: T, b: T) =>
    Date.parse(a.dateAdded) - Date.parse(b.dateAdded);

  app.get('/contacts/:contactId/tasks', auth, (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const tasks = [...state.tasks.values()].filter((t) => t.contactId === contact.id).sort(byDate);
    return c.json({ tasks: tasks.map(taskView) });
  });

  app.post('/contacts/:contactId/tasks', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const body = validate(await readJson(c), CREATE_TASK_RULES);
    return c.json({ task: taskView(createTask(emu, contact, body)) }, 201);
  });

  app.get('/contacts/:contactId/tasks/:taskId', auth, (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    return c.json({ task: taskView(taskFor(emu, contact, c.req.param('taskId'))) });
  });

  app.put('/contacts/:contactId/tasks/:taskId/completed', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const task = taskFor(emu, contact, c.req.param('taskId'));
    const body = validate(await readJson(c), { completed: { type: 'boolean', required: true } });
    return c.json({ task: taskView(updateTask(emu, task, { completed: body.completed })) });
  });

  app.put('/contacts/:contactId/tasks/:taskId', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const task = taskFor(emu, contact, c.req.param('taskId'));
    const body = validate(await readJson(c), TASK_RULES);
    return c.json({ task: taskView(updateTask(emu, task, body)) });
  });

  app.delete('/contacts/:contactId/tasks/:taskId', auth, (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    deleteTask(emu, taskFor(emu, contact, c.req.param('taskId')));
    return c.json({ succeded: true });
  });

  app.get('/contacts/:contactId/notes', auth, (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const notes = [...state.notes.values()].filter((n) => n.contactId === contact.id).sort(byDate);
    return c.json({ notes: notes.map(noteView) });
  });

  app.post('/contacts/:contactId/notes', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const body = validate(await readJson(c), { ...NOTE_RULES, body: { type: 'string', required: true } });
    return c.json({ note: noteView(createNote(emu, contact, body)) }, 201);
  });

  app.get('/contacts/:contactId/notes/:id', auth, (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    return c.json({ note: noteView(noteFor(emu, contact, c.req.param('id'))) });
  });

  app.put('/contacts/:contactId/notes/:id', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const note = noteFor(emu, contact, c.req.param('id'));
    const body = validate(await readJson(c), NOTE_RULES);
    return c.json({ note: noteView(updateNote(emu, note, body)) });
  });

  app.delete('/contacts/:contactId/notes/:id', auth, (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    deleteNote(emu, noteFor(emu, contact, c.req.param('id')));
    return c.json({ succeded: true });
  });

  app.get('/contacts/:contactId/appointments', auth, (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const events = [...state.appointments.values()]
      .filter((a) => a.contactId === contact.id)
      .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
    return c.json({ events: events.map(contactAppointmentView) });
  });

  /** Returns tasks with their contactId: how an app completes a thin TaskCreate webhook (issue #332). */
  app.post('/locations/:locationId/tasks/search', auth, async (c) => {
    const locationId = c.req.param('locationId');
    assertLocation(emu, c.get('auth'), locationId);
    const body = validate(await readJson(c), {
      contactId: { type: 'stringArray' },
      assignedTo: { type: 'stringArray' },
      completed: { type: 'boolean' },
      query: { type: 'string' },
      limit: { type: 'number' },
      skip: { type: 'number' },
      businessId: { type: 'string' },
    });
    const contactIds = body.contactId as string[] | undefined;
    const assignees = body.assignedTo as string[] | undefined;
    const query = String(body.query ?? '').toLowerCase();
    const hits = [...state.tasks.values()]
      .filter((t) => t.locationId === locationId)
      .filter((t) => !contactIds?.length || contactIds.includes(t.contactId))
      .filter((t) => !assignees?.length || (t.assignedTo !== undefined && assignees.includes(t.assignedTo)))
      .filter((t) => body.completed === undefined || t.completed === body.completed)
      .filter(
        (t) =>
          !query || t.title.toLowerCase().includes(query) || (t.body ?? '').toLowerCase().includes(query),
      )
      .sort(byDate);
    const skip = Number(body.skip ?? 0);
    const limit = Number(body.limit ?? 25);
    return c.json({
      tasks: hits.slice(skip, skip + limit).map((t) => ({ ...taskView(t), locationId: t.locationId })),
    });
  });

  app.get('/locations/:locationId', guard(emu, 'any', CONTACTS_VERSION), (c) => {
    const locationId = c.req.param('locationId');
    assertLocation(emu, c.get('auth'), locationId);
    const l = state.locations.get(locationId)!;
    return c.json({
      location: {
        id: l.id,
        companyId: l.companyId,
        name: l.name,
        address: l.address,
        city: l.city,
        state: l.state,
        country: l.country,
        postalCode: l.postalCode,
        website: l.website,
        timezone: l.timezone,
        email: l.email,
        phone: l.phone,
        settings: {
          allowDuplicateContact: false,
          allowDuplicateOpportunity: false,
          allowFacebookNameMerge: false,
          disableContactTimezone: false,
        },
      },
    });
  });
}
