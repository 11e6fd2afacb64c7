import { AppError } from '../errors.ts';
import { fingerprint } from '../sync/fingerprint.ts';
import { compact, iso, str, toCommon, toPartner } from './mapping.ts';
import type {
  AppointmentStatus,
  FieldMap,
  FieldMapOverrides,
  OutboundChange,
  PartnerChange,
  SyncContact,
  SyncKind,
} from './types.ts';

/**
 * Pure mapping of the "your app" wire format (test/partners/README.md documents it for partners):
 *
 *   { "type": "<kind>.<verb>", "timestamp": "<ISO>", "data": { ... } }
 *
 * kinds contact | appointment | note | task with verbs created | updated | deleted, and
 * tag.added | tag.removed. `data.id` is the sender's id of the object (`previousId` when it
 * changed); non-contact objects name their contact in `data.contact` ({ id?, email?, phone?, … });
 * tag events carry `data.tags` and the contact. Outbound, `data.ghlId` is our (GHL) id and `data.id`
 * the partner's id when known. Field names are the common model's unless the connection maps them.
 */

export const YOURAPP_DEFAULT_MAPS: FieldMapOverrides = {
  contact: identity(['email', 'phone', 'firstName', 'lastName', 'name', 'companyName', 'tags', 'updatedAt']),
  appointment: identity([
    'title',
    'startTime',
    'endTime',
    'status',
    'notes',
    'address',
    'attendeeEmail',
    'attendeePhone',
    'attendeeName',
    'updatedAt',
  ]),
  note: identity(['body', 'title', 'updatedAt']),
  task: identity(['title', 'body', 'dueDate', 'completed', 'updatedAt']),
};

function identity(fields: string[]): FieldMap {
  return Object.fromEntries(fields.map((f) => [f, f]));
}

export type YourAppMaps = Required<Pick<FieldMapOverrides, 'contact' | 'appointment' | 'note' | 'task'>>;

export interface YourAppEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const KINDS = new Set(['contact', 'appointment', 'note', 'task']);
const STATUSES = new Set<AppointmentStatus>(['confirmed', 'cancelled', 'showed', 'noshow', 'new']);
const VERB: Record<string, string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  tag_add: 'added',
  tag_remove: 'removed',
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const bad = (message: string) => new AppError(400, 'invalid_event', message);

/** The print of an object as it travels: every field but `updatedAt` (canonical JSON). */
export function yourappFingerprint(_kind: SyncKind, data: unknown): string {
  return fingerprint(data);
}

function contactFrom(raw: unknown, map: FieldMap): SyncContact {
  const view = obj(raw) ?? {};
  const contact = toCommon(view, map) as SyncContact;
  const custom = obj(view.customFields);
  if (custom) contact.customFields = { ...custom, ...contact.customFields };
  if (contact.tags) contact.tags = contact.tags.map((t) => str(t)).filter((t): t is string => !!t);
  return compact(contact);
}

function contactTo(contact: SyncContact | undefined, map: FieldMap): Obj {
  if (!contact) return {};
  const out = toPartner(contact, map);
  if (contact.customFields && Object.keys(contact.customFields).length)
    out.customFields = { ...contact.customFields };
  return out;
}

function objectData(kind: 'appointment' | 'note' | 'task', data: Obj, map: FieldMap) {
  const c = toCommon(data, map);
  if (kind === 'appointment') {
    const startTime = iso(c.startTime);
    const endTime = iso(c.endTime);
    const status = str(c.status) as AppointmentStatus | undefined;
    if (!startTime || !endTime) throw bad('An appointment event needs startTime and endTime (ISO 8601).');
    if (!status || !STATUSES.has(status))
      throw bad('An appointment event needs status: confirmed, cancelled, showed, noshow or new.');
    return compact({ ...c, title: str(c.title) ?? 'Appointment', startTime, endTime, status });
  }
  if (kind === 'note') {
    if (!str(c.body)) throw bad('A note event needs a body.');
    return compact({ ...c, body: str(c.body)! });
  }
  const dueDate = iso(c.dueDate);
  if (!str(c.title) || !dueDate || typeof c.completed !== 'boolean')
    throw bad('A task event needs title, dueDate (ISO 8601) and completed (boolean).');
  return compact({ ...c, title: str(c.title)!, dueDate, completed: c.completed });
}

