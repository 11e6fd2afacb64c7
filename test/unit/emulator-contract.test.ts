import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_CLIENT, type Harness, type SeededLocation } from '../emulator/testkit/harness.ts';
import {
  operationSchemas,
  patchSchema,
  schemaErrors,
  undeclaredPaths,
  type Schema,
  type SpecName,
} from '../emulator/testkit/openapi.ts';

/**
 * Every emulated operation: the request body this test sends and the emulator's answer are checked
 * against the official OpenAPI schema of that operation. A new route is one more row.
 */

interface Ctx {
  h: Harness;
  loc: SeededLocation;
  companyId: string;
  token: string;
  companyToken: string;
  refreshToken: string;
  contact(): Promise<string>;
  task(contactId: string): Promise<string>;
  note(contactId: string): Promise<string>;
  appointment(contactId: string): Promise<string>;
}

interface Call {
  path: string;
  body?: unknown;
  /** form-encoded body (the OAuth endpoints) */
  form?: Record<string, string>;
  token?: string;
}

interface Row {
  spec: SpecName;
  path: string;
  method: 'get' | 'post' | 'put' | 'delete';
  status: number;
  call(ctx: Ctx): Promise<Call>;
  /** Fields the emulator sends that the spec does not declare, each one a known gap of the spec. */
  extra?: string[];
  /** Where the spec itself is wrong about real traffic: a commented patch of its schema. */
  fixResponse?(schema: Schema): Schema;
  /** Where the spec has no response schema at all. */
  responseSchema?: Schema;
}

const CONTACT_EXTRA_ON_CREATE = ['contact.name', 'contact.timezone'];
// Tasks and notes carry dateAdded/dateUpdated in real answers; the Task/Note DTOs list neither.
const TASK_DATES = (prefix: string) => [`${prefix}.dateAdded`, `${prefix}.dateUpdated`];
// The spec's CalendarEventDTO types startTime/endTime/dateAdded/dateUpdated as `object`; real answers
// (and the AppointmentCreate webhook docs) carry ISO strings.
const eventDatesAreStrings = (at: string[]) => (schema: Schema) =>
  ['startTime', 'endTime', 'dateAdded', 'dateUpdated'].reduce(
    (s, key) => patchSchema(s, [...at, 'properties', key], { type: 'string' }),
    schema,
  );
const CONTACT_LIST_EXTRA = [
  'contacts[].name',
  'contacts[].firstName',
  'contacts[].lastName',
  'contacts[].emailLowerCase',
  'contacts[].phone',
  'contacts[].companyName',
  'contacts[].dnd',
  'contacts[].type',
  'contacts[].assignedTo',
  'contacts[].address1',
  'contacts[].city',
  'contacts[].state',
  'contacts[].postalCode',
  'contacts[].website',
  'contacts[].dateUpdated',
  'contacts[].firstNameLowerCase',
  'contacts[].lastNameLowerCase',
  'contacts[].fullNameLowerCase',
  'contacts[].dateOfBirth',
  'contacts[].dndSettings',
  'contacts[].gender',
];

// No response schema in the spec at HEAD; shape from the spec at de87e88 (SearchContactSuccessResponseDto).
const SEARCH_RESPONSE: Schema = {
  type: 'object',
  required: ['contacts', 'total'],
  properties: {
    contacts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'locationId', 'dateAdded', 'dateUpdated', 'searchAfter'],
        properties: {
          ...Object.fromEntries(
            [
              'id',
              'phoneLabel',
              'country',
              'address',
              'source',
              'type',
              'locationId',
              'state',
              'businessName',
              'phone',
              'companyName',
              'city',
              'dateOfBirth',
              'firstName',
              'lastName',
              'firstNameLowerCase',
              'lastNameLowerCase',
              'email',
              'assignedTo',
              'postalCode',
              'businessId',
            ].map((k) => [k, { type: 'string' }]),
          ),
          dnd: { type: 'boolean' },
          validEmail: { type: 'boolean' },
          dndSettings: { type: 'object' },
          tags: { type: 'array', items: { type: 'string' } },
          customFields: { type: 'array' },
          followers: { type: 'array' },
          additionalEmails: { type: 'array' },
          additionalPhones: { type: 'array' },
          opportunities: { type: 'array' },
          dateAdded: { type: 'string', format: 'date-time' },
          dateUpdated: { type: 'string', format: 'date-time' },
          searchAfter: { type: 'array', minItems: 2, maxItems: 2 },
        },
      },
    },
    total: { type: 'number' },
  },
};
const DUPLICATE_RESPONSE: Schema = {
  type: 'object',
  required: ['contact'],
  properties: { contact: { anyOf: [{ type: 'null' }, { type: 'object', required: ['id', 'locationId'] }] } },
};

