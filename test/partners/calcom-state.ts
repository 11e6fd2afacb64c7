import { randomBytes } from 'node:crypto';

/**
 * The Cal.com emulator's data: one host user, event types and bookings shaped exactly as
 * `BookingOutput_2024_08_13` (test/specs/calcom/openapi-v2.subset.json). Operations throw
 * CalError, which the server turns into Cal.com's error body.
 */

export class CalError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const badRequest = (message: string) => new CalError(400, 'BadRequestException', message);
const notFound = (message: string) => new CalError(404, 'NotFoundException', message);

export interface CalHost {
  id: number;
  username: string;
  email: string;
  name: string;
  timeZone: string;
}

export interface CalEventType {
  id: number;
  slug: string;
  title: string;
  length: number;
  /** Other lengths an attendee may pick (`lengthInMinutes`). */
  lengthOptions?: number[];
}

export interface CalAttendee {
  name: string;
  email: string;
  displayEmail: string;
  timeZone: string;
  absent: boolean;
  phoneNumber?: string;
  language?: string;
}

export interface CalBooking {
  id: number;
  uid: string;
  title: string;
  description: string;
  hosts: (CalHost & { displayEmail: string })[];
  status: 'accepted' | 'cancelled' | 'rejected' | 'pending';
  cancellationReason?: string;
  cancelledByEmail?: string;
  reschedulingReason?: string;
  rescheduledByEmail?: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
  start: string;
  end: string;
  duration: number;
  eventTypeId: number;
  eventType: { id: number; slug: string };
  location: string;
  absentHost: boolean;
  createdAt: string;
  updatedAt: string;
  metadata: Record<string, string>;
  attendees: CalAttendee[];
  guests?: string[];
  bookingFieldsResponses: Record<string, unknown>;
}

export interface NewBooking {
  start: string;
  attendee: { name: string; email?: string; timeZone: string; phoneNumber?: string; language?: string };
  eventTypeId?: number;
  eventTypeSlug?: string;
  username?: string;
  lengthInMinutes?: number;
  guests?: string[];
  bookingFieldsResponses?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  location?: unknown;
  status?: CalBooking['status'];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isIso = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(Date.parse(v));
const isoOf = (ms: number) => new Date(ms).toISOString();

/** Checks a `CreateBookingInput_2024_08_13` body; throws 400 naming every problem. */
export function checkCreateInput(body: unknown): NewBooking {
  const problems: string[] = [];
  if (!isObj(body)) throw badRequest('Request body must be a JSON object.');
  if (!isIso(body.start)) problems.push('start must be a valid ISO 8601 date string');
  const a = body.attendee;
  if (!isObj(a)) problems.push('attendee must be an object');
  else {
    if (typeof a.name !== 'string' || !a.name) problems.push('attendee.name must be a string');
    if (typeof a.timeZone !== 'string' || !a.timeZone) problems.push('attendee.timeZone must be a string');
    if (a.email !== undefined && (typeof a.email !== 'string' || !a.email.includes('@')))
      problems.push('attendee.email must be an email');
    if (
      a.phoneNumber !== undefined &&
      (typeof a.phoneNumber !== 'string' || !/^\+\d{6,15}$/.test(a.phoneNumber))
    )
      problems.push('attendee.phoneNumber must be a valid phone number');
  }
  if (
    body.eventTypeId === undefined &&
    !(typeof body.eventTypeSlug === 'string' && typeof body.username === 'string')
  ) {
    problems.push('eventTypeId or eventTypeSlug + username is required');
  }
  if (body.eventTypeId !== undefined && !Number.isInteger(body.eventTypeId))
    problems.push('eventTypeId must be a number');
  if (
    body.guests !== undefined &&
    !(Array.isArray(body.guests) && body.guests.every((g) => typeof g === 'string'))
  )
    problems.push('guests must be an array of emails');
  if (body.bookingFieldsResponses !== undefined && !isObj(body.bookingFieldsResponses))
    problems.push('bookingFieldsResponses must be an object');
  if (body.metadata !== undefined) {
    const m = body.metadata;
    if (
      !isObj(m) ||
      Object.keys(m).length > 50 ||
      Object.entries(m).some(([k, v]) => k.length > 40 || (typeof v === 'string' && v.length > 500))
    ) {
      problems.push(
        'metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters',
      );
    }
  }
  if (body.lengthInMinutes !== undefined && !Number.isInteger(body.lengthInMinutes))
    problems.push('lengthInMinutes must be a number');
  if (problems.length) throw badRequest(problems.join(', '));
  return body as unknown as NewBooking;
}

/** State of one emulated Cal.com account. */
export class CalState {
  readonly host: CalHost;
  eventTypes: CalEventType[];
  bookings = new Map<string, CalBooking>();
  #nextId = 1;
  #lastStamp = 0;

