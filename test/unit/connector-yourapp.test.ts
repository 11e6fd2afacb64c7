import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { PartnerApiError } from '../../worker/connectors/http.ts';
import { yourappConnector } from '../../worker/connectors/yourapp.ts';
import {
  toYourAppEvent,
  YOURAPP_DEFAULT_MAPS,
  type YourAppMaps,
} from '../../worker/connectors/yourapp-map.ts';
import type { ConnectorConnection, OutboundChange, PartnerChange } from '../../worker/connectors/types.ts';
import { AppError } from '../../worker/errors.ts';
import { startSink, type Sink } from '../partners/common.ts';
import { signHeaders, startYourAppEmulator, type YourAppEmulator } from '../partners/yourapp.ts';

let app: YourAppEmulator;
let sink: Sink;
let conn: ConnectorConnection;

beforeAll(async () => {
  sink = await startSink();
  app = await startYourAppEmulator({ targetUrl: `${sink.url}/webhooks/partner/conn_ya` });
  conn = {
    id: 'conn_ya',
    locationId: 'loc1',
    kind: 'yourapp',
    settings: { webhookUrl: app.webhookUrl, apiBase: app.url },
    credentials: { webhookSecret: app.secret, apiKey: app.apiKey },
    inboundSecretHash: null,
    createdAt: Date.parse('2020-01-01T00:00:00Z'),
  };
});
afterAll(async () => {
  await app.close();
  await sink.close();
});
beforeEach(async () => {
  await ctl('/reset', {});
  sink.received.length = 0;
});

