/**
 * The sync engine end to end in workerd, against the GHL emulator and the "your app" partner
 * emulator over HTTP. One file on purpose: the partner emulator is shared, and these tests
 * inject faults into it, so they run one after another.
 */
import {
  abortAllDurableObjects,
  env,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
  SELF,
} from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { contactStub, tenantStub } from '../../worker/durable/stubs.ts';
import { saveSettings } from '../../worker/settings/store.ts';
import { updateConnection } from '../../worker/tenants/connections.ts';
import { emu } from './helpers.ts';
import { sessionToken } from './panel-helpers.ts';
import {
  deliverGhlBody,
  eventually,
  ghlAct,
  ghlState,
  partner,
  settled,
  syncedLocation,
  syncLog,
  yourAppAct,
  yourAppState,
} from './sync-helpers.ts';

const partnerNote = async (ghlId: string) =>
  (await yourAppState()).objects.note!.find((n) => n.ghlId === ghlId);
const writesTo = async (kind: string, ghlId: string) =>
  (await yourAppState()).received.filter(
    (r) => r.event.type.startsWith(`${kind}.`) && r.event.data.ghlId === ghlId,
  ).length;

/** Every webhook GHL has sent about the location so far (sent to a sink, not to the worker). */
async function ghlWebhooks(locationId: string) {
  await emu('/_emulator/webhooks/drain', { timeoutMs: 5000 });
  return (
    await emu<{ deliveries: { body: string; type: string }[] }>(
      `/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`,
    )
  ).deliveries;
}

