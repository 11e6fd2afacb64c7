import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import {
  apiMiddleware,
  CallStats,
  Deliverer,
  Faults,
  jsonBody,
  listen,
  type Delivery,
  type FaultRule,
} from './common.ts';
import { CalOAuth, OAuthError, type OAuthClient } from './calcom-oauth.ts';
import {
  CalError,
  CalState,
  checkCreateInput,
  type CalBooking,
  type CalEventType,
  type CalHost,
  type NewBooking,
} from './calcom-state.ts';
import { CalWebhooks } from './calcom-webhook-api.ts';
import {
  ALL_TRIGGERS,
  bookingPayload,
  calcomSignatureHeaders,
  envelope,
  type Trigger,
  type WebhookSubscription,
} from './calcom-webhooks.ts';

/**
 * A stateful Cal.com API v2 stand-in (bookings, cal-api-version 2024-08-13) built from
 * test/specs/calcom/openapi-v2.subset.json, with signed webhooks and a control API under
 * `/_partner/*` (test/partners/README.md).
 */

export interface CalcomEmulatorOptions {
  port?: number;
  /** Accepted `Authorization: Bearer` value (API key); random `cal_test_…` by default. */
  apiKey?: string;
  /** More accepted bearer tokens (fixed OAuth access tokens that never expire). */
  accessTokens?: string[];
  /** OAuth clients whose tokens `POST /v2/auth/oauth2/token` refreshes (more by the control API). */
  oauthClients?: Partial<OAuthClient>[];
  /** Webhook secret; random by default, null for a webhook without secret. */
  webhookSecret?: string | null;
  /** Where webhooks go; none are sent until one is set (here or by the control API). */
  subscriberUrl?: string;
  triggers?: Trigger[];
  host?: Partial<CalHost>;
  eventTypes?: CalEventType[];
}

/** One API call as the emulator saw it (control API `GET /_partner/requests`). */
export interface ApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  apiVersion: string | null;
  /** The bearer token it carried (test-only log). */
  bearer: string | null;
  body: unknown;
  status: number;
}