async function ctl(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${app.url}/_partner${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

const bytes = (s: string) => new TextEncoder().encode(s);
async function lastDelivery(): Promise<{ ok: boolean; changes: PartnerChange[] }> {
  const got = sink.received.at(-1)!;
  const headers = new Headers(got.headers);
  const ok = await yourappConnector.verifyInbound(bytes(got.body), headers, conn);
  return { ok, changes: ok ? yourappConnector.parseInbound(bytes(got.body), headers, conn) : [] };
}

const maps = YOURAPP_DEFAULT_MAPS as YourAppMaps;

describe('your app verifyInbound (Standard Webhooks, inside the connector)', () => {
  const body = JSON.stringify({
    type: 'contact.updated',
    timestamp: '2030-01-01T00:00:00Z',
    data: { id: 'c1' },
  });
  const wh = () => new Webhook(app.secret);

  it('accepts a valid signature', async () => {
    expect(
      await yourappConnector.verifyInbound(bytes(body), new Headers(signHeaders(wh(), 'msg_1', body)), conn),
    ).toBe(true);
  });

  it('rejects missing headers, a wrong key, a tampered body, a stale timestamp and a bad secret', async () => {
    const good = signHeaders(wh(), 'msg_1', body);
    const stale = signHeaders(wh(), 'msg_1', body, 'valid', new Date(Date.now() - 3_600_000));
    const cases: [string, Record<string, string>, ConnectorConnection][] = [
      [body, signHeaders(wh(), 'msg_1', body, 'none'), conn],
      [body, { ...good, 'webhook-id': '' }, conn],
      [body, signHeaders(wh(), 'msg_1', body, 'bad'), conn],
      [`${body} `, good, conn],
      [body, { ...good, 'webhook-id': 'msg_2' }, conn],
      [body, stale, conn],
      [body, good, { ...conn, credentials: { webhookSecret: 'not base64 !!' } }],
      [body, good, { ...conn, credentials: {} }],
    ];
    for (const [raw, headers, c] of cases)
      expect(await yourappConnector.verifyInbound(bytes(raw), new Headers(headers), c)).toBe(false);
  });
});

describe('your app parseInbound (events from the emulator)', () => {
  it('contact.created with tags and custom fields', async () => {
    const r = await ctl('/act', {
      type: 'contact.created',
      data: { email: 'Kim@Example.com', firstName: 'Kim', tags: ['lead'], customFields: { cf1: 'gold' } },
    });
    const { ok, changes } = await lastDelivery();
    expect(ok).toBe(true);
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'contact',
        op: 'upsert',
        partnerId: r.event.data.id,
        contactPartnerId: r.event.data.id,
        dedupeKey: `yourapp:${r.event.id}`,
        data: { email: 'Kim@Example.com', firstName: 'Kim', tags: ['lead'], customFields: { cf1: 'gold' } },
      }),
    ]);
  });

  it('appointment, note, task, tag and delete events', async () => {
    const contact = { id: 'ya_c9', email: 'z@example.com' };
    await ctl('/act', {
      type: 'appointment.updated',
      data: {
        id: 'ap1',
        previousId: 'ap0',
        contact,
        title: 'Demo',
        startTime: '2030-01-01T10:00:00Z',
        endTime: '2030-01-01T11:00:00Z',
        status: 'showed',
      },
    });
    expect((await lastDelivery()).changes[0]).toMatchObject({
      kind: 'appointment',
      op: 'upsert',
      partnerId: 'ap1',
      previousPartnerId: 'ap0',
      contactPartnerId: 'ya_c9',
      contact: { email: 'z@example.com' },
      data: { status: 'showed', startTime: '2030-01-01T10:00:00.000Z' },
    });
    await ctl('/act', {
      type: 'task.created',
      data: { id: 't1', contact, title: 'Call', dueDate: '2030-01-05T00:00:00Z', completed: false },
    });
    expect((await lastDelivery()).changes[0]).toMatchObject({
      kind: 'task',
      data: { title: 'Call', completed: false, dueDate: '2030-01-05T00:00:00.000Z' },
    });
    await ctl('/act', { type: 'note.created', data: { id: 'n1', contact, body: 'Hello' } });
    expect((await lastDelivery()).changes[0]).toMatchObject({ kind: 'note', data: { body: 'Hello' } });
    await ctl('/act', { type: 'tag.added', data: { contact, tags: ['vip'] } });
    expect((await lastDelivery()).changes[0]).toMatchObject({
      kind: 'tag',
      op: 'tag_add',
      partnerId: 'ya_c9',
      data: { tags: ['vip'] },
    });
    await ctl('/act', { type: 'note.deleted', data: { id: 'n1', contact } });
    expect((await lastDelivery()).changes[0]).toMatchObject({
      kind: 'note',
      op: 'delete',
      partnerId: 'n1',
      data: null,
    });
  });

  it('field map overrides rename partner fields, including GHL custom fields', () => {
    const body = JSON.stringify({
      type: 'contact.updated',
      timestamp: '2030-01-01T00:00:00Z',
      data: { id: 'c1', mail: 'm@example.com', plan: 'pro' },
    });
    const c = {
      ...conn,
      settings: {
        ...conn.settings,
        fieldMap: { contact: { email: 'mail', 'customField.planField': 'plan' } },
      },
    };
    const [change] = yourappConnector.parseInbound(bytes(body), new Headers({ 'webhook-id': 'msg_9' }), c);
    expect(change!.data).toEqual({ email: 'm@example.com', customFields: { planField: 'pro' } });
  });

  it('invalid events are 400, types outside the contract 422', () => {
    const status = (event: unknown, id = 'msg_x') => {
      try {
        yourappConnector.parseInbound(
          bytes(typeof event === 'string' ? event : JSON.stringify(event)),
          new Headers(id ? { 'webhook-id': id } : {}),
          conn,
        );
        return 200;
      } catch (err) {
        return (err as AppError).status;
      }
    };
    const ts = '2030-01-01T00:00:00Z';
    expect(status('{')).toBe(400);
    expect(status({ type: 'contact.updated', timestamp: ts, data: { id: 'c' } }, '')).toBe(400);
    expect(status({ type: 'contact.updated', data: { id: 'c' } })).toBe(400);
    expect(status({ type: 'contact.updated', timestamp: ts, data: {} })).toBe(400);
    expect(
      status({
        type: 'appointment.created',
        timestamp: ts,
        data: { id: 'a', startTime: ts, endTime: ts, status: 'maybe' },
      }),
    ).toBe(400);
    expect(status({ type: 'task.created', timestamp: ts, data: { id: 't', title: 'x', dueDate: ts } })).toBe(
      400,
    );
    expect(status({ type: 'invoice.created', timestamp: ts, data: { id: 'i' } })).toBe(422);
    expect(status({ type: 'contact.updated', timestamp: ts, data: { id: 'c' } })).toBe(200);
  });
});

