import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { registerCalendars } from './calendars.ts';
import { registerContacts } from './contacts.ts';
import type { AppEnv, Emu } from './context.ts';
import { registerControl } from './control.ts';
import { GhlError } from './errors.ts';
import { FaultInjector } from './faults.ts';
import { registerOauth } from './oauth.ts';
import { registerPages } from './pages.ts';
import { requestPipeline } from './pipeline.ts';
import { RateLimiter, type RateLimitConfig } from './rate-limit.ts';
import { seedDemo } from './seed.ts';
import { Signer, type PublicKeys } from './signing.ts';
import { State, type ClientInput } from './state.ts';
import { Stats } from './stats.ts';
import { registerTasksNotes } from './tasks-notes.ts';
import { registerUsers } from './users.ts';
import { WebhookDispatcher } from './webhooks.ts';
import { registerWorkflows } from './workflows.ts';

export interface EmulatorOptions {
  port?: number;
  clients?: ClientInput[];
  rateLimit?: Partial<RateLimitConfig>;
  webhookRetryDelayMs?: number;
  webhookMaxRetries?: number;
  accessTokenTtlSec?: number;
  appBaseUrl?: string;
  seedDemo?: boolean;
}

export interface RunningEmulator {
  url: string;
  keys: PublicKeys;
  close(): Promise<void>;
}

/** The marketplace app `npm start` uses; appId is the part before the dash. */
export const DEMO_CLIENT = {
  clientId: '6578278e879ad2646715ba9c-demo0001',
  clientSecret: 'demo-client-secret',
  sharedSecret: 'demo-shared-secret',
} as const;

/** The emulator as a Hono app, without a listening server (also handy for in-process use). */
export function createEmulator(options: Omit<EmulatorOptions, 'port'> = {}): { app: Hono<AppEnv>; emu: Emu } {
  const state = new State();
  const stats = new Stats();
  const signer = new Signer();
  const emu: Emu = {
    state,
    stats,
    signer,
    limiter: new RateLimiter(options.rateLimit),
    faults: new FaultInjector(),
    webhooks: new WebhookDispatcher(state, signer, stats, {
      retryDelayMs: options.webhookRetryDelayMs ?? 600_000,
      maxRetries: options.webhookMaxRetries ?? 6,
    }),
    accessTokenTtlSec: options.accessTokenTtlSec ?? 86_399,
    appBaseUrl: options.appBaseUrl ?? 'http://localhost:8787',
  };
  for (const client of options.clients ?? [DEMO_CLIENT]) state.upsertClient(client);
  if (options.seedDemo) seedDemo(emu);

  const app = new Hono<AppEnv>({ strict: false });
  app.onError((error, c) => {
    if (error instanceof GhlError) return c.json(error.body, error.status);
    console.error('[ghl-emulator]', error);
    return c.json({ statusCode: 500, message: 'Internal server error' }, 500);
  });
  app.notFound((c) =>
    c.json(
      {
        statusCode: 404,
        message: `Cannot ${c.req.method} ${new URL(c.req.url).pathname}`,
        error: 'Not Found',
      },
      404,
    ),
  );
  app.use('*', requestPipeline(emu));
  registerControl(app, emu);
  registerPages(app, emu);
  registerOauth(app, emu);
  registerContacts(app, emu);
  registerTasksNotes(app, emu);
  registerCalendars(app, emu);
  registerUsers(app, emu);
  registerWorkflows(app, emu);
  return { app, emu };
}

export function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const { app, emu } = createEmulator(options);
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          keys: emu.signer.keys,
          close: () =>
            new Promise<void>((done) => {
              emu.webhooks.close();
              (server as Server).close(() => done());
              (server as Server).closeAllConnections();
            }),
        });
      },
    ) as Server;
    server.once('error', reject);
  });
}