/** A partner change made now, delivered when the test says. */
async function heldPartnerChange(type: string, data: Record<string, unknown>) {
  const acted = await partner<{ event: { id: string }; body: string }>(env.YOURAPP_URL, '/_partner/act', {
    type,
    data,
    deliver: false,
  });
  return async (connectionId: string) => {
    const signed = await partner<{ body: string; headers: Record<string, string> }>(
      env.YOURAPP_URL,
      '/_partner/sign',
      { body: acted.body, id: acted.event.id },
    );
    const res = await SELF.fetch(`http://app.test/webhooks/partner/${connectionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed.headers },
      body: signed.body,
    });
    expect(res.status).toBe(200);
  };
}

/** A task made in GHL and synced to the partner. */
async function syncedTask(locationId: string, contactId: string, title: string) {
  const { result } = await ghlAct(locationId, {
    action: 'task.create',
    contactId,
    data: { title, dueDate: '2026-12-07T10:00:00.000Z' },
  });
  const taskId = result.task.id as string;
  const atPartner = await eventually('task at partner', async () =>
    (await yourAppState()).objects.task!.find((t) => t.ghlId === taskId),
  );
  await settled(locationId, contactId);
  return { taskId, atPartner };
}

/** The partner emulator keeps the next `count` writes we send it unanswered, until released. */
const holdPartnerWrites = (count = 1) =>
  partner(env.YOURAPP_URL, '/_partner/faults', { pathPrefix: '/webhooks', hold: true, count });

/** Waits until the partner emulator holds `count` of our writes; answers them. */
const untilHeld = (count = 1) =>
  eventually(`${count} write(s) held at the partner`, async () => {
    const { held } = await partner<{ held: { id: number; cut: boolean }[] }>(
      env.YOURAPP_URL,
      '/_partner/held',
    );
    return held.length === count ? held : null;
  });

/** Lets the held write `id` (or every held write) reach the partner's handler. */
const releaseHeld = (id?: number) =>
  partner(env.YOURAPP_URL, '/_partner/held/release', id === undefined ? {} : { id });

/** Waits until every change delivered to the location has been handed to its contact's queue. */
const handedOn = (locationId: string) =>
  eventually(
    'every delivered change handed on',
    async () => (await tenantStub(env, locationId).storedEvents(locationId)).length === 0,
  );

/**
 * Holds the contact's queue (a partner write kept unanswered), so what is delivered next waits
 * side by side. The answer lets the queue go on once everything delivered meanwhile waits in it.
 */
async function keepQueueBusy(locationId: string, contactId: string) {
  await holdPartnerWrites();
  await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Busy Co' } });
  await untilHeld();
  return async () => {
    await handedOn(locationId);
    await releaseHeld();
  };
}

/** A contact given a company in GHL and synced to the partner; the partner's copy. */
async function syncedContact(locationId: string, contactId: string) {
  await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Start Co' } });
  const atPartner = await eventually('contact at partner', async () =>
    (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId),
  );
  await settled(locationId, contactId);
  return atPartner;
}

/** A partner edit of a synced task (still open, due as created by `syncedTask`), delivered when the test says. */
const heldTaskEdit = (atPartner: { id: string; contact: unknown }, fields: Record<string, unknown>) =>
  heldPartnerChange('task.updated', {
    id: atPartner.id,
    dueDate: '2026-12-07T10:00:00.000Z',
    completed: false,
    contact: atPartner.contact,
    ...fields,
  });

/** A task's title and completion in GHL and at the partner. */
async function taskOnBothSides(locationId: string, taskId: string, partnerId: string) {
  const g = (await ghlState(locationId)).tasks.find((t) => t.id === taskId)!;
  const p = (await yourAppState()).objects.task!.find((t) => t.id === partnerId)!;
  return { ghl: [g.title, g.completed], partner: [p.title, p.completed] };
}

/** Some fields of a contact in GHL and at the partner. */
async function contactOnBothSides(
  locationId: string,
  contactId: string,
  partnerId: string,
  fields: string[],
) {
  const g = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)! as Record<string, unknown>;
  const p = (await yourAppState()).objects.contact!.find((c) => c.id === partnerId)! as Record<
    string,
    unknown
  >;
  return { ghl: fields.map((f) => g[f]), partner: fields.map((f) => p[f]) };
}

/** How many items of a kind wait in the contact's queue, not yet tried. */
const queuedItems = (locationId: string, contactId: string, kind: string) =>
  runInDurableObject(
    contactStub(env, locationId, contactId),
    (_obj, state) =>
      state.storage.sql.exec("SELECT id FROM work WHERE kind = ? AND state = 'queued'", kind).toArray()
        .length,
  );

/**
 * Runs changes one after another, each made once the clock has moved past the one before, so
 * each carries a later time (the order is what the test stages; no fixed pause).
 */
function inOrder() {
  let last = 0;
  return async <T>(act: () => Promise<T>): Promise<T> => {
    const after = last;
    await eventually('the clock to move on', async () => Date.now() > after);
    const out = await act();
    last = Date.now();
    return out;
  };
}

/** Makes every waiting retry due now and runs the contact's alarm once. */
async function fastForward(locationId: string, contactId: string) {
  const stub = contactStub(env, locationId, contactId);
  await runInDurableObject(stub, (_obj, state) => {
    state.storage.sql.exec("UPDATE work SET next_attempt_at = 0 WHERE state = 'retry'");
  });
  await runDurableObjectAlarm(stub);
}

afterEach(async () => {
  await partner(env.YOURAPP_URL, '/_partner/faults', undefined, 'DELETE');
});

describe('GHL → partner and back', () => {
  it('a note written in GHL reaches the partner once, with the GHL id', async () => {
    const { locationId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { result } = await ghlAct(locationId, {
      action: 'note.create',
      contactId,
      data: { body: 'Called, wants a demo' },
    });
    const synced = await eventually('note at partner', () => partnerNote(result.note.id));
    expect(synced.body).toBe('Called, wants a demo');
    await settled(locationId, contactId);
    expect(
      (await syncLog(locationId, { contactId })).filter(
        (e) => e.objectKind === 'note' && e.status === 'done',
      ),
    ).toHaveLength(1);
  });

  it('a note written in the partner app lands on the GHL contact matched by email', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[1])!;
    await yourAppAct(connectionId, 'note.created', {
      body: 'Met at the expo',
      contact: { email: contact.email },
    });
    await eventually('note in GHL', async () =>
      (await ghlState(locationId)).notes.find(
        (n) => n.contactId === contact.id && n.body === 'Met at the expo',
      ),
    );
    expect((await ghlState(locationId)).contacts).toHaveLength(3);
  });
});

describe('order, coalescing, duplicates', () => {
  it('runs one contact’s changes in order: create, two updates, delete leaves nothing at the partner', async () => {
    const { locationId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const created = await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'v1' } });
    const noteId = created.result.note.id;
    await ghlAct(locationId, { action: 'note.update', contactId, noteId, data: { body: 'v2' } });
    await ghlAct(locationId, { action: 'note.update', contactId, noteId, data: { body: 'v3' } });
    await eventually('v3 at partner', async () => (await partnerNote(noteId))?.body === 'v3');
    await ghlAct(locationId, { action: 'note.delete', contactId, noteId });
    await settled(locationId, contactId);
    expect(await partnerNote(noteId)).toBeUndefined();
    const actions = (await syncLog(locationId, { contactId }))
      .filter((e) => e.objectKind === 'note')
      .reverse()
      .map((e) => e.action);
    expect(actions.at(-1)).toMatch(/^delete note/);
  });

  it('coalesces a burst of changes to one contact while its queue is busy', async () => {
    const { locationId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    // The partner holds the first write, so the first change is still running when the rest arrive.
    await holdPartnerWrites();
    await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Acme 1' } });
    await untilHeld();
    for (let i = 2; i <= 5; i++)
      await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: `Acme ${i}` } });
    await handedOn(locationId);
    await releaseHeld();
    await settled(locationId, contactId);
    const writes = (await yourAppState()).received.filter(
      (r) => r.event.type === 'contact.updated' || r.event.type === 'contact.created',
    );
    const forContact = writes.filter((r) => r.event.data.ghlId === contactId);
    expect(forContact.length).toBeGreaterThanOrEqual(1);
    expect(forContact.length).toBeLessThan(5);
    const last = (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId);
    expect(last.companyName).toBe('Acme 5');
  });

  it('a GHL webhook delivered three times is synced once; a partner event delivered three times is applied once', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { result } = await ghlAct(
      locationId,
      {
        action: 'task.create',
        contactId,
        data: { title: 'Send quote', dueDate: '2026-12-01T10:00:00.000Z' },
      },
      { times: 3 },
    );
    await settled(locationId, contactId);
    expect(await writesTo('task', result.task.id)).toBe(1);

    const email = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[2])!.email;
    await yourAppAct(connectionId, 'note.created', { body: 'Triplicate', contact: { email } }, { times: 3 });
    await eventually('note in GHL', async () =>
      (await ghlState(locationId)).notes.some((n) => n.body === 'Triplicate'),
    );
    await settled(locationId, contactIds[2]!);
    expect((await ghlState(locationId)).notes.filter((n) => n.body === 'Triplicate')).toHaveLength(1);
  });

  it('a reordered older delivery does not roll back a newer state', async () => {
    const { locationId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const created = await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'first' } });
    const noteId = created.result.note.id;
    await eventually('note at partner', () => partnerNote(noteId));
    const older = await ghlAct(
      locationId,
      { action: 'note.update', contactId, noteId, data: { body: 'older' } },
      { deliver: false },
    );
    const newer = await ghlAct(
      locationId,
      { action: 'note.update', contactId, noteId, data: { body: 'newer' } },
      { deliver: false },
    );
    for (const d of newer.deliveries) await deliverGhlBody(d.body);
    // Synced before the older report arrives (else the two wait in one item and make one write).
    await settled(locationId, contactId);
    for (const d of older.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect((await partnerNote(noteId)).body).toBe('newer');
    expect(
      (await syncLog(locationId, { contactId })).some(
        (e) => e.status === 'skipped' && /older change/.test(e.error ?? ''),
      ),
    ).toBe(true);
  });

  it('a partner note deleted before its creation was delivered never appears in GHL', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const create = await heldPartnerChange('note.created', {
      body: 'Short-lived',
      contact: { email: contact.email },
    });
    const partnerId = (await yourAppState()).objects.note!.find((n) => n.body === 'Short-lived')!.id;
    const remove = await heldPartnerChange('note.deleted', {
      id: partnerId,
      contact: { email: contact.email },
    });
    await remove(connectionId);
    await create(connectionId);
    await settled(locationId, contact.id);
    expect((await ghlState(locationId)).notes.filter((n) => n.body === 'Short-lived')).toEqual([]);
    expect(
      (await syncLog(locationId, { contactId: contact.id })).some((e) => /older change/.test(e.error ?? '')),
    ).toBe(true);
  });

  it('a partner note deleted before GHL knew its person, delivered before the person and the note, never appears in GHL', async () => {
    const { locationId, connectionId } = await syncedLocation();
    const email = `early-delete-${Date.now()}@example.com`;
    const person = await heldPartnerChange('contact.created', {
      email,
      firstName: 'Noor',
      lastName: 'Haddad',
    });
    const personId = (await yourAppState()).objects.contact!.find((c) => c.email === email)!.id;
    const create = await heldPartnerChange('note.created', {
      body: 'Gone before GHL knew her',
      contact: { id: personId, email },
    });
    const noteId = (await yourAppState()).objects.note!.find(
      (n) => n.body === 'Gone before GHL knew her',
    )!.id;
    const remove = await heldPartnerChange('note.deleted', { id: noteId, contact: { id: personId, email } });
    // The delete comes first, when no GHL contact has the person's email yet; then the person, then the note.
    await remove(connectionId);
    await person(connectionId);
    await create(connectionId);
    const contact = await eventually('contact in GHL', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    await settled(locationId, contact.id);
    expect((await ghlState(locationId)).notes.filter((n) => n.body === 'Gone before GHL knew her')).toEqual(
      [],
    );
    expect(
      (await syncLog(locationId)).some(
        (e) =>
          e.objectId === noteId &&
          e.status === 'skipped' &&
          /deleted at the partner since/.test(e.error ?? ''),
      ),
    ).toBe(true);
  });

  it('a GHL note deleted before its creation was delivered never appears at the partner', async () => {
    const { locationId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const create = await ghlAct(
      locationId,
      { action: 'note.create', contactId, data: { body: 'Gone at once' } },
      { deliver: false },
    );
    const noteId = create.result.note.id as string;
    const remove = await ghlAct(locationId, { action: 'note.delete', contactId, noteId }, { deliver: false });
    for (const d of [...remove.deliveries, ...create.deliveries]) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect(await partnerNote(noteId)).toBeUndefined();
    expect((await yourAppState()).objects.note!.filter((n) => n.body === 'Gone at once')).toEqual([]);
  });

  it('GHL’s report of our create, delivered after the partner deleted the note, does not bring it back', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const marker = (await ghlWebhooks(locationId)).length;
    const create = await heldPartnerChange('note.created', {
      body: 'Gone soon',
      contact: { email: contact.email },
    });
    const partnerId = (await yourAppState()).objects.note!.find((n) => n.body === 'Gone soon')!.id;
    const remove = await heldPartnerChange('note.deleted', {
      id: partnerId,
      contact: { email: contact.email },
    });
    await create(connectionId);
    await settled(locationId, contact.id);
    const report = (await ghlWebhooks(locationId)).slice(marker).find((d) => d.type === 'NoteCreate')!;
    await remove(connectionId);
    await settled(locationId, contact.id);
    expect((await ghlState(locationId)).notes.filter((n) => n.body === 'Gone soon')).toEqual([]);
    // GHL's webhook about our create comes only now.
    await deliverGhlBody(report.body);
    await settled(locationId, contact.id);
    expect((await yourAppState()).objects.note!.filter((n) => n.body === 'Gone soon')).toEqual([]);
    expect(
      (await syncLog(locationId, { contactId: contact.id })).some(
        (e) => e.status === 'skipped' && /deleted on both sides since/.test(e.error ?? ''),
      ),
    ).toBe(true);
  });

  it('the partner’s report of our create, delivered after GHL deleted the note, does not bring it back', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const created = await ghlAct(
      locationId,
      { action: 'note.create', contactId, data: { body: 'Brief' } },
      { deliver: false },
    );
    const noteId = created.result.note.id as string;
    const deleted = await ghlAct(
      locationId,
      { action: 'note.delete', contactId, noteId },
      { deliver: false },
    );
    for (const d of created.deliveries) await deliverGhlBody(d.body);
    const atPartner = await eventually('note at partner', () => partnerNote(noteId));
    const writtenAt = Date.now();
    await settled(locationId, contactId);
    for (const d of deleted.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect(await partnerNote(noteId)).toBeUndefined();
    // The partner's webhook about our create (as a partner that reports its API writes sends it) comes only now.
    const body = JSON.stringify({
      type: 'note.created',
      timestamp: new Date(writtenAt).toISOString(),
      data: { ...atPartner },
    });
    const signed = await partner<{ body: string; headers: Record<string, string> }>(
      env.YOURAPP_URL,
      '/_partner/sign',
      { body },
    );
    const res = await SELF.fetch(`http://app.test/webhooks/partner/${connectionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed.headers },
      body: signed.body,
    });
    expect(res.status).toBe(200);
    await settled(locationId, contactId);
    expect((await ghlState(locationId)).notes.filter((n) => n.body === 'Brief')).toEqual([]);
    expect(
      (await syncLog(locationId, { contactId })).some(
        (e) => e.status === 'skipped' && /deleted on both sides since/.test(e.error ?? ''),
      ),
    ).toBe(true);
  });

  it('a person’s update delivered before their creation: the late creation does not roll the contact back', async () => {
    const { locationId, connectionId } = await syncedLocation();
    const email = `late-${Date.now()}@example.com`;
    const created = await heldPartnerChange('contact.created', { email, firstName: 'Jo', lastName: 'Klein' });
    const partnerId = (await yourAppState()).objects.contact!.find((c) => c.email === email)!.id;
    const updated = await heldPartnerChange('contact.updated', {
      id: partnerId,
      email,
      firstName: 'Ada',
      lastName: 'Diaz',
    });
    await updated(connectionId);
    const contact = await eventually('contact in GHL', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    await created(connectionId);
    await settled(locationId, contact.id);
    const now = (await ghlState(locationId)).contacts.find((c) => c.id === contact.id)!;
    expect([now.firstName, now.lastName]).toEqual(['Ada', 'Diaz']);
  });
  // chaos seed 5 (second run): the partner changed the last name and changed it back; the report
  // of the change back repeated what we knew, and the report of the change came last.
  it('a partner change the partner undid itself, reported after the undo, stays undone', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const later = inOrder();
    const person = { id: atPartner.id, email: atPartner.email };
    // The partner's own last name first, so what it shows later is its own, not our write.
    const own = await later(() => heldPartnerChange('contact.updated', { ...person, lastName: 'Lund' }));
    await own(connectionId);
    await settled(locationId, contactId);
    const changed = await later(() => heldPartnerChange('contact.updated', { ...person, lastName: 'Berg' }));
    const back = await later(() =>
      heldPartnerChange('contact.updated', { ...person, lastName: 'Lund', firstName: 'Ada' }),
    );
    await back(connectionId);
    await settled(locationId, contactId);
    await changed(connectionId);
    await settled(locationId, contactId);
    expect(await contactOnBothSides(locationId, contactId, atPartner.id, ['firstName', 'lastName'])).toEqual({
      ghl: ['Ada', 'Lund'],
      partner: ['Ada', 'Lund'],
    });
  });

  // chaos seed 4: the contact was made in GHL from the partner's update; the partner's create
  // came late, and its next report (made before GHL's newer company reached it) still showed the
  // update's company, which was taken for a new change and beat GHL's.
  it('a late partner creation does not make the company the partner already had look like a new change', async () => {
    const { locationId, connectionId } = await syncedLocation();
    const later = inOrder();
    const email = `late-co-${Date.now()}@example.com`;
    const person = { email, firstName: 'Bo' };
    const created = await later(() =>
      heldPartnerChange('contact.created', { ...person, lastName: 'Ng', companyName: 'Co 20' }),
    );
    const partnerId = (await yourAppState()).objects.contact!.find((c) => c.email === email)!.id;
    const updated = await later(() =>
      heldPartnerChange('contact.updated', {
        ...person,
        id: partnerId,
        lastName: 'Rossi',
        companyName: 'Co 24',
      }),
    );
    await updated(connectionId);
    const contact = await eventually('contact in GHL', async () =>
      (await ghlState(locationId)).contacts.find((c) => c.email === email),
    );
    await settled(locationId, contact.id);
    const ghlEdit = await later(() =>
      ghlAct(
        locationId,
        { action: 'contact.update', contactId: contact.id, data: { companyName: 'Co 32' } },
        { deliver: false },
      ),
    );
    const renamed = await later(() =>
      heldPartnerChange('contact.updated', {
        ...person,
        id: partnerId,
        lastName: 'Diaz',
        companyName: 'Co 24',
      }),
    );
    for (const d of ghlEdit.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contact.id);
    await created(connectionId);
    await renamed(connectionId);
    await settled(locationId, contact.id);
    expect(await contactOnBothSides(locationId, contact.id, partnerId, ['lastName', 'companyName'])).toEqual({
      ghl: ['Diaz', 'Co 32'],
      partner: ['Diaz', 'Co 32'],
    });
  });
});

