import { fingerprint, normalizeEmail } from '../sync/fingerprint.ts';
import { compact, iso, personKey, str, toCommon, toPartner } from './mapping.ts';
import type {
  AppointmentStatus,
  FieldMap,
  FieldMapOverrides,
  PartnerChange,
  SyncAppointment,
  SyncContact,
  SyncKind,
  SyncNote,
} from './types.ts';

/**
 * Pure Cal.com mapping (API v2 bookings and webhook payloads ⇄ the common model). Webhook and
 * API bookings are first normalised to one `CalBookingView`; field maps address that view:
 * `attendee.*` (the primary attendee), `responses.<booking field slug>`, `title`, `notes`,
 * `location`, `description`.
 */

export interface CalAttendeeView {
  email?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  phoneNumber?: string;
  timeZone?: string;
  absent?: boolean;
}

export interface CalBookingView {
  uid: string;
  previousUid?: string;
  rescheduledToUid?: string;
  title: string;
  start: string;
  end: string;
  /** lower-case: accepted | pending | cancelled | rejected | awaiting_host */
  status: string;
  attendees: CalAttendeeView[];
  /** booking field slug → plain value */
  responses: Record<string, unknown>;
  notes?: string;
  location?: string;
  description?: string;
  updatedAt?: string;
}

export const CALCOM_DEFAULT_MAPS: FieldMapOverrides = {
  contact: {
    email: 'attendee.email',
    phone: 'attendee.phoneNumber',
    name: 'attendee.name',
    firstName: 'attendee.firstName',
    lastName: 'attendee.lastName',
  },
  appointment: { title: 'title', notes: 'notes', address: 'location' },
  note: { body: 'notes' },
};

const STATUS: Record<string, AppointmentStatus> = {
  accepted: 'confirmed',
  pending: 'new',
  awaiting_host: 'new',
  cancelled: 'cancelled',
  rejected: 'cancelled',
};

/** Cal.com booking status (webhook upper-case or API lower-case) → GHL appointment status. */
export function calStatus(status: string, anyAbsent = false): AppointmentStatus {
  const s = STATUS[status.toLowerCase()] ?? 'new';
  return anyAbsent && s === 'confirmed' ? 'noshow' : s;
}

/** Webhook responses are `{ label, value, isHidden }`; API ones are plain values. */
function unwrapResponses(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [slug, v] of Object.entries(raw as Record<string, unknown>)) {
    out[slug] =
      v && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v;
  }
  return out;
}

function attendeeView(raw: unknown): CalAttendeeView {
  const a = (raw ?? {}) as Record<string, unknown>;
  return compact({
    email: normalizeEmail(a.email),
    name: str(a.name),
    firstName: str(a.firstName),
    lastName: str(a.lastName),
    phoneNumber: str(a.phoneNumber),
    timeZone: str(a.timeZone),
    absent: typeof a.absent === 'boolean' ? a.absent : typeof a.noShow === 'boolean' ? a.noShow : undefined,
  });
}

/** The primary attendee gets what only the booking form knows: phone, split name. */
function enrichPrimary(attendees: CalAttendeeView[], responses: Record<string, unknown>): CalAttendeeView[] {
  const [first, ...rest] = attendees;
  if (!first) return attendees;
  const name = responses.name;
  const split = name && typeof name === 'object' ? (name as Record<string, unknown>) : {};
  return [
    compact({
      ...first,
      phoneNumber: first.phoneNumber ?? str(responses.attendeePhoneNumber),
      firstName: first.firstName ?? str(split.firstName),
      lastName: first.lastName ?? str(split.lastName),
    }),
    ...rest,
  ];
}

function locationText(value: unknown): string | undefined {
  if (typeof value === 'string') return str(value);
  if (value && typeof value === 'object')
    return (
      str((value as Record<string, unknown>).value) ?? str((value as Record<string, unknown>).optionValue)
    );
  return undefined;
}

/** A webhook `payload` of a booking trigger, normalised; null when it lacks uid or times. */
export function viewFromWebhook(payload: Record<string, unknown>): CalBookingView | null {
  const uid = str(payload.uid);
  const start = iso(payload.startTime);
  const end = iso(payload.endTime);
  if (!uid || !start || !end) return null;
  const responses = unwrapResponses(payload.responses);
  const attendees = Array.isArray(payload.attendees) ? payload.attendees.map(attendeeView) : [];
  return compact({
    uid,
    previousUid: str(payload.rescheduleUid),
    title: str(payload.title) ?? str(payload.eventTitle) ?? 'Cal.com booking',
    start,
    end,
    status: (str(payload.status) ?? 'accepted').toLowerCase(),
    attendees: enrichPrimary(attendees, responses),
    responses,
    notes: str(payload.additionalNotes) ?? str(responses.notes),
    location: locationText(payload.location) ?? locationText(responses.location),
    description: str(payload.description),
  });
}

