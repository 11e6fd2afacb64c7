/**
 * The sync log as the panel reads it: rows name the contact and what they are about, and our own
 * writes coming back (echoes) are hidden unless asked for. Real sync work against the GHL and
 * your-app emulators; nothing is written into the log by hand.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { emu } from './helpers.ts';
import { call, sessionToken } from './panel-helpers.ts';
import {
  deliverGhlBody,
  eventually,
  ghlAct,
  ghlState,
  settled,
  syncedLocation,
  yourAppAct,
} from './sync-helpers.ts';

describe('a sync log people can read', () => {
  it('names the contact and the object, and hides the echo of our own write unless shown all', async () => {
    const { locationId, connectionId, contactIds, seed } = await syncedLocation(2);
    const token = await sessionToken({
      userId: 'log-admin',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    const name = `${contact.firstName} ${contact.lastName}`.trim();

    // A note made in GHL reaches the partner: the row says which note and whose.
    await ghlAct(locationId, {
      action: 'note.create',
      contactId: contact.id,
      data: { body: 'Called, wants a demo\nsecond line' },
    });
    await settled(locationId, contact.id);

    // A note made in the partner app lands in GHL; GHL's webhook about our write is the echo.
    const before = (
      await emu<{ deliveries: unknown[] }>(
        `/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`,
      )
    ).deliveries.length;
    await yourAppAct(connectionId, 'note.created', {
      body: 'Met at the expo',
      contact: { email: contact.email },
    });
    await eventually('note in GHL', async () =>
      (await ghlState(locationId)).notes.some((n) => n.body === 'Met at the expo'),
    );
    await emu('/_emulator/webhooks/drain', { timeoutMs: 5000 });
    const fresh = (
      await emu<{ deliveries: { body: string; type: string }[] }>(
        `/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`,
      )
    ).deliveries.slice(before);
    for (const d of fresh.filter((x) => x.type === 'NoteCreate')) await deliverGhlBody(d.body);
    await settled(locationId, contact.id);

    const all = (await call(token, 'GET', '/api/sync-log?show=all')).body.entries as any[];
    const echo = all.find((e) => e.status === 'skipped' && /echo of our own write/.test(e.error ?? ''));
    expect(echo, JSON.stringify(all.map((e) => [e.action, e.status, e.error]))).toBeDefined();
    expect(echo.quiet).toBe(true);

    const shown = (await call(token, 'GET', '/api/sync-log')).body.entries as any[];
    expect(shown.some((e) => e.id === echo.id)).toBe(false);
    expect(shown.every((e) => !e.quiet)).toBe(true);
    const toPartner = shown.find(
      (e) => e.objectKind === 'note' && e.status === 'done' && e.subject === 'Called, wants a demo',
    );
    expect(
      toPartner,
      JSON.stringify(shown.map((e) => [e.action, e.status, e.subject, e.contactName])),
    ).toBeDefined();
    expect(toPartner.contactName).toBe(name);
    const intoGhl = shown.find(
      (e) => e.objectKind === 'note' && e.status === 'done' && e.subject === 'Met at the expo',
    );
    expect(intoGhl?.contactName).toBe(name);

    // Each row keeps the requests of its try: method, path, status, duration, bodies.
    const partnerCall = (toPartner.requests as any[]).find((r) => r.side === 'partner');
    expect(partnerCall).toMatchObject({ method: 'POST', path: '/webhooks', status: 200 });
    expect(typeof partnerCall.ms).toBe('number');
    expect(JSON.parse(partnerCall.requestBody)).toMatchObject({
      type: 'note.created',
      data: { body: 'Called, wants a demo\nsecond line' },
    });
    // …and what it changed, field by field.
    expect(toPartner.diff).toContainEqual({
      field: 'body',
      before: null,
      after: 'Called, wants a demo\nsecond line',
    });
    const ghlCall = (intoGhl.requests as any[]).find((r) => r.side === 'ghl' && r.method === 'POST');
    expect(ghlCall.path).toBe(`/contacts/${contact.id}/notes`);
    expect(ghlCall.status).toBeGreaterThanOrEqual(200);
    expect(JSON.parse(ghlCall.requestBody)).toMatchObject({ body: 'Met at the expo' });
  });
});

describe('the requests of every try', () => {
  it('a row keeps each attempt’s requests, grouped per attempt, the last also as `requests`', async () => {
    const { locationId, connectionId, contactIds, seed } = await syncedLocation(1);
    const token = await sessionToken({
      userId: 'tries-admin',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'admin',
    });
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    // GHL refuses the first create of the note: the work is tried twice.
    await emu('/_emulator/faults', {
      locationId,
      pathPrefix: `/contacts/${contact.id}/notes`,
      method: 'POST',
      status: 503,
      count: 1,
    });
    await yourAppAct(connectionId, 'note.created', {
      body: 'Tried twice',
      contact: { email: contact.email },
    });
    await eventually('note in GHL', async () =>
      (await ghlState(locationId)).notes.some((n) => n.body === 'Tried twice'),
    );
    await settled(locationId, contact.id);

    const entries = (await call(token, 'GET', '/api/sync-log')).body.entries as any[];
    const row = entries.find((e) => e.subject === 'Tried twice' && e.status === 'done');
    expect(row, JSON.stringify(entries.map((e) => [e.subject, e.status]))).toBeDefined();
    expect(row.tries.map((t: any) => [t.attempt, t.status])).toEqual([
      [1, 'retrying'],
      [2, 'done'],
    ]);
    const creates = row.tries.map((t: any) =>
      t.requests.find((r: any) => r.side === 'ghl' && r.method === 'POST' && r.path.endsWith('/notes')),
    );
    expect(creates.map((r: any) => r?.status)).toEqual([503, 201]);
    expect(JSON.parse(creates[0].requestBody)).toMatchObject({ body: 'Tried twice' });
    expect(row.tries[0].error).toMatch(/503|unavailable/i);
    expect(row.requests).toEqual(row.tries[1].requests);
    expect(row.earlierTries).toBe(0);
  });
});

describe('timeline items synced from a partner', () => {
  it('name the partner; items made in GHL stay GHL’s', async () => {
    const { locationId, connectionId, contactIds, seed } = await syncedLocation(1);
    const token = await sessionToken({
      userId: 'tl-user',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'user',
    });
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[0])!;
    await ghlAct(locationId, {
      action: 'note.create',
      contactId: contact.id,
      data: { body: 'Written in GHL' },
    });
    await settled(locationId, contact.id);
    await yourAppAct(connectionId, 'note.created', {
      body: 'Written in your app',
      contact: { email: contact.email },
    });
    await eventually('note in GHL', async () =>
      (await ghlState(locationId)).notes.some((n) => n.body === 'Written in your app'),
    );
    await settled(locationId, contact.id);

    const { body } = await call(token, 'GET', `/api/contacts/${contact.id}/timeline?refresh=1`);
    const byBody = (text: string) => (body.items as any[]).find((i) => i.body === text);
    expect(byBody('Written in your app')).toMatchObject({
      source: 'partner',
      partner: { connectionId, name: 'Your app (emulator)', kind: 'yourapp' },
    });
    expect(byBody('Written in GHL')).toMatchObject({ source: 'ghl' });
    expect(byBody('Written in GHL').partner).toBeUndefined();
  });
});
