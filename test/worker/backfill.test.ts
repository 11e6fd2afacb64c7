/**
 * Backfills through the panel API, against the GHL emulator and the partner emulators over HTTP:
 * the preview's counts are what the run then does, past appointments stay out of the partner
 * unless history is asked for, and every backfill ends (done, failed with a reason, cancelled).
 *
 * The partner emulators are shared with other files, so nothing here injects faults into them:
 * failures come from a partner URL nothing answers on.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createConnection } from '../../worker/tenants/connections.ts';
import { tenantStub } from '../../worker/durable/stubs.ts';
import { installedLocation } from './helpers.ts';
import { call, expectError, sessionToken } from './panel-helpers.ts';
import { eventually, ghlAct, ghlState, partner, settled } from './sync-helpers.ts';

async function adminOf(locationId: string, companyId: string) {
  const token = await sessionToken({
    userId: 'backfill-admin',
    companyId,
    activeLocation: locationId,
    role: 'admin',
  });
  return <T = any>(method: string, path: string, body?: unknown) => call<T>(token, method, path, body);
}

async function yourAppLocation(settings: Record<string, unknown>) {
  const { seed, locationId, location } = await installedLocation(2);
  const created = await createConnection(env, {
    locationId,
    kind: 'yourapp',
    name: 'Your app',
    credentials: { webhookSecret: env.YOURAPP_SECRET, apiKey: env.YOURAPP_API_KEY },
    settings,
  });
  return {
    locationId,
    connectionId: created.connection.id,
    contactIds: location.contactIds,
    api: await adminOf(locationId, seed.companyId),
  };
}

type Api = Awaited<ReturnType<typeof adminOf>>;
const finished = (api: Api, connectionId: string) =>
  eventually(
    'backfill to end',
    async () => {
      const { body } = await api('GET', `/api/connections/${connectionId}/backfill`);
      return body.backfill.state !== 'running' ? body.backfill : null;
    },
    25_000,
  );

/** Makes a waiting retry of the location's backfill due now and runs the location's alarm. */
async function retryNow(locationId: string, connectionId: string) {
  const stub = tenantStub(env, locationId);
  await runInDurableObject(stub, (_obj, state) => {
    state.storage.sql.exec(
      "UPDATE meta SET value = json_set(value, '$.retryAt', 0) WHERE key = ?",
      `backfill:${connectionId}`,
    );
  });
  await runDurableObjectAlarm(stub);
}

describe('every backfill ends', () => {
  it('a your-app connection without the optional API base URL finishes, says the partner side was not read, and the next backfill starts', async () => {
    const { connectionId, api } = await yourAppLocation({ webhookUrl: `${env.YOURAPP_URL}/webhooks` });
    expect((await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true })).status).toBe(
      202,
    );
    const preview = await finished(api, connectionId);
    expect(preview).toMatchObject({ state: 'done', error: null, processed: 2 });
    expect(preview.notes.join(' ')).toMatch(/not read: .*no API base URL/);
    expect((await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true })).status).toBe(
      202,
    );
  });

  it('a your-app connection without a webhook URL is refused at start with the reason', async () => {
    const { connectionId, api } = await yourAppLocation({});
    const answer = await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: false });
    expectError(answer, 409, 'connection_incomplete');
    expect(answer.body.error.message).toMatch(/webhook URL/);
  });

  it('a partner that refuses ends the backfill as failed with the partner’s answer', async () => {
    const { connectionId, api } = await yourAppLocation({
      webhookUrl: `${env.YOURAPP_URL}/webhooks`,
      apiBase: `${env.YOURAPP_URL}/no-such-api`,
    });
    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true });
    const ended = await finished(api, connectionId);
    expect(ended.state).toBe('failed');
    expect(ended.error).toMatch(/404/);
  });

  it('a partner that is away is retried with backoff, then the backfill fails with the reason', async () => {
    const { locationId, connectionId, api } = await yourAppLocation({
      webhookUrl: `${env.YOURAPP_URL}/webhooks`,
      apiBase: 'http://127.0.0.1:1',
    });
    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true });
    const waiting = await eventually('a failed try', async () => {
      const { body } = await api('GET', `/api/connections/${connectionId}/backfill`);
      return body.backfill.failures > 0 ? body.backfill : null;
    });
    expect(waiting).toMatchObject({ state: 'running', failures: 1 });
    expect(waiting.retryAt).toBeGreaterThan(Date.now());
    for (let i = 0; i < 10; i++) {
      const { body } = await api('GET', `/api/connections/${connectionId}/backfill`);
      if (body.backfill.state !== 'running') break;
      await retryNow(locationId, connectionId);
    }
    const ended = await finished(api, connectionId);
    expect(ended.state).toBe('failed');
    expect(ended.error).toMatch(/Gave up after 6 failed tries/);
  });

  it('a running backfill is cancelled from the panel, and another can start', async () => {
    const { connectionId, api } = await yourAppLocation({
      webhookUrl: `${env.YOURAPP_URL}/webhooks`,
      apiBase: 'http://127.0.0.1:1',
    });
    expectError(
      await api('DELETE', `/api/connections/${connectionId}/backfill`),
      409,
      'backfill_not_running',
    );
    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true });
    expectError(
      await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true }),
      409,
      'backfill_running',
    );
    const cancelled = await api('DELETE', `/api/connections/${connectionId}/backfill`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.backfill.state).toBe('cancelled');
    expect((await api('GET', `/api/connections/${connectionId}/backfill`)).body.backfill.state).toBe(
      'cancelled',
    );
    expect((await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true })).status).toBe(
      202,
    );
  });

  it('only admins cancel', async () => {
    const { seed, locationId } = await installedLocation(1);
    const created = await createConnection(env, {
      locationId,
      kind: 'yourapp',
      name: 'Y',
      settings: { webhookUrl: `${env.YOURAPP_URL}/webhooks` },
    });
    const token = await sessionToken({
      userId: 'backfill-user',
      companyId: seed.companyId,
      activeLocation: locationId,
      role: 'user',
    });
    expectError(
      await call(token, 'DELETE', `/api/connections/${created.connection.id}/backfill`),
      403,
      'forbidden',
    );
  });
});