const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const ROWS: Row[] = [
  {
    spec: 'contacts',
    path: '/contacts/',
    method: 'post',
    status: 201,
    extra: CONTACT_EXTRA_ON_CREATE,
    call: async (x) => ({
      path: '/contacts/',
      body: {
        locationId: x.loc.id,
        firstName: 'Rosan',
        lastName: 'Deo',
        email: `rosan${Date.now()}@deos.example.com`,
        phone: '+1 888-555-0142',
        tags: ['VIP'],
        source: 'public api',
      },
    }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}',
    method: 'get',
    status: 200,
    call: async (x) => ({ path: `/contacts/${await x.contact()}` }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}',
    method: 'put',
    status: 200,
    call: async (x) => ({
      path: `/contacts/${await x.contact()}`,
      body: { firstName: 'Renamed', city: 'Dolomite', tags: ['a', 'b'] },
    }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}',
    method: 'delete',
    status: 200,
    call: async (x) => ({ path: `/contacts/${await x.contact()}` }),
  },
  {
    spec: 'contacts',
    path: '/contacts/upsert',
    method: 'post',
    status: 200,
    call: async (x) => ({
      path: '/contacts/upsert',
      body: { locationId: x.loc.id, email: `up${Date.now()}@example.com`, firstName: 'Upsy' },
    }),
  },
  // Search hits are full contacts plus searchAfter; the old DTO does not list a few contact fields.
  {
    spec: 'contacts',
    path: '/contacts/search',
    method: 'post',
    status: 200,
    responseSchema: SEARCH_RESPONSE,
    extra: [
      'contacts[].name',
      'contacts[].emailLowerCase',
      'contacts[].fullNameLowerCase',
      'contacts[].address1',
      'contacts[].website',
    ],
    call: async (x) => ({
      path: '/contacts/search',
      body: {
        locationId: x.loc.id,
        page: 1,
        pageLimit: 2,
        sort: [{ field: 'dateUpdated', direction: 'desc' }],
      },
    }),
  },
  {
    spec: 'contacts',
    path: '/contacts/search/duplicate',
    method: 'get',
    status: 200,
    responseSchema: DUPLICATE_RESPONSE,
    call: async (x) => ({
      path: `/contacts/search/duplicate?locationId=${x.loc.id}&email=nobody%40example.com`,
    }),
  },
  // The deprecated list: its ContactsSearchSchema lists only a handful of the fields real answers carry.
  {
    spec: 'contacts',
    path: '/contacts/',
    method: 'get',
    status: 200,
    extra: [...CONTACT_LIST_EXTRA, 'meta'],
    call: async (x) => ({ path: `/contacts/?locationId=${x.loc.id}&limit=2` }),
  },
  {
    spec: 'contacts',
    path: '/contacts/business/{businessId}',
    method: 'get',
    status: 200,
    call: async (x) => ({ path: `/contacts/business/biz123?locationId=${x.loc.id}` }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tasks',
    method: 'get',
    status: 200,
    extra: TASK_DATES('tasks[]'),
    call: async (x) => {
      const id = await x.contact();
      await x.task(id);
      return { path: `/contacts/${id}/tasks` };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tasks',
    method: 'post',
    status: 201,
    extra: TASK_DATES('task'),
    call: async (x) => ({
      path: `/contacts/${await x.contact()}/tasks`,
      body: { title: 'Call back', body: 'About the quote', dueDate: soon(2), completed: false },
    }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tasks/{taskId}',
    method: 'get',
    status: 200,
    extra: TASK_DATES('task'),
    call: async (x) => {
      const id = await x.contact();
      return { path: `/contacts/${id}/tasks/${await x.task(id)}` };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tasks/{taskId}',
    method: 'put',
    status: 200,
    extra: TASK_DATES('task'),
    call: async (x) => {
      const id = await x.contact();
      return {
        path: `/contacts/${id}/tasks/${await x.task(id)}`,
        body: { title: 'Call back today', dueDate: soon(1) },
      };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tasks/{taskId}/completed',
    method: 'put',
    status: 200,
    extra: TASK_DATES('task'),
    call: async (x) => {
      const id = await x.contact();
      return { path: `/contacts/${id}/tasks/${await x.task(id)}/completed`, body: { completed: true } };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tasks/{taskId}',
    method: 'delete',
    status: 200,
    call: async (x) => {
      const id = await x.contact();
      return { path: `/contacts/${id}/tasks/${await x.task(id)}` };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/notes',
    method: 'get',
    status: 200,
    extra: ['notes[].dateUpdated'],
    call: async (x) => {
      const id = await x.contact();
      await x.note(id);
      return { path: `/contacts/${id}/notes` };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/notes',
    method: 'post',
    status: 201,
    extra: ['note.dateUpdated'],
    call: async (x) => ({
      path: `/contacts/${await x.contact()}/notes`,
      body: { body: 'Spoke on the phone', title: 'Call', pinned: false },
    }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/notes/{id}',
    method: 'get',
    status: 200,
    extra: ['note.dateUpdated'],
    call: async (x) => {
      const id = await x.contact();
      return { path: `/contacts/${id}/notes/${await x.note(id)}` };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/notes/{id}',
    method: 'put',
    status: 200,
    extra: ['note.dateUpdated'],
    call: async (x) => {
      const id = await x.contact();
      return {
        path: `/contacts/${id}/notes/${await x.note(id)}`,
        body: { body: 'Edited', color: '#FFAA00' },
      };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/notes/{id}',
    method: 'delete',
    status: 200,
    call: async (x) => {
      const id = await x.contact();
      return { path: `/contacts/${id}/notes/${await x.note(id)}` };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/appointments',
    method: 'get',
    status: 200,
    call: async (x) => {
      const id = await x.contact();
      await x.appointment(id);
      return { path: `/contacts/${id}/appointments` };
    },
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tags',
    method: 'post',
    status: 201,
    call: async (x) => ({
      path: `/contacts/${await x.contact()}/tags`,
      body: { tags: ['Gold', 'newsletter'] },
    }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tags',
    method: 'delete',
    status: 200,
    call: async (x) => ({ path: `/contacts/${await x.contact()}/tags`, body: { tags: ['seeded'] } }),
  },

  {
    spec: 'oauth',
    path: '/oauth/token',
    method: 'post',
    status: 200,
    call: async (x) => {
      const { code } = await x.h.control('/_emulator/install', {
        clientId: TEST_CLIENT.clientId,
        companyId: x.companyId,
        userType: 'Location',
        locationIds: [x.loc.id],
        webhooks: 'none',
      });
      return {
        path: '/oauth/token',
        form: {
          client_id: TEST_CLIENT.clientId,
          client_secret: TEST_CLIENT.clientSecret,
          grant_type: 'authorization_code',
          code,
          user_type: 'Location',
          redirect_uri: 'https://app.example.com/oauth/callback',
        },
      };
    },
  },
  {
    spec: 'oauth',
    path: '/oauth/token',
    method: 'post',
    status: 200,
    call: async (x) => ({
      path: '/oauth/token',
      form: {
        client_id: TEST_CLIENT.clientId,
        client_secret: TEST_CLIENT.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: x.refreshToken,
        user_type: 'Location',
      },
    }),
  },
  // refresh_token (issue #285) and userType/companyId are in real answers but not in the v2 DTO.
  {
    spec: 'oauth',
    path: '/oauth/locationToken',
    method: 'post',
    status: 200,
    extra: ['refresh_token', 'userType', 'companyId'],
    call: async (x) => ({
      path: '/oauth/locationToken',
      token: x.companyToken,
      form: { companyId: x.companyId, locationId: x.loc.id },
    }),
  },
  {
    spec: 'oauth',
    path: '/oauth/installedLocations',
    method: 'get',
    status: 200,
    call: async (x) => ({
      path: `/oauth/installedLocations?companyId=${x.companyId}&appId=${TEST_CLIENT.clientId.split('-')[0]}&isInstalled=true`,
      token: x.companyToken,
    }),
  },
  // As the agency console asks: every sub-account, installed or not, a page at a time.
  {
    spec: 'oauth',
    path: '/oauth/installedLocations',
    method: 'get',
    status: 200,
    call: async (x) => ({
      path: `/oauth/installedLocations?companyId=${x.companyId}&appId=${TEST_CLIENT.clientId.split('-')[0]}&skip=0&limit=100`,
      token: x.companyToken,
    }),
  },

  // The spec says LocationTaskListSuccessfulResponseDto.tasks is an array of arrays; real answers hold task objects.
  {
    spec: 'locations',
    path: '/locations/{locationId}/tasks/search',
    method: 'post',
    status: 200,
    fixResponse: (s) =>
      patchSchema(s, ['properties', 'tasks', 'items'], { type: 'object', required: ['id', 'contactId'] }),
    call: async (x) => {
      const id = await x.contact();
      await x.task(id);
      return {
        path: `/locations/${x.loc.id}/tasks/search`,
        body: { contactId: [id], completed: false, limit: 10, skip: 0 },
      };
    },
  },
  {
    spec: 'locations',
    path: '/locations/{locationId}',
    method: 'get',
    status: 200,
    call: async (x) => ({ path: `/locations/${x.loc.id}` }),
  },

  {
    spec: 'calendars',
    path: '/calendars/',
    method: 'get',
    status: 200,
    call: async (x) => ({ path: `/calendars/?locationId=${x.loc.id}` }),
  },
  {
    spec: 'calendars',
    path: '/calendars/{calendarId}/free-slots',
    method: 'get',
    status: 200,
    // The answer is a map keyed by day; the spec types only its values, so the keys are held to its
    // documented form (YYYY-MM-DD) here, and the row asks for a range that has slots.
    fixResponse: (schema) => ({
      ...schema,
      propertyNames: { pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
      minProperties: 1,
    }),
    call: async (x) => ({
      path: `/calendars/${x.loc.calendarId}/free-slots?startDate=${Date.now()}&endDate=${Date.now() + 7 * 86_400_000}&timezone=America/Chicago`,
    }),
  },
  {
    spec: 'calendars',
    path: '/calendars/{calendarId}/free-slots',
    method: 'get',
    status: 400,
    call: async (x) => ({
      path: `/calendars/${x.loc.calendarId}/free-slots?startDate=${Date.now()}&endDate=${Date.now() + 40 * 86_400_000}`,
    }),
  },
  {
    spec: 'calendars',
    path: '/calendars/events',
    method: 'get',
    status: 200,
    extra: ['events[].description'],
    fixResponse: eventDatesAreStrings(['properties', 'events', 'items']),
    call: async (x) => {
      await x.appointment(await x.contact());
      return {
        path: `/calendars/events?locationId=${x.loc.id}&calendarId=${x.loc.calendarId}&startTime=${Date.now() - 86_400_000}&endTime=${Date.now() + 30 * 86_400_000}`,
      };
    },
  },
  {
    spec: 'calendars',
    path: '/calendars/events/appointments',
    method: 'post',
    status: 200,
    extra: ['dateAdded', 'dateUpdated'],
    call: async (x) => ({
      path: '/calendars/events/appointments',
      body: {
        calendarId: x.loc.calendarId,
        locationId: x.loc.id,
        contactId: await x.contact(),
        startTime: soon(3),
        endTime: soon(3.02),
        title: 'Consult',
        appointmentStatus: 'confirmed',
        address: 'Zoom',
        ignoreFreeSlotValidation: true,
      },
    }),
  },
  {
    spec: 'calendars',
    path: '/calendars/events/appointments/{eventId}',
    method: 'get',
    status: 200,
    extra: ['event.description'],
    fixResponse: eventDatesAreStrings(['properties', 'event']),
    call: async (x) => ({ path: `/calendars/events/appointments/${await x.appointment(await x.contact())}` }),
  },
  {
    spec: 'calendars',
    path: '/calendars/events/appointments/{eventId}',
    method: 'put',
    status: 200,
    extra: ['dateAdded', 'dateUpdated'],
    call: async (x) => ({
      path: `/calendars/events/appointments/${await x.appointment(await x.contact())}`,
      body: { title: 'Moved', startTime: soon(4), endTime: soon(4.02), appointmentStatus: 'confirmed' },
    }),
  },
  {
    spec: 'calendars',
    path: '/calendars/events/{eventId}',
    method: 'delete',
    status: 201,
    call: async (x) => ({ path: `/calendars/events/${await x.appointment(await x.contact())}`, body: {} }),
  },

  // Error answers use the shared shapes of common-schemas.json.
  {
    spec: 'contacts',
    path: '/contacts/{contactId}',
    method: 'get',
    status: 400,
    call: async () => ({ path: '/contacts/NoSuchContact0000000' }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}',
    method: 'get',
    status: 401,
    call: async () => ({ path: '/contacts/NoSuchContact0000000', token: 'garbage' }),
  },
  {
    spec: 'contacts',
    path: '/contacts/{contactId}/tasks',
    method: 'post',
    status: 422,
    call: async (x) => ({
      path: `/contacts/${await x.contact()}/tasks`,
      body: { body: 'no title, no due date' },
    }),
  },
];

let ctx: Ctx;

beforeAll(async () => {
  const h = await startHarness();
  const seeded = await h.seed(1, 3);
  const loc = seeded.locations[0]!;
  const company = await h.installCompany(seeded.companyId, [loc.id]);
  const location = await h.installLocation(loc.id, seeded.companyId);
  let n = 0;
  const act = async (body: Record<string, unknown>) =>
    h.control('/_emulator/act', { locationId: loc.id, ...body });
  ctx = {
    h,
    loc,
    companyId: seeded.companyId,
    token: location.access_token,
    companyToken: company.access_token,
    refreshToken: location.refresh_token,
    contact: async () =>
      (
        await act({
          action: 'contact.create',
          data: {
            firstName: 'Fixture',
            lastName: `N${++n}`,
            email: `fixture${n}-${Date.now()}@example.com`,
            tags: ['seeded'],
          },
        })
      ).contact.id,
    task: async (contactId) =>
      (
        await act({
          action: 'task.create',
          contactId,
          data: { title: 'Fixture task', body: 'b', dueDate: soon(5) },
        })
      ).task.id,
    note: async (contactId) =>
      (await act({ action: 'note.create', contactId, data: { body: 'Fixture note' } })).note.id,
    appointment: async (contactId) =>
      (
        await act({
          action: 'appointment.create',
          contactId,
          data: { startTime: soon(2), title: 'Fixture visit' },
        })
      ).appointment.id,
  };
});

afterAll(() => ctx?.h.close());

describe('contract: emulator requests and answers match the official OpenAPI specs', () => {
  it('the schema helper really rejects wrong data', () => {
    const schemas = operationSchemas('contacts', '/contacts/{contactId}', 'get');
    expect(schemaErrors(schemas.responses['200']!, { contact: { id: 5, tags: 'x' } }).length).toBeGreaterThan(
      0,
    );
    expect(undeclaredPaths(schemas.responses['200'], { contact: { id: 'a', succeeded: true } })).toEqual([
      'contact.succeeded',
    ]);
    expect(
      schemaErrors(operationSchemas('contacts', '/contacts/{contactId}/tasks', 'post').request!, { title: 1 })
        .length,
    ).toBeGreaterThan(0);
  });

  it.each(ROWS.map((row) => [`${row.method.toUpperCase()} ${row.path} → ${row.status}`, row] as const))(
    '%s',
    async (_name, row) => {
      const schemas = operationSchemas(row.spec, row.path, row.method);
      const call = await row.call(ctx);
      const payload = call.form ?? call.body;
      if (payload !== undefined && schemas.request && row.status < 400) {
        expect(schemaErrors(schemas.request, payload), 'request body vs spec').toEqual([]);
      }
      const version = row.spec === 'calendars' ? '2021-04-15' : '2021-07-28';
      const headers: Record<string, string> = { version, authorization: `Bearer ${call.token ?? ctx.token}` };
      let body: string | undefined;
      if (call.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(call.form).toString();
      } else if (call.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(call.body);
      }
      const res = await fetch(`${ctx.h.url}${call.path}`, {
        method: row.method.toUpperCase(),
        headers,
        body,
      });
      const json = await res.json();
      expect(res.status, JSON.stringify(json)).toBe(row.status);
      const declared = schemas.responses[String(row.status)];
      const schema =
        row.responseSchema ?? (declared && row.fixResponse ? row.fixResponse(declared) : declared);
      expect(schema, 'the spec (or the row) names a response schema').toBeDefined();
      expect(schemaErrors(schema!, json), 'response vs spec').toEqual([]);
      expect(undeclaredPaths(schema, json).sort(), 'fields the spec does not declare').toEqual(
        [...(row.extra ?? [])].filter((p) => undeclaredPaths(schema, json).includes(p)).sort(),
      );
      for (const extra of row.extra ?? [])
        expect(extra.split(/[.[]/)[0]! in (json as object), `extra ${extra} is really sent`).toBe(true);
    },
  );
});
