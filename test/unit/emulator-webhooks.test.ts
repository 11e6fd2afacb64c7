import { createPublicKey, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  sleep,
  startHarness,
  startReceiver,
  TEST_CLIENT,
  type Harness,
  type Receiver,
} from '../emulator/testkit/harness.ts';

let h: Harness | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await h?.close();
  await receiver?.close();
  h = undefined;
  receiver = undefined;
});

/** An emulator whose test app sends webhooks to `receiver`, with one installed location and a token. */
async function setup(
  answer?: (i: number, body: string) => number,
  options: Parameters<typeof startHarness>[0] = {},
) {
  receiver = await startReceiver(answer);
  h = await startHarness({
    clients: [{ ...TEST_CLIENT, webhookUrl: receiver.url }],
    webhookRetryDelayMs: 50,
    ...options,
  });
  const seeded = await h.seed(1, 2);
  const loc = seeded.locations[0]!;
  const token = (await h.installLocation(loc.id, seeded.companyId)).access_token as string;
  return { h, receiver, seeded, loc, token };
}

const ed25519Ok = (pem: string, body: string, sig: string) =>
  verify(null, Buffer.from(body), createPublicKey(pem), Buffer.from(sig, 'base64'));
const rsaOk = (pem: string, body: string, sig: string) =>
  verify('sha256', Buffer.from(body), createPublicKey(pem), Buffer.from(sig, 'base64'));

describe('webhook signatures', () => {
  it('both headers verify with node:crypto against the published keys, over the exact bytes', async () => {
    const { h, receiver, loc, token } = await setup();
    await h.api(token, 'POST', `/contacts/${loc.contactIds[0]}/tags`, { tags: ['signed'] });
    const [request] = await receiver.waitFor(1);
    const keys = await h.control('/_emulator/keys');
    expect(keys).toEqual(h.emu.keys);
    expect(keys.ed25519PublicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(
      ed25519Ok(keys.ed25519PublicKeyPem, request!.body, String(request!.headers['x-ghl-signature'])),
    ).toBe(true);
    expect(rsaOk(keys.rsaPublicKeyPem, request!.body, String(request!.headers['x-wh-signature']))).toBe(true);
    expect(
      ed25519Ok(keys.ed25519PublicKeyPem, `${request!.body} `, String(request!.headers['x-ghl-signature'])),
    ).toBe(false);
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'ContactTagUpdate',
      locationId: loc.id,
      tags: ['signed'],
    });
  });

  it('/_emulator/webhooks/sign and /webhooks/event sign what they return, with the chosen headers', async () => {
    h = await startHarness();
    const keys = h.emu.keys;
    const onlyEd = await h.control('/_emulator/webhooks/sign', { body: '{"a": 1}', sign: 'ed25519' });
    expect(onlyEd.body).toBe('{"a": 1}');
    expect(onlyEd.headers['x-wh-signature']).toBeUndefined();
    expect(ed25519Ok(keys.ed25519PublicKeyPem, onlyEd.body, onlyEd.headers['x-ghl-signature'])).toBe(true);
    const none = await h.control('/_emulator/webhooks/sign', { body: '{}', sign: 'none' });
    expect(Object.keys(none.headers)).toEqual(['content-type']);

    const event = await h.control('/_emulator/webhooks/event', {
      type: 'ContactUpdate',
      locationId: 'loc123',
      id: 'c1',
      sign: 'rsa',
    });
    expect(rsaOk(keys.rsaPublicKeyPem, event.body, event.headers['x-wh-signature'])).toBe(true);
    expect(JSON.parse(event.body)).toMatchObject({
      type: 'ContactUpdate',
      locationId: 'loc123',
      id: 'c1',
      appId: TEST_CLIENT.clientId.split('-')[0],
      versionId: expect.stringMatching(/^[0-9a-f]{24}$/),
      webhookId: expect.any(String),
      timestamp: expect.any(String),
    });
  });

  it('each start makes new keys', async () => {
    h = await startHarness();
    const other = await startHarness();
    expect(other.emu.keys.ed25519PublicKeyPem).not.toBe(h.emu.keys.ed25519PublicKeyPem);
    await other.close();
  });
});

