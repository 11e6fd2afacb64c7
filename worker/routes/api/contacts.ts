import { Hono } from 'hono';
import * as v from 'valibot';
import type { SessionEnv } from '../../auth/session.ts';
import { AppError } from '../../errors.ts';
import type { GhlContact } from '../../ghl/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { outsideLocation } from './errors.ts';
import { contactInLocation, ghlOf, inLocation, locationOf, remember, writeThrough } from './scope.ts';
import { ContactParams, GhlId, jsonBody, notEmpty, paramsOf, queryOf } from './validate.ts';

const Text = (max = 255) => v.optional(v.nullable(v.pipe(v.string(), v.maxLength(max))));
const Tag = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100));

/** Contact fields as GHL names them (CreateContactDto / UpdateContactDto); other keys are dropped. */
const ContactFields = {
  firstName: Text(),
  lastName: Text(),
  name: Text(),
  email: v.optional(
    v.nullable(
      v.union([
        v.literal(''),
        v.pipe(v.string(), v.trim(), v.maxLength(320), v.email('must be an email address')),
      ]),
    ),
  ),
  phone: Text(40),
  address1: Text(),
  city: Text(),
  state: Text(),
  postalCode: Text(32),
  country: Text(64),
  website: Text(2048),
  timezone: Text(64),
  companyName: Text(),
  source: Text(),
  gender: Text(32),
  dateOfBirth: Text(64),
  assignedTo: v.optional(v.nullable(GhlId)),
  dnd: v.optional(v.boolean()),
  dndSettings: v.optional(
    v.record(
      v.string(),
      v.object({
        status: v.picklist(['active', 'inactive', 'permanent']),
        message: v.optional(v.string()),
        code: v.optional(v.string()),
      }),
    ),
  ),
  tags: v.optional(v.pipe(v.array(Tag), v.maxLength(100))),
  customFields: v.optional(
    v.pipe(
      v.array(
        v.object({
          id: v.optional(v.string()),
          key: v.optional(v.string()),
          field_value: v.optional(v.unknown()),
          value: v.optional(v.unknown()),
        }),
      ),
      v.maxLength(200),
    ),
  ),
  /** Checked against the session; never forwarded (GHL takes the location from our token). */
  locationId: v.optional(v.string()),
};

const ContactCreate = v.pipe(
  v.object(ContactFields),
  v.check(
    (c) => Boolean(c.firstName || c.lastName || c.name || c.email || c.phone),
    'a contact needs a name, an email or a phone',
  ),
);
const ContactUpdate = v.pipe(
  v.object(ContactFields),
  v.check((c) => notEmpty({ ...c, locationId: undefined }), 'send at least one field to change'),
);

const SearchQuery = v.object({
  query: v.optional(v.pipe(v.string(), v.maxLength(75))),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'must be a number'),
      v.transform(Number),
      v.minValue(1),
      v.maxValue(100),
    ),
  ),
  cursor: v.optional(v.string()),
});

/** What the opaque search cursor holds: the query it belongs to, how far we are, where to go on. */
const SearchCursor = v.object({
  q: v.string(),
  n: v.number(),
  sa: v.optional(v.pipe(v.array(v.union([v.string(), v.number()])), v.maxLength(4))),
  p: v.optional(v.number()),
});

type ContactInput = v.InferOutput<typeof ContactCreate>;

/** The body GHL gets: only our validated fields, never a locationId of the caller's choosing. */
function forGhl(c: { var: { session: { locationId: string } } }, input: ContactInput): Partial<GhlContact> {
  const { locationId, ...fields } = input;
  if (locationId !== undefined && locationId !== c.var.session.locationId)
    outsideLocation('Contact', `body names location ${locationId}`);
  return Object.fromEntries(Object.entries(fields).filter(([, x]) => x !== undefined)) as Partial<GhlContact>;
}

const withoutPaging = ({ searchAfter: _s, ...contact }: GhlContact & { searchAfter?: unknown }) => contact;

/** `/api/contacts`: search, read, create, update, delete (docs/CONTRACT.md §4). */
export const contactRoutes = new Hono<SessionEnv>();

contactRoutes.get('/', queryOf(SearchQuery), async (c) => {
  const { query = '', limit = 20, cursor } = c.req.valid('query');
  const at = cursor ? decodeCursor(cursor, SearchCursor) : null;
  if (at && at.q !== query)
    throw new AppError(
      400,
      'invalid_cursor',
      'The cursor belongs to another search; start again from the first page.',
    );
  const body: Record<string, unknown> = {
    pageLimit: limit,
    sort: [{ field: 'dateAdded', direction: 'desc' }],
  };
  if (query.trim()) body.query = query.trim();
  if (at?.sa) body.searchAfter = at.sa;
  else if (at?.p) body.page = at.p;
  const result = await ghlOf(c).searchContacts(body);
  const page = result.contacts ?? [];
  const contacts = page.filter((x) => x.locationId === c.var.session.locationId).map(withoutPaging);
  if (contacts.length !== page.length)
    console.error('search returned contacts of another location', c.var.session.locationId);
  await remember(c, contacts);
  const seen = (at?.n ?? 0) + page.length;
  const last = page.at(-1) as (GhlContact & { searchAfter?: unknown }) | undefined;
  const more =
    page.length === limit &&
    seen < (typeof result.total === 'number' ? result.total : Number.POSITIVE_INFINITY);
  const next = Array.isArray(last?.searchAfter)
    ? { sa: last.searchAfter as (string | number)[] }
    : { p: (at?.p ?? 1) + 1 };
  return c.json({
    contacts,
    nextCursor: more ? encodeCursor({ q: query, n: seen, ...next }) : null,
    total: result.total ?? null,
  });
});

contactRoutes.post('/', jsonBody(ContactCreate), async (c) => {
  const contact = inLocation(c, await ghlOf(c).createContact(forGhl(c, c.req.valid('json'))));
  await remember(c, [contact]);
  return c.json({ contact }, 201);
});

contactRoutes.get('/:contactId', paramsOf(ContactParams), async (c) => {
  const contact = inLocation(c, await ghlOf(c).getContact(c.req.valid('param').contactId));
  await remember(c, [contact]);
  return c.json({ contact });
});

contactRoutes.put('/:contactId', paramsOf(ContactParams), jsonBody(ContactUpdate), async (c) => {
  const { contactId } = c.req.valid('param');
  const input = forGhl(c, c.req.valid('json'));
  await contactInLocation(c, contactId);
  const contact = inLocation(c, await ghlOf(c).updateContact(contactId, input));
  await remember(c, [contact]);
  return c.json({ contact });
});

contactRoutes.delete('/:contactId', paramsOf(ContactParams), async (c) => {
  const { contactId } = c.req.valid('param');
  await contactInLocation(c, contactId);
  await ghlOf(c).deleteContact(contactId);
  await locationOf(c).forgetContact(c.var.session.locationId, contactId);
  await writeThrough(c, contactId, { op: 'clear' });
  return c.json({ ok: true, id: contactId });
});