describe('echo suppression', () => {
  it('our own write to GHL does not come back to the partner as a new change', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const marker = (await ghlWebhooks(locationId)).length;
    await yourAppAct(connectionId, 'note.created', {
      body: 'From the partner',
      contact: { email: contact.email },
    });
    const note = await eventually('note in GHL', async () =>
      (await ghlState(locationId)).notes.find((n) => n.body === 'From the partner'),
    );
    // GHL tells us about the note we just wrote; hand that webhook to the worker.
    const echoes = (await ghlWebhooks(locationId)).slice(marker);
    expect(echoes.some((d) => d.type === 'NoteCreate')).toBe(true);
    for (const d of echoes) await deliverGhlBody(d.body);
    await settled(locationId, contact.id);
    expect(await writesTo('note', note.id)).toBe(0);
    expect(
      (await syncLog(locationId, { contactId: contact.id })).some(
        (e) => e.status === 'skipped' && /echo/.test(e.error ?? ''),
      ),
    ).toBe(true);
  });

  it('the partner echoing our write back does not change GHL again', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { result } = await ghlAct(locationId, {
      action: 'note.create',
      contactId,
      data: { body: 'Round trip' },
    });
    const atPartner = await eventually('note at partner', () => partnerNote(result.note.id));
    const before = (await emu(`/_emulator/stats?locationId=${locationId}`)).byRoute;
    await yourAppAct(connectionId, 'note.updated', {
      id: atPartner.id,
      body: 'Round trip',
      contact: { email: atPartner.contact?.email },
    });
    await settled(locationId, contactId);
    const after = (await emu(`/_emulator/stats?locationId=${locationId}`)).byRoute;
    const writes = (s: Record<string, number>) =>
      Object.entries(s)
        .filter(([k]) => /^(PUT|POST|DELETE) .*notes/.test(k))
        .reduce((n, [, v]) => n + v, 0);
    expect(writes(after)).toBe(writes(before));
  });

  it('GHL’s webhook about an earlier write of ours, arriving after a later one, is still our echo', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const marker = (await ghlWebhooks(locationId)).length;
    // The partner creates and edits a note; both events reach us only afterwards, so our create
    // in GHL is dated after the edit was made.
    const create = await heldPartnerChange('note.created', {
      body: 'first words',
      contact: { email: contact.email },
    });
    const partnerId = (await yourAppState()).objects.note!.find((n) => n.body === 'first words')!.id;
    const edit = await heldPartnerChange('note.updated', {
      id: partnerId,
      body: 'second words',
      contact: { email: contact.email },
    });
    await create(connectionId);
    const note = await eventually('note in GHL', async () =>
      (await ghlState(locationId)).notes.find((n) => n.body === 'first words'),
    );
    await edit(connectionId);
    await eventually(
      'update in GHL',
      async () => (await ghlState(locationId)).notes.find((n) => n.id === note.id)?.body === 'second words',
    );
    await settled(locationId, contact.id);
    // Only now does GHL's NoteCreate about our first write reach the worker.
    const late = (await ghlWebhooks(locationId)).slice(marker).filter((d) => d.type === 'NoteCreate');
    expect(late).toHaveLength(1);
    await deliverGhlBody(late[0]!.body);
    await settled(locationId, contact.id);
    expect((await ghlState(locationId)).notes.find((n) => n.id === note.id)?.body).toBe('second words');
    expect((await yourAppState()).objects.note!.find((n) => n.id === partnerId)!.body).toBe('second words');
    expect(await writesTo('note', note.id)).toBe(0);
  });

  it('GHL’s thin TaskCreate about our create, arriving after our update of that task, is still our echo', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const marker = (await ghlWebhooks(locationId)).length;
    const due = '2026-12-13T17:00:00.000Z';
    const create = await heldPartnerChange('task.created', {
      title: 'Call back',
      body: 'first',
      dueDate: due,
      completed: false,
      contact: { email: contact.email },
    });
    const partnerId = (await yourAppState()).objects.task!.find((t) => t.title === 'Call back')!.id;
    const edit = await heldPartnerChange('task.updated', {
      id: partnerId,
      title: 'Call back (v2)',
      body: 'second',
      dueDate: '2026-12-14T17:00:00.000Z',
      completed: false,
      contact: { email: contact.email },
    });
    await create(connectionId);
    const task = await eventually('task in GHL', async () =>
      (await ghlState(locationId)).tasks.find((t) => t.title === 'Call back'),
    );
    await edit(connectionId);
    await eventually(
      'update in GHL',
      async () =>
        (await ghlState(locationId)).tasks.find((t) => t.id === task.id)?.title === 'Call back (v2)',
    );
    await settled(locationId, contact.id);
    const late = (await ghlWebhooks(locationId)).slice(marker).filter((d) => d.type === 'TaskCreate');
    expect(late).toHaveLength(1);
    await deliverGhlBody(late[0]!.body);
    await settled(locationId, contact.id);
    const inGhl = (await ghlState(locationId)).tasks.find((t) => t.id === task.id)!;
    const atPartner = (await yourAppState()).objects.task!.find((t) => t.id === partnerId)!;
    expect([inGhl.title, inGhl.body, atPartner.title, atPartner.body]).toEqual([
      'Call back (v2)',
      'second',
      'Call back (v2)',
      'second',
    ]);
  });
});

describe('conflicts', () => {
  async function conflictBetween(policy: 'ghl_wins' | 'partner_wins' | 'newest_wins') {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    await saveSettings(env.DB, locationId, { conflictPolicy: policy }, 'test-admin');
    const { result } = await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'base' } });
    const noteId = result.note.id;
    const atPartner = await eventually('note at partner', () => partnerNote(noteId));
    await settled(locationId, contactId);
    // Keep the contact's queue busy so both edits wait side by side.
    const release = await keepQueueBusy(locationId, contactId);
    await ghlAct(locationId, { action: 'note.update', contactId, noteId, data: { body: 'ghl edit' } });
    await yourAppAct(connectionId, 'note.updated', {
      id: atPartner.id,
      body: 'partner edit',
      contact: atPartner.contact,
    });
    await release();
    await settled(locationId, contactId);
    const conflict = (await syncLog(locationId, { contactId, status: 'conflict' }))[0];
    expect(conflict).toBeTruthy();
    const detail = JSON.parse(conflict!.detail!);
    expect(detail.policy).toBe(policy);
    expect(JSON.stringify(detail.ghl)).toContain('ghl edit');
    expect(JSON.stringify(detail.partner)).toContain('partner edit');
    return {
      ghl: (await ghlState(locationId)).notes.find((n) => n.id === noteId).body,
      partner: (await partnerNote(noteId)).body,
      winner: detail.winner,
    };
  }

  it('GHL wins', async () => {
    const r = await conflictBetween('ghl_wins');
    expect(r).toEqual({ ghl: 'ghl edit', partner: 'ghl edit', winner: 'ghl' });
  });

  it('partner wins', async () => {
    const r = await conflictBetween('partner_wins');
    expect(r).toEqual({ ghl: 'partner edit', partner: 'partner edit', winner: 'partner' });
  });

  it('newest wins (the partner edit came last)', async () => {
    const r = await conflictBetween('newest_wins');
    expect(r).toEqual({ ghl: 'partner edit', partner: 'partner edit', winner: 'partner' });
  });
});

