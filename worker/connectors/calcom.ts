import { randomId } from '../crypto/encoding.ts';
import { AppError } from '../errors.ts';
import { parseJsonObject } from '../lib/body.ts';
import { CALCOM_EVENT_TYPES_VERSION, calcomClient, type Call } from './calcom-client.ts';
import {
  keptLengthNote,
  lengthForNewBooking,
  newBookingNote,
  type CalEventTypeLengths,
} from './calcom-length.ts';
import { refreshCalcomTokens } from './calcom-oauth.ts';
import { registerCalcomWebhook, testCalcom, unregisterCalcomWebhook } from './calcom-admin.ts';
import { PartnerApiError } from './http.ts';
import { iso, mapFor, str } from './mapping.ts';
import {
  bookingChanges,
  CALCOM_DEFAULT_MAPS,
  calcomFingerprint,
  calStatus,
  calTime,
  noShowChanges,
  toCreateBookingInput,
  viewFromApi,
  viewFromWebhook,
  type CalBookingView,
  type CalMaps,
} from './calcom-map.ts';
import { verifyHmacSha256Hex } from './signing.ts';
import type {
  ApplyResult,
  ChangePage,
  Connector,
  ConnectorConnection,
  OutboundChange,
  PartnerChange,
  SyncAppointment,
} from './types.ts';

/**
 * Cal.com API v2: bookings ⇄ GHL appointments; attendees, booking
 * notes and no-shows flow in. Webhooks are `{ triggerEvent, createdAt, payload }` signed with
 * `X-Cal-Signature-256` = hex HMAC-SHA256(secret, raw body). Calls authenticate with an API key
 * or OAuth tokens (calcom-client.ts, calcom-oauth.ts).
 */

/** `WebhookTriggerEvents` of the v2 spec, plus the PING the settings page sends. */
const KNOWN_TRIGGERS = new Set([
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
  'PING',
]);
const BOOKING_TRIGGERS = new Set([
  'BOOKING_CREATED',
  'BOOKING_RESCHEDULED',
  'BOOKING_CANCELLED',
  'BOOKING_REQUESTED',
  'BOOKING_REJECTED',
]);
const TRIGGER_STATUS: Record<string, string> = {
  BOOKING_CANCELLED: 'cancelled',
  BOOKING_REJECTED: 'rejected',
  BOOKING_REQUESTED: 'pending',
};
const PAGE_SIZE = 100;
const MAX_RESCHEDULE_HOPS = 5;

function maps(conn: ConnectorConnection): CalMaps {
  return {
    contact: mapFor(CALCOM_DEFAULT_MAPS, conn.settings, 'contact'),
    appointment: mapFor(CALCOM_DEFAULT_MAPS, conn.settings, 'appointment'),
    note: mapFor(CALCOM_DEFAULT_MAPS, conn.settings, 'note'),
  };
}

function parseWebhook(raw: Uint8Array, conn: ConnectorConnection): PartnerChange[] {
  const body = parseJsonObject(raw);
  const trigger = body.triggerEvent;
  if (typeof trigger !== 'string' || !trigger)
    throw new AppError(400, 'invalid_event', 'The Cal.com event has no triggerEvent.');
  if (!KNOWN_TRIGGERS.has(trigger))
    throw new AppError(422, 'unsupported_event', `Cal.com trigger ${trigger.slice(0, 64)} is not known.`);
  const payload = body.payload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    if (trigger === 'PING') return [];
    throw new AppError(400, 'invalid_event', 'The Cal.com event has no payload object.');
  }
  const p = payload as Record<string, unknown>;
  const occurredAt = iso(body.createdAt) ?? new Date().toISOString();
  if (trigger === 'BOOKING_NO_SHOW_UPDATED') {
    const uid = str(p.bookingUid) ?? str(p.uid) ?? '';
    return noShowChanges(p, {
      connectionId: conn.id,
      occurredAt,
      dedupeBase: `calcom:${trigger}:${uid}:${occurredAt}`,
    });
  }
  if (!BOOKING_TRIGGERS.has(trigger)) return [];
  const view = viewFromWebhook(p);
  if (!view)
    throw new AppError(
      400,
      'invalid_event',
      `The Cal.com ${trigger} payload has no uid, startTime or endTime.`,
    );
  // The trigger is the fact; a payload status is only a copy of it (and absent in some templates).
  view.status = TRIGGER_STATUS[trigger] ?? view.status;
  return bookingChanges(view, {
    connectionId: conn.id,
    occurredAt,
    dedupeBase: `calcom:${trigger}:${view.uid}:${occurredAt}`,
    maps: maps(conn),
  });
}