/** A `BookingOutput_2024_08_13` from the API, normalised; null when it lacks uid or times. */
export function viewFromApi(booking: Record<string, unknown>): CalBookingView | null {
  const uid = str(booking.uid);
  const start = iso(booking.start);
  const end = iso(booking.end);
  if (!uid || !start || !end) return null;
  const responses = unwrapResponses(booking.bookingFieldsResponses);
  const attendees = Array.isArray(booking.attendees) ? booking.attendees.map(attendeeView) : [];
  return compact({
    uid,
    previousUid: str(booking.rescheduledFromUid),
    rescheduledToUid: str(booking.rescheduledToUid),
    title: str(booking.title) ?? 'Cal.com booking',
    start,
    end,
    status: (str(booking.status) ?? 'accepted').toLowerCase(),
    attendees: enrichPrimary(attendees, responses),
    responses,
    notes: str(responses.notes),
    location: str(booking.location),
    description: str(booking.description),
    updatedAt: iso(booking.updatedAt),
  });
}

/** The print of an object as Cal.com round-trips it: only what a booking echo carries back. */
export function calcomFingerprint(kind: SyncKind, data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  if (kind === 'appointment' && 'startTime' in d)
    return fingerprint({ startTime: d.startTime, endTime: d.endTime, status: d.status });
  if (kind === 'contact')
    return fingerprint({
      email: d.email,
      phone: d.phone,
      name: d.name,
      firstName: d.firstName,
      lastName: d.lastName,
    });
  return fingerprint(data);
}

export interface CalMaps {
  contact: FieldMap;
  appointment: FieldMap;
  note: FieldMap;
}

interface ChangeContext {
  connectionId: string;
  occurredAt: string;
  /** Prefix of every dedupe key of this event (one event → several changes). */
  dedupeBase: string;
  maps: CalMaps;
}

/**
 * Cal.com books an attendee who gave only a phone under the invented address
 * `<digits>@sms.cal.com` (calcom/cal.com packages/lib/isSmsCalEmail.ts). It reaches nobody, so it
 * is not a contact email: the person is matched and stored by phone instead. The attendee view
 * keeps it, as it is Cal.com's handle on the attendee (mark-absent).
 */
export function withoutSmsPlaceholder(contact: SyncContact): SyncContact {
  const m = typeof contact.email === 'string' ? /^\+?(\d*)@sms\.cal\.com$/i.exec(contact.email.trim()) : null;
  if (!m) return contact;
  const { email: _placeholder, ...rest } = contact;
  return compact({ ...rest, phone: rest.phone ?? (m[1] ? `+${m[1]}` : undefined) });
}

function contactOf(view: CalBookingView, attendee: CalAttendeeView, map: FieldMap): SyncContact {
  return withoutSmsPlaceholder(
    toCommon({ attendee, responses: view.responses, title: view.title }, map) as SyncContact,
  );
}

/**
 * The changes one booking state means: a contact upsert per attendee, the appointment (with the
 * primary attendee as its contact) and, when the booking has notes, a note.
 */