describe('both sides changed within moments', () => {
  async function syncedNote(locationId: string, contactId: string) {
    const { result } = await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'base' } });
    const atPartner = await eventually('note at partner', () => partnerNote(result.note.id));
    await settled(locationId, contactId);
    return { noteId: result.note.id as string, atPartner };
  }

  const ghlNote = async (locationId: string, noteId: string) =>
    (await ghlState(locationId)).notes.find((n) => n.id === noteId)?.body;

  it('our write of the older partner edit landed in GHL after the newer GHL edit: GHL gets the GHL edit back', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { noteId, atPartner } = await syncedNote(locationId, contactId);
    const partnerEdit = await heldPartnerChange('note.updated', {
      id: atPartner.id,
      body: 'partner edit',
      contact: atPartner.contact,
    });
    const ghlEdit = await ghlAct(
      locationId,
      { action: 'note.update', contactId, noteId, data: { body: 'ghl edit' } },
      { deliver: false },
    );
    // The partner's (older) webhook comes first: its write lands over the newer GHL edit.
    await partnerEdit(connectionId);
    await settled(locationId, contactId);
    expect(await ghlNote(locationId, noteId)).toBe('partner edit');
    for (const d of ghlEdit.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect({ ghl: await ghlNote(locationId, noteId), partner: (await partnerNote(noteId)).body }).toEqual({
      ghl: 'ghl edit',
      partner: 'ghl edit',
    });
    expect(
      (await syncLog(locationId, { contactId })).some(
        (e) => e.trigger === 'reassert' && e.status === 'done' && e.action === 'restore note in GHL',
      ),
    ).toBe(true);
  });

  it('GHL’s webhook about our write does not fold into the waiting GHL edit it overwrote', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { noteId, atPartner } = await syncedNote(locationId, contactId);
    const partnerEdit = await heldPartnerChange('note.updated', {
      id: atPartner.id,
      body: 'partner edit',
      contact: atPartner.contact,
    });
    const ghlEdit = await ghlAct(
      locationId,
      { action: 'note.update', contactId, noteId, data: { body: 'ghl edit' } },
      { deliver: false },
    );
    const marker = (await ghlWebhooks(locationId)).length;
    await partnerEdit(connectionId);
    await settled(locationId, contactId);
    const echo = (await ghlWebhooks(locationId)).slice(marker).filter((d) => d.type === 'NoteUpdate');
    expect(echo).toHaveLength(1);
    // The GHL edit and GHL's report of our write wait side by side behind a busy queue.
    const release = await keepQueueBusy(locationId, contactId);
    for (const d of ghlEdit.deliveries) await deliverGhlBody(d.body);
    await deliverGhlBody(echo[0]!.body);
    await release();
    await settled(locationId, contactId);
    expect({ ghl: await ghlNote(locationId, noteId), partner: (await partnerNote(noteId)).body }).toEqual({
      ghl: 'ghl edit',
      partner: 'ghl edit',
    });
  });

  it('our write of the older GHL edit landed at the partner after the newer partner edit: the partner gets its edit back', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { noteId, atPartner } = await syncedNote(locationId, contactId);
    const ghlEdit = await ghlAct(
      locationId,
      { action: 'note.update', contactId, noteId, data: { body: 'ghl edit' } },
      { deliver: false },
    );
    const partnerEdit = await heldPartnerChange('note.updated', {
      id: atPartner.id,
      body: 'partner edit',
      contact: atPartner.contact,
    });
    for (const d of ghlEdit.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect((await partnerNote(noteId)).body).toBe('ghl edit');
    await partnerEdit(connectionId);
    await settled(locationId, contactId);
    expect({ ghl: await ghlNote(locationId, noteId), partner: (await partnerNote(noteId)).body }).toEqual({
      ghl: 'partner edit',
      partner: 'partner edit',
    });
    expect(
      (await syncLog(locationId, { contactId })).some(
        (e) => e.trigger === 'reassert' && e.status === 'done' && e.action === 'restore note in the partner',
      ),
    ).toBe(true);
  });

  it('our write of an older GHL edit brought back a note the partner had just deleted: it is deleted there again', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { noteId, atPartner } = await syncedNote(locationId, contactId);
    const ghlEdit = await ghlAct(
      locationId,
      { action: 'note.update', contactId, noteId, data: { body: 'ghl edit' } },
      { deliver: false },
    );
    const partnerDelete = await heldPartnerChange('note.deleted', {
      id: atPartner.id,
      contact: atPartner.contact,
    });
    for (const d of ghlEdit.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    await partnerDelete(connectionId);
    await settled(locationId, contactId);
    expect({ ghl: await ghlNote(locationId, noteId), partner: await partnerNote(noteId) }).toEqual({
      ghl: undefined,
      partner: undefined,
    });
  });

  it('GHL’s webhook about our write, waiting beside a newer partner edit, does not beat it', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { noteId, atPartner } = await syncedNote(locationId, contactId);
    const marker = (await ghlWebhooks(locationId)).length;
    // Two partner edits; the second is made before our write of the first reaches GHL.
    const first = await heldPartnerChange('note.updated', {
      id: atPartner.id,
      body: 'p1',
      contact: atPartner.contact,
    });
    const second = await heldPartnerChange('note.updated', {
      id: atPartner.id,
      body: 'p2',
      contact: atPartner.contact,
    });
    await first(connectionId);
    await settled(locationId, contactId);
    expect(await ghlNote(locationId, noteId)).toBe('p1');
    const echo = (await ghlWebhooks(locationId)).slice(marker).filter((d) => d.type === 'NoteUpdate');
    expect(echo).toHaveLength(1);
    // Keep the contact's queue busy so GHL's echo and the second edit wait side by side.
    const release = await keepQueueBusy(locationId, contactId);
    await deliverGhlBody(echo[0]!.body);
    await second(connectionId);
    await release();
    await settled(locationId, contactId);
    expect({ ghl: await ghlNote(locationId, noteId), partner: (await partnerNote(noteId)).body }).toEqual({
      ghl: 'p2',
      partner: 'p2',
    });
    expect(await syncLog(locationId, { contactId, status: 'conflict' })).toEqual([]);
  });

  it('tags merge tag by tag: a partner remove after a GHL add wins on both sides, and a reordered older add does not undo a remove', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Tag Co' } });
    await eventually('contact at partner', async () =>
      (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId),
    );
    await settled(locationId, contactId);
    const partnerContact = (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId)!;
    const partnerTags = async () =>
      ((await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId)!.tags ?? [])
        .map((t: string) => t.toLowerCase())
        .sort();
    const ghlTags = async () =>
      ((await ghlState(locationId)).contacts.find((c) => c.id === contactId)!.tags ?? [])
        .map((t: string) => t.toLowerCase())
        .sort();
    const ref = { id: partnerContact.id, email: contact.email };

    // GHL adds "alpha"; moments later the partner removes it. GHL's webhook is handled first.
    const ghlAdd = await ghlAct(
      locationId,
      { action: 'tags.add', contactId, tags: ['alpha'] },
      { deliver: false },
    );
    const partnerRemove = await heldPartnerChange('tag.removed', {
      id: partnerContact.id,
      tags: ['alpha'],
      contact: ref,
    });
    for (const d of ghlAdd.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect(await partnerTags()).toContain('alpha');
    await partnerRemove(connectionId);
    await settled(locationId, contactId);
    expect({
      ghl: (await ghlTags()).includes('alpha'),
      partner: (await partnerTags()).includes('alpha'),
    }).toEqual({ ghl: false, partner: false });

    // The partner adds "beta", then removes it; the remove is delivered first.
    const add = await heldPartnerChange('tag.added', { id: partnerContact.id, tags: ['beta'], contact: ref });
    const remove = await heldPartnerChange('tag.removed', {
      id: partnerContact.id,
      tags: ['beta'],
      contact: ref,
    });
    await remove(connectionId);
    await add(connectionId);
    await settled(locationId, contactId);
    expect(await ghlTags()).not.toContain('beta');
  });

  it('a partner remove made between two GHL tag adds that waited together wins over the first add', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Fold Co' } });
    await eventually('contact at partner', async () =>
      (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId),
    );
    await settled(locationId, contactId);
    const partnerContact = (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId)!;
    const tagsOn = async () => ({
      ghl: ((await ghlState(locationId)).contacts.find((c) => c.id === contactId)!.tags ?? [])
        .map((t: string) => t.toLowerCase())
        .sort(),
      partner: ((await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId)!.tags ?? [])
        .map((t: string) => t.toLowerCase())
        .sort(),
    });

    // GHL adds "delta"; the partner then removes it (before it heard of it); GHL then adds "lead".
    const addDelta = await ghlAct(
      locationId,
      { action: 'tags.add', contactId, tags: ['delta'] },
      { deliver: false },
    );
    const removeDelta = await heldPartnerChange('tag.removed', {
      id: partnerContact.id,
      tags: ['delta'],
      contact: { id: partnerContact.id, email: contact.email },
    });
    const addLead = await ghlAct(
      locationId,
      { action: 'tags.add', contactId, tags: ['lead'] },
      { deliver: false },
    );
    // With the contact's queue busy, GHL's two tag reports wait in one item (folded).
    const release = await keepQueueBusy(locationId, contactId);
    for (const d of [...addDelta.deliveries, ...addLead.deliveries]) await deliverGhlBody(d.body);
    await release();
    await settled(locationId, contactId);
    expect((await tagsOn()).partner).toEqual(['delta', 'lead']);
    // The partner's remove arrives last; it is newer than GHL's add of delta.
    await removeDelta(connectionId);
    await settled(locationId, contactId);
    expect(await tagsOn()).toEqual({ ghl: ['lead'], partner: ['lead'] });
    expect(
      (await syncLog(locationId, { contactId })).some(
        (e) =>
          e.trigger === 'reassert' &&
          e.action === 'restore tag in the partner: -delta' &&
          e.status === 'done',
      ),
    ).toBe(true);
  });

  // chaos seed 5: the partner added "warm" and removed it again (that event came late); meanwhile
  // a person added "warm" in GHL, before our write of the partner's add reached GHL.
  it('GHL’s own add of a tag, made before our write of the partner’s add, outlives the partner’s older remove', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactId)!;
    const partnerContact = await syncedContact(locationId, contactId);
    const ref = { id: partnerContact.id, email: contact.email };
    const hasWarm = async () => ({
      ghl: ((await ghlState(locationId)).contacts.find((c) => c.id === contactId)!.tags ?? []).includes(
        'warm',
      ),
      partner: (
        (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId)!.tags ?? []
      ).includes('warm'),
    });
    const later = inOrder();
    const partnerAdd = await later(() =>
      heldPartnerChange('tag.added', { id: partnerContact.id, tags: ['warm'], contact: ref }),
    );
    // GHL still shows the contact without it (an edit of another field reports the tags too).
    const ghlWithout = await later(() =>
      ghlAct(
        locationId,
        { action: 'contact.update', contactId, data: { companyName: 'Warm Co' } },
        { deliver: false },
      ),
    );
    const partnerRemove = await later(() =>
      heldPartnerChange('tag.removed', { id: partnerContact.id, tags: ['warm'], contact: ref }),
    );
    const ghlAdd = await later(() =>
      ghlAct(locationId, { action: 'tags.add', contactId, tags: ['warm'] }, { deliver: false }),
    );
    // Our write of the partner's add reaches GHL (which has warm already), then GHL's reports arrive.
    await partnerAdd(connectionId);
    await settled(locationId, contactId);
    for (const d of [...ghlWithout.deliveries, ...ghlAdd.deliveries]) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    // The partner's remove, older than GHL's add, arrives last.
    await partnerRemove(connectionId);
    await settled(locationId, contactId);
    expect(await hasWarm()).toEqual({ ghl: true, partner: true });
    // The partner got warm back with the contact (written after its remove); the remove itself is older.
    const [remove] = await syncLog(locationId, { contactId });
    expect(remove).toMatchObject({ trigger: 'partner_webhook', status: 'skipped' });
    expect(remove!.detail).toMatch(/tag \\"warm\\": the partner's change is older/);
  });

  // chaos seed 7: GHL's completion was taken for GHL showing our earlier write of a completion,
  // and GHL got the open task back.
  it('GHL’s completion, moments after our writes completed and reopened the task, stands on both sides', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Water plants');
    const done = await heldTaskEdit(atPartner, { title: 'Water plants', completed: true });
    await done(connectionId);
    await settled(locationId, contactId);
    const reopen = await heldTaskEdit(atPartner, { title: 'Water plants (v2)', completed: false });
    await reopen(connectionId);
    await settled(locationId, contactId);
    expect(await taskOnBothSides(locationId, taskId, atPartner.id)).toEqual({
      ghl: ['Water plants (v2)', false],
      partner: ['Water plants (v2)', false],
    });
    await ghlAct(locationId, { action: 'task.complete', taskId });
    await settled(locationId, contactId);
    expect(await taskOnBothSides(locationId, taskId, atPartner.id)).toEqual({
      ghl: ['Water plants (v2)', true],
      partner: ['Water plants (v2)', true],
    });
  });

  it('a partner edit waiting beside an older GHL edit and a newer GHL delete loses to the delete', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Book venue');

    const completed = await ghlAct(locationId, { action: 'task.complete', taskId }, { deliver: false });
    const partnerEdit = await heldPartnerChange('task.updated', {
      id: atPartner.id,
      title: 'Book venue (moved)',
      dueDate: '2026-12-08T10:00:00.000Z',
      completed: false,
      contact: atPartner.contact,
    });
    const deleted = await ghlAct(locationId, { action: 'task.delete', taskId }, { deliver: false });
    // With the contact's queue busy, all three wait side by side; the partner's edit is first in line.
    const release = await keepQueueBusy(locationId, contactId);
    await partnerEdit(connectionId);
    for (const d of [...completed.deliveries, ...deleted.deliveries]) await deliverGhlBody(d.body);
    await release();
    await settled(locationId, contactId);
    expect({
      ghl: (await ghlState(locationId)).tasks.some((t) => t.id === taskId),
      partner: (await yourAppState()).objects.task!.some((t) => t.id === atPartner.id),
    }).toEqual({ ghl: false, partner: false });
    const log = await syncLog(locationId, { contactId });
    expect(
      log.some(
        (e) => e.status === 'conflict' && e.trigger === 'partner_webhook' && /GHL wins/.test(e.error ?? ''),
      ),
    ).toBe(true);
    expect(log.filter((e) => e.status === 'failed')).toEqual([]);
  });

  it('a partner edit of a task GHL deleted meanwhile waits for GHL’s delete instead of failing', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Renew lease');
    const partnerEdit = await heldTaskEdit(atPartner, { title: 'Renew lease (v2)' });
    const deleted = await ghlAct(locationId, { action: 'task.delete', taskId }, { deliver: false });
    await partnerEdit(connectionId);
    await settled(locationId, contactId);
    expect(
      (await syncLog(locationId, { contactId })).find(
        (e) => e.trigger === 'partner_webhook' && e.objectKind === 'task',
      ),
    ).toMatchObject({ status: 'skipped', error: 'deleted in GHL since (its delete syncs on its own)' });
    for (const d of deleted.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect((await yourAppState()).objects.task!.some((t) => t.id === atPartner.id)).toBe(false);
  });

  it('edits of different fields on both sides, each made before the other reached it, are both kept', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    // The partner renames the task; GHL completes it before our write of the rename lands there.
    const one = await syncedTask(locationId, contactId, 'Order cake');
    const rename = await heldTaskEdit(one.atPartner, { title: 'Order cake (chocolate)' });
    const complete = await ghlAct(
      locationId,
      { action: 'task.complete', taskId: one.taskId },
      { deliver: false },
    );
    await rename(connectionId);
    await settled(locationId, contactId);
    for (const d of complete.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    expect(await taskOnBothSides(locationId, one.taskId, one.atPartner.id)).toEqual({
      ghl: ['Order cake (chocolate)', true],
      partner: ['Order cake (chocolate)', true],
    });

    // The other way round: GHL completes, the partner renames before our write of the completion lands there.
    const two = await syncedTask(locationId, contactId, 'Send invites');
    const done = await ghlAct(
      locationId,
      { action: 'task.complete', taskId: two.taskId },
      { deliver: false },
    );
    const renamed = await heldTaskEdit(two.atPartner, { title: 'Send invites (by mail)' });
    for (const d of done.deliveries) await deliverGhlBody(d.body);
    await settled(locationId, contactId);
    await renamed(connectionId);
    await settled(locationId, contactId);
    expect(await taskOnBothSides(locationId, two.taskId, two.atPartner.id)).toEqual({
      ghl: ['Send invites (by mail)', true],
      partner: ['Send invites (by mail)', true],
    });
  });

  it('a conflict keeps the loser’s edits of fields the winner left alone', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Print flyers');
    // The partner renames the task; a moment later GHL completes it. Both wait side by side.
    const rename = await heldTaskEdit(atPartner, { title: 'Print flyers (A5)' });
    const complete = await ghlAct(locationId, { action: 'task.complete', taskId }, { deliver: false });
    const release = await keepQueueBusy(locationId, contactId);
    for (const d of complete.deliveries) await deliverGhlBody(d.body);
    await rename(connectionId);
    await release();
    await settled(locationId, contactId);
    expect(await taskOnBothSides(locationId, taskId, atPartner.id)).toEqual({
      ghl: ['Print flyers (A5)', true],
      partner: ['Print flyers (A5)', true],
    });
    // Different fields: no conflict to settle.
    expect(await syncLog(locationId, { contactId, status: 'conflict' })).toEqual([]);
  });

  it('a conflict keeps the loser’s edits even when the winner’s write failed once and waits for its retry', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Book venue');
    const rename = await heldTaskEdit(atPartner, { title: 'Book venue (50 seats)' });
    // GHL's completion, the newer change, fails at the partner once and waits for its retry.
    await partner(env.YOURAPP_URL, '/_partner/faults', { pathPrefix: '/webhooks', status: 500, count: 1 });
    await ghlAct(locationId, { action: 'task.complete', taskId });
    await eventually('completion waiting for its retry', async () =>
      (await syncLog(locationId, { contactId, status: 'retrying' })).some((e) => e.objectKind === 'task'),
    );
    await rename(connectionId);
    const stub = contactStub(env, locationId, contactId);
    await eventually(
      'rename waiting behind it',
      async () => (await stub.syncStatus(`${locationId}:${contactId}`)).counts.queued === 1,
    );
    await fastForward(locationId, contactId);
    await settled(locationId, contactId);
    expect(await taskOnBothSides(locationId, taskId, atPartner.id)).toEqual({
      ghl: ['Book venue (50 seats)', true],
      partner: ['Book venue (50 seats)', true],
    });
    expect(await syncLog(locationId, { contactId, status: 'conflict' })).toEqual([]);
  });

  it('a conflict keeps the loser’s edits when the winner’s merged write fails once and is retried', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Order badges');
    const rename = await heldTaskEdit(atPartner, { title: 'Order badges (120)' });
    const complete = await ghlAct(locationId, { action: 'task.complete', taskId }, { deliver: false });
    const release = await keepQueueBusy(locationId, contactId);
    // The partner write after the slow one (the completion, carrying the new title) fails once.
    await partner(env.YOURAPP_URL, '/_partner/faults', { pathPrefix: '/webhooks', status: 500, count: 1 });
    for (const d of complete.deliveries) await deliverGhlBody(d.body);
    await rename(connectionId);
    await release();
    await eventually('merged write waiting for its retry', async () =>
      (await syncLog(locationId, { contactId, status: 'retrying' })).some((e) => e.objectKind === 'task'),
    );
    await fastForward(locationId, contactId);
    await settled(locationId, contactId);
    expect(await taskOnBothSides(locationId, taskId, atPartner.id)).toEqual({
      ghl: ['Order badges (120)', true],
      partner: ['Order badges (120)', true],
    });
  });

  it('a conflict keeps the loser’s edits when a newer report is folded into the winner before it runs', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const partnerEdit = await heldPartnerChange('contact.updated', {
      id: atPartner.id,
      email: atPartner.email,
      phone: atPartner.phone,
      firstName: 'Lu',
      lastName: atPartner.lastName,
      companyName: 'Start Co',
    });
    const ghlEdit = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { lastName: 'Hart' } },
      { deliver: false },
    );
    // Queued behind a held write: the partner edit, a second held write, then GHL's newer edit.
    await holdPartnerWrites(2);
    await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'Slow one' } });
    const [slowOne] = await untilHeld();
    await partnerEdit(connectionId);
    await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'Slow two' } });
    for (const d of ghlEdit.deliveries) await deliverGhlBody(d.body);
    await handedOn(locationId);
    await releaseHeld(slowOne!.id);
    // The partner's edit (another field) reached GHL; GHL's waits behind the second held write...
    await eventually(
      'partner edit in GHL',
      async () => (await ghlState(locationId)).contacts.find((c) => c.id === contactId)?.firstName === 'Lu',
    );
    await untilHeld();
    expect(await queuedItems(locationId, contactId, 'contact')).toBe(1);
    // ...where GHL's next edit of the contact is folded into it.
    await ghlAct(locationId, { action: 'contact.update', contactId, data: { companyName: 'Fold Co' } });
    await handedOn(locationId);
    expect(await queuedItems(locationId, contactId, 'contact')).toBe(1);
    await releaseHeld();
    await settled(locationId, contactId);
    expect(
      await contactOnBothSides(locationId, contactId, atPartner.id, ['firstName', 'lastName', 'companyName']),
    ).toEqual({ ghl: ['Lu', 'Hart', 'Fold Co'], partner: ['Lu', 'Hart', 'Fold Co'] });
  });

  it('a field the winning side changed and changed back while its reports were folded is still its own', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const person = {
      id: atPartner.id,
      email: atPartner.email,
      phone: atPartner.phone,
      firstName: atPartner.firstName,
    };
    // The partner renames the person, GHL changes the last name, then the partner puts its old one back.
    const first = await heldPartnerChange('contact.updated', {
      ...person,
      lastName: 'Rossi',
      companyName: 'One Co',
    });
    const ghlEdit = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { lastName: 'Ng' } },
      { deliver: false },
    );
    const second = await heldPartnerChange('contact.updated', {
      ...person,
      lastName: atPartner.lastName,
      companyName: 'Two Co',
    });
    // A held note write holds the queue, so all three wait side by side.
    await holdPartnerWrites();
    await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'Slow one' } });
    await untilHeld();
    await first(connectionId);
    for (const d of ghlEdit.deliveries) await deliverGhlBody(d.body);
    await second(connectionId);
    await handedOn(locationId);
    await releaseHeld();
    await settled(locationId, contactId);
    expect(
      await contactOnBothSides(locationId, contactId, atPartner.id, ['lastName', 'companyName']),
    ).toEqual({ ghl: [atPartner.lastName, 'Two Co'], partner: [atPartner.lastName, 'Two Co'] });
  });

  it('newest wins field by field: a field the winner changed before the loser’s edit takes the loser’s value', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    // GHL changes the last name; then the partner changes it too; then GHL changes the first name.
    const ghlFirst = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { lastName: 'Lund', companyName: 'G1 Co' } },
      { deliver: false },
    );
    const partnerEdit = await heldPartnerChange('contact.updated', {
      id: atPartner.id,
      email: atPartner.email,
      phone: atPartner.phone,
      firstName: atPartner.firstName,
      lastName: 'Okoro',
      companyName: 'P Co',
    });
    const ghlSecond = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { firstName: 'Ada', companyName: 'G2 Co' } },
      { deliver: false },
    );
    // A held note write holds the queue: GHL's two reports are folded into one item beside the partner's.
    await holdPartnerWrites();
    await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'Slow one' } });
    await untilHeld();
    for (const d of ghlFirst.deliveries) await deliverGhlBody(d.body);
    await partnerEdit(connectionId);
    for (const d of ghlSecond.deliveries) await deliverGhlBody(d.body);
    await handedOn(locationId);
    await releaseHeld();
    await settled(locationId, contactId);
    expect(
      await contactOnBothSides(locationId, contactId, atPartner.id, ['firstName', 'lastName', 'companyName']),
    ).toEqual({ ghl: ['Ada', 'Okoro', 'G2 Co'], partner: ['Ada', 'Okoro', 'G2 Co'] });
    expect((await syncLog(locationId, { contactId, status: 'conflict' })).length).toBe(1);
  });

  it('a change that lost a conflict still tells the next change from its side what that side showed', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    // GHL's first edit fails at the partner once and waits for its retry (this contact's only:
    // other test files write to the same partner meanwhile).
    await partner(env.YOURAPP_URL, '/_partner/faults', {
      pathPrefix: '/webhooks',
      status: 500,
      count: 1,
      bodyIncludes: contactId,
    });
    await ghlAct(locationId, {
      action: 'contact.update',
      contactId,
      data: { lastName: 'Okoro', companyName: 'G1 Co' },
    });
    await eventually('first GHL edit waiting for its retry', async () =>
      (await syncLog(locationId, { contactId, status: 'retrying' })).some((e) => e.objectKind === 'contact'),
    );
    // The partner makes the same last name; then GHL puts the old one back, in an item of its own.
    await yourAppAct(connectionId, 'contact.updated', {
      id: atPartner.id,
      email: atPartner.email,
      phone: atPartner.phone,
      firstName: 'Kai',
      lastName: 'Okoro',
      companyName: 'P Co',
    });
    await ghlAct(locationId, {
      action: 'contact.update',
      contactId,
      data: { firstName: 'Fay', lastName: atPartner.lastName, companyName: 'G2 Co' },
    });
    await eventually('both waiting', async () => (await queuedItems(locationId, contactId, 'contact')) === 2);
    await fastForward(locationId, contactId);
    await settled(locationId, contactId);
    expect(
      await contactOnBothSides(locationId, contactId, atPartner.id, ['firstName', 'lastName', 'companyName']),
    ).toEqual({
      ghl: ['Fay', atPartner.lastName, 'G2 Co'],
      partner: ['Fay', atPartner.lastName, 'G2 Co'],
    });
    expect((await syncLog(locationId, { contactId, status: 'conflict' })).length).toBe(2);
  });

  it('an older partner edit delivered after a newer GHL edit keeps the fields the GHL edit left alone', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    // The partner changes three fields; a moment later GHL changes two of them. GHL's is delivered first.
    const partnerEdit = await heldPartnerChange('contact.updated', {
      id: atPartner.id,
      email: atPartner.email,
      phone: atPartner.phone,
      firstName: 'Lu',
      lastName: 'Sato',
      companyName: 'Partner Co',
    });
    await ghlAct(locationId, {
      action: 'contact.update',
      contactId,
      data: { lastName: 'Hart', companyName: 'GHL Co' },
    });
    await settled(locationId, contactId);
    await partnerEdit(connectionId);
    await settled(locationId, contactId);
    expect(
      await contactOnBothSides(locationId, contactId, atPartner.id, ['firstName', 'lastName', 'companyName']),
    ).toEqual({ ghl: ['Lu', 'Hart', 'GHL Co'], partner: ['Lu', 'Hart', 'GHL Co'] });
  });

  it('a partner write whose answer was lost, landing late over a newer change, is written over again', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { noteId, atPartner } = await syncedNote(locationId, contactId);
    // The partner holds our next write, unanswered.
    await holdPartnerWrites();
    await ghlAct(locationId, { action: 'note.update', contactId, noteId, data: { body: 'ghl edit' } });
    const [write] = await untilHeld();
    const stub = contactStub(env, locationId, contactId);
    expect((await stub.syncStatus(`${locationId}:${contactId}`)).counts.running).toBe(1);
    // Meanwhile the partner's user edits the note. It waits behind the lost write's retry
    // (order holds per connection), then wins: it is the newer change.
    await yourAppAct(connectionId, 'note.updated', {
      id: atPartner.id,
      body: 'partner edit',
      contact: atPartner.contact,
    });
    await handedOn(locationId);
    // Our call's answer is lost (its connection drops, as when it times out); the partner still
    // has the write, and applies it when released below.
    await partner(env.YOURAPP_URL, '/_partner/held/cut', { id: write!.id });
    await eventually('the write waiting for its retry', async () =>
      (await syncLog(locationId, { contactId, status: 'retrying' })).some((e) => e.objectKind === 'note'),
    );
    await fastForward(locationId, contactId);
    await eventually(
      'partner edit in GHL',
      async () => (await ghlNote(locationId, noteId)) === 'partner edit',
    );
    await eventually(
      'partner edit written back to the partner',
      async () => (await partnerNote(noteId)).body === 'partner edit',
    );
    // The lost call lands only now.
    await releaseHeld(write!.id);
    // The check scheduled after the lost answer (normally 30 s later) runs now.
    await runInDurableObject(stub, (_obj, state) => {
      state.storage.sql.exec("UPDATE work SET next_attempt_at = 0 WHERE trigger = 'verify'");
    });
    await runDurableObjectAlarm(stub);
    await settled(locationId, contactId);
    expect({ ghl: await ghlNote(locationId, noteId), partner: (await partnerNote(noteId)).body }).toEqual({
      ghl: 'partner edit',
      partner: 'partner edit',
    });
    expect(
      (await syncLog(locationId, { contactId })).some((e) => e.trigger === 'verify' && e.status === 'done'),
    ).toBe(true);
  });
});