describe('your app outbound', () => {
  const base = {
    ghlId: 'ghl_1',
    occurredAt: '2030-01-01T00:00:00Z',
    contact: { email: 'p@example.com', firstName: 'Pat' },
    contactGhlId: 'ghl_c1',
  };

  it('maps GHL changes to contract events (pure)', () => {
    const note = toYourAppEvent(
      { ...base, kind: 'note', op: 'create', data: { body: 'Hi' } } as OutboundChange,
      maps,
      new Date('2030-01-01T00:00:00Z'),
    );
    expect(note).toEqual({
      type: 'note.created',
      timestamp: '2030-01-01T00:00:00.000Z',
      data: {
        ghlId: 'ghl_1',
        body: 'Hi',
        contact: { email: 'p@example.com', firstName: 'Pat', ghlId: 'ghl_c1' },
      },
    });
    const tag = toYourAppEvent(
      { ...base, kind: 'tag', op: 'tag_remove', partnerId: 'ya_c1', data: { tags: ['x'] } } as OutboundChange,
      maps,
    );
    expect(tag).toMatchObject({ type: 'tag.removed', data: { id: 'ya_c1', tags: ['x'] } });
    const del = toYourAppEvent(
      { ...base, kind: 'task', op: 'delete', partnerId: 't9', data: null } as OutboundChange,
      maps,
    );
    expect(del).toMatchObject({ type: 'task.deleted', data: { id: 't9', ghlId: 'ghl_1' } });
  });

  it('apply signs the event, the partner verifies and stores it, and answers its id', async () => {
    const res = await yourappConnector.apply(
      {
        ...base,
        kind: 'task',
        op: 'create',
        data: { title: 'Follow up', dueDate: '2030-02-01T00:00:00.000Z', completed: false },
      },
      conn,
      'cs:loc1:c1:42',
    );
    const state = await ctl('/state');
    expect(state.objects.task).toEqual([
      expect.objectContaining({ id: res.partnerId, ghlId: 'ghl_1', title: 'Follow up' }),
    ]);
    expect(state.received[0].id).toBe('cs:loc1:c1:42');
    const again = await yourappConnector.apply(
      {
        ...base,
        kind: 'task',
        op: 'create',
        data: { title: 'Follow up', dueDate: '2030-02-01T00:00:00.000Z', completed: false },
      },
      conn,
      'cs:loc1:c1:42',
    );
    expect(again.partnerId).toBe(res.partnerId);
    expect((await ctl('/state')).objects.task).toHaveLength(1);
  });

  it('the reconciliation feed echoes our write with the fingerprint apply returned', async () => {
    const data = { email: 'echo@example.com', firstName: 'Echo', tags: ['a'] };
    const res = await yourappConnector.apply(
      { ...base, kind: 'contact', op: 'update', partnerId: 'ya_contact_77', data },
      conn,
      'k-echo',
    );
    const page = await yourappConnector.listChangedSince(conn, null);
    const echo = page.changes.find((c) => c.partnerId === 'ya_contact_77')!;
    expect(echo.dedupeKey).toBe('yourapp:k-echo');
    expect(echo.fingerprint).toBe(res.echoFingerprint);
  });

  it('listChangedSince pages the feed with the partner cursor; webhook and feed share dedupe keys', async () => {
    for (let i = 0; i < 3; i++)
      await ctl('/act', { type: 'contact.created', data: { email: `f${i}@example.com` } });
    const webhookKeys = await Promise.all(
      sink.received.map(
        async (r) => yourappConnector.parseInbound(bytes(r.body), new Headers(r.headers), conn)[0]!.dedupeKey,
      ),
    );
    const page = await yourappConnector.listChangedSince(conn, null);
    expect(page.changes.map((c) => c.dedupeKey)).toEqual(webhookKeys);
    expect(page.hasMore).toBe(false);
    const next = await yourappConnector.listChangedSince(conn, page.cursor);
    expect(next.changes).toEqual([]);
    await ctl('/act', { type: 'contact.created', data: { email: 'late@example.com' } });
    expect(
      (await yourappConnector.listChangedSince(conn, page.cursor)).changes.map(
        (c) => (c.data as { email: string }).email,
      ),
    ).toEqual(['late@example.com']);
  });

  it('failures are classified: outage retryable, bad key not, no URL not configured', async () => {
    const code = async (c: ConnectorConnection) => {
      try {
        await yourappConnector.apply(
          { ...base, kind: 'note', op: 'create', data: { body: 'x' } },
          c,
          `k-${Math.random()}`,
        );
        return 'ok';
      } catch (err) {
        return `${(err as PartnerApiError).code}:${(err as PartnerApiError).retryable}`;
      }
    };
    await ctl('/faults', { pathPrefix: '/webhooks', status: 503, count: 1 });
    expect(await code(conn)).toBe('unavailable:true');
    expect(
      await code({
        ...conn,
        credentials: { webhookSecret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` },
      }),
    ).toBe('auth_failed:false');
    expect(await code({ ...conn, settings: {} })).toBe('not_configured:false');
    await expect(
      yourappConnector.listChangedSince({ ...conn, credentials: { webhookSecret: app.secret } }, null),
    ).rejects.toMatchObject({ code: 'auth_failed' });
  });
});
