import { env, SELF } from 'cloudflare:test';
import { createConnection } from '../../worker/tenants/connections.ts';
import { contactStub, tenantStub } from '../../worker/durable/stubs.ts';
import * as poll from '../support/eventually.ts';
import { emu, installedLocation } from './helpers.ts';

/** Calls a partner emulator's control API. */
export async function partner<T = any>(
  base: string,
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`partner ${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** An installed location with a "your app" connection pointing at the your-app emulator. */
export async function syncedLocation(contacts = 3) {
  const { seed, location, locationId } = await installedLocation(contacts);
  const created = await createConnection(env, {
    locationId,
    kind: 'yourapp',
    name: 'Your app (emulator)',
    credentials: { webhookSecret: env.YOURAPP_SECRET, apiKey: env.YOURAPP_API_KEY },
    settings: { webhookUrl: `${env.YOURAPP_URL}/webhooks`, apiBase: env.YOURAPP_URL },
  });
  return { seed, location, locationId, connectionId: created.connection.id, contactIds: location.contactIds };
}

/**
 * Makes a change in GHL as a person would (the emulator's `act`), then hands the webhooks GHL
 * sent about it to the worker, signed as GHL signs them. Returns the delivered bodies.
 */
export async function ghlAct(
  locationId: string,
  action: Record<string, unknown>,
  opts: { deliver?: boolean; times?: number } = {},
) {
  const before = (
    await emu<{ deliveries: unknown[] }>(
      `/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`,
    )
  ).deliveries.length;
  const result = await emu('/_emulator/act', { locationId, ...action });
  await emu('/_emulator/webhooks/drain', { timeoutMs: 5000 });
  const after = (
    await emu<{ deliveries: { body: string; type: string }[] }>(
      `/_emulator/webhooks?locationId=${locationId}&clientId=${env.GHL_CLIENT_ID}`,
    )
  ).deliveries;
  const fresh = after.slice(before);
  if (opts.deliver !== false) {
    for (const d of fresh) for (let i = 0; i < (opts.times ?? 1); i++) await deliverGhlBody(d.body);
  }
  return { result, deliveries: fresh };
}

/** Delivers a GHL webhook body to the worker with fresh GHL signatures. */
export async function deliverGhlBody(body: string) {
  const signed = await emu<{ body: string; headers: Record<string, string> }>('/_emulator/webhooks/sign', {
    body,
  });
  const res = await SELF.fetch('http://app.test/webhooks/ghl', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  return res;
}

/** A change made in "your app", delivered to the worker signed with the connection's secret. */
export async function yourAppAct(
  connectionId: string,
  type: string,
  data: Record<string, unknown>,
  opts: { deliver?: boolean; times?: number } = {},
) {
  const acted = await partner<{ event: { id: string }; body: string }>(env.YOURAPP_URL, '/_partner/act', {
    type,
    data,
    deliver: false,
  });
  if (opts.deliver !== false) {
    const signed = await partner<{ body: string; headers: Record<string, string> }>(
      env.YOURAPP_URL,
      '/_partner/sign',
      { body: acted.body, id: acted.event.id },
    );
    for (let i = 0; i < (opts.times ?? 1); i++) {
      const res = await SELF.fetch(`http://app.test/webhooks/partner/${connectionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed.headers },
        body: signed.body,
      });
      if (res.status !== 200) throw new Error(`partner webhook answered ${res.status}: ${await res.text()}`);
    }
  }
  return acted;
}

/** What the your-app emulator holds. */
export function yourAppState() {
  return partner<{ objects: Record<string, any[]>; received: { id: string; event: any }[] }>(
    env.YOURAPP_URL,
    '/_partner/state',
  );
}

/** GHL-side state of a location in the emulator. */
export function ghlState(locationId: string) {
  return emu<{ contacts: any[]; notes: any[]; tasks: any[]; appointments: any[] }>(
    `/_emulator/state/${locationId}`,
  );
}

/** The location's sync log, newest first. */
export async function syncLog(locationId: string, filter: { status?: string; contactId?: string } = {}) {
  const page = await tenantStub(env, locationId).listSyncLog(locationId, { ...filter, limit: 200 });
  return page.entries;
}

/** The shared `eventually` for a probe that answers something truthy once done (the sync tests' shorthand). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  return (await poll.eventually(probe, poll.truthy, { what, timeoutMs })) as T;
}

/** Waits until nothing is queued for the contact and the location's inbox is empty. */
export async function settled(locationId: string, contactId: string, timeoutMs = 15_000) {
  await eventually(
    'sync to settle',
    async () => {
      const inbox = await tenantStub(env, locationId).storedEvents(locationId);
      if (inbox.length) return false;
      const status = await contactStub(env, locationId, contactId).syncStatus(`${locationId}:${contactId}`);
      return status.backlog === 0;
    },
    timeoutMs,
  );
}
