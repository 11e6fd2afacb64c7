import type { Hono } from 'hono';
import { assertLocation, contactFor, CONTACTS_VERSION, guard } from './auth.ts';
import {
  changeTags,
  createContact,
  deleteContact,
  findDuplicate,
  updateContact,
  upsertContact,
} from './contact-ops.ts';
import { matchesQuery, searchContacts } from './contact-search.ts';
import type { AppEnv, Emu } from './context.ts';
import { unprocessable } from './errors.ts';
import { traceId } from './ids.ts';
import { contactView, createdContactView } from './views.ts';
import { readJson, validate, type Rules } from './validate.ts';

const text = { type: 'string', nullable: true } as const;

export const CONTACT_RULES: Rules = {
  firstName: text,
  lastName: text,
  name: text,
  email: { type: 'email', nullable: true },
  phone: text,
  address1: text,
  city: text,
  state: text,
  postalCode: text,
  website: text,
  timezone: text,
  country: text,
  companyName: text,
  source: text,
  assignedTo: text,
  gender: text,
  dateOfBirth: { type: 'any', nullable: true },
  dnd: { type: 'boolean' },
  dndSettings: { type: 'object' },
  inboundDndSettings: { type: 'object' },
  tags: { type: 'stringArray' },
  customFields: { type: 'array' },
};

const CREATE_RULES: Rules = { ...CONTACT_RULES, locationId: { type: 'string', required: true } };

/** UpdateContactDto has no locationId, gender or companyName; GHL's whitelist rejects unknown properties. */
function forbidProperties(body: Record<string, unknown>, names: string[]): void {
  const present = names.filter((n) => n in body);
  if (present.length) throw unprocessable(present.map((n) => `property ${n} should not exist`));
}

export function registerContacts(app: Hono<AppEnv>, emu: Emu): void {
  const { state } = emu;
  const auth = guard(emu, 'location', CONTACTS_VERSION);
  const locationContacts = (locationId: string) =>
    [...state.contacts.values()].filter((c) => c.locationId === locationId);

  app.post('/contacts/search', auth, async (c) => {
    const body = validate(await readJson(c), { locationId: { type: 'string', required: true } });
    assertLocation(emu, c.get('auth'), String(body.locationId));
    return c.json(searchContacts(locationContacts(String(body.locationId)), body));
  });

  app.get('/contacts/search/duplicate', auth, (c) => {
    const q = validate(c.req.query(), { locationId: { type: 'string', required: true } });
    assertLocation(emu, c.get('auth'), String(q.locationId));
    const hit = findDuplicate(emu, String(q.locationId), c.req.query('email'), c.req.query('number'));
    return c.json({ contact: hit ? contactView(hit) : null });
  });

  app.get('/contacts/business/:businessId', auth, (c) => {
    const q = validate(c.req.query(), { locationId: { type: 'string', required: true } });
    assertLocation(emu, c.get('auth'), String(q.locationId));
    const skip = Number(c.req.query('skip') ?? '0') || 0;
    const limit = Number(c.req.query('limit') ?? '25') || 25;
    const hits = locationContacts(String(q.locationId)).filter(
      (x) => x.businessId === c.req.param('businessId') && matchesQuery(x, c.req.query('query') ?? ''),
    );
    return c.json({ contacts: hits.slice(skip, skip + limit).map(contactView), count: hits.length });
  });

  app.post('/contacts/upsert', auth, async (c) => {
    const body = validate(await readJson(c), {
      ...CREATE_RULES,
      createNewIfDuplicateAllowed: { type: 'boolean' },
    });
    assertLocation(emu, c.get('auth'), String(body.locationId));
    const { createNewIfDuplicateAllowed: _ignored, locationId, ...input } = body;
    const { contact, isNew } = upsertContact(emu, String(locationId), input);
    return c.json({ new: isNew, contact: contactView(contact), traceId: traceId() });
  });

  app.post('/contacts', auth, async (c) => {
    const body = validate(await readJson(c), CREATE_RULES);
    assertLocation(emu, c.get('auth'), String(body.locationId));
    const { locationId, ...input } = body;
    return c.json({ contact: createdContactView(createContact(emu, String(locationId), input)) }, 201);
  });

  // Deprecated list endpoint (removed in v3), kept because older integrations still page with it.
  app.get('/contacts', auth, (c) => {
    const q = validate(c.req.query(), { locationId: { type: 'string', required: true } });
    assertLocation(emu, c.get('auth'), String(q.locationId));
    const limit = Math.min(Number(c.req.query('limit') ?? '20') || 20, 100);
    const startAfter = Number(c.req.query('startAfter') ?? '0') || 0;
    const startAfterId = c.req.query('startAfterId');
    const sorted = locationContacts(String(q.locationId))
      .filter((x) => matchesQuery(x, c.req.query('query') ?? ''))
      .sort((a, b) => Date.parse(a.dateAdded) - Date.parse(b.dateAdded) || (a.id < b.id ? -1 : 1));
    const rest = sorted.filter((x) => {
      const ms = Date.parse(x.dateAdded);
      return (
        !startAfter ||
        ms > startAfter ||
        (ms === startAfter && startAfterId !== undefined && x.id > startAfterId)
      );
    });
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      contacts: page.map(contactView),
      count: sorted.length,
      meta: {
        total: sorted.length,
        currentPage: 1,
        startAfterId: last?.id ?? null,
        startAfter: last ? Date.parse(last.dateAdded) : null,
        nextPage: rest.length > limit ? 2 : null,
        prevPage: null,
      },
    });
  });

  app.get('/contacts/:contactId', auth, (c) => {
    return c.json({ contact: contactView(contactFor(emu, c.get('auth'), c.req.param('contactId'))) });
  });

  app.put('/contacts/:contactId', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const raw = await readJson(c);
    if (raw && typeof raw === 'object') forbidProperties(raw as Record<string, unknown>, ['locationId']);
    const body = validate(raw, CONTACT_RULES);
    return c.json({ succeded: true, contact: contactView(updateContact(emu, contact, body)) });
  });

  app.delete('/contacts/:contactId', auth, (c) => {
    deleteContact(emu, contactFor(emu, c.get('auth'), c.req.param('contactId')));
    return c.json({ succeded: true });
  });

  app.post('/contacts/:contactId/tags', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const body = validate(await readJson(c), { tags: { type: 'stringArray', required: true } });
    return c.json({ tags: changeTags(emu, contact, body.tags as string[], 'add') }, 201);
  });

  app.delete('/contacts/:contactId/tags', auth, async (c) => {
    const contact = contactFor(emu, c.get('auth'), c.req.param('contactId'));
    const body = validate(await readJson(c), { tags: { type: 'stringArray', required: true } });
    return c.json({ tags: changeTags(emu, contact, body.tags as string[], 'remove') });
  });
}