describe('delivery and retries', () => {
  it('a 429 is retried after webhookRetryDelayMs with the same bytes', async () => {
    const { h, receiver, loc, token } = await setup((i) => (i === 0 ? 429 : 200));
    await h.api(token, 'DELETE', `/contacts/${loc.contactIds[0]}`);
    const [first, second] = await receiver.waitFor(2);
    expect(first!.body).toBe(second!.body);
    expect(first!.headers['x-ghl-signature']).toBe(second!.headers['x-ghl-signature']);
    await h.control('/_emulator/webhooks/drain', {});
    await sleep(150);
    expect(receiver.requests).toHaveLength(2);
    const stats = await h.control('/_emulator/stats');
    expect(stats.webhooks).toMatchObject({ sent: 2, retried: 1, failed: 0 });
    const { deliveries } = await h.control('/_emulator/webhooks?type=ContactDelete');
    expect(deliveries[0]).toMatchObject({
      outcome: 'delivered',
      attempts: [{ status: 429 }, { status: 200 }],
    });
  });

  it('a 500 is final: exactly one attempt', async () => {
    const { h, receiver, loc, token } = await setup(() => 500);
    await h.api(token, 'DELETE', `/contacts/${loc.contactIds[0]}`);
    await receiver.waitFor(1);
    await h.control('/_emulator/webhooks/drain', {});
    await sleep(200);
    expect(receiver.requests).toHaveLength(1);
    expect((await h.control('/_emulator/stats')).webhooks).toMatchObject({ sent: 1, retried: 0, failed: 1 });
  });

  it('gives up after webhookMaxRetries answers of 429', async () => {
    const { h, receiver, loc, token } = await setup(() => 429, { webhookMaxRetries: 2 });
    await h.api(token, 'DELETE', `/contacts/${loc.contactIds[0]}`);
    await receiver.waitFor(3);
    expect((await h.control('/_emulator/webhooks/drain', {})).idle).toBe(true);
    await sleep(150);
    expect(receiver.requests).toHaveLength(3);
  });

  it('is sent one at a time per app, in order', async () => {
    receiver = await startReceiver(() => 200, 30);
    h = await startHarness({ clients: [{ ...TEST_CLIENT, webhookUrl: receiver.url }] });
    const seeded = await h.seed(1, 1);
    const loc = seeded.locations[0]!;
    const token = (await h.installLocation(loc.id, seeded.companyId)).access_token as string;
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.api(token, 'POST', `/contacts/${loc.contactIds[0]}/notes`, { body: `note ${i}` });
      order.push((await res.json()).note.id);
    }
    const got = (await receiver.waitFor(5)).map((r) => JSON.parse(r.body).id);
    expect(got).toEqual(order);
    expect(receiver.maxConcurrent).toBe(1);
  });

  it('/_emulator/act changes fire the same webhooks, to installed apps only', async () => {
    const { h, receiver, seeded, loc } = await setup();
    const other = await h.control('/_emulator/seed', {
      companyId: seeded.companyId,
      locations: [{ name: 'Not installed', contacts: 1 }],
    });
    await h.control('/_emulator/act', {
      locationId: other.locations[0].id,
      action: 'tags.add',
      contactId: other.locations[0].contactIds[0],
      tags: ['x'],
    });
    const { task } = await h.control('/_emulator/act', {
      locationId: loc.id,
      action: 'task.create',
      contactId: loc.contactIds[0],
      data: { title: 'From a person' },
    });
    const [request] = await receiver.waitFor(1);
    await sleep(50);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'TaskCreate',
      id: task.id,
      title: 'From a person',
      locationId: loc.id,
    });
    expect(JSON.parse(request!.body).contactId).toBeUndefined();
  });

  it('a change where two apps are installed reaches each app addressed to it: its own appId and versionId', async () => {
    const { h, receiver, seeded, loc } = await setup();
    const otherReceiver = await startReceiver();
    try {
      const otherApp = {
        clientId: '65a0c0ffee0000000000beef-unit0002',
        clientSecret: 'other-secret',
        sharedSecret: 'other-shared',
        webhookUrl: otherReceiver.url,
      };
      const registered = await h.control('/_emulator/clients', otherApp);
      expect(registered.appId).toBe('65a0c0ffee0000000000beef');
      await h.control('/_emulator/install', {
        clientId: otherApp.clientId,
        companyId: seeded.companyId,
        userType: 'Location',
        locationIds: [loc.id],
        webhooks: 'none',
      });
      await h.control('/_emulator/act', {
        locationId: loc.id,
        action: 'tags.add',
        contactId: loc.contactIds[0],
        tags: ['both'],
      });
      const [ours] = await receiver.waitFor(1);
      const [theirs] = await otherReceiver.waitFor(1);
      const a = JSON.parse(ours!.body);
      const b = JSON.parse(theirs!.body);
      expect(a).toMatchObject({ type: 'ContactTagUpdate', appId: TEST_CLIENT.clientId.split('-')[0] });
      expect(b).toMatchObject({
        type: 'ContactTagUpdate',
        appId: registered.appId,
        versionId: registered.versionId,
      });
      expect(a.versionId).not.toBe(b.versionId);
      expect(a.webhookId).not.toBe(b.webhookId);
      // A caller cannot re-address a built event: appId always comes from the app it is for.
      const built = await h.control('/_emulator/webhooks/event', {
        type: 'UNINSTALL',
        locationId: loc.id,
        appId: 'forged',
        clientId: otherApp.clientId,
      });
      expect(JSON.parse(built.body)).toMatchObject({
        appId: registered.appId,
        versionId: registered.versionId,
      });
    } finally {
      await otherReceiver.close();
    }
  });
});