export interface CalcomEmulator {
  url: string;
  apiKey: string;
  webhookSecret: string | null;
  state: CalState;
  oauth: CalOAuth;
  deliveries: Delivery[];
  requests: ApiRequest[];
  /** Waits for webhooks sent in the background after API calls. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const VERSIONS = new Set(['2024-08-13', '2026-02-25']);
const EVENT_TYPES_VERSION = '2024-06-14';
const TOKEN_PATH = '/v2/auth/oauth2/token';
const DEFAULT_EVENT_TYPES: CalEventType[] = [
  { id: 1, slug: '30min', title: '30 Min Meeting', length: 30, lengthOptions: [15, 45, 60] },
  { id: 2, slug: 'consultation', title: 'Consultation', length: 60 },
];

function errorResponse(c: Context, status: number, code: string, message: string): Response {
  return c.json(
    { status: 'error', timestamp: new Date().toISOString(), path: c.req.path, error: { code, message } },
    status as 400,
  );
}

const CODES: Record<number, string> = {
  400: 'BadRequestException',
  401: 'UnauthorizedException',
  404: 'NotFoundException',
  429: 'ThrottlerException',
  500: 'InternalServerErrorException',
  503: 'ServiceUnavailableException',
};

/** Builds the emulator app and its handles (not listening). */
export function createCalcomApp(opts: CalcomEmulatorOptions = {}) {
  const apiKey = opts.apiKey ?? `cal_test_${randomBytes(16).toString('hex')}`;
  const tokens = new Set([apiKey, ...(opts.accessTokens ?? [])]);
  const host: CalHost = {
    id: 1,
    username: 'demo-host',
    email: 'host@cal.example',
    name: 'Demo Host',
    timeZone: 'UTC',
    ...opts.host,
  };
  const state = new CalState(host, structuredClone(opts.eventTypes ?? DEFAULT_EVENT_TYPES));
  const oauth = new CalOAuth();
  for (const client of opts.oauthClients ?? []) oauth.addClient(client);
  const faults = new Faults();
  const stats = new CallStats();
  const requests: ApiRequest[] = [];
  const deliverer = new Deliverer(stats);
  const secret = opts.webhookSecret === undefined ? randomBytes(24).toString('hex') : opts.webhookSecret;
  let webhook: WebhookSubscription | null = opts.subscriberUrl
    ? {
        subscriberUrl: opts.subscriberUrl,
        secret: secret ?? undefined,
        active: true,
        triggers: opts.triggers ?? ALL_TRIGGERS,
      }
    : null;

  const userWebhooks = new CalWebhooks(host.id);

  /**
   * Sends one trigger to the control API's subscriber and to every webhook made through the API;
   * `wait` makes the caller (control API) see the result (the first delivery).
   */
  async function notify(trigger: Trigger, payload: unknown, wait: boolean): Promise<Delivery | null> {
    const targets = [
      ...(webhook?.active && webhook.triggers.includes(trigger) ? [webhook] : []),
      ...userWebhooks.active(trigger),
    ];
    if (!targets.length) return null;
    const body = envelope(trigger, payload);
    const sent = targets.map((t) => {
      const headers = calcomSignatureHeaders(body, t.secret);
      if (wait) return deliverer.send(t.subscriberUrl, trigger, body, headers);
      deliverer.background(t.subscriberUrl, trigger, body, headers);
      return Promise.resolve(null);
    });
    return (await Promise.all(sent))[0] ?? null;
  }

  const ops = {
    create(input: NewBooking, wait: boolean) {
      const b = state.create(input);
      const trigger = b.status === 'pending' ? 'BOOKING_REQUESTED' : 'BOOKING_CREATED';
      return {
        booking: b,
        delivery: notify(trigger, bookingPayload(state, b, b.status.toUpperCase()), wait),
      };
    },
    reschedule(uid: string, body: unknown, wait: boolean, by?: string) {
      const { from, to } = state.reschedule(uid, body, by);
      const extra = {
        rescheduleId: from.id,
        rescheduleUid: from.uid,
        rescheduleStartTime: from.start,
        rescheduleEndTime: from.end,
        rescheduledBy: to.rescheduledByEmail ?? by,
      };
      return {
        booking: to,
        previous: from,
        delivery: notify('BOOKING_RESCHEDULED', bookingPayload(state, to, 'ACCEPTED', extra), wait),
      };
    },
    cancel(uid: string, body: unknown, wait: boolean, by?: string) {
      const b = state.cancel(uid, body, by);
      return {
        booking: b,
        delivery: notify(
          'BOOKING_CANCELLED',
          bookingPayload(state, b, 'CANCELLED', {
            cancellationReason: b.cancellationReason,
            cancelledBy: by,
          }),
          wait,
        ),
      };
    },
    markAbsent(uid: string, body: unknown, wait: boolean) {
      const { booking, changed } = state.markAbsent(uid, body);
      const message =
        changed.length === 1
          ? changed[0]!.noShow
            ? 'x_marked_as_no_show'
            : 'x_unmarked_as_no_show'
          : 'no_show_updated';
      const delivery = changed.length
        ? notify(
            'BOOKING_NO_SHOW_UPDATED',
            { bookingUid: booking.uid, bookingId: booking.id, attendees: changed, message },
            wait,
          )
        : Promise.resolve(null);
      return { booking, delivery };
    },
  };

  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof CalError) return errorResponse(c, err.status, err.code, err.message);
    console.error('calcom emulator error', err);
    return errorResponse(c, 500, 'InternalServerErrorException', 'Internal server error');
  });
  app.use(
    '*',
    apiMiddleware(faults, stats, (c, status) =>
      errorResponse(c, status, CODES[status] ?? 'HttpException', `Injected fault ${status}`),
    ),
  );

  // ---- API v2 -----------------------------------------------------------------------------
  app.use('/v2/*', async (c, next) => {
    const text = c.req.method === 'GET' ? '' : await c.req.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const auth = c.req.header('authorization');
    const entry: ApiRequest = {
      method: c.req.method,
      path: c.req.path,
      query: Object.fromEntries(new URL(c.req.url).searchParams),
      apiVersion: c.req.header('cal-api-version') ?? null,
      bearer: auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null,
      body,
      status: 0,
    };
    requests.push(entry);
    if (requests.length > 1000) requests.shift();
    await next();
    entry.status = c.res.status;
  });
  app.use('/v2/*', async (c, next) => {
    // The token endpoint authenticates the client in its body, not with a bearer.
    if (c.req.path === TOKEN_PATH) return next();
    const auth = c.req.header('authorization') ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (!tokens.has(token) && !oauth.accepts(token))
      return errorResponse(
        c,
        401,
        'UnauthorizedException',
        token ? 'Invalid Access Token.' : 'No Authorization header provided',
      );
    const version = c.req.header('cal-api-version');
    if (c.req.path.startsWith('/v2/bookings') && (!version || !VERSIONS.has(version))) {
      return errorResponse(
        c,
        400,
        'BadRequestException',
        'This emulator serves bookings only as cal-api-version 2024-08-13 (or 2026-02-25); set the header.',
      );
    }
    if (c.req.path.startsWith('/v2/event-types') && version !== EVENT_TYPES_VERSION) {
      return errorResponse(
        c,
        400,
        'BadRequestException',
        `This emulator serves event types only as cal-api-version ${EVENT_TYPES_VERSION}; set the header.`,
      );
    }
    await next();
  });

  app.post(TOKEN_PATH, async (c) => {
    const form = (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded');
    const input = form
      ? Object.fromEntries(new URLSearchParams(await c.req.text()))
      : ((await jsonBody(c)) ?? {});
    try {
      return c.json(oauth.exchange(input));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return c.json({ error: err.error, error_description: err.message }, err.status as 400);
    }
  });
  // The consent page of app.cal.com/auth/oauth2/authorize: the emulator's user always approves.
  app.get('/auth/oauth2/authorize', (c) => {
    const clientId = c.req.query('client_id') ?? '';
    const redirectUri = c.req.query('redirect_uri') ?? '';
    if (!/^https?:\/\//.test(redirectUri)) return c.text('redirect_uri is required', 400);
    const back = new URL(redirectUri);
    const state = c.req.query('state');
    if (state) back.searchParams.set('state', state);
    try {
      back.searchParams.set('code', oauth.authorize(clientId, redirectUri));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      back.searchParams.set('error', err.error);
    }
    return c.redirect(back.toString(), 302);
  });
  app.get('/v2/event-types/:id', (c) =>
    c.json({ status: 'success', data: state.eventTypeOutput(Number(c.req.param('id'))) }),
  );

  app.get('/v2/me', (c) =>
    c.json({
      status: 'success',
      data: {
        id: host.id,
        username: host.username,
        email: host.email,
        name: host.name,
        avatarUrl: null,
        bio: null,
        timeFormat: 12,
        defaultScheduleId: 1,
        weekStart: 'Monday',
        timeZone: host.timeZone,
        organizationId: null,
      },
    }),
  );
  userWebhooks.routes(app);
  app.get('/v2/bookings', (c) =>
    c.json({ status: 'success', ...state.list(new URL(c.req.url).searchParams) }),
  );
  app.post('/v2/bookings', async (c) => {
    const { booking } = ops.create(checkCreateInput(await jsonBody(c)), false);
    return c.json({ status: 'success', data: booking }, 201);
  });
  app.get('/v2/bookings/:uid', (c) => c.json({ status: 'success', data: state.get(c.req.param('uid')) }));
  app.post('/v2/bookings/:uid/reschedule', async (c) => {
    const { booking } = ops.reschedule(c.req.param('uid'), await jsonBody(c), false, host.email);
    return c.json({ status: 'success', data: booking }, 201);
  });
  app.post('/v2/bookings/:uid/cancel', async (c) => {
    const { booking } = ops.cancel(c.req.param('uid'), (await jsonBody(c)) ?? {}, false, host.email);
    return c.json({ status: 'success', data: booking });
  });
  app.post('/v2/bookings/:uid/mark-absent', async (c) => {
    const { booking } = ops.markAbsent(c.req.param('uid'), await jsonBody(c), false);
    return c.json({ status: 'success', data: booking });
  });

  // ---- control API ------------------------------------------------------------------------
  const ctl = new Hono();
  const body = async (c: Context) => (await jsonBody(c)) ?? {};
  const need = (b: Record<string, unknown>, key: string): string => {
    if (typeof b[key] !== 'string' || !b[key])
      throw new CalError(400, 'BadRequestException', `${key} is required`);
    return b[key] as string;
  };
  const asUser = (b: Record<string, unknown>): NewBooking => {
    const attendee = (b.attendee ?? {}) as NewBooking['attendee'];
    const responses = {
      ...(b.responses as Record<string, unknown> | undefined),
      ...(typeof b.notes === 'string' ? { notes: b.notes } : {}),
    };
    return {
      start: need(b, 'start'),
      eventTypeId: typeof b.eventTypeId === 'number' ? b.eventTypeId : state.eventTypes[0]!.id,
      lengthInMinutes: typeof b.lengthInMinutes === 'number' ? b.lengthInMinutes : undefined,
      attendee: {
        name: attendee.name ?? 'Cal Attendee',
        timeZone: attendee.timeZone ?? 'UTC',
        email: attendee.email,
        phoneNumber: attendee.phoneNumber,
      },
      guests: Array.isArray(b.guests) ? (b.guests as string[]) : undefined,
      bookingFieldsResponses: responses,
      status: b.requiresConfirmation === true ? 'pending' : 'accepted',
    };
  };

  ctl.get('/state', (c) =>
    c.json({
      host,
      eventTypes: state.eventTypes,
      bookings: [...state.bookings.values()],
      webhook,
      webhooks: [...userWebhooks.list.values()],
      apiKey,
      webhookSecret: secret,
    }),
  );
  ctl.post('/reset', async (c) => {
    state.reset();
    faults.clear();
    stats.reset();
    deliverer.log.length = 0;
    requests.length = 0;
    return c.json({ ok: true });
  });
  ctl.post('/seed', async (c) => {
    const b = await body(c);
    if (Array.isArray(b.eventTypes)) state.eventTypes.push(...(b.eventTypes as CalEventType[]));
    const made: CalBooking[] = [];
    for (const item of Array.isArray(b.bookings) ? (b.bookings as Record<string, unknown>[]) : [])
      made.push(state.create(asUser(item)));
    return c.json({ eventTypes: state.eventTypes, bookings: made });
  });
  ctl.post('/webhook', async (c) => {
    const b = await body(c);
    webhook = {
      subscriberUrl: need(b, 'subscriberUrl'),
      secret: b.secret === null ? undefined : typeof b.secret === 'string' ? b.secret : (secret ?? undefined),
      active: b.active !== false,
      triggers: Array.isArray(b.triggers) ? (b.triggers as Trigger[]) : ALL_TRIGGERS,
    };
    return c.json({ webhook });
  });
  ctl.post('/act/book', async (c) => {
    const r = ops.create(asUser(await body(c)), true);
    return c.json({ booking: r.booking, delivery: await r.delivery });
  });
  ctl.post('/act/reschedule', async (c) => {
    const b = await body(c);
    const r = ops.reschedule(
      need(b, 'uid'),
      { start: b.start, reschedulingReason: b.reason },
      true,
      state.get(need(b, 'uid')).attendees[0]?.email,
    );
    return c.json({ booking: r.booking, previous: r.previous, delivery: await r.delivery });
  });
  ctl.post('/act/cancel', async (c) => {
    const b = await body(c);
    const r = ops.cancel(
      need(b, 'uid'),
      { cancellationReason: b.reason },
      true,
      state.get(need(b, 'uid')).attendees[0]?.email,
    );
    return c.json({ booking: r.booking, delivery: await r.delivery });
  });
  ctl.post('/act/no-show', async (c) => {
    const b = await body(c);
    const uid = need(b, 'uid');
    const email = typeof b.email === 'string' ? b.email : state.get(uid).attendees[0]!.email;
    const r = ops.markAbsent(uid, { attendees: [{ email, absent: b.absent !== false }] }, true);
    return c.json({ booking: r.booking, delivery: await r.delivery });
  });
  ctl.get('/oauth', (c) => c.json({ clients: [...oauth.clients.values()], refreshes: oauth.refreshes }));
  ctl.post('/oauth/clients', async (c) => {
    const b = await body(c);
    return c.json(
      oauth.addClient({
        clientId: typeof b.clientId === 'string' ? b.clientId : undefined,
        clientSecret:
          b.clientSecret === null ? null : typeof b.clientSecret === 'string' ? b.clientSecret : undefined,
        accessTokenTtlSec: typeof b.accessTokenTtlSec === 'number' ? b.accessTokenTtlSec : undefined,
      }),
    );
  });
  ctl.post('/oauth/grant', async (c) => {
    const b = await body(c);
    try {
      return c.json(
        oauth.grant(
          need(b, 'clientId'),
          typeof b.accessTokenTtlSec === 'number' ? b.accessTokenTtlSec : undefined,
        ),
      );
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return c.json({ error: err.error, error_description: err.message }, err.status as 400);
    }
  });
  ctl.post('/oauth/expire', async (c) => c.json({ ok: oauth.expire(need(await body(c), 'accessToken')) }));
  ctl.post('/oauth/revoke', async (c) => c.json({ ok: oauth.revoke(need(await body(c), 'refreshToken')) }));
  ctl.get('/faults', (c) => c.json({ faults: faults.list() }));
  ctl.post('/faults', async (c) => c.json({ id: faults.add((await body(c)) as FaultRule) }));
  ctl.delete('/faults', (c) => {
    faults.clear();
    return c.json({ ok: true });
  });
  ctl.get('/stats', (c) => c.json(stats.snapshot()));
  ctl.post('/stats/reset', (c) => {
    stats.reset();
    return c.json({ ok: true });
  });
  ctl.get('/requests', (c) => c.json({ requests }));
  ctl.get('/deliveries', (c) => c.json({ deliveries: deliverer.log }));
  ctl.post('/deliveries/flush', async (c) => {
    await deliverer.flush();
    return c.json({ deliveries: deliverer.log.length });
  });
  ctl.post('/sign', async (c) => {
    const b = await body(c);
    const raw = typeof b.body === 'string' ? b.body : JSON.stringify(b.body ?? {});
    return c.json({
      body: raw,
      headers: calcomSignatureHeaders(raw, typeof b.secret === 'string' ? b.secret : (secret ?? undefined)),
    });
  });
  app.route('/_partner', ctl);

  return { app, apiKey, webhookSecret: secret, state, oauth, deliverer, requests };
}

/** Starts the Cal.com emulator on 127.0.0.1. */
export async function startCalcomEmulator(opts: CalcomEmulatorOptions = {}): Promise<CalcomEmulator> {
  const { app, apiKey, webhookSecret, state, oauth, deliverer, requests } = createCalcomApp(opts);
  const running = await listen(app, opts.port);
  return {
    url: running.url,
    apiKey,
    webhookSecret,
    state,
    oauth,
    deliveries: deliverer.log,
    requests,
    flush: () => deliverer.flush(),
    close: async () => {
      await deliverer.flush();
      await running.close();
    },
  };
}