  constructor(host: CalHost, eventTypes: CalEventType[]) {
    this.host = host;
    this.eventTypes = eventTypes;
  }

  /** Strictly increasing timestamps, so updatedAt orders every change. */
  stamp(): string {
    this.#lastStamp = Math.max(Date.now(), this.#lastStamp + 1);
    return isoOf(this.#lastStamp);
  }

  reset(): void {
    this.bookings.clear();
  }

  get(uid: string): CalBooking {
    const b = this.bookings.get(uid);
    if (!b) throw notFound(`Booking with uid=${uid} was not found in the database`);
    return b;
  }

  #eventType(input: NewBooking): CalEventType {
    const et =
      input.eventTypeId !== undefined
        ? this.eventTypes.find((e) => e.id === input.eventTypeId)
        : input.username === this.host.username
          ? this.eventTypes.find((e) => e.slug === input.eventTypeSlug)
          : undefined;
    if (!et) throw notFound(`Event type with id=${input.eventTypeId ?? input.eventTypeSlug} not found`);
    return et;
  }

  /** `EventTypeOutput_2024_06_14` of one event type; the options include the default length, as the spec requires. */
  eventTypeOutput(id: number): Obj {
    const et = this.eventTypes.find((e) => e.id === id);
    if (!et) throw notFound(`Event type with id=${id} not found`);
    const options = et.lengthOptions?.length
      ? [...new Set([et.length, ...et.lengthOptions])].sort((a, b) => a - b)
      : undefined;
    return {
      id: et.id,
      lengthInMinutes: et.length,
      ...(options ? { lengthInMinutesOptions: options } : {}),
      title: et.title,
      slug: et.slug,
      description: '',
      locations: [{ type: 'integration', integration: 'cal-video' }],
      bookingFields: [],
      disableGuests: false,
      recurrence: null,
      metadata: {},
      price: 0,
      currency: 'usd',
      lockTimeZoneToggleOnBookingPage: false,
      forwardParamsSuccessRedirect: null,
      successRedirectUrl: null,
      isInstantEvent: false,
      scheduleId: null,
      hidden: false,
      bookingRequiresAuthentication: false,
      ownerId: this.host.id,
      users: [this.host.username],
      bookingUrl: `https://cal.com/${this.host.username}/${et.slug}`,
    };
  }

  #checkFree(startMs: number, endMs: number, except?: string): void {
    for (const b of this.bookings.values()) {
      if (b.uid === except || (b.status !== 'accepted' && b.status !== 'pending')) continue;
      if (Date.parse(b.start) < endMs && startMs < Date.parse(b.end)) {
        throw badRequest('User either already has booking at this time or is not available');
      }
    }
  }

