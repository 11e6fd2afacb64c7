import { AppError } from '../errors.ts';
import { parseJsonObject } from '../lib/body.ts';
import { fingerprint, normalizeEmail } from '../sync/fingerprint.ts';
import { compact, iso, mapFor, personKey, str, toCommon } from './mapping.ts';
import { matchesHash } from './signing.ts';
import type {
  AppointmentStatus,
  Connector,
  ConnectorConnection,
  FieldMapOverrides,
  PartnerChange,
  SyncAppointment,
  SyncContact,
} from './types.ts';

/**
 * Appointlet: webhooks only, unsigned, no API. The inbound URL carries
 * a per-connection `?key=` whose SHA-256 is stored; a request without the right key is refused.
 *
 * Envelope (attested): `{ id, type: "Activity", created_at, action, message, metadata, entity }`.
 * A Meeting entity (attested: id, name, location, start, end, approved, confirmed, cancelled)
 * is assumed to carry `attendees[]`; an Attendee entity `{ id, email, first_name, last_name,
 * phone, notes, fields: [{ name, value }], meeting }`; Meeting.tagged/untagged name the tag in
 * `metadata.tag` (or `metadata.tags`). These [inferred] shapes are what test/partners/appointlet.ts
 * sends; anything missing degrades to fewer changes, never to an error.
 */

export const APPOINTLET_DEFAULT_MAPS: FieldMapOverrides = {
  contact: {
    email: 'email',
    phone: 'phone',
    firstName: 'first_name',
    lastName: 'last_name',
    name: 'full_name',
  },
  appointment: { title: 'name', address: 'location' },
  note: { body: 'notes' },
};