describe('late reports: the newest change of each field wins, however late its report arrives', () => {
  const digits = (v: unknown) => String(v ?? '').replace(/\D/g, '');
  /** Names and phone digits of a contact in GHL and at the partner. */
  async function person(locationId: string, contactId: string, partnerId: string) {
    const both = await contactOnBothSides(locationId, contactId, partnerId, [
      'firstName',
      'lastName',
      'phone',
    ]);
    return {
      ghl: [both.ghl[0], both.ghl[1], digits(both.ghl[2])],
      partner: [both.partner[0], both.partner[1], digits(both.partner[2])],
    };
  }
  /** The partner's whole record of the person now, with `edit` over it (what its event carries). */
  const partnerRecord = async (partnerId: string, edit: Record<string, unknown>) => {
    const c = (await yourAppState()).objects.contact!.find((o) => o.id === partnerId)!;
    return {
      id: c.id,
      email: c.email,
      phone: c.phone,
      firstName: c.firstName,
      lastName: c.lastName,
      companyName: c.companyName,
      ...edit,
    };
  };
  const deliverAll = async (held: { deliveries: { body: string }[] }) => {
    for (const d of held.deliveries) await deliverGhlBody(d.body);
  };

  it('case 1: the partner’s phone edit, delivered after two GHL name edits reached the partner, keeps the names', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const phoneEdit = await heldPartnerChange(
      'contact.updated',
      await partnerRecord(atPartner.id, { phone: '+15559990001' }),
    );
    await ghlAct(locationId, { action: 'contact.update', contactId, data: { firstName: 'Ada' } });
    await settled(locationId, contactId);
    await ghlAct(locationId, { action: 'contact.update', contactId, data: { lastName: 'Lund' } });
    await settled(locationId, contactId);
    await phoneEdit(connectionId);
    await settled(locationId, contactId);
    expect(await person(locationId, contactId, atPartner.id)).toEqual({
      ghl: ['Ada', 'Lund', '15559990001'],
      partner: ['Ada', 'Lund', '15559990001'],
    });
  });

  it('case 2: GHL’s phone edit, delivered after two partner name edits reached GHL, keeps the names', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const phoneEdit = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { phone: '+15559990002' } },
      { deliver: false },
    );
    await yourAppAct(connectionId, 'contact.updated', await partnerRecord(atPartner.id, { firstName: 'Bo' }));
    await settled(locationId, contactId);
    await yourAppAct(
      connectionId,
      'contact.updated',
      await partnerRecord(atPartner.id, { lastName: 'Berg' }),
    );
    await settled(locationId, contactId);
    await deliverAll(phoneEdit);
    await settled(locationId, contactId);
    expect(await person(locationId, contactId, atPartner.id)).toEqual({
      ghl: ['Bo', 'Berg', '15559990002'],
      partner: ['Bo', 'Berg', '15559990002'],
    });
  });

  it('case 3: GHL first name, partner first name, GHL phone, delivered partner / GHL second / GHL first: the partner’s name and GHL’s phone', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const ghlName = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { firstName: 'Gus' } },
      { deliver: false },
    );
    const partnerName = await heldPartnerChange(
      'contact.updated',
      await partnerRecord(atPartner.id, { firstName: 'Pia' }),
    );
    // GHL's snapshot of the phone edit still shows GHL's first name.
    const ghlPhone = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { phone: '+15559990003' } },
      { deliver: false },
    );
    await partnerName(connectionId);
    await settled(locationId, contactId);
    await deliverAll(ghlPhone);
    await settled(locationId, contactId);
    await deliverAll(ghlName);
    await settled(locationId, contactId);
    expect(await person(locationId, contactId, atPartner.id)).toEqual({
      ghl: ['Pia', atPartner.lastName, '15559990003'],
      partner: ['Pia', atPartner.lastName, '15559990003'],
    });
  });

  it('a partner first name that lost to GHL’s newer one, each shown first by a later report, does not win when their own reports come', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const partnerName = await heldPartnerChange(
      'contact.updated',
      await partnerRecord(atPartner.id, { firstName: 'Pia' }),
    );
    const ghlName = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { firstName: 'Gus' } },
      { deliver: false },
    );
    // Each side's next edit: its report repeats that side's first name, dated later.
    const partnerLast = await heldPartnerChange(
      'contact.updated',
      await partnerRecord(atPartner.id, { lastName: 'Lund' }),
    );
    const ghlPhone = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { phone: '+15559990005' } },
      { deliver: false },
    );
    await deliverAll(ghlPhone);
    await settled(locationId, contactId);
    await partnerLast(connectionId);
    await settled(locationId, contactId);
    await partnerName(connectionId);
    await settled(locationId, contactId);
    await deliverAll(ghlName);
    await settled(locationId, contactId);
    expect(await person(locationId, contactId, atPartner.id)).toEqual({
      ghl: ['Gus', 'Lund', '15559990005'],
      partner: ['Gus', 'Lund', '15559990005'],
    });
  });

  it('two partner edits stamped with the same millisecond, delivered in the other order, are both kept', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    const act = async (edit: Record<string, unknown>) =>
      partner<{ event: { id: string }; body: string }>(env.YOURAPP_URL, '/_partner/act', {
        type: 'contact.updated',
        data: await partnerRecord(atPartner.id, edit),
        deliver: false,
      });
    const company = await act({ companyName: 'Co 80' });
    const first = await act({ firstName: 'Nia' });
    const stamp = JSON.parse(company.body).timestamp as string;
    for (const acted of [first, company]) {
      const signed = await partner<{ body: string; headers: Record<string, string> }>(
        env.YOURAPP_URL,
        '/_partner/sign',
        { body: JSON.stringify({ ...JSON.parse(acted.body), timestamp: stamp }), id: acted.event.id },
      );
      const res = await SELF.fetch(`http://app.test/webhooks/partner/${connectionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed.headers },
        body: signed.body,
      });
      expect(res.status).toBe(200);
    }
    await settled(locationId, contactId);
    expect(
      await contactOnBothSides(locationId, contactId, atPartner.id, ['firstName', 'companyName']),
    ).toEqual({
      ghl: ['Nia', 'Co 80'],
      partner: ['Nia', 'Co 80'],
    });
  });

  it('GHL showing a last name we wrote earlier, after our later write of another one landed, is a person’s edit', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const atPartner = await syncedContact(locationId, contactId);
    for (const lastName of ['Hart', 'Sato']) {
      await yourAppAct(connectionId, 'contact.updated', await partnerRecord(atPartner.id, { lastName }));
      await settled(locationId, contactId);
    }
    // When our Sato write to GHL ended, as the contact's record has it.
    const satoLanded = await runInDurableObject(contactStub(env, locationId, contactId), (_obj, state) => {
      const row = state.storage.sql.exec("SELECT fields FROM links WHERE kind = 'contact'").one();
      const ghl = JSON.parse(String(row.fields)).fields.lastName.ghl as { v: string; end?: number }[];
      return ghl.findLast((h) => h.v === 'Sato' && h.end !== undefined)!.end!;
    });
    const retyped = await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { lastName: 'Hart' } },
      { deliver: false },
    );
    // GHL dates its report just after our Sato write landed: within moments of our Hart write too.
    for (const d of retyped.deliveries.filter((d) => d.type === 'ContactUpdate'))
      await deliverGhlBody(
        JSON.stringify({ ...JSON.parse(d.body), dateUpdated: new Date(satoLanded + 1).toISOString() }),
      );
    await settled(locationId, contactId);
    expect(await contactOnBothSides(locationId, contactId, atPartner.id, ['lastName'])).toEqual({
      ghl: ['Hart'],
      partner: ['Hart'],
    });
  });

  it('a note edited at the partner, delivered after two GHL edits reached the partner, does not undo them', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { result } = await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'base' } });
    const noteId = result.note.id as string;
    const atPartner = await eventually('note at partner', () => partnerNote(noteId));
    await settled(locationId, contactId);
    const partnerEdit = await heldPartnerChange('note.updated', {
      id: atPartner.id,
      body: 'partner edit',
      contact: atPartner.contact,
    });
    for (const body of ['ghl edit 1', 'ghl edit 2']) {
      await ghlAct(locationId, { action: 'note.update', contactId, noteId, data: { body } });
      await settled(locationId, contactId);
    }
    await partnerEdit(connectionId);
    await settled(locationId, contactId);
    expect({
      ghl: (await ghlState(locationId)).notes.find((n) => n.id === noteId)?.body,
      partner: (await partnerNote(noteId)).body,
    }).toEqual({ ghl: 'ghl edit 2', partner: 'ghl edit 2' });
  });

  it('a note edited in GHL, delivered after two partner edits reached GHL, does not undo them', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { result } = await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'base' } });
    const noteId = result.note.id as string;
    const atPartner = await eventually('note at partner', () => partnerNote(noteId));
    await settled(locationId, contactId);
    const ghlEdit = await ghlAct(
      locationId,
      { action: 'note.update', contactId, noteId, data: { body: 'ghl edit' } },
      { deliver: false },
    );
    for (const body of ['partner edit 1', 'partner edit 2']) {
      await yourAppAct(connectionId, 'note.updated', { id: atPartner.id, body, contact: atPartner.contact });
      await settled(locationId, contactId);
    }
    await deliverAll(ghlEdit);
    await settled(locationId, contactId);
    expect({
      ghl: (await ghlState(locationId)).notes.find((n) => n.id === noteId)?.body,
      partner: (await partnerNote(noteId)).body,
    }).toEqual({ ghl: 'partner edit 2', partner: 'partner edit 2' });
  });

  it('task case 1: the partner’s due-date edit, delivered after GHL’s rename (panel) and completion reached the partner, keeps both', async () => {
    const { locationId, connectionId, contactIds, seed } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Call supplier');
    const due = await heldTaskEdit(atPartner, {
      title: 'Call supplier',
      dueDate: '2026-12-09T10:00:00.000Z',
    });
    const token = await sessionToken({
      userId: 'user-7',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'user',
    });
    const rename = await SELF.fetch(`http://app.test/api/contacts/${contactId}/tasks/${taskId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Call supplier (urgent)' }),
    });
    expect(rename.status).toBe(200);
    await settled(locationId, contactId);
    await ghlAct(locationId, { action: 'task.complete', taskId });
    await settled(locationId, contactId);
    await due(connectionId);
    await settled(locationId, contactId);
    const g = (await ghlState(locationId)).tasks.find((t) => t.id === taskId)!;
    const p = (await yourAppState()).objects.task!.find((t) => t.id === atPartner.id)!;
    const want = ['Call supplier (urgent)', true, Date.parse('2026-12-09T10:00:00.000Z')];
    expect({
      ghl: [g.title, g.completed, Date.parse(g.dueDate)],
      partner: [p.title, p.completed, Date.parse(p.dueDate)],
    }).toEqual({ ghl: want, partner: want });
  });
});