describe('the preview is what the run does', () => {
  const baseDay = Date.UTC(2032, 0, 1) + Math.floor(Math.random() * 3000) * 86_400_000;
  const at = (hours: number) => new Date(baseDay + hours * 3600_000).toISOString();

  it('Cal.com: counts per kind and action, past and cancelled appointments are not booked, history books the past one', async () => {
    const { seed, locationId, location } = await installedLocation(2);
    const created = await createConnection(env, {
      locationId,
      kind: 'calcom',
      name: 'Cal.com',
      credentials: { apiKey: env.CALCOM_API_KEY, webhookSecret: env.CALCOM_WEBHOOK_SECRET },
      settings: { apiBase: env.CALCOM_URL, eventTypeId: 1, timeZone: 'UTC' },
    });
    const connectionId = created.connection.id;
    const api = await adminOf(locationId, seed.companyId);
    const [a, b] = location.contactIds as [string, string];
    const appt = async (contactId: string, startTime: string, extra: Record<string, unknown> = {}) =>
      (
        await ghlAct(
          locationId,
          {
            action: 'appointment.create',
            contactId,
            data: {
              title: 'Consultation',
              startTime,
              endTime: new Date(Date.parse(startTime) + 1800_000).toISOString(),
              ...extra,
            },
          },
          { deliver: false },
        )
      ).result.appointment.id as string;
    const upcoming = [await appt(a, at(0)), await appt(b, at(2))];
    const past = await appt(a, new Date(Date.now() - 3 * 86_400_000).toISOString());
    await appt(b, at(4), { appointmentStatus: 'cancelled' });
    const booked = async () =>
      (
        await partner<{ bookings: { metadata: Record<string, string> }[] }>(env.CALCOM_URL, '/_partner/state')
      ).bookings.filter(
        (bk) => bk.metadata?.ghlAppointmentId && [...upcoming, past].includes(bk.metadata.ghlAppointmentId),
      );

    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true });
    const preview = await finished(api, connectionId);
    expect(preview.state).toBe('done');
    expect(preview.toPartner).toEqual({ appointment: { create: 2, update: 0, unchanged: 0, skipped: 2 } });
    expect(Object.keys(preview.reasons).join(' ')).toMatch(/in the past/);
    expect(await booked()).toHaveLength(0);

    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true, history: true });
    expect((await finished(api, connectionId)).toPartner).toEqual({
      appointment: { create: 3, update: 0, unchanged: 0, skipped: 1 },
    });

    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: false });
    const run = await finished(api, connectionId);
    expect(run.state).toBe('done');
    expect(run.toPartner).toEqual(preview.toPartner);
    for (const contactId of [a, b]) await settled(locationId, contactId, 25_000);
    const bookings = await booked();
    expect(bookings.map((bk) => bk.metadata.ghlAppointmentId).sort()).toEqual([...upcoming].sort());

    // Run again: everything booked is unchanged now, and nothing more is booked.
    await api('POST', `/api/connections/${connectionId}/backfill`, { dryRun: true });
    expect((await finished(api, connectionId)).toPartner).toEqual({
      appointment: { create: 0, update: 0, unchanged: 2, skipped: 2 },
    });
    expect(
      (await ghlState(locationId)).appointments.filter((x) => x.contactId === a || x.contactId === b),
    ).toHaveLength(4);
  });
});
