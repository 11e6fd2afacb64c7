/**
 * GHL objects ⇄ the common sync model (worker/connectors/types.ts), and the print of the GHL
 * side used for echo suppression. Pure. Only fields that survive a round trip through GHL are
 * printed, so what we wrote and the webhook GHL sends back about it print the same.
 */
import type {
  AppointmentStatus,
  SyncAppointment,
  SyncContact,
  SyncNote,
  SyncTask,
} from '../connectors/types.ts';
import { fingerprint, normalizeEmail, normalizePhone } from './fingerprint.ts';

type Loose = Record<string, unknown>;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

/** GHL dates come as ISO or as "2021-07-16 11:00:00" (appointments); both read as UTC ISO. */
export function ghlDate(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const t = Date.parse(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

export function contactFromGhl(c: Loose): SyncContact {
  const customFields: Record<string, unknown> = {};
  if (Array.isArray(c.customFields)) {
    for (const f of c.customFields as Loose[])
      if (typeof f?.id === 'string') customFields[f.id] = f.value ?? f.field_value;
  }
  return strip({
    email: str(c.email),
    phone: str(c.phone),
    firstName: str(c.firstName),
    lastName: str(c.lastName),
    name:
      str(c.name) ??
      str(c.contactName) ??
      ([str(c.firstName), str(c.lastName)].filter(Boolean).join(' ') || undefined),
    companyName: str(c.companyName),
    tags: Array.isArray(c.tags)
      ? (c.tags as unknown[]).filter((t): t is string => typeof t === 'string')
      : undefined,
    customFields: Object.keys(customFields).length ? customFields : undefined,
    updatedAt: ghlDate(c.dateUpdated) ?? ghlDate(c.dateAdded),
  });
}

export function contactToGhl(c: SyncContact): Loose {
  return strip({
    email: c.email,
    phone: c.phone,
    firstName: c.firstName,
    lastName: c.lastName,
    name: c.firstName || c.lastName ? undefined : c.name,
    companyName: c.companyName,
    customFields: c.customFields
      ? Object.entries(c.customFields).map(([id, value]) => ({ id, field_value: value }))
      : undefined,
  });
}

export function noteFromGhl(n: Loose): SyncNote {
  return strip({
    body: str(n.body) ?? '',
    title: str(n.title),
    updatedAt: ghlDate(n.dateUpdated) ?? ghlDate(n.dateAdded),
  });
}

export function taskFromGhl(t: Loose): SyncTask {
  return strip({
    title: str(t.title) ?? '',
    body: str(t.body),
    dueDate: ghlDate(t.dueDate) ?? new Date(0).toISOString(),
    completed: t.completed === true,
    updatedAt: ghlDate(t.dateUpdated) ?? ghlDate(t.dateAdded),
  });
}

const TO_COMMON_STATUS: Record<string, AppointmentStatus> = {
  new: 'new',
  booked: 'confirmed',
  confirmed: 'confirmed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  showed: 'showed',
  noshow: 'noshow',
  invalid: 'cancelled',
};

export function appointmentFromGhl(a: Loose): SyncAppointment {
  const status = String(a.appointmentStatus ?? a.status ?? 'confirmed').toLowerCase();
  return strip({
    title: str(a.title) ?? 'Appointment',
    startTime: ghlDate(a.startTime) ?? new Date(0).toISOString(),
    endTime: ghlDate(a.endTime) ?? ghlDate(a.startTime) ?? new Date(0).toISOString(),
    status: TO_COMMON_STATUS[status] ?? 'confirmed',
    notes: str(a.notes) ?? str(a.description),
    address: str(a.address),
    updatedAt: ghlDate(a.dateUpdated) ?? ghlDate(a.dateAdded),
  });
}

export function appointmentToGhl(a: SyncAppointment): Loose {
  return strip({
    title: a.title,
    startTime: a.startTime,
    endTime: a.endTime,
    appointmentStatus: a.status === 'new' ? 'new' : a.status,
    description: a.notes,
    address: a.address,
  });
}

/** The GHL-side print of an object in the common model: only round-tripping fields count. */
export function ghlPrint(kind: string, data: unknown): string {
  const d = (data ?? {}) as Loose;
  switch (kind) {
    case 'contact':
      return fingerprint({
        email: normalizeEmail(d.email),
        phone: normalizePhone(d.phone),
        firstName: d.firstName,
        lastName: d.lastName,
        companyName: d.companyName,
      });
    case 'note':
      return fingerprint({ body: d.body });
    case 'task':
      return fingerprint({
        title: d.title,
        body: d.body,
        dueDate: d.dueDate,
        completed: d.completed === true,
      });
    case 'appointment':
      return fingerprint({ title: d.title, startTime: d.startTime, endTime: d.endTime, status: d.status });
    case 'tag':
      return fingerprint({
        tags: [...((d.tags as string[] | undefined) ?? [])].map((t) => t.toLowerCase()).sort(),
      });
    default:
      return fingerprint(d);
  }
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o)) if ((o as Loose)[k] === undefined) delete (o as Loose)[k];
  return o;
}