describe('matching partner people to GHL contacts', () => {
  it('matches by email, then by phone, and creates a contact only for someone new', async () => {
    const { locationId, connectionId } = await syncedLocation();
    const [a, b] = (await ghlState(locationId)).contacts;
    await yourAppAct(connectionId, 'contact.created', {
      email: a.email.toUpperCase(),
      firstName: a.firstName,
      lastName: a.lastName,
      companyName: 'Matched By Email',
    });
    await yourAppAct(connectionId, 'contact.created', {
      phone: b.phone,
      firstName: b.firstName,
      lastName: b.lastName,
      companyName: 'Matched By Phone',
    });
    await yourAppAct(connectionId, 'contact.created', {
      email: `new-${Date.now()}@example.com`,
      firstName: 'Nova',
      lastName: 'Person',
    });
    await eventually('three changes applied', async () => {
      const s = await ghlState(locationId);
      return (
        s.contacts.length === 4 &&
        s.contacts.find((c) => c.id === a.id)?.companyName === 'Matched By Email' &&
        s.contacts.find((c) => c.id === b.id)?.companyName === 'Matched By Phone'
      );
    });
    const created = (await syncLog(locationId)).find((e) => e.action === 'create contact in GHL');
    expect(created?.status).toBe('done');
  });
});

