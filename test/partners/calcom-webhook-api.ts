import type { Hono } from 'hono';
import { jsonBody } from './common.ts';
import { CalError } from './calcom-state.ts';
import { type Trigger, type WebhookSubscription } from './calcom-webhooks.ts';

/**
 * The user's webhooks as Cal.com API v2 keeps them (`/v2/webhooks`, WebhooksController_*):
 * `CreateWebhookInputDto` in, `UserWebhookOutputDto` out. Every active one gets the triggers it
 * subscribed to, signed with its own secret.
 */

/** The triggers of the spec's enum (CreateWebhookInputDto.triggers). */
const SPEC_TRIGGERS = new Set([
  'BOOKING_CREATED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_RESCHEDULED',
  'BOOKING_REQUESTED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
  'FORM_SUBMITTED',
  'MEETING_ENDED',
  'MEETING_STARTED',
  'RECORDING_READY',
  'INSTANT_MEETING',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
  'FORM_SUBMITTED_NO_EVENT',
  'ROUTING_FORM_FALLBACK_HIT',
  'DELEGATION_CREDENTIAL_ERROR',
  'WRONG_ASSIGNMENT_REPORT',
]);

export interface UserWebhook extends WebhookSubscription {
  id: number;
  userId: number;
  payloadTemplate: string;
}

function checkInput(body: unknown, partial: boolean): Partial<UserWebhook> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new CalError(400, 'BadRequestException', 'The body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const out: Partial<UserWebhook> = {};
  if (b.subscriberUrl !== undefined || !partial) {
    if (typeof b.subscriberUrl !== 'string' || !/^https?:\/\//.test(b.subscriberUrl))
      throw new CalError(400, 'BadRequestException', 'subscriberUrl must be a URL string');
    out.subscriberUrl = b.subscriberUrl;
  }
  if (b.active !== undefined || !partial) {
    if (typeof b.active !== 'boolean')
      throw new CalError(400, 'BadRequestException', 'active must be a boolean value');
    out.active = b.active;
  }
  if (b.triggers !== undefined || !partial) {
    if (!Array.isArray(b.triggers) || b.triggers.some((t) => !SPEC_TRIGGERS.has(t as string)))
      throw new CalError(
        400,
        'BadRequestException',
        'each value in triggers must be one of the following values: BOOKING_CREATED, …',
      );
    out.triggers = b.triggers as Trigger[];
  }
  if (b.secret !== undefined) {
    if (typeof b.secret !== 'string')
      throw new CalError(400, 'BadRequestException', 'secret must be a string');
    out.secret = b.secret;
  }
  if (b.payloadTemplate !== undefined) {
    if (typeof b.payloadTemplate !== 'string')
      throw new CalError(400, 'BadRequestException', 'payloadTemplate must be a string');
    out.payloadTemplate = b.payloadTemplate;
  }
  if (b.version !== undefined && b.version !== '2021-10-20')
    throw new CalError(400, 'BadRequestException', 'version must be one of the following values: 2021-10-20');
  return out;
}

const view = ({ secret: _s, ...w }: UserWebhook) => w;

export class CalWebhooks {
  readonly list = new Map<number, UserWebhook>();
  private seq = 0;
  private readonly userId: number;

  constructor(userId: number) {
    this.userId = userId;
  }

  active(trigger: Trigger): UserWebhook[] {
    return [...this.list.values()].filter((w) => w.active && w.triggers.includes(trigger));
  }

  private get(id: string): UserWebhook {
    const hook = this.list.get(Number(id));
    if (!hook) throw new CalError(404, 'NotFoundException', `Webhook ${id} not found`);
    return hook;
  }

  routes(app: Hono) {
    app.post('/v2/webhooks', async (c) => {
      const input = checkInput(await jsonBody(c), false) as UserWebhook;
      const hook: UserWebhook = {
        ...input,
        payloadTemplate: input.payloadTemplate ?? '',
        id: ++this.seq,
        userId: this.userId,
      };
      this.list.set(hook.id, hook);
      return c.json({ status: 'success', data: view(hook) }, 201);
    });
    app.get('/v2/webhooks', (c) => {
      const take = Math.min(Math.max(Number(c.req.query('take') ?? 250) || 250, 1), 250);
      const skip = Math.max(Number(c.req.query('skip') ?? 0) || 0, 0);
      return c.json({ status: 'success', data: [...this.list.values()].slice(skip, skip + take).map(view) });
    });
    app.get('/v2/webhooks/:id', (c) =>
      c.json({ status: 'success', data: view(this.get(c.req.param('id'))) }),
    );
    app.patch('/v2/webhooks/:id', async (c) => {
      const hook = this.get(c.req.param('id'));
      Object.assign(hook, checkInput(await jsonBody(c), true));
      return c.json({ status: 'success', data: view(hook) });
    });
    app.delete('/v2/webhooks/:id', (c) => {
      const hook = this.get(c.req.param('id'));
      this.list.delete(hook.id);
      return c.json({ status: 'success', data: view(hook) });
    });
  }
}