export function bookingChanges(view: CalBookingView, ctx: ChangeContext): PartnerChange[] {
  const base = { connectionId: ctx.connectionId, occurredAt: ctx.occurredAt };
  const changes: PartnerChange[] = [];
  const primary = view.attendees[0];
  const primaryContact = primary ? contactOf(view, primary, ctx.maps.contact) : undefined;
  for (const attendee of view.attendees) {
    const contact = contactOf(view, attendee, ctx.maps.contact);
    const key = personKey(contact);
    if (!key) continue;
    changes.push({
      ...base,
      kind: 'contact',
      op: 'upsert',
      partnerId: key,
      contact,
      data: contact,
      dedupeKey: `${ctx.dedupeBase}:contact:${key}`,
      fingerprint: calcomFingerprint('contact', contact),
    });
  }
  const mapped = toCommon(view, ctx.maps.appointment);
  const appointment: SyncAppointment = compact({
    title: str(mapped.title) ?? view.title,
    startTime: view.start,
    endTime: view.end,
    status: calStatus(
      view.status,
      view.attendees.some((a) => a.absent === true),
    ),
    notes: str(mapped.notes),
    address: str(mapped.address),
    attendeeEmail: primaryContact?.email,
    attendeePhone: primaryContact?.phone,
    attendeeName: primaryContact?.name ?? primary?.name,
    updatedAt: view.updatedAt,
  });
  changes.push({
    ...base,
    kind: 'appointment',
    op: 'upsert',
    partnerId: view.uid,
    previousPartnerId: view.previousUid,
    contact: primaryContact,
    data: appointment,
    dedupeKey: `${ctx.dedupeBase}:appointment`,
    fingerprint: calcomFingerprint('appointment', appointment),
  });
  const noteBody = str(toCommon(view, ctx.maps.note).body);
  if (noteBody) {
    const note: SyncNote = { body: noteBody, title: `Cal.com: ${view.title}` };
    changes.push({
      ...base,
      kind: 'note',
      op: 'upsert',
      partnerId: `${view.uid}:notes`,
      previousPartnerId: view.previousUid ? `${view.previousUid}:notes` : undefined,
      contact: primaryContact,
      data: note,
      dedupeKey: `${ctx.dedupeBase}:note`,
      fingerprint: calcomFingerprint('note', note),
    });
  }
  return changes.map((c) => compact(c));
}

/** BOOKING_NO_SHOW_UPDATED `{ bookingUid, attendees: [{ email, noShow }] }` → one change per attendee. */
export function noShowChanges(
  payload: Record<string, unknown>,
  ctx: Omit<ChangeContext, 'maps'>,
): PartnerChange[] {
  const uid = str(payload.bookingUid) ?? str(payload.uid);
  if (!uid || !Array.isArray(payload.attendees)) return [];
  const changes: PartnerChange[] = [];
  for (const raw of payload.attendees as Record<string, unknown>[]) {
    const email = normalizeEmail(raw?.email);
    if (!email || typeof raw.noShow !== 'boolean') continue;
    const data = { absent: raw.noShow, attendeeEmails: [email] };
    changes.push({
      connectionId: ctx.connectionId,
      occurredAt: ctx.occurredAt,
      kind: 'appointment',
      op: 'no_show',
      partnerId: uid,
      contact: withoutSmsPlaceholder({ email }),
      data,
      dedupeKey: `${ctx.dedupeBase}:noshow:${email}`,
      fingerprint: calcomFingerprint('appointment', data),
    });
  }
  return changes;
}

/** `2026-01-02T03:04:00.000Z` → `2026-01-02T03:04:00Z`, the form Cal.com documents. */
export function calTime(isoTime: string): string {
  return new Date(isoTime).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * `CreateBookingInput_2024_08_13` for a GHL appointment. The contact map is applied in reverse:
 * `attendee.*` fields fill the attendee, `responses.*` fill `bookingFieldsResponses`.
 */
export function toCreateBookingInput(
  appointment: SyncAppointment,
  contact: SyncContact | undefined,
  opts: {
    eventTypeId: number;
    lengthInMinutes?: number;
    timeZone: string;
    contactMap: FieldMap;
    metadata: Record<string, string>;
  },
): Record<string, unknown> {
  const fromContact = toPartner(
    {
      ...contact,
      email: contact?.email ?? appointment.attendeeEmail,
      phone: contact?.phone ?? appointment.attendeePhone,
    },
    opts.contactMap,
  );
  const attendee = (fromContact.attendee ?? {}) as Record<string, unknown>;
  const fullName = [str(attendee.firstName), str(attendee.lastName)].filter(Boolean).join(' ');
  const name =
    str(attendee.name) ??
    (fullName || undefined) ??
    appointment.attendeeName ??
    str(attendee.email) ??
    'HighLevel contact';
  const responses = fromContact.responses as Record<string, unknown> | undefined;
  return compact({
    start: calTime(appointment.startTime),
    eventTypeId: opts.eventTypeId,
    lengthInMinutes: opts.lengthInMinutes,
    attendee: compact({
      name,
      timeZone: opts.timeZone,
      email: str(attendee.email),
      phoneNumber: str(attendee.phoneNumber),
    }),
    bookingFieldsResponses: responses && Object.keys(responses).length ? responses : undefined,
    metadata: opts.metadata,
  });
}