describe('panel edits', () => {
  it('a task edited or reopened in the panel reaches the partner, though GHL sends no webhook for either', async () => {
    const { locationId, contactIds, seed } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { taskId, atPartner } = await syncedTask(locationId, contactId, 'Draft contract');
    const token = await sessionToken({
      userId: 'user-7',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'user',
    });
    const put = (path: string, body: unknown) =>
      SELF.fetch(`http://app.test/api/contacts/${contactId}/tasks/${taskId}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const atPartnerNow = async () => (await yourAppState()).objects.task!.find((t) => t.id === atPartner.id)!;

    expect((await put('', { title: 'Draft contract v2', dueDate: '2026-12-10T09:00:00.000Z' })).status).toBe(
      200,
    );
    await eventually('edit at partner', async () => (await atPartnerNow()).title === 'Draft contract v2');
    expect((await atPartnerNow()).dueDate).toBe('2026-12-10T09:00:00.000Z');

    await ghlAct(locationId, { action: 'task.complete', taskId });
    await eventually('completion at partner', async () => (await atPartnerNow()).completed === true);
    expect((await put('/completed', { completed: false })).status).toBe(200);
    await eventually('reopened at partner', async () => (await atPartnerNow()).completed === false);
    await settled(locationId, contactId);
    const fromPanel = (await syncLog(locationId, { contactId })).filter((e) => e.trigger === 'panel');
    expect(fromPanel.map((e) => e.status)).toEqual(['done', 'done']);
    expect((await ghlWebhooks(locationId)).filter((d) => d.type === 'TaskUpdate')).toHaveLength(0);
  });
});

describe('settings', () => {
  it('dry-run mode logs what it would do and writes nothing', async () => {
    const { locationId, contactIds } = await syncedLocation();
    await saveSettings(env.DB, locationId, { dryRun: true }, 'test-admin');
    const { result } = await ghlAct(locationId, {
      action: 'note.create',
      contactId: contactIds[0],
      data: { body: 'dry' },
    });
    await settled(locationId, contactIds[0]!);
    expect(await partnerNote(result.note.id)).toBeUndefined();
    const entry = (await syncLog(locationId, { contactId: contactIds[0] })).find(
      (e) => e.objectKind === 'note',
    );
    expect(entry).toMatchObject({ status: 'skipped', error: 'dry run: nothing written' });
  });

  it('a kind switched off is skipped and logged as skipped', async () => {
    const { locationId, contactIds } = await syncedLocation();
    await saveSettings(env.DB, locationId, { kinds: { tasks: { enabled: false } } }, 'test-admin');
    const { result } = await ghlAct(locationId, {
      action: 'task.create',
      contactId: contactIds[0],
      data: { title: 'Off', dueDate: '2026-12-02T10:00:00.000Z' },
    });
    await settled(locationId, contactIds[0]!);
    expect(await writesTo('task', result.task.id)).toBe(0);
    expect(
      (await syncLog(locationId)).some(
        (e) => e.objectKind === 'task' && e.status === 'skipped' && /switched off/.test(e.error ?? ''),
      ),
    ).toBe(true);
  });
});

describe('backfill and reconciliation', () => {
  it('previews a backfill with counts and no writes, then runs it with progress', async () => {
    const { locationId, connectionId, seed } = await syncedLocation(4);
    const token = await sessionToken({
      userId: 'admin-1',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    const api = (method: string, path: string, body?: unknown) =>
      SELF.fetch(`http://app.test${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
    const before = (await yourAppState()).received.length;

    expect((await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true })).status).toBe(
      202,
    );
    const preview = await eventually('preview done', async () => {
      const { backfill } = (await (
        await api('GET', `/api/connections/${connectionId}/backfill`)
      ).json()) as any;
      return backfill.state === 'done' ? backfill : null;
    });
    expect(preview).toMatchObject({
      dryRun: true,
      total: 4,
      processed: 4,
      counts: { creates: 4, matches: 0 },
    });
    expect((await yourAppState()).received.length).toBe(before);

    expect((await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: false })).status).toBe(
      202,
    );
    const run = await eventually('backfill done', async () => {
      const { backfill } = (await (
        await api('GET', `/api/connections/${connectionId}/backfill`)
      ).json()) as any;
      return backfill.state === 'done' ? backfill : null;
    });
    expect(run).toMatchObject({ dryRun: false, total: 4, processed: 4 });
    for (const c of seed.locations[0]!.contactIds) {
      await eventually('contact at partner', async () =>
        (await yourAppState()).objects.contact!.some((p) => p.ghlId === c),
      );
    }
  });

  it('the reconciliation sweep repairs changes whose webhooks were lost, on both sides', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    await ghlAct(
      locationId,
      { action: 'contact.update', contactId, data: { companyName: 'Missed Webhook Inc' } },
      { deliver: false },
    );
    const email = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[1])!.email;
    await yourAppAct(
      connectionId,
      'note.created',
      { body: 'Never delivered', contact: { email } },
      { deliver: false },
    );

    const result = await tenantStub(env, locationId).reconcile(locationId);
    expect(result.ghlRepaired).toBeGreaterThanOrEqual(1);
    expect(result.partnerChanges).toBeGreaterThanOrEqual(1);
    await eventually(
      'GHL change at partner',
      async () =>
        (await yourAppState()).objects.contact!.find((c) => c.ghlId === contactId)?.companyName ===
        'Missed Webhook Inc',
    );
    await eventually('partner change in GHL', async () =>
      (await ghlState(locationId)).notes.some((n) => n.body === 'Never delivered'),
    );
    expect((await tenantStub(env, locationId).reconcile(locationId)).ghlRepaired).toBe(0);
  });
});