function bookingOf(json: Record<string, unknown>, what: string): CalBookingView {
  const data = json.data;
  const view =
    data && typeof data === 'object' && !Array.isArray(data)
      ? viewFromApi(data as Record<string, unknown>)
      : null;
  if (!view) throw new PartnerApiError('rejected', `${what}: Cal.com answered without a booking.`);
  return view;
}

function echoOf(view: CalBookingView): string {
  return calcomFingerprint('appointment', {
    startTime: view.start,
    endTime: view.end,
    status: calStatus(
      view.status,
      view.attendees.some((a) => a.absent === true),
    ),
  });
}

/** The live booking for `uid`, following reschedules (each gives a new uid). */
async function current(call: Call, uid: string): Promise<CalBookingView> {
  let view = bookingOf(
    await call('GET', `/v2/bookings/${encodeURIComponent(uid)}`, 'Cal.com get booking'),
    'Cal.com get booking',
  );
  for (
    let hop = 0;
    hop < MAX_RESCHEDULE_HOPS && view.status === 'cancelled' && view.rescheduledToUid;
    hop++
  ) {
    view = bookingOf(
      await call('GET', `/v2/bookings/${encodeURIComponent(view.rescheduledToUid)}`, 'Cal.com get booking'),
      'Cal.com get booking',
    );
  }
  return view;
}

async function cancel(call: Call, uid: string): Promise<ApplyResult> {
  const view = await current(call, uid);
  if (view.status === 'cancelled' || view.status === 'rejected')
    return { partnerId: view.uid, echoFingerprint: echoOf(view) };
  const json = await call(
    'POST',
    `/v2/bookings/${encodeURIComponent(view.uid)}/cancel`,
    'Cal.com cancel booking',
    { cancellationReason: 'Cancelled in HighLevel' },
  );
  const done = bookingOf(json, 'Cal.com cancel booking');
  return { partnerId: done.uid, echoFingerprint: echoOf(done) };
}

/** A booking this key already created (a retry after a lost answer), found by its metadata. */
async function findByKey(
  call: Call,
  appt: SyncAppointment,
  email: string | undefined,
  syncKey: string,
): Promise<CalBookingView | null> {
  const start = Date.parse(appt.startTime);
  const q = new URLSearchParams({
    afterStart: new Date(start - 60_000).toISOString(),
    beforeEnd: new Date(start + 86_400_000).toISOString(),
    take: String(PAGE_SIZE),
  });
  if (email) q.set('attendeeEmail', email);
  const json = await call('GET', `/v2/bookings?${q}`, 'Cal.com list bookings');
  for (const b of Array.isArray(json.data) ? (json.data as Record<string, unknown>[]) : []) {
    const meta = b?.metadata as Record<string, unknown> | undefined;
    if (meta?.syncKey === syncKey) return viewFromApi(b);
  }
  return null;
}

/** The event type's lengths, or null when this connection may not read it (a team event type). */
async function eventTypeLengths(call: Call, eventTypeId: number): Promise<CalEventTypeLengths | null> {
  let json: Record<string, unknown>;
  try {
    json = await call(
      'GET',
      `/v2/event-types/${eventTypeId}`,
      'Cal.com get event type',
      undefined,
      CALCOM_EVENT_TYPES_VERSION,
    );
  } catch (err) {
    if (
      err instanceof PartnerApiError &&
      (err.code === 'not_found' || (err.code === 'auth_failed' && err.status === 403))
    )
      return null;
    throw err;
  }
  const data = (json.data ?? {}) as Record<string, unknown>;
  const options = Array.isArray(data.lengthInMinutesOptions)
    ? data.lengthInMinutesOptions.filter((n): n is number => typeof n === 'number')
    : undefined;
  return typeof data.lengthInMinutes === 'number'
    ? { id: eventTypeId, lengthInMinutes: data.lengthInMinutes, lengthInMinutesOptions: options }
    : null;
}

/** A result carrying a note for the sync log when there is one. */
const withNote = (
  result: { partnerId: string; echoFingerprint: string },
  note: string | undefined,
): ApplyResult => (note ? { ...result, note } : result);