  create(input: NewBooking, extra: Partial<CalBooking> = {}): CalBooking {
    const et = this.#eventType(input);
    const length = input.lengthInMinutes ?? et.length;
    if (length !== et.length && !et.lengthOptions?.includes(length))
      throw badRequest(`Invalid lengthInMinutes: ${length} is not an option of event type ${et.id}`);
    const startMs = Date.parse(input.start);
    const endMs = startMs + length * 60_000;
    this.#checkFree(startMs, endMs, extra.rescheduledFromUid);
    const now = this.stamp();
    const a = input.attendee;
    const email = a.email ?? `${a.phoneNumber?.replace(/\D/g, '') ?? 'guest'}@sms.cal.com`;
    const responses: Obj = {
      name: a.name,
      email,
      ...(a.phoneNumber ? { attendeePhoneNumber: a.phoneNumber } : {}),
      ...input.bookingFieldsResponses,
    };
    if (input.guests?.length) responses.guests = input.guests;
    const booking: CalBooking = {
      id: this.#nextId++,
      uid: randomBytes(16).toString('base64url').replace(/[-_]/g, '').slice(0, 22),
      title: `${et.title} between ${this.host.name} and ${a.name}`,
      description: typeof responses.notes === 'string' ? responses.notes : '',
      hosts: [{ ...this.host, displayEmail: this.host.email }],
      status: input.status ?? 'accepted',
      start: isoOf(startMs),
      end: isoOf(endMs),
      duration: length,
      eventTypeId: et.id,
      eventType: { id: et.id, slug: et.slug },
      location: 'integrations:daily',
      absentHost: false,
      createdAt: now,
      updatedAt: now,
      metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, String(v)])),
      attendees: [
        {
          name: a.name,
          email,
          displayEmail: email,
          timeZone: a.timeZone,
          absent: false,
          language: a.language ?? 'en',
          ...(a.phoneNumber ? { phoneNumber: a.phoneNumber } : {}),
        },
        ...(input.guests ?? []).map((g) => ({
          name: g,
          email: g,
          displayEmail: g,
          timeZone: a.timeZone,
          absent: false,
          language: 'en',
        })),
      ],
      ...(input.guests?.length ? { guests: input.guests } : {}),
      bookingFieldsResponses: responses,
      ...extra,
    };
    this.bookings.set(booking.uid, booking);
    return booking;
  }

  /** The old booking is cancelled with `rescheduledToUid`; a new one (new uid) takes its place. */
  reschedule(uid: string, body: unknown, byEmail?: string): { from: CalBooking; to: CalBooking } {
    const from = this.get(uid);
    if (!isObj(body) || !isIso(body.start)) throw badRequest('start must be a valid ISO 8601 date string');
    if (from.status === 'cancelled' || from.status === 'rejected')
      throw badRequest('Cannot reschedule a booking that has been cancelled or rejected');
    const reason = typeof body.reschedulingReason === 'string' ? body.reschedulingReason : undefined;
    const by = typeof body.rescheduledBy === 'string' ? body.rescheduledBy : byEmail;
    const a = from.attendees[0]!;
    const to = this.create(
      {
        start: body.start,
        eventTypeId: from.eventTypeId,
        lengthInMinutes: from.duration,
        attendee: {
          name: a.name,
          email: a.email,
          timeZone: a.timeZone,
          phoneNumber: a.phoneNumber,
          language: a.language,
        },
        bookingFieldsResponses: from.bookingFieldsResponses,
        metadata: from.metadata,
        guests: from.guests,
      },
      {
        rescheduledFromUid: from.uid,
        ...(reason ? { reschedulingReason: reason } : {}),
        ...(by ? { rescheduledByEmail: by } : {}),
      },
    );
    Object.assign(from, {
      status: 'cancelled',
      rescheduledToUid: to.uid,
      updatedAt: this.stamp(),
      ...(reason ? { reschedulingReason: reason } : {}),
      ...(by ? { rescheduledByEmail: by } : {}),
    });
    return { from, to };
  }

  cancel(uid: string, body: unknown, byEmail?: string): CalBooking {
    const b = this.get(uid);
    if (b.status === 'cancelled') throw badRequest('This booking has already been cancelled.');
    const reason =
      isObj(body) && typeof body.cancellationReason === 'string' ? body.cancellationReason : undefined;
    Object.assign(b, {
      status: 'cancelled',
      updatedAt: this.stamp(),
      ...(reason ? { cancellationReason: reason } : {}),
      ...(byEmail ? { cancelledByEmail: byEmail } : {}),
    });
    return b;
  }

  /** `MarkAbsentBookingInput_2024_08_13`; returns the booking and the attendees whose flag changed. */
  markAbsent(
    uid: string,
    body: unknown,
  ): { booking: CalBooking; changed: { email: string; noShow: boolean }[] } {
    const b = this.get(uid);
    if (!isObj(body)) throw badRequest('Request body must be a JSON object.');
    if (body.host !== undefined && typeof body.host !== 'boolean') throw badRequest('host must be a boolean');
    const list = body.attendees ?? [];
    if (
      !Array.isArray(list) ||
      !list.every((x) => isObj(x) && typeof x.email === 'string' && typeof x.absent === 'boolean')
    ) {
      throw badRequest('attendees must be an array of { email, absent }');
    }
    const changed: { email: string; noShow: boolean }[] = [];
    for (const item of list as { email: string; absent: boolean }[]) {
      const attendee = b.attendees.find((x) => x.email.toLowerCase() === item.email.toLowerCase());
      if (!attendee) throw badRequest(`Attendee with email ${item.email} is not part of this booking`);
      attendee.absent = item.absent;
      changed.push({ email: attendee.email, noShow: item.absent });
    }
    if (typeof body.host === 'boolean') b.absentHost = body.host;
    b.updatedAt = this.stamp();
    return { booking: b, changed };
  }

  /** GET /v2/bookings with its filters, sorting and offset paging. */
  list(q: URLSearchParams, now = Date.now()) {
    const take = q.has('take') ? Number(q.get('take')) : 100;
    const skip = q.has('skip') ? Number(q.get('skip')) : 0;
    if (!Number.isInteger(take) || take < 1 || take > 250)
      throw badRequest('take must be an integer between 1 and 250');
    if (!Number.isInteger(skip) || skip < 0) throw badRequest('skip must be a non-negative integer');
    const dates: Record<string, number> = {};
    for (const key of [
      'afterStart',
      'beforeEnd',
      'afterCreatedAt',
      'beforeCreatedAt',
      'afterUpdatedAt',
      'beforeUpdatedAt',
    ]) {
      const v = q.get(key);
      if (v === null) continue;
      if (!isIso(v)) throw badRequest(`${key} must be a valid ISO 8601 date string`);
      dates[key] = Date.parse(v);
    }
    const statuses = (q.get('status') ?? '').split(',').filter(Boolean);
    const bad = statuses.find(
      (s) => !['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'].includes(s),
    );
    if (bad) throw badRequest(`status must be one of upcoming, recurring, past, cancelled, unconfirmed`);
    const email = q.get('attendeeEmail')?.toLowerCase();
    const name = q.get('attendeeName')?.toLowerCase();
    const uid = q.get('bookingUid');
    const types = [q.get('eventTypeId'), ...(q.get('eventTypeIds') ?? '').split(',')]
      .filter(Boolean)
      .map(Number);
    const at = (b: CalBooking, k: 'start' | 'end' | 'createdAt' | 'updatedAt') => Date.parse(b[k]);
    let rows = [...this.bookings.values()].filter((b) => {
      const dead = b.status === 'cancelled' || b.status === 'rejected';
      if (statuses.length) {
        const ok = statuses.some((s) =>
          s === 'cancelled'
            ? dead
            : s === 'upcoming'
              ? !dead && at(b, 'end') >= now
              : s === 'past'
                ? !dead && at(b, 'end') < now
                : s === 'unconfirmed'
                  ? b.status === 'pending' && at(b, 'end') >= now
                  : false,
        );
        if (!ok) return false;
      }
      if (email && !b.attendees.some((x) => x.email.toLowerCase() === email)) return false;
      if (name && !b.attendees.some((x) => x.name.toLowerCase().includes(name))) return false;
      if (uid && b.uid !== uid) return false;
      if (types.length && !types.includes(b.eventTypeId)) return false;
      if (dates.afterStart !== undefined && at(b, 'start') < dates.afterStart) return false;
      if (dates.beforeEnd !== undefined && at(b, 'end') > dates.beforeEnd) return false;
      if (dates.afterCreatedAt !== undefined && at(b, 'createdAt') < dates.afterCreatedAt) return false;
      if (dates.beforeCreatedAt !== undefined && at(b, 'createdAt') > dates.beforeCreatedAt) return false;
      if (dates.afterUpdatedAt !== undefined && at(b, 'updatedAt') < dates.afterUpdatedAt) return false;
      if (dates.beforeUpdatedAt !== undefined && at(b, 'updatedAt') > dates.beforeUpdatedAt) return false;
      return true;
    });
    const sorts: [string, 'start' | 'end' | 'createdAt' | 'updatedAt'][] = [
      ['sortStart', 'start'],
      ['sortEnd', 'end'],
      ['sortCreated', 'createdAt'],
      ['sortUpdatedAt', 'updatedAt'],
    ];
    const [param, field] = sorts.find(([p]) => q.has(p)) ?? ['sortStart', 'start'];
    const dir = q.get(param) === 'desc' ? -1 : 1;
    rows = rows.sort((x, y) => dir * (at(x, field) - at(y, field)) || x.id - y.id);
    const page = rows.slice(skip, skip + take);
    const total = rows.length;
    return {
      data: page,
      pagination: {
        totalItems: total,
        remainingItems: Math.max(0, total - (skip + take)),
        returnedItems: page.length,
        itemsPerPage: take,
        currentPage: Math.floor(skip / take) + 1,
        totalPages: Math.ceil(total / take),
        hasNextPage: skip + take < total,
        hasPreviousPage: skip > 0,
      },
    };
  }
}