/**
 * One your-app event → common-model changes (pure). `eventId` is the Standard Webhooks
 * `webhook-id` (or the id of a `/changes` entry: the same value for the same event).
 */
export function parseYourAppEvent(
  event: unknown,
  eventId: string,
  connectionId: string,
  maps: YourAppMaps,
): PartnerChange[] {
  const e = obj(event);
  if (!e) throw bad('The event must be a JSON object.');
  const type = str(e.type);
  const data = obj(e.data);
  if (!type || !/^[a-z]+\.[a-z]+$/.test(type))
    throw bad('The event has no valid type (e.g. "contact.updated").');
  if (!data) throw bad('The event has no data object.');
  const occurredAt = iso(e.timestamp);
  if (!occurredAt) throw bad('The event has no valid timestamp (ISO 8601).');
  const [kind, verb] = type.split('.') as [string, string];
  const id = str(data.id);
  const base = { connectionId, occurredAt, dedupeKey: `yourapp:${eventId}` };

  if (kind === 'tag') {
    if (verb !== 'added' && verb !== 'removed')
      throw new AppError(422, 'unsupported_event', `Event type ${type} is not part of the contract.`);
    const tags = Array.isArray(data.tags) ? data.tags.map((t) => str(t)).filter((t): t is string => !!t) : [];
    if (!tags.length) throw bad('A tag event needs a non-empty tags array.');
    const contact = contactFrom(data.contact, maps.contact);
    const partnerId = id ?? str(obj(data.contact)?.id);
    if (!partnerId) throw bad('A tag event needs data.id (the contact id) or data.contact.id.');
    const tagData = { tags };
    return [
      compact({
        ...base,
        kind: 'tag',
        op: verb === 'added' ? 'tag_add' : 'tag_remove',
        partnerId,
        contactPartnerId: partnerId,
        contact,
        data: tagData,
        fingerprint: yourappFingerprint('tag', tagData),
      } as PartnerChange),
    ];
  }
  if (!KINDS.has(kind) || !['created', 'updated', 'deleted'].includes(verb)) {
    throw new AppError(
      422,
      'unsupported_event',
      `Event type ${type.slice(0, 64)} is not part of the contract.`,
    );
  }
  if (!id) throw bad('The event data has no id.');
  const k = kind as 'contact' | 'appointment' | 'note' | 'task';
  const contact =
    k === 'contact'
      ? contactFrom(data, maps.contact)
      : obj(data.contact)
        ? contactFrom(data.contact, maps.contact)
        : undefined;
  const contactPartnerId = k === 'contact' ? id : str(obj(data.contact)?.id);
  const shared = compact({
    ...base,
    partnerId: id,
    previousPartnerId: str(data.previousId),
    contact,
    contactPartnerId,
  });
  if (verb === 'deleted')
    return [{ ...shared, kind: k, op: 'delete', data: null, fingerprint: yourappFingerprint(k, null) }];
  const payload = k === 'contact' ? contact! : objectData(k, data, maps[k]);
  return [
    {
      ...shared,
      kind: k,
      op: 'upsert',
      data: payload,
      fingerprint: yourappFingerprint(k, payload),
    } as PartnerChange,
  ];
}

/** The event we send for a GHL change. */
export function toYourAppEvent(change: OutboundChange, maps: YourAppMaps, now = new Date()): YourAppEvent {
  // No GHL id for a write an automation makes straight to the app (not a GHL object).
  const data: Obj = change.ghlId ? { ghlId: change.ghlId } : {};
  if (change.partnerId) data.id = change.partnerId;
  if (change.kind !== 'contact') {
    const who = contactTo(change.contact, maps.contact);
    data.contact = compact({ ...who, id: change.contactPartnerId, ghlId: change.contactGhlId });
  }
  if (change.op !== 'delete') {
    if (change.kind === 'tag') data.tags = [...change.data.tags];
    else if (change.kind === 'contact') Object.assign(data, contactTo(change.data, maps.contact));
    else Object.assign(data, toPartner(change.data, maps[change.kind]));
  }
  return { type: `${change.kind}.${VERB[change.op]}`, timestamp: now.toISOString(), data };
}