async function create(
  call: Call,
  change: OutboundChange & { kind: 'appointment'; op: 'create' | 'update' },
  conn: ConnectorConnection,
  key: string,
): Promise<ApplyResult> {
  const appt = change.data;
  if (appt.status === 'cancelled')
    return {
      partnerId: null,
      echoFingerprint: null,
      skipped: 'A cancelled appointment is not booked in Cal.com.',
    };
  const eventTypeId = Number(conn.settings.eventTypeId);
  if (!Number.isInteger(eventTypeId) || eventTypeId <= 0) {
    throw new PartnerApiError(
      'not_configured',
      'Choose the Cal.com event type for appointments made in HighLevel (connection settings).',
    );
  }
  const syncKey = key.slice(0, 500);
  const email = change.contact?.email ?? appt.attendeeEmail;
  const eventType = await eventTypeLengths(call, eventTypeId);
  const found = await findByKey(call, appt, email, syncKey);
  if (found)
    return withNote(
      { partnerId: found.uid, echoFingerprint: echoOf(found) },
      newBookingNote(appt, found, eventType),
    );
  const input = toCreateBookingInput(appt, change.contact, {
    eventTypeId,
    lengthInMinutes: lengthForNewBooking(appt, eventType),
    timeZone:
      typeof conn.settings.timeZone === 'string' && conn.settings.timeZone ? conn.settings.timeZone : 'UTC',
    contactMap: mapFor(CALCOM_DEFAULT_MAPS, conn.settings, 'contact'),
    metadata: { syncKey, ...(change.ghlId ? { ghlAppointmentId: change.ghlId.slice(0, 500) } : {}) },
  });
  const made = bookingOf(
    await call('POST', '/v2/bookings', 'Cal.com create booking', input),
    'Cal.com create booking',
  );
  return withNote(
    { partnerId: made.uid, echoFingerprint: echoOf(made) },
    newBookingNote(appt, made, eventType),
  );
}

async function update(call: Call, uid: string, appt: SyncAppointment): Promise<ApplyResult> {
  if (appt.status === 'cancelled') return cancel(call, uid);
  const view = await current(call, uid);
  if (view.status === 'cancelled' || view.status === 'rejected') {
    return {
      partnerId: view.uid,
      echoFingerprint: null,
      skipped: 'The Cal.com booking is cancelled; Cal.com cannot restore it.',
    };
  }
  if (appt.status === 'noshow') {
    const primary = view.attendees[0];
    if (!primary?.email || primary.absent) return { partnerId: view.uid, echoFingerprint: echoOf(view) };
    await call('POST', `/v2/bookings/${encodeURIComponent(view.uid)}/mark-absent`, 'Cal.com mark absent', {
      attendees: [{ email: primary.email, absent: true }],
    });
    return {
      partnerId: view.uid,
      echoFingerprint: calcomFingerprint('appointment', { absent: true, attendeeEmails: [primary.email] }),
    };
  }
  if (Date.parse(view.start) === Date.parse(appt.startTime))
    return withNote({ partnerId: view.uid, echoFingerprint: echoOf(view) }, keptLengthNote(appt, view));
  const json = await call(
    'POST',
    `/v2/bookings/${encodeURIComponent(view.uid)}/reschedule`,
    'Cal.com reschedule booking',
    {
      start: calTime(appt.startTime),
      reschedulingReason: 'Rescheduled in HighLevel',
    },
  );
  const moved = bookingOf(json, 'Cal.com reschedule booking');
  return withNote({ partnerId: moved.uid, echoFingerprint: echoOf(moved) }, keptLengthNote(appt, moved));
}

/** Cursor `<ISO updatedAt>~<skip>`; see listChangedSince. */
function parseCursor(cursor: string | null, createdAt: number): { at: string; skip: number } {
  const [at, skip] = (cursor ?? '').split('~');
  const when = iso(at) ?? new Date(createdAt).toISOString();
  const n = Number(skip);
  return { at: when, skip: Number.isInteger(n) && n > 0 ? n : 0 };
}