describe('webhook faults', () => {
  it('duplicate re-sends the same body (same webhookId)', async () => {
    const { h, receiver, loc, token } = await setup();
    await h.control('/_emulator/webhook-faults', { clientId: TEST_CLIENT.clientId, duplicate: 1 });
    await h.api(token, 'POST', `/contacts/${loc.contactIds[0]}/notes`, { body: 'twice' });
    const [a, b] = await receiver.waitFor(2);
    expect(a!.body).toBe(b!.body);
    expect((await h.control('/_emulator/stats')).webhooks.duplicated).toBe(1);
  });

  it('drop loses deliveries', async () => {
    const { h, receiver, loc, token } = await setup();
    await h.control('/_emulator/webhook-faults', { clientId: TEST_CLIENT.clientId, drop: 1 });
    await h.api(token, 'POST', `/contacts/${loc.contactIds[0]}/notes`, { body: 'lost' });
    await h.control('/_emulator/webhooks/drain', {});
    await sleep(50);
    expect(receiver.requests).toHaveLength(0);
    expect((await h.control('/_emulator/stats')).webhooks.dropped).toBe(1);
    await h.control('/_emulator/webhook-faults', { clientId: TEST_CLIENT.clientId, drop: 0 });
    await h.api(token, 'POST', `/contacts/${loc.contactIds[0]}/notes`, { body: 'kept' });
    await receiver.waitFor(1);
  });

  it('reorder swaps deliveries', async () => {
    const { h, receiver, loc, token } = await setup();
    await h.control('/_emulator/webhook-faults', { clientId: TEST_CLIENT.clientId, reorder: 1 });
    const first = await (
      await h.api(token, 'POST', `/contacts/${loc.contactIds[0]}/notes`, { body: 'first' })
    ).json();
    const second = await (
      await h.api(token, 'POST', `/contacts/${loc.contactIds[0]}/notes`, { body: 'second' })
    ).json();
    const got = (await receiver.waitFor(2)).map((r) => JSON.parse(r.body).id);
    expect(got).toEqual([second.note.id, first.note.id]);
  });
});

describe('INSTALL webhooks', () => {
  async function installWith(
    webhooks: 'before' | 'after' | 'none',
    userType: 'Location' | 'Company' = 'Location',
  ) {
    receiver = await startReceiver();
    h = await startHarness({ clients: [{ ...TEST_CLIENT, webhookUrl: receiver.url }] });
    const seeded = await h.seed(2, 0);
    const locationIds =
      userType === 'Location' ? [seeded.locations[0]!.id] : seeded.locations.map((l) => l.id);
    const { code } = await h.control('/_emulator/install', {
      clientId: TEST_CLIENT.clientId,
      companyId: seeded.companyId,
      userType,
      locationIds,
      webhooks,
    });
    return { seeded, code: code as string, locationIds };
  }

  it('"before": delivered before the code is handed out', async () => {
    const { seeded, locationIds } = await installWith('before');
    expect(receiver!.requests).toHaveLength(1);
    expect(JSON.parse(receiver!.requests[0]!.body)).toMatchObject({
      type: 'INSTALL',
      appId: TEST_CLIENT.clientId.split('-')[0],
      locationId: locationIds[0],
      companyId: seeded.companyId,
      installType: 'Location',
      userId: expect.any(String),
    });
  });

  it('"after": delivered once the code has been exchanged', async () => {
    const { code } = await installWith('after');
    await sleep(100);
    expect(receiver!.requests).toHaveLength(0);
    expect((await h!.exchange(code)).status).toBe(200);
    await receiver!.waitFor(1);
    expect(JSON.parse(receiver!.requests[0]!.body).type).toBe('INSTALL');
  });

  it('a bulk Company install sends an agency INSTALL and one per location', async () => {
    const { seeded, locationIds } = await installWith('before', 'Company');
    const bodies = receiver!.requests.map((r) => JSON.parse(r.body));
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toMatchObject({ type: 'INSTALL', companyId: seeded.companyId, installType: 'Company' });
    expect(bodies[0].locationId).toBeUndefined();
    expect(bodies.slice(1).map((b) => b.locationId)).toEqual(locationIds);
  });

  it('"none" sends nothing; UNINSTALL is sent on uninstall', async () => {
    const { locationIds } = await installWith('none');
    await sleep(50);
    expect(receiver!.requests).toHaveLength(0);
    await h!.control('/_emulator/uninstall', { clientId: TEST_CLIENT.clientId, locationId: locationIds[0] });
    const [request] = await receiver!.waitFor(1);
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'UNINSTALL',
      locationId: locationIds[0],
      appId: TEST_CLIENT.clientId.split('-')[0],
    });
  });
});
