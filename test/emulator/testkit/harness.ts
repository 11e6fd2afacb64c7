import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../server.ts';

export const TEST_CLIENT = {
  clientId: '6578278e879ad2646715ba9c-unit0001',
  clientSecret: 'unit-client-secret',
  sharedSecret: 'unit-shared-secret',
};

export interface SeededLocation {
  id: string;
  name: string;
  calendarId: string;
  userIds: string[];
  contactIds: string[];
}

export interface Seeded {
  companyId: string;
  locations: SeededLocation[];
}

export interface Harness {
  emu: RunningEmulator;
  url: string;
  control<T = any>(path: string, body?: unknown, method?: string): Promise<T>;
  api(token: string, method: string, path: string, body?: unknown, version?: string): Promise<Response>;
  seed(locations?: number, contacts?: number): Promise<Seeded>;
  /** Location install of one location through the real code exchange; returns the token response. */
  installLocation(locationId: string, companyId: string, clientId?: string): Promise<any>;
  installCompany(companyId: string, locationIds: string[], clientId?: string): Promise<any>;
  exchange(code: string, clientId?: string, clientSecret?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ clients: [TEST_CLIENT], ...options });
  const control = async (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const api = (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    version = path.startsWith('/calendars') ? '2021-04-15' : '2021-07-28',
  ) =>
    fetch(`${emu.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        version,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const exchange = (code: string, clientId = TEST_CLIENT.clientId, clientSecret = TEST_CLIENT.clientSecret) =>
    fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: 'authorization_code',
        code,
      }),
    });
  const installAndExchange = async (body: Record<string, unknown>, clientId: string) => {
    const { code } = await control('/_emulator/install', { webhooks: 'none', ...body, clientId });
    const res = await exchange(
      code,
      clientId,
      clientId === TEST_CLIENT.clientId ? TEST_CLIENT.clientSecret : undefined,
    );
    if (res.status !== 200) throw new Error(`code exchange -> ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    emu,
    url: emu.url,
    control,
    api,
    exchange,
    seed: (locations = 1, contacts = 3) =>
      control('/_emulator/seed', {
        locations: Array.from({ length: locations }, (_, i) => ({ name: `Location ${i + 1}`, contacts })),
      }),
    installLocation: (locationId, companyId, clientId = TEST_CLIENT.clientId) =>
      installAndExchange({ companyId, userType: 'Location', locationIds: [locationId] }, clientId),
    installCompany: (companyId, locationIds, clientId = TEST_CLIENT.clientId) =>
      installAndExchange({ companyId, userType: 'Company', locationIds }, clientId),
    close: () => emu.close(),
  };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** The most requests that were ever open at the same time. */
  maxConcurrent: number;
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A tiny webhook receiver; `answer` picks the status for the n-th request (0-based), after `delayMs`. */
export async function startReceiver(
  answer: (index: number, body: string) => number = () => 200,
  delayMs = 0,
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let open = 0;
  const server = createServer((req, res) => {
    open++;
    receiver.maxConcurrent = Math.max(receiver.maxConcurrent, open);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = answer(requests.length, body);
      requests.push({ headers: req.headers, body, status });
      setTimeout(() => {
        open--;
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/webhooks/ghl`,
    requests,
    maxConcurrent: 0,
    async waitFor(count, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} webhook requests, got ${requests.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
