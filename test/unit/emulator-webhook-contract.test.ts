import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHarness,
  startReceiver,
  TEST_CLIENT,
  type Harness,
  type Receiver,
} from '../emulator/testkit/harness.ts';
import { schemaErrors } from '../emulator/testkit/openapi.ts';
import { eventSchema, exampleFields, exampleVariants } from '../emulator/testkit/webhook-docs.ts';

/**
 * Webhook bodies the emulator sends, checked against the documented event schemas
 * (test/specs/ghl-api/webhook-events) and the documented field names of their examples.
 */

// Added by GHL to every real delivery, not part of the per-event docs (WebhookAuthentication.md; issue #264).
const ENVELOPE = ['webhookId', 'timestamp', 'appId', 'versionId'];

/** Documented fields real traffic does not carry; the emulator copies real traffic. */
const NOT_SENT: Record<string, { fields: string[]; why: string }> = {
  TaskCreate: {
    fields: ['contactId', 'body'],
    why: 'issue #332: real TaskCreate has no contactId and no body',
  },
  ContactCreate: {
    fields: ['attachments'],
    why: 'issue #324: attachments is a leftover, omitted in real traffic',
  },
  ContactUpdate: { fields: ['attachments'], why: 'issue #324' },
  ContactDelete: { fields: ['attachments'], why: 'issue #324' },
  ContactTagUpdate: { fields: ['attachments'], why: 'issue #324' },
  INSTALL: { fields: ['planId', 'trial'], why: 'only for paid plans / trials; the test app is free' },
};

/** Fields sent that an event's docs do not list. */
const EXTRA_FIELDS: Record<string, string[]> = {
  INSTALL: ['installType', 'versionId'], // [SDK] InstallWebhookRequest lists installType
};

const EXPECTED = [
  'INSTALL',
  'ContactCreate',
  'ContactUpdate',
  'ContactTagUpdate',
  'NoteCreate',
  'NoteUpdate',
  'NoteDelete',
  'TaskCreate',
  'TaskComplete',
  'TaskDelete',
  'AppointmentCreate',
  'AppointmentUpdate',
  'AppointmentDelete',
  'ContactDelete',
  'UNINSTALL',
];

let h: Harness;
let receiver: Receiver;
let bodies: Record<string, unknown>[];

beforeAll(async () => {
  receiver = await startReceiver();
  h = await startHarness({ clients: [{ ...TEST_CLIENT, webhookUrl: receiver.url }] });
  const seeded = await h.seed(1, 0);
  const loc = seeded.locations[0]!;
  const { code } = await h.control('/_emulator/install', {
    clientId: TEST_CLIENT.clientId,
    companyId: seeded.companyId,
    userType: 'Location',
    locationIds: [loc.id],
    webhooks: 'after',
  });
  const token = (await (await h.exchange(code)).json()).access_token as string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await h.api(token, method, path, body);
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.json();
  };
  const { contact } = await call('POST', '/contacts/', {
    locationId: loc.id,
    firstName: 'Dana',
    lastName: 'Scully',
    email: 'dana@example.com',
    phone: '+15035550199',
    address1: '1 Main St',
    city: 'Portland',
    state: 'OR',
    country: 'US',
    postalCode: '97209',
    website: 'https://dana.example.com',
    companyName: 'FBI',
    source: 'public api',
    dateOfBirth: '1964-02-23',
    dnd: false,
    assignedTo: loc.userIds[0],
    tags: ['x-files'],
    customFields: [{ id: 'cf1', field_value: 'blue' }],
  });
  await call('PUT', `/contacts/${contact.id}`, { city: 'Washington' });
  await call('POST', `/contacts/${contact.id}/tags`, { tags: ['agent'] });
  const { note } = await call('POST', `/contacts/${contact.id}/notes`, { body: 'Met at HQ' });
  await call('PUT', `/contacts/${contact.id}/notes/${note.id}`, { body: 'Met at HQ, twice' });
  await call('DELETE', `/contacts/${contact.id}/notes/${note.id}`);
  const { task } = await call('POST', `/contacts/${contact.id}/tasks`, {
    title: 'Call',
    body: 'About the case',
    dueDate: new Date(Date.now() + 86_400_000).toISOString(),
    completed: false,
    assignedTo: loc.userIds[0],
  });
  await call('PUT', `/contacts/${contact.id}/tasks/${task.id}/completed`, { completed: true });
  await call('DELETE', `/contacts/${contact.id}/tasks/${task.id}`);
  const appointment = await call('POST', '/calendars/events/appointments', {
    calendarId: loc.calendarId,
    locationId: loc.id,
    contactId: contact.id,
    startTime: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    title: 'Debrief',
    address: 'Room 1',
  });
  await call('PUT', `/calendars/events/appointments/${appointment.id}`, { title: 'Debrief (moved)' });
  await call('DELETE', `/calendars/events/${appointment.id}`);
  await call('DELETE', `/contacts/${contact.id}`);
  await h.control('/_emulator/uninstall', { clientId: TEST_CLIENT.clientId, locationId: loc.id });
  await h.control('/_emulator/webhooks/drain', {});
  bodies = receiver.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
});

afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('contract: webhook bodies match the documented events', () => {
  it('every mutation was delivered, in order, once', () => {
    expect(bodies.map((b) => b.type)).toEqual(EXPECTED);
  });

  it('carries the delivery envelope: unique webhookId, ISO timestamp, appId and versionId', () => {
    const ids = bodies.map((b) => b.webhookId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const b of bodies) {
      expect(String(b.timestamp)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(b.appId).toBe(TEST_CLIENT.clientId.split('-')[0]);
      expect(String(b.versionId)).toMatch(/^[0-9a-f]{24}$/);
    }
  });

  it.each(EXPECTED.map((t) => [t]))('%s validates against its documented schema and fields', (type) => {
    const body = bodies.find((b) => b.type === type)!;
    expect(body).toBeDefined();
    const schema = eventSchema(type);
    const documented = schema ? Object.keys((schema.properties ?? {}) as object) : exampleFields(type);
    if (schema) expect(schemaErrors(schema, body)).toEqual([]);
    // Nothing invented: every field is documented, part of the envelope, or a listed extra.
    const allowed = new Set([...documented, ...ENVELOPE, ...(EXTRA_FIELDS[type] ?? [])]);
    expect(Object.keys(body).filter((k) => !allowed.has(k))).toEqual([]);
    const skipped = NOT_SENT[type]?.fields ?? [];
    // Nothing documented is missing (for one of the documented variants) unless real traffic leaves it out too.
    const missing = exampleVariants(type).map((fields) =>
      fields.filter((k) => !(k in body) && !skipped.includes(k)),
    );
    expect(missing.sort((a, b) => a.length - b.length)[0]).toEqual([]);
    for (const field of skipped)
      expect(field in body, `${type}.${field}: ${NOT_SENT[type]!.why}`).toBe(false);
  });

  it('appointment events carry their own type (the docs examples wrongly say AppointmentCreate)', () => {
    expect(exampleFields('AppointmentUpdate')).toContain('appointment');
    const update = bodies.find((b) => b.type === 'AppointmentUpdate') as {
      appointment: Record<string, unknown>;
    };
    expect(Object.keys(update.appointment)).toEqual(
      expect.arrayContaining(['id', 'calendarId', 'contactId', 'startTime', 'endTime', 'dateUpdated']),
    );
    expect(update.appointment.title).toBe('Debrief (moved)');
  });
});