/** The Cal.com connector. */
export const calcomConnector: Connector = {
  kind: 'calcom',
  label: 'Cal.com',
  capabilities: {
    inbound: { contact: ['upsert'], appointment: ['upsert', 'no_show'], note: ['upsert'] },
    outbound: { appointment: ['create', 'update', 'delete'] },
    reconcile: true,
    inboundAuth: 'hmac-sha256',
  },
  credentials: [
    {
      name: 'apiKey',
      required: false,
      oneOf: 'auth',
      description: 'API key (cal_live_…) from Settings › Developer › API keys',
    },
    {
      name: 'accessToken',
      required: false,
      oneOf: 'auth',
      description: 'OAuth access token, instead of an API key',
    },
    {
      name: 'refreshToken',
      required: false,
      description: 'OAuth refresh token: with the client ID, the access token is renewed when it expires',
    },
    {
      name: 'clientId',
      required: false,
      description: 'Client ID of the Cal.com OAuth client the tokens belong to',
    },
    {
      name: 'clientSecret',
      required: false,
      description: 'Client secret of that OAuth client (none for a public client)',
    },
    {
      name: 'webhookSecret',
      required: true,
      description: 'Secret of the Cal.com webhook that points at this connection',
    },
  ],
  defaultFieldMaps: CALCOM_DEFAULT_MAPS,
  // What the booking views in calcom-map.ts hold: the attendee, the booking, its form answers.
  partnerFields: {
    contact: [
      'attendee.email',
      'attendee.phoneNumber',
      'attendee.name',
      'attendee.firstName',
      'attendee.lastName',
      'attendee.timeZone',
      'title',
      'responses.*',
    ],
    appointment: ['title', 'notes', 'location', 'description', 'start', 'end', 'status', 'responses.*'],
    note: ['notes', 'description', 'title', 'location', 'responses.*'],
  },

  async verifyInbound(raw, headers, conn) {
    return verifyHmacSha256Hex(conn.credentials.webhookSecret ?? '', raw, headers.get('x-cal-signature-256'));
  },

  parseInbound(raw, _headers, conn) {
    return parseWebhook(raw, conn);
  },

  async apply(change, conn, idempotencyKey) {
    if (change.kind !== 'appointment') {
      return {
        partnerId: change.partnerId ?? null,
        echoFingerprint: null,
        skipped: 'Cal.com takes only appointments from HighLevel.',
      };
    }
    const call = calcomClient(conn);
    if (change.op === 'delete') {
      return change.partnerId
        ? cancel(call, change.partnerId)
        : { partnerId: null, echoFingerprint: null, skipped: 'The appointment was never booked in Cal.com.' };
    }
    return change.partnerId
      ? update(call, change.partnerId, change.data)
      : create(call, change, conn, idempotencyKey);
  },

  /**
   * GET /v2/bookings?afterUpdatedAt&sortUpdatedAt=asc. The spec does not say whether the bound
   * is inclusive, so each page restarts 1 ms before its last updatedAt (re-reads are deduped by
   * `uid:updatedAt`) and `skip` steps over a full page that shares one updatedAt.
   */
  async listChangedSince(conn, cursor): Promise<ChangePage> {
    const call = calcomClient(conn);
    const { at, skip } = parseCursor(cursor, conn.createdAt);
    const q = new URLSearchParams({
      afterUpdatedAt: at,
      sortUpdatedAt: 'asc',
      take: String(PAGE_SIZE),
      skip: String(skip),
    });
    const json = await call('GET', `/v2/bookings?${q}`, 'Cal.com list bookings');
    const rows = Array.isArray(json.data) ? (json.data as Record<string, unknown>[]) : [];
    const connMaps = maps(conn);
    const changes: PartnerChange[] = [];
    let last: string | undefined;
    for (const row of rows) {
      const view = row && typeof row === 'object' ? viewFromApi(row) : null;
      if (!view) continue;
      const updatedAt = view.updatedAt ?? at;
      if (view.updatedAt) last = view.updatedAt;
      // The old side of a reschedule: its successor carries previousPartnerId.
      if (view.status === 'cancelled' && view.rescheduledToUid) continue;
      changes.push(
        ...bookingChanges(view, {
          connectionId: conn.id,
          occurredAt: updatedAt,
          dedupeBase: `calcom:sync:${view.uid}:${updatedAt}`,
          maps: connMaps,
        }),
      );
    }
    const pagination = (json.pagination ?? {}) as { hasNextPage?: unknown };
    const hasMore = pagination.hasNextPage === true;
    let next = `${at}~${skip + rows.length}`;
    if (last) {
      const restart = new Date(Date.parse(last) - 1).toISOString();
      next = restart === at ? `${at}~${skip + rows.length}` : `${restart}~0`;
    }
    return { changes, cursor: next, hasMore };
  },

  fingerprint: calcomFingerprint,

  mintSecrets() {
    return { webhookSecret: randomId(32) };
  },

  refreshTokens(conn) {
    return refreshCalcomTokens(conn);
  },

  testConnection: testCalcom,
  registerWebhook: registerCalcomWebhook,
  unregisterWebhook: unregisterCalcomWebhook,
};