describe('failure handling', () => {
  it('dead-letters after repeated failures, and a replay from the sync log delivers it', async () => {
    const { locationId, contactIds, seed } = await syncedLocation();
    const contactId = contactIds[0]!;
    await partner(env.YOURAPP_URL, '/_partner/faults', { pathPrefix: '/webhooks', status: 500, count: 1000 });
    const { result } = await ghlAct(locationId, {
      action: 'note.create',
      contactId,
      data: { body: 'Eventually' },
    });
    const failed = await eventually(
      'entry failed',
      async () => {
        await fastForward(locationId, contactId);
        return (await syncLog(locationId, { contactId, status: 'failed' })).find(
          (e) => e.objectKind === 'note',
        );
      },
      30_000,
    );
    expect(failed.attempts).toBe(8);
    expect(failed.error).toMatch(/gave up after 8 attempts/);
    await partner(env.YOURAPP_URL, '/_partner/faults', undefined, 'DELETE');

    const token = await sessionToken({
      userId: 'admin-2',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    const res = await SELF.fetch(`http://app.test/api/sync-log/${failed.id}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(202);
    await eventually('note at partner after replay', () => partnerNote(result.note.id));
    await eventually(
      'entry done',
      async () =>
        (await syncLog(locationId, { contactId })).find((e) => e.id === failed.id)?.status === 'done',
    );
  });

  it('work for a connection that needs a reconnect waits for it, and the wait is not counted as a failed attempt', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    await updateConnection(env, connectionId, locationId, { status: 'error' });
    const { result } = await ghlAct(locationId, {
      action: 'note.create',
      contactId,
      data: { body: 'Kept for later' },
    });
    const waiting = await eventually('item parked', async () =>
      (await syncLog(locationId, { contactId })).find(
        (e) => e.objectKind === 'note' && e.status === 'retrying',
      ),
    );
    expect(waiting.error).toMatch(/reconnect/);
    expect(await partnerNote(result.note.id)).toBeUndefined();

    await updateConnection(env, connectionId, locationId, { status: 'active' });
    const stub = contactStub(env, locationId, contactId);
    await evictDurableObject(stub); // drops the object's 15 s cache of connections
    await fastForward(locationId, contactId);
    await eventually('note at partner after the reconnect', () => partnerNote(result.note.id));
    const entry = (await syncLog(locationId, { contactId })).find((e) => e.id === waiting.id)!;
    expect(entry.status).toBe('done');
    expect(entry.attempts).toBe(1);
  });

  it('a restart of the contact object mid-queue loses nothing and writes once', async () => {
    const { locationId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    // The partner holds the write: the object restarts while the item runs.
    await holdPartnerWrites();
    const { result } = await ghlAct(locationId, {
      action: 'note.create',
      contactId,
      data: { body: 'Survives restarts' },
    });
    await untilHeld();
    const status = await contactStub(env, locationId, contactId).syncStatus(`${locationId}:${contactId}`);
    expect(status.counts.running).toBe(1);
    // Torn down at once, mid-call (eviction would first wait for the call to end).
    await abortAllDurableObjects();
    // The cut-off call still reaches the partner afterwards, as a slow one would.
    await releaseHeld();
    // The new object finds the item cut off and runs it again now.
    await fastForward(locationId, contactId);
    await settled(locationId, contactId);
    await eventually('note at partner', () => partnerNote(result.note.id));
    expect((await yourAppState()).objects.note!.filter((n) => n.ghlId === result.note.id)).toHaveLength(1);
  });
});