const MEETING_STATUS: Record<string, AppointmentStatus> = {
  scheduled: 'confirmed',
  rescheduled: 'confirmed',
  approved: 'confirmed',
  cancelled: 'cancelled',
  declined: 'cancelled',
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;

/** Attendee → the flat view field maps address; `fields: [{name, value}]` becomes `fields.<name>`. */
export function attendeeView(raw: Obj): Obj {
  const fields: Obj = {};
  if (Array.isArray(raw.fields)) {
    for (const f of raw.fields as unknown[]) {
      const name = str(obj(f)?.name) ?? str(obj(obj(f)?.field)?.name);
      if (name) fields[name] = obj(f)?.value;
    }
  }
  const first = str(raw.first_name);
  const last = str(raw.last_name);
  return {
    ...raw,
    full_name: str(raw.full_name) ?? str(raw.name) ?? ([first, last].filter(Boolean).join(' ') || undefined),
    fields,
  };
}

/**
 * A meeting's `approved` is the host's decision under Manual Approval (FACTS §1.2–1.3, events
 * Meeting/Attendee.approved and .declined): true approved, false declined, null not decided
 * yet. A request still waiting for the host is an unconfirmed appointment (GHL "new").
 */
function statusOf(verb: string, meeting: Obj, attendee?: Obj): AppointmentStatus {
  if (meeting.cancelled === true || meeting.approved === false) return 'cancelled';
  const attendeeStatus = str(attendee?.status);
  if (attendeeStatus === 'cancelled' || attendeeStatus === 'declined') return 'cancelled';
  if (verb === 'approved' || attendeeStatus === 'approved') return 'confirmed';
  if (meeting.approved === null) return 'new';
  return MEETING_STATUS[verb] ?? 'confirmed';
}

function tagsOf(activity: Obj, meeting: Obj): string[] {
  const meta = obj(activity.metadata);
  const one = meta?.tag;
  const list = Array.isArray(meta?.tags)
    ? (meta!.tags as unknown[])
    : one !== undefined
      ? [one]
      : Array.isArray(meeting.tags)
        ? (meeting.tags as unknown[])
        : [];
  return list.map((t) => str(t) ?? str(obj(t)?.name)).filter((t): t is string => !!t);
}

interface Ctx {
  conn: ConnectorConnection;
  activityId: string;
  occurredAt: string;
}

/** Changes for one attendee of one meeting under `verb`. */
function attendeeChanges(
  ctx: Ctx,
  verb: string,
  meeting: Obj,
  rawAttendee: Obj,
  activity: Obj,
): PartnerChange[] {
  const settings = ctx.conn.settings;
  const view = attendeeView(rawAttendee);
  const contact = toCommon(view, mapFor(APPOINTLET_DEFAULT_MAPS, settings, 'contact')) as SyncContact;
  if (contact.email) contact.email = normalizeEmail(contact.email) ?? contact.email;
  const who = personKey(contact);
  if (!who) return [];
  const meetingId = str(meeting.id) ?? 'unknown';
  const apptId = `meeting:${meetingId}:${str(rawAttendee.id) ?? who}`;
  const base = { connectionId: ctx.conn.id, occurredAt: ctx.occurredAt, contact };
  const key = (suffix: string) => `appointlet:${ctx.activityId}:${who}:${suffix}`;

  if (verb === 'tagged' || verb === 'untagged') {
    const tags = tagsOf(activity, meeting);
    if (!tags.length) return [];
    const data = { tags };
    return [
      {
        ...base,
        kind: 'tag',
        op: verb === 'tagged' ? 'tag_add' : 'tag_remove',
        partnerId: who,
        data,
        dedupeKey: key(verb),
        fingerprint: fingerprint(data),
      },
    ];
  }
  const changes: PartnerChange[] = [
    {
      ...base,
      kind: 'contact',
      op: 'upsert',
      partnerId: who,
      data: contact,
      dedupeKey: key('contact'),
      fingerprint: fingerprint(contact),
    },
  ];
  const start = iso(meeting.start);
  const end = iso(meeting.end);
  if (start && end) {
    const mapped = toCommon(meeting, mapFor(APPOINTLET_DEFAULT_MAPS, settings, 'appointment'));
    const appt: SyncAppointment = compact({
      title: str(mapped.title) ?? 'Appointlet meeting',
      startTime: start,
      endTime: end,
      status: statusOf(verb, meeting, rawAttendee),
      notes: str(mapped.notes),
      address: str(mapped.address),
      attendeeEmail: contact.email,
      attendeePhone: contact.phone,
      attendeeName: contact.name,
      updatedAt: iso(meeting.updated_at),
    });
    changes.push({
      ...base,
      kind: 'appointment',
      op: 'upsert',
      partnerId: apptId,
      data: appt,
      dedupeKey: key('appointment'),
      fingerprint: fingerprint(appt),
    });
  }
  const noteBody = str(toCommon(view, mapFor(APPOINTLET_DEFAULT_MAPS, settings, 'note')).body);
  if (noteBody) {
    const note = { body: noteBody, title: `Appointlet: ${str(meeting.name) ?? 'meeting'}` };
    changes.push({
      ...base,
      kind: 'note',
      op: 'upsert',
      partnerId: `${apptId}:notes`,
      data: note,
      dedupeKey: key('note'),
      fingerprint: fingerprint(note),
    });
  }
  return changes;
}

const HANDLED = new Set([
  'Meeting.scheduled',
  'Meeting.rescheduled',
  'Meeting.cancelled',
  'Meeting.approved',
  'Meeting.declined',
  'Meeting.tagged',
  'Meeting.untagged',
  'Attendee.scheduled',
  'Attendee.cancelled',
  'Attendee.approved',
  'Attendee.declined',
]);

/** An Appointlet Activity → common-model changes (pure). */
export function parseAppointletActivity(body: Obj, conn: ConnectorConnection): PartnerChange[] {
  const action = str(body.action);
  if (!action || !/^[A-Za-z]{1,40}\.[A-Za-z_]{1,40}$/.test(action))
    throw new AppError(400, 'invalid_event', 'The Appointlet activity has no valid action.');
  const entity = obj(body.entity);
  if (!entity) throw new AppError(400, 'invalid_event', 'The Appointlet activity has no entity.');
  // The event list is not published (FACTS §1.3): unknown but well-formed actions are ignored.
  if (!HANDLED.has(action)) return [];
  const [subject, verb] = action.split('.') as [string, string];
  const ctx: Ctx = {
    conn,
    activityId: str(body.id) ?? `${action}:${str(entity.id) ?? ''}:${str(body.created_at) ?? ''}`,
    occurredAt: iso(body.created_at) ?? new Date().toISOString(),
  };
  if (subject === 'Attendee') {
    const meeting = obj(entity.meeting) ?? {};
    return attendeeChanges(ctx, verb, meeting, entity, body);
  }
  const attendees = Array.isArray(entity.attendees)
    ? (entity.attendees as unknown[]).map(obj).filter((a): a is Obj => !!a)
    : [];
  return attendees.flatMap((a) => attendeeChanges(ctx, verb, entity, a, body));
}

/** The Appointlet connector: inbound only. */
export const appointletConnector: Connector = {
  kind: 'appointlet',
  label: 'Appointlet',
  capabilities: {
    inbound: {
      contact: ['upsert'],
      appointment: ['upsert'],
      note: ['upsert'],
      tag: ['tag_add', 'tag_remove'],
    },
    outbound: {},
    reconcile: false,
    inboundAuth: 'url-key',
  },
  credentials: [],
  defaultFieldMaps: APPOINTLET_DEFAULT_MAPS,
  // The attendee and meeting objects of its webhooks (FACTS §1.3), with form answers under fields.
  partnerFields: {
    contact: [
      'email',
      'phone',
      'first_name',
      'last_name',
      'full_name',
      'name',
      'timezone',
      'notes',
      'fields.*',
    ],
    appointment: ['name', 'location', 'location_type', 'start', 'end', 'id'],
    note: ['notes', 'fields.*'],
  },

  async verifyInbound(_raw, _headers, conn, url) {
    return matchesHash(url?.searchParams.get('key'), conn.inboundSecretHash);
  },

  parseInbound(raw, _headers, conn) {
    return parseAppointletActivity(parseJsonObject(raw), conn);
  },

  async apply(change) {
    return {
      partnerId: change.partnerId ?? null,
      echoFingerprint: null,
      skipped: 'Appointlet has no API: nothing can be written to it.',
    };
  },

  async listChangedSince(_conn, cursor) {
    return { changes: [], cursor: cursor ?? '', hasMore: false };
  },

  fingerprint: (_kind, data) => fingerprint(data),
};
